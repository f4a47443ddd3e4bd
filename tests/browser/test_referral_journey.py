"""Issue 5's journey: a counsellor refers a participant for a need, the partner logs in and
accepts, the counsellor sees the answer on the participant's page."""

import datetime
import random

import pytest

from accounts.models import Organization, User
from demo.accounts import seed_accounts
from participants.models import NeedCategory, Participant, Pathway, Programme
from partners.models import PartnerService, Referral
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import log_in


@pytest.fixture
def demo(transactional_db):
    seed_accounts(rng=random.Random(2026))
    operator = Organization.objects.get(slug="ml-bruxelles-midi")
    housing = Organization.objects.get(kind=Organization.Kind.HOUSING)
    PartnerService.objects.create(
        organization=housing,
        name="Service social des locataires",
        need_category=NeedCategory.HOUSING,
        commune="Anderlecht",
    )
    programme = Programme.objects.create(organization=operator, code="mokolab", name="MoKoLab")
    participant = Participant.objects.create(
        organization=operator,
        first_name="Karim",
        last_name="Benali",
        birth_date=datetime.date(1988, 5, 2),
        gender="M",
        nationality_group="BE",
        phone="0470 12 34 56",
        street="Rue de la Digue 12",
        counsellor=User.objects.get(email="conseil@demo.local"),
    )
    Pathway.objects.create(
        participant=participant, programme=programme, started_on=datetime.date(2026, 9, 1)
    )
    return participant


@pytest.mark.parametrize("device", ["desktop", "phone"])
def test_a_referral_goes_from_the_counsellor_to_the_partner_and_back(
    request, browser, live_server, demo, device
):
    page = request.getfixturevalue(device)
    log_in(page, live_server, "conseil@demo.local")
    page.goto(f"{live_server.url}/participants/{demo.pk}/")
    assert_accessible(page, "participant")

    # 1. The counsellor notes a need and, from it, refers Karim (the need added through htmx
    # carries its own "Orienter" button at once).
    needs = page.locator("#needs")
    needs.get_by_label("Besoin").select_option("housing")
    needs.get_by_role("button", name="Ajouter le besoin").click()
    assert_accessible(page, "need added")
    needs.get_by_role("link", name="Orienter : Logement").click()
    page.wait_for_url("**/partenaires/**")
    assert_accessible(page, "partner services for the need")
    page.get_by_role("link", name="Orienter ici : Service social des locataires").click()
    page.get_by_label("Motif").wait_for()
    assert_accessible(page, "referral form")
    page.get_by_label("Motif").fill("Arriérés de loyer, cherche un plan d'apurement.")
    page.get_by_role("button", name="Envoyer l'orientation").click()
    page.wait_for_url(f"**/participants/{demo.pk}/**")
    referrals = page.locator("#referrals")
    assert "Envoyée" in referrals.inner_text()
    assert_accessible(page, "referral sent")
    referral = Referral.objects.get(participant=demo)
    assert referral.need.category == NeedCategory.HOUSING

    # 2. The housing company's member answers in the app: she sees the minimum, and accepts.
    context = browser.new_context(
        viewport=page.viewport_size, locale="fr-BE", service_workers="block"
    )
    partner = context.new_page()
    log_in(partner, live_server, "partenaire@demo.local")
    partner.goto(f"{live_server.url}/partenaires/orientations-recues/")
    inbox = partner.locator("main").inner_text()
    assert_accessible(partner, "partner's inbox")
    assert "BENALI Karim" in inbox and "plan d'apurement" in inbox
    assert "Rue de la Digue" not in inbox  # an address is not part of the minimum
    partner.get_by_role("link", name="Répondre").click()
    assert_accessible(partner, "answer form")
    partner.get_by_label("J'accepte cette orientation").check()
    partner.get_by_role("button", name="Envoyer ma réponse").click()
    partner.wait_for_url("**/orientations-recues/")
    assert "Votre réponse est enregistrée et transmise." in partner.inner_text("main")
    assert_accessible(partner, "answer sent")
    assert partner.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    context.close()

    # 3. The counsellor sees the answer on the participant's page.
    page.reload()
    answered = page.locator(f"[data-testid=referral-{referral.pk}]")
    assert "Acceptée" in answered.inner_text()
    assert_accessible(page, "referral accepted")
    assert answered.get_by_role("button", name="Est venu·e").is_visible()
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
    assert list(referral.transitions.values_list("to_status", "channel")) == [
        ("sent", "app"),
        ("accepted", "app"),
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
