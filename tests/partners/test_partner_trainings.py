"""A partner notes, on a referral it accepted to a training it gives, the training and the
certification it issued (issue 20, point 3) — and sees nothing more of the person than the
minimum of every referral and what it noted itself."""

import datetime as dt
import html as html_lib
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessLog, Organization
from participants import services as participant_services
from participants.models import Certification, Training
from partners import services
from partners.models import PartnerService
from tests.factories import MembershipFactory, OrganizationFactory
from tests.partners.test_partner_side import person_with_secrets


@pytest.fixture
def person(operator, counsellor):
    participant = person_with_secrets(operator, counsellor, need_category="qualification")
    # Noted by the counsellor: the partner never sees it.
    participant_services.training_add(
        participant=participant,
        title="Formation secrète ailleurs",
        provider="Un autre centre",
        starts_on=dt.date(2025, 3, 3),
        recorded_by=counsellor,
        recorded_by_organization=operator,
    )
    return participant


def _service(organization, category="qualification"):
    return PartnerService.objects.create(
        organization=organization, name="Formation en rénovation", need_category=category
    )


@pytest.fixture
def referral(person, housing, counsellor):
    """To a training of ``housing``, whose member is the ``partner`` persona: not answered yet."""
    return services.referral_send(
        participant=person,
        to_organization=housing,
        service=_service(housing),
        reason="Formation aux métiers de la rénovation",
        by=counsellor,
    )


@pytest.fixture
def accepted(referral, partner):
    return services.referral_answer(referral=referral, accept=True, by=partner)


def _page(referral):
    return reverse("partners:referral_trainings", args=[referral.pk])


def _add_training(referral):
    return reverse("partners:referral_training_add", args=[referral.pk])


def _add_certification(referral):
    return reverse("partners:referral_certification_add", args=[referral.pk])


def _training_data(**fields) -> dict:
    values = {
        "title": "Ouvrier·ère polyvalent·e",
        "starts_on": "2026-02-02",
        "ends_on": "2026-06-26",
        "hours_planned": "420",
        "hours_done": "402,5",
        "status": "completed",
    }
    return {f"training-{name}": value for name, value in (values | fields).items()}


def _certification_data(**fields) -> dict:
    values = {
        "kind": "skill_attestation",
        "title": "Attestation de compétences en peinture",
        "obtained_on": "2026-06-26",
        "issuing_body": "",
        "training": "",
    }
    return {f"certification-{name}": value for name, value in (values | fields).items()}


def _html(response) -> str:
    return html_lib.unescape(response.content.decode())


def test_the_partner_notes_the_training_it_gives_on_the_referral_it_accepted(
    client, partner, accepted, housing, person, counsellor
):
    client.force_login(partner)
    response = client.post(_add_training(accepted), _training_data())
    assert response.status_code == 302 and response.url == _page(accepted)
    training = Training.objects.get(recorded_by_organization=housing)
    assert (training.participant, training.provider, training.provider_organization) == (
        person,
        "Logement Test",
        housing,
    )
    assert (training.hours_done, training.status, training.recorded_by) == (
        Decimal("402.50"),
        "completed",
        partner,
    )
    # The counsellor sees it on the person's page, with who noted it.
    client.force_login(counsellor)
    html = _html(client.get(reverse("participants:detail", args=[person.pk])))
    assert "Ouvrier·ère polyvalent·e" in html and "notée par Logement Test" in html


def test_the_partner_notes_the_certification_it_issued_after_its_training(
    client, partner, accepted, housing, person
):
    client.force_login(partner)
    client.post(_add_training(accepted), _training_data())
    training = Training.objects.get(recorded_by_organization=housing)
    response = client.post(_add_certification(accepted), _certification_data(training=training.pk))
    assert response.status_code == 302
    certification = Certification.objects.get()
    assert certification.issuing_body == "Logement Test"  # the partner, unless it names another
    assert (certification.training, certification.recorded_by_organization) == (training, housing)
    html = _html(client.get(_page(accepted)))
    assert "Attestation de compétences en peinture" in html
    assert "à l'issue de : Ouvrier·ère polyvalent·e" in html


def test_it_may_still_note_once_the_person_is_said_to_have_come(
    client, partner, accepted, counsellor
):
    services.referral_close(referral=accepted, came=True, by=counsellor)
    client.force_login(partner)
    assert client.post(_add_certification(accepted), _certification_data()).status_code == 302
    assert Certification.objects.count() == 1


def test_a_training_noted_by_someone_else_cannot_carry_its_certification(
    client, partner, accepted, person
):
    theirs = Training.objects.get(participant=person)  # the counsellor's
    client.force_login(partner)
    response = client.post(_add_certification(accepted), _certification_data(training=theirs.pk))
    assert response.status_code == 200
    assert set(response.context["certification_form"].errors) == {"training"}
    assert not Certification.objects.exists()


