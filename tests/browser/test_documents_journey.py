"""A counsellor keeps a paper of a person's file from a phone (issue 17, item 5): the upload
refused while the consent date is missing (what was typed stays, the file is asked again), then
kept; the section lists it, the download works, and a removal asks for a confirmation. Each state
passes the accessibility check, with no sideways scroll."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import AccessLog, User
from privacy.models import Document
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in, twelve_at_a_session_today

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state, widths=(320, 360))


def test_a_counsellor_keeps_a_document_from_a_phone(phone, live_server, transactional_db):
    _session, people = twelve_at_a_session_today()
    person = people[0]
    counsellor = User.objects.get(email="conseil@demo.local")
    page = phone
    log_in(page, live_server, "conseil@demo.local")
    page.goto(live_server.url + reverse("participants:detail", args=[person.pk]))
    section = page.get_by_role("region", name="Documents")
    expect(section).to_contain_text("Aucun document")
    section.get_by_role("link", name="Ajouter un document").click()
    _check(page, "document form, empty")

    page.get_by_label("Type de document").select_option(label="Attestation")
    page.get_by_label("Description").fill("Attestation de fréquentation")
    last_week = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    page.get_by_label("Date du document").fill(last_week)
    page.get_by_label("Accord de la personne le").fill("")
    scan = {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": PDF}
    page.get_by_label("Fichier (photo ou PDF)").set_input_files(scan)
    page.get_by_role("button", name="Ajouter au dossier").click()
    expect(page.locator("[data-file-again]")).to_be_visible()
    expect(page.get_by_label("Description")).to_have_value("Attestation de fréquentation")
    _check(page, "document form, refused")

    page.get_by_label("Accord de la personne le").fill(timezone.localdate().isoformat())
    page.get_by_label("Fichier (photo ou PDF)").set_input_files(scan)
    page.get_by_role("button", name="Ajouter au dossier").click()
    expect(page.get_by_role("status").or_(page.get_by_role("alert")).first).to_contain_text(
        "Le document est ajouté"
    )
    document = Document.objects.get(participant=person)
    assert document.uploaded_by == counsellor
    section = page.get_by_role("region", name="Documents")
    expect(section).to_contain_text("Attestation de fréquentation")
    _check(page, "participant page with a document")

    with page.expect_download() as download:
        section.get_by_role("link", name="Attestation").click()
    assert download.value.suggested_filename == f"{last_week}-attestation-{document.pk}.pdf"
    assert AccessLog.objects.filter(action="download", object_id=str(document.pk)).exists()

    section.locator("summary", has_text="Supprimer").click()
    _check(page, "participant page, removal asked")
    section.get_by_role("button", name="Supprimer définitivement").click()
    expect(page.get_by_role("region", name="Documents")).to_contain_text("Aucun document")
    assert not Document.objects.exists()
