"""Trainings followed and certifications obtained (issue 20, point 3): the rules of the services,
and the section of the participant's page where the counsellors note them, for every role."""

import datetime as dt
import html as html_lib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from participants import services
from participants.models import Certification, Participant, Training
from tests.factories import ParticipantFactory

TODAY = timezone.localdate()
YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)


def _training(participant, by, **fields):
    values = {
        "title": "Aide-comptable",
        "provider": "Bruxelles Formation",
        "starts_on": dt.date(2025, 9, 1),
        "hours_planned": Decimal("300"),
        "recorded_by": by,
        "recorded_by_organization": participant.organization,
    }
    return services.training_add(participant=participant, **(values | fields))


def _certification(participant, by, **fields):
    values = {
        "kind": "certificate",
        "title": "VCA de base",
        "obtained_on": dt.date(2025, 10, 6),
        "issuing_body": "Bruxelles Formation",
        "recorded_by": by,
        "recorded_by_organization": participant.organization,
    }
    return services.certification_add(participant=participant, **(values | fields))


def _refused(error) -> dict:
    return {field: " ".join(messages) for field, messages in error.value.message_dict.items()}


class TestTrainingRules:
    def test_a_training_is_noted_with_who_noted_it_and_for_which_organization(
        self, participant, counsellor, operator
    ):
        training = _training(participant, counsellor, hours_done=Decimal("12.5"))
        training.refresh_from_db()
        assert training.status == "planned"
        assert (training.hours_planned, training.hours_done) == (Decimal("300"), Decimal("12.50"))
        assert training.recorded_by == counsellor
        assert training.recorded_by_organization == operator

    def test_the_hours_done_may_exceed_those_planned(self, participant, counsellor):
        training = _training(
            participant,
            counsellor,
            status="completed",
            ends_on=dt.date(2025, 12, 19),
            hours_done=Decimal("320"),
        )
        assert training.hours_done > training.hours_planned

    @pytest.mark.parametrize(
        ("field", "hours"),
        [("hours_planned", "-1"), ("hours_done", "-0.5"), ("hours_done", "2001")],
    )
    def test_hours_below_0_or_above_2000_are_refused_beside_their_field(
        self, participant, counsellor, field, hours
    ):
        with pytest.raises(ValidationError) as error:
            _training(participant, counsellor, **{field: Decimal(hours)})
        assert "entre 0 et 2000" in _refused(error)[field]
        assert not Training.objects.exists()

    def test_the_end_cannot_precede_the_start(self, participant, counsellor):
        with pytest.raises(ValidationError) as error:
            _training(participant, counsellor, ends_on=dt.date(2025, 8, 31))
        assert _refused(error) == {"ends_on": "La fin ne peut pas précéder le début (01/09/2025)."}

    def test_a_completed_training_needs_an_end_that_is_not_in_the_future(
        self, participant, counsellor
    ):
        with pytest.raises(ValidationError) as error:
            _training(participant, counsellor, status="completed")
        assert _refused(error) == {"ends_on": "Indiquez la date de fin d'une formation terminée."}
        with pytest.raises(ValidationError) as error:
            _training(participant, counsellor, status="completed", ends_on=TOMORROW)
        assert "futur" in _refused(error)["ends_on"]
        assert _training(participant, counsellor, status="completed", ends_on=YESTERDAY)

    def test_a_planned_training_may_lie_ahead_a_begun_one_may_not(self, participant, counsellor):
        planned = _training(participant, counsellor, starts_on=TOMORROW, ends_on=TOMORROW)
        assert planned.status == "planned"
        with pytest.raises(ValidationError) as error:
            _training(participant, counsellor, title="Autre", starts_on=TOMORROW, status="ongoing")
        assert set(_refused(error)) == {"starts_on"}

    def test_an_ongoing_training_may_end_in_the_future(self, participant, counsellor):
        assert _training(participant, counsellor, status="ongoing", ends_on=TOMORROW)

    def test_the_provider_is_the_partner_chosen_when_left_empty(
        self, participant, counsellor, housing
    ):
        training = _training(participant, counsellor, provider="", provider_organization=housing)
        assert training.provider == "Logement Test"
        with pytest.raises(ValidationError) as error:
            _training(participant, counsellor, title="Autre", provider=" ")
        assert set(_refused(error)) == {"provider"}

    def test_every_refusal_is_said_at_once_beside_its_field(self, participant, counsellor):
        with pytest.raises(ValidationError) as error:
            _training(
                participant,
                counsellor,
                title=" ",
                hours_planned=Decimal(-1),
                status="completed",
            )
        assert set(_refused(error)) == {"title", "hours_planned", "ends_on"}

    def test_the_same_training_twice_is_refused_its_hours_would_count_twice(
        self, participant, counsellor
    ):
        _training(participant, counsellor)
        with pytest.raises(ValidationError) as error:
            _training(participant, counsellor, title="aide-comptable ")
        assert "déjà notée" in _refused(error)["title"]
        assert Training.objects.count() == 1

    def test_the_news_of_a_training_hours_state_and_end(self, participant, counsellor):
        training = _training(participant, counsellor)
        services.training_update(
            training=training, hours_done=Decimal("310.25"), status="completed", ends_on=YESTERDAY
        )
        training.refresh_from_db()
        assert (training.hours_done, training.status, training.ends_on) == (
            Decimal("310.25"),
            "completed",
            YESTERDAY,
        )

    def test_the_news_follow_the_same_rules(self, participant, counsellor):
        training = _training(participant, counsellor)
        with pytest.raises(ValidationError) as error:
            services.training_update(
                training=training, hours_done=Decimal(-3), status="completed", ends_on=None
            )
        assert set(_refused(error)) == {"hours_done", "ends_on"}
        training.refresh_from_db()
        assert (training.hours_done, training.status) == (Decimal(0), "planned")

    def test_the_database_refuses_what_the_rules_refuse(self, participant, counsellor, operator):
        fields = {
            "participant": participant,
            "title": "x",
            "provider": "y",
            "starts_on": dt.date(2025, 9, 1),
            "recorded_by": counsellor,
            "recorded_by_organization": operator,
        }
        for wrong in (
            {"hours_done": Decimal("2000.01")},
            {"ends_on": dt.date(2025, 8, 1)},
            {"status": "completed"},
        ):
            with pytest.raises(IntegrityError), transaction.atomic():
                Training.objects.create(**fields, **wrong)


