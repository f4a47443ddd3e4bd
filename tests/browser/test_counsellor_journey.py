"""The counsellor's journey: a new participant, a need, an interview, the pathway closed."""

import random

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Organization
from demo.accounts import seed_accounts
from participants.models import Participant, Programme
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import log_in


@pytest.fixture
def demo(transactional_db):
    seed_accounts(rng=random.Random(2026))
    operator = Organization.objects.get(slug="ml-bruxelles-midi")
    Programme.objects.create(organization=operator, code="mokolab", name="MoKoLab")


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_counsellor_follows_a_pathway_from_intake_to_exit(request, live_server, demo, device):
    page = request.getfixturevalue(device)
    log_in(page, live_server, "conseil@demo.local", check=device == "phone")
    assert_accessible(page, "dashboard")
    if device == "phone":
        page.get_by_role("button", name="Ouvrir le menu").click()
        page.locator("#main-nav.show").wait_for()
        assert_accessible(page, "menu open")
    page.get_by_role("link", name="Participant·es").click()
    page.wait_for_url("**/participants/")
    assert_accessible(page, "participant list")
    page.get_by_role("link", name="Nouvelle fiche").click()
    page.wait_for_url("**/participants/nouveau/")
    assert_accessible(page, "new participant form")

    # Sent half filled: refused, with a summary of what to correct, focused, above the form.
    page.locator("#id_last_name").fill("Tahiri")
    page.get_by_role("button", name="Enregistrer").click()
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_focused()
    assert page.locator("#id_last_name").input_value() == "Tahiri"
    summary.get_by_role("link", name="Prénom").click()
    expect(page.locator("#id_first_name")).to_be_focused()
    assert_accessible(page, "new participant form refused")

    page.locator("#id_last_name").fill("Tahiri")
    page.locator("#id_first_name").fill("Yasmine")
    page.locator("#id_birth_date").fill("1991-03-14")
    page.locator("#id_gender").select_option("F")
    page.locator("#id_postcode").fill("1080")
    page.locator("#id_nationality_group").select_option("non_EU")
    page.locator("#id_income_kind").select_option("ris")
    page.locator("#id_programme").select_option(label="MoKoLab")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url("**/participants/*/")
    assert "La fiche de Yasmine Tahiri est créée." in page.inner_text("main")
    assert "Molenbeek-Saint-Jean" in page.inner_text("main")
    assert_accessible(page, "participant created")

    needs = page.locator("#needs")
    needs.get_by_label("Besoin").select_option("childcare")
    needs.get_by_role("button", name="Ajouter le besoin").click()
    page.locator("#needs strong", has_text="Garde d'enfants").wait_for()
    assert_accessible(page, "need added")

    pathway = page.locator("article[id^=pathway-]")
    pathway.locator("[name$='-event-text']").fill("Premier entretien : projet horticulture.")
    pathway.locator("[name$='-event-duration_minutes']").fill("45")
    pathway.get_by_role("button", name="Enregistrer la note").click()
    page.locator("article[id^=pathway-] .timeline", has_text="projet horticulture").wait_for()
    assert_accessible(page, "interview noted")

    pathway = page.locator("article[id^=pathway-]")
    pathway.get_by_text("Clôturer le parcours").click()
    pathway.locator("[name$='-close-ended_on']").fill(timezone.localdate().isoformat())
    pathway.locator("[name$='-close-exit_outcome']").select_option("job_permanent")
    pathway.get_by_role("button", name="Clôturer").click()
    page.locator("article[id^=pathway-] .badge", has_text="Emploi CDI").wait_for()
    closed_card = page.locator("article[id^=pathway-]")
    closed_card.get_by_text("Historique, objectifs et suivi").click()  # folded once closed
    assert "+3 mois" in closed_card.inner_text()
    assert_accessible(page, "pathway closed, history open")
    assert "Premier entretien : projet horticulture." in closed_card.inner_text()

    participant = Participant.objects.get(last_name="Tahiri")
    closed = participant.pathways.get()
    assert closed.exit_outcome == "job_permanent" and closed.exit_is_positive
    assert list(closed.transitions.values_list("kind", flat=True)) == ["start", "close"]
    assert participant.needs.get().category == "childcare"
    assert closed.events.get().duration_minutes == 45
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
