"""Direction answers a person's request for their data (issue 17, item 3): from the dashboard to
the right-of-access page, a search by name, the ZIP downloaded (the PDF, the JSON, the person's
documents), and the same export from the participant page. Each state passes the accessibility
check, with no sideways scroll at 320 px."""

import datetime as dt
import io
import json
import zipfile

from django.core.files.base import ContentFile
from django.urls import reverse
from playwright.sync_api import expect

from accounts.models import AccessLog, User
from privacy.models import Document
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in, twelve_at_a_session_today


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state, widths=(320, 360))


def _zip_of(download) -> zipfile.ZipFile:
    with open(download.path(), "rb") as file:
        return zipfile.ZipFile(io.BytesIO(file.read()))


def test_direction_downloads_everything_held_on_a_person(desktop, live_server, transactional_db):
    _session, people = twelve_at_a_session_today()
    person = people[0]
    person.last_name = "Bensaïd"
    person.save()
    Document.objects.create(
        participant=person,
        kind=Document.Kind.ATTESTATION,
        dated_on=dt.date(2026, 3, 1),
        consent_on=dt.date(2026, 3, 1),
        keep_until=dt.date(2030, 1, 1),
        file=ContentFile(b"%PDF-1.4 attestation", name="scan.pdf"),
        uploaded_by=User.objects.get(email="conseil@demo.local"),
    )
    direction = User.objects.get(email="direction@demo.local")
    page = desktop
    log_in(page, live_server, "direction@demo.local")
    page.get_by_role("link", name="Droit d'accès", exact=False).click()
    expect(page.get_by_role("heading", name="Droit d'accès", level=1)).to_be_visible()
    _check(page, "right of access, before a search")

    page.get_by_label("Nom, prénom ou numéro de registre national").fill("bensaid")
    page.get_by_role("button", name="Rechercher").click()
    results = page.get_by_test_id("subject-access-results")
    expect(results).to_contain_text(f"{person.first_name} BENSAÏD")
    expect(results).to_contain_text(f"né·e en {person.birth_date.year}")
    _check(page, "right of access, one person found")

    with page.expect_download() as download:
        results.get_by_role("button", name="Télécharger l'export").click()
    assert download.value.suggested_filename.startswith(f"droit-d-acces-{person.pk}-")
    archive = _zip_of(download.value)
    assert archive.read("export.pdf").startswith(b"%PDF")
    assert archive.read("documents/2026-03-01-attestation.pdf") == b"%PDF-1.4 attestation"
    data = json.loads(archive.read("export.json"))
    assert data["participant"]["last_name"] == "Bensaïd"
    assert (
        AccessLog.objects.filter(
            action="export", user=direction, content_type__model="participant"
        ).count()
        == 1
    )

    page.goto(live_server.url + reverse("participants:detail", args=[person.pk]))
    with page.expect_download() as download:
        page.get_by_role("button", name="Export RGPD (droit d'accès)").click()
    assert "export.json" in _zip_of(download.value).namelist()
    assert (
        AccessLog.objects.filter(
            action="export", user=direction, content_type__model="participant"
        ).count()
        == 2
    )
    # The page stays (a download): the pointer leaves the button, whose colours fade back.
    page.mouse.move(0, 0)
    page.wait_for_timeout(500)
    _check(page, "participant page after the export")
