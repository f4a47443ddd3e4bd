"""A partner without members answers a referral through the e-mailed link, in a real browser on
a phone: the page asks the browser not to pass its address on, and the answer must still pass
the CSRF check (a browser told ``no-referrer`` posts ``Origin: null``, which Django refuses)."""

import datetime
import random

import pytest

from accounts.models import Organization, User
from demo.accounts import seed_accounts
from participants.models import NeedCategory, Participant, Pathway, Programme
from partners import services
from partners.models import PartnerService, Referral
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll


@pytest.fixture
def referral(transactional_db):
    seed_accounts(rng=random.Random(2026))
    operator = Organization.objects.get(slug="ml-bruxelles-midi")
    cpas = Organization.objects.create(
        kind=Organization.Kind.CPAS, name="CPAS de Forest", email="accueil@cpas-forest.example"
    )
    service = PartnerService.objects.create(
        organization=cpas,
        name="Service social",
        need_category=NeedCategory.CHILDCARE,
        email="orientations@cpas-forest.example",
    )
    counsellor = User.objects.get(email="conseil@demo.local")
    participant = Participant.objects.create(
        organization=operator,
        first_name="Yasmina",
        last_name="Ouali",
        birth_date=datetime.date(1990, 3, 4),
        gender="F",
        nationality_group="BE",
        counsellor=counsellor,
    )
    programme = Programme.objects.create(organization=operator, code="mokolab", name="MoKoLab")
    Pathway.objects.create(
        participant=participant, programme=programme, started_on=datetime.date(2026, 9, 1)
    )
    return services.referral_send(
        participant=participant,
        to_organization=cpas,
        service=service,
        reason="Garde d'enfants",
        by=counsellor,
    )


def test_a_partner_answers_through_the_link_on_a_phone(phone, live_server, referral):
    token = services.referral_link_token(referral=referral)
    phone.goto(f"{live_server.url}/partenaires/reponse/?t={token}")
    assert_accessible(phone, "link answer form")
    assert_no_sideways_scroll(phone, "link answer form")

    # A refusal without its reason is refused, the choice kept.
    phone.get_by_label("Je refuse cette orientation").check()
    phone.get_by_role("button", name="Envoyer ma réponse").click()
    assert phone.get_by_text("Indiquez le motif du refus.").first.is_visible()
    assert phone.get_by_label("Je refuse cette orientation").is_checked()
    assert_accessible(phone, "link answer refused")

    phone.get_by_label("J'accepte cette orientation").check()
    phone.get_by_role("button", name="Envoyer ma réponse").click()
    phone.get_by_role("heading", name="Réponse enregistrée").wait_for()
    assert_accessible(phone, "link answer sent")
    referral.refresh_from_db()
    assert referral.status == Referral.Status.ACCEPTED