class TestCertificationRules:
    def test_a_certification_after_a_training_takes_its_provider_as_issuing_body(
        self, participant, counsellor
    ):
        training = _training(participant, counsellor)
        certification = _certification(participant, counsellor, issuing_body="", training=training)
        assert certification.issuing_body == "Bruxelles Formation"
        assert certification.get_kind_display() == "Certificat"

    def test_a_certification_obtained_in_the_future_is_refused(self, participant, counsellor):
        with pytest.raises(ValidationError) as error:
            _certification(participant, counsellor, obtained_on=TOMORROW)
        assert _refused(error) == {"obtained_on": "Une date future n'est pas acceptée ici."}

    def test_it_cannot_precede_its_training_nor_follow_anothers(
        self, participant, counsellor, operator
    ):
        training = _training(participant, counsellor)
        with pytest.raises(ValidationError) as error:
            _certification(
                participant, counsellor, obtained_on=dt.date(2025, 8, 1), training=training
            )
        assert "précéder le début de sa formation (01/09/2025)" in _refused(error)["obtained_on"]
        someone_else = ParticipantFactory(organization=operator)
        with pytest.raises(ValidationError) as error:
            _certification(someone_else, counsellor, training=training)
        assert set(_refused(error)) == {"training"}

    def test_a_kind_a_title_and_an_issuing_body_are_needed(self, participant, counsellor):
        with pytest.raises(ValidationError) as error:
            _certification(participant, counsellor, kind="medal", title="", issuing_body="")
        assert set(_refused(error)) == {"kind", "title", "issuing_body"}

    def test_the_same_certification_twice_is_refused(self, participant, counsellor):
        _certification(participant, counsellor)
        with pytest.raises(ValidationError) as error:
            _certification(participant, counsellor)
        assert "déjà notée" in _refused(error)["title"]


def test_an_anonymised_record_takes_nothing_more(participant, counsellor):
    training = _training(participant, counsellor)
    Participant.objects.filter(pk=participant.pk).update(anonymised_at=timezone.now())
    for write in (
        lambda: _training(participant, counsellor, title="Autre"),
        lambda: services.training_update(training=training, hours_done=1, status="ongoing"),
        lambda: _certification(participant, counsellor),
    ):
        with pytest.raises(ValidationError, match="anonymisée"):
            write()
    assert Certification.objects.count() == 0


# --- The section of the participant's page ----------------------------------------------------

ROLES = ["admin", "director", "counsellor", "coordinator", "partner"]
ALLOWED = {"director", "counsellor"}


def _html(response) -> str:
    return html_lib.unescape(response.content.decode())


def _training_data(**fields) -> dict:
    values = {
        "title": "Magasinier cariste",
        "provider": "Bruxelles Formation",
        "provider_organization": "",
        "starts_on": "2025-09-01",
        "ends_on": "",
        "hours_planned": "300",
        "hours_done": "0",
        "status": "planned",
    }
    return {f"training-{name}": value for name, value in (values | fields).items()}


def _certification_data(**fields) -> dict:
    values = {
        "kind": "licence",
        "title": "Permis B",
        "obtained_on": "2025-10-06",
        "issuing_body": "SPF Mobilité",
        "training": "",
    }
    return {f"certification-{name}": value for name, value in (values | fields).items()}


def _update_data(training, **fields) -> dict:
    values = {"hours_done": "120,5", "status": "ongoing", "ends_on": ""}
    return {f"training-{training.pk}-{name}": value for name, value in (values | fields).items()}