def test_a_referral_not_accepted_is_refused_with_a_message_and_what_was_typed_kept(
    client, partner, referral
):
    client.force_login(partner)
    page = _html(client.get(_page(referral)))
    assert "Cette orientation est « Envoyée »" in page
    assert "Noter la formation que vous donnez" not in page  # no form to fill in vain
    response = client.post(_add_training(referral), _training_data())
    assert response.status_code == 200
    html = _html(response)
    assert "une formation ou une certification se note sur une orientation que vous avez" in html
    assert 'value="Ouvrier·ère polyvalent·e"' in html and 'value="402,5"' in html
    response = client.post(_add_certification(referral), _certification_data())
    assert response.status_code == 200
    assert Training.objects.filter(recorded_by_organization=referral.to_organization).count() == 0
    assert not Certification.objects.exists()


def test_a_referral_refused_by_the_partner_is_refused_too(client, partner, referral):
    services.referral_answer(referral=referral, accept=False, reason="Complet", by=partner)
    client.force_login(partner)
    response = client.post(_add_training(referral), _training_data())
    assert response.status_code == 200
    assert "Cette orientation est « Refusée »" in _html(response)
    assert not Training.objects.filter(recorded_by=partner).exists()


def test_a_referral_to_another_kind_of_service_is_no_training(
    client, partner, person, housing, counsellor
):
    lodging = services.referral_send(
        participant=person,
        to_organization=housing,
        service=_service(housing, category="housing"),
        reason="Logement",
        by=counsellor,
    )
    services.referral_answer(referral=lodging, accept=True, by=partner)
    client.force_login(partner)
    assert "ne porte pas sur une formation" in _html(client.get(_page(lodging)))
    assert client.post(_add_training(lodging), _training_data()).status_code == 200
    assert not Training.objects.filter(recorded_by=partner).exists()


def test_another_partners_referral_answers_404(client, person, counsellor, partner):
    centre = OrganizationFactory(kind=Organization.Kind.TRAINING, name="Centre de formation")
    theirs = services.referral_send(
        participant=person,
        to_organization=centre,
        service=_service(centre),
        reason="Formation",
        by=counsellor,
    )
    services.referral_answer(
        referral=theirs,
        accept=True,
        by=MembershipFactory(organization=centre, role="partner").user,
    )
    client.force_login(partner)
    assert client.get(_page(theirs)).status_code == 404
    assert client.post(_add_training(theirs), _training_data()).status_code == 404
    assert client.post(_add_certification(theirs), _certification_data()).status_code == 404
    assert not Training.objects.filter(recorded_by=partner).exists()


@pytest.mark.parametrize("persona", ["counsellor", "director", "admin", "coordinator"])
def test_the_partners_pages_are_for_partners(client, personas, accepted, persona):
    client.force_login(personas[persona])
    assert client.get(_page(accepted)).status_code == 403
    assert client.post(_add_training(accepted), _training_data()).status_code == 403
    assert client.post(_add_certification(accepted), _certification_data()).status_code == 403


def test_the_partner_sees_the_minimum_and_what_it_noted_nothing_else(
    client, partner, accepted, person
):
    client.force_login(partner)
    client.post(_add_training(accepted), _training_data())
    response = client.get(_page(accepted))
    html = _html(response)
    assert "Amina" in html and "0470 12 34 56" in html and "Ouvrier·ère polyvalent·e" in html
    for secret in (
        "Formation secrète ailleurs",  # another's training, not even in the certification's list
        "Un autre centre",
        "Note d'entretien confidentielle",
        "Dettes de loyer",
        "Rue Secrète",
        person.national_number,
    ):
        assert secret not in html
    options = response.context["certification_form"].fields["training"].choices
    assert [label for _value, label in options][1:] == ["Ouvrier·ère polyvalent·e (02/02/2026)"]
    # Its opening is in the access log, as the answer page's is.
    assert AccessLog.objects.filter(user=partner, object_id=accepted.pk).exists()


def test_the_inbox_and_the_answered_referral_lead_to_the_page(client, partner, accepted):
    client.force_login(partner)
    assert _page(accepted) in _html(client.get(reverse("partners:inbox")))
    answer = client.get(reverse("partners:answer", args=[accepted.pk]))
    assert _page(accepted) in _html(answer)


def test_the_page_query_count_does_not_grow_with_what_was_noted(client, partner, accepted):
    client.force_login(partner)
    before = Training.objects.count(), Certification.objects.count()
    for day in range(1, 6):
        client.post(
            _add_training(accepted),
            _training_data(title=f"Module {day}", starts_on=f"2026-02-0{day}"),
        )
        client.post(_add_certification(accepted), _certification_data(title=f"Certificat {day}"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_page(accepted)).status_code == 200
        return len(queries)

    assert (Training.objects.count(), Certification.objects.count()) == (
        before[0] + 5,
        before[1] + 5,
    )
    small = count()
    for day in range(6, 10):
        client.post(
            _add_training(accepted),
            _training_data(title=f"Module {day}", starts_on=f"2026-02-0{day}"),
        )
    assert Training.objects.count() == before[0] + 9
    assert count() == small