@pytest.mark.parametrize("persona", ROLES)
def test_the_section_is_for_counsellors_and_direction(client, personas, persona, participant):
    client.force_login(personas[persona])
    training = _training(participant, personas["counsellor"])
    posts = {
        reverse("participants:training_add", args=[participant.pk]): _training_data(),
        reverse("participants:training_update", args=[training.pk]): _update_data(training),
        reverse("participants:certification_add", args=[participant.pk]): _certification_data(),
    }
    for url, data in posts.items():
        response = client.post(url, data)
        if persona in ALLOWED:
            assert response.status_code == 302, url
            assert response.url.endswith(f"/{participant.pk}/#trainings")
        else:
            assert response.status_code == 403, url
    expected = 2 if persona in ALLOWED else 1
    assert Training.objects.count() == expected
    assert Certification.objects.count() == expected - 1


def test_another_organizations_person_answers_404(client, outsider, participant, counsellor):
    training = _training(participant, counsellor)
    Membership.objects.filter(user=outsider).update(role="counsellor")
    client.force_login(outsider)
    posts = {
        reverse("participants:training_add", args=[participant.pk]): _training_data(),
        reverse("participants:training_update", args=[training.pk]): _update_data(training),
        reverse("participants:certification_add", args=[participant.pk]): _certification_data(),
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code == 404, url
    training.refresh_from_db()
    assert training.status == "planned" and Training.objects.count() == 1
    assert not Certification.objects.exists()


def test_an_anonymised_persons_training_answers_404(client, counsellor, participant):
    training = _training(participant, counsellor)
    Participant.objects.filter(pk=participant.pk).update(anonymised_at=timezone.now())
    client.force_login(counsellor)
    url = reverse("participants:training_update", args=[training.pk])
    assert client.post(url, _update_data(training)).status_code == 404


def test_the_page_lists_trainings_and_certifications_whoever_noted_them(
    client, counsellor, participant, housing, partner
):
    mine = _training(participant, counsellor, hours_done=Decimal("12.5"))
    _training(
        participant,
        partner,
        title="Peinture décorative",
        provider="Logement Test",
        recorded_by_organization=housing,
    )
    _certification(participant, counsellor, training=mine)
    client.force_login(counsellor)
    html = _html(client.get(reverse("participants:detail", args=[participant.pk])))
    assert "Formations et certifications" in html
    assert "Aide-comptable" in html and "12,50 h suivies sur 300 h prévues" in html
    assert "Peinture décorative" in html and "notée par Logement Test" in html
    assert "VCA de base" in html and "à l'issue de : Aide-comptable" in html
    assert html.count("notée par") == 1  # what the counsellors noted says nothing more


def test_htmx_gets_the_section_with_the_training_added(client, counsellor, participant, operator):
    client.force_login(counsellor)
    response = client.post(
        reverse("participants:training_add", args=[participant.pk]),
        _training_data(hours_planned="38,5"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = _html(response)
    assert html.lstrip().startswith('<section id="trainings"')
    assert "Magasinier cariste" in html and "sur 38,50 h prévues" in html
    training = Training.objects.get()
    assert training.hours_planned == Decimal("38.5")
    assert (training.recorded_by, training.recorded_by_organization) == (counsellor, operator)


def test_a_refused_training_comes_back_as_typed_with_the_error_beside_its_field(
    client, counsellor, participant
):
    client.force_login(counsellor)
    response = client.post(
        reverse("participants:training_add", args=[participant.pk]),
        _training_data(status="completed", hours_done="310,75"),
    )
    assert response.status_code == 200
    form = response.context["training_form"]
    assert form.errors == {"ends_on": ["Indiquez la date de fin d'une formation terminée."]}
    html = _html(response)
    assert 'value="Magasinier cariste"' in html and 'value="310,75"' in html
    assert '<option value="completed" selected>' in html
    assert not Training.objects.exists()


def test_a_refused_update_keeps_what_was_typed_in_its_own_form(client, counsellor, participant):
    training = _training(participant, counsellor)
    other = _training(participant, counsellor, title="Autre formation")
    client.force_login(counsellor)
    response = client.post(
        reverse("participants:training_update", args=[training.pk]),
        _update_data(training, hours_done="2500", ends_on="2025-08-01"),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    trainings = {t.pk: t for t in response.context["trainings"]}
    assert set(trainings[training.pk].update_form.errors) == {"hours_done", "ends_on"}
    assert not trainings[other.pk].update_form.is_bound
    html = _html(response)
    assert f'name="training-{training.pk}-hours_done" value="2500"' in html
    training.refresh_from_db()
    assert training.hours_done == 0


def test_a_certification_is_linked_to_one_of_the_persons_trainings_only(
    client, counsellor, participant, operator
):
    someone_else = ParticipantFactory(organization=operator)
    theirs = _training(someone_else, counsellor)
    mine = _training(participant, counsellor)
    client.force_login(counsellor)
    url = reverse("participants:certification_add", args=[participant.pk])
    response = client.post(url, _certification_data(training=str(theirs.pk)))
    assert response.status_code == 200
    assert set(response.context["certification_form"].errors) == {"training"}
    assert client.post(url, _certification_data(training=str(mine.pk))).status_code == 302
    assert Certification.objects.get().training == mine
