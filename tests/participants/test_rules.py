"""Rules of DESIGN §3 "participants" and §4 "Pathways", on the models and services."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from participants import services
from participants.models import (
    POSITIVE_OUTCOMES,
    Confidentiality,
    ExitOutcome,
    Participant,
    PathwayEvent,
    PathwayTransition,
)
from participants.validators import validate_national_number
from tests.factories import MembershipFactory, ParticipantFactory, ProgrammeFactory


class TestNationalNumber:
    @pytest.mark.parametrize(
        "number", ["85073003328", "85.07.30-033.28", "98472899765", "03020103343"]
    )
    def test_it_accepts_national_and_bis_numbers(self, number):
        validate_national_number(number)

    @pytest.mark.parametrize(
        "number,message",
        [("85073003329", "pas valide"), ("8507300332", "11 chiffres"), ("abc", "11 chiffres")],
    )
    def test_it_refuses_a_wrong_number_with_a_reason(self, number, message):
        with pytest.raises(ValidationError, match=message):
            validate_national_number(number)

    def test_it_is_stored_compact_and_masked_in_lists(self, operator):
        person = ParticipantFactory(organization=operator, national_number="85.07.30-033.28")
        assert person.national_number == "85073003328"
        assert person.masked_national_number == "••.••.••-•33.28"
        assert "850730" not in person.masked_national_number

    def test_one_number_is_one_person_per_organization(self, operator, other_operator):
        ParticipantFactory(organization=operator, national_number="85073003328")
        ParticipantFactory(organization=other_operator, national_number="85073003328")
        with pytest.raises(IntegrityError), transaction.atomic():
            ParticipantFactory(organization=operator, national_number="85073003328")


def test_the_commune_follows_a_brussels_postcode_and_stays_editable(operator):
    person = ParticipantFactory(organization=operator, postcode="1080")
    assert person.commune == "Molenbeek-Saint-Jean"
    person.commune = "Molenbeek (Maritime)"
    person.save()
    person.refresh_from_db()
    assert person.commune == "Molenbeek (Maritime)"
    outside = ParticipantFactory(organization=operator, postcode="1480")
    assert outside.commune == ""


def test_an_invalid_iban_is_refused_at_creation(operator):
    with pytest.raises(ValidationError) as error:
        services.participant_create(
            organization=operator,
            first_name="A",
            last_name="B",
            birth_date=dt.date(1990, 1, 1),
            gender="M",
            nationality_group="BE",
            iban="BE00 0000 0000 0000",
        )
    assert "iban" in error.value.message_dict
    assert not Participant.objects.exists()


def test_income_source_history_is_kept(participant):
    first = services.income_source_change(
        participant=participant, kind="unemployment", starts_on=dt.date(2023, 1, 1)
    )
    second = services.income_source_change(
        participant=participant, kind="ris", starts_on=dt.date(2025, 5, 1)
    )
    first.refresh_from_db()
    assert first.ends_on == dt.date(2025, 4, 30)
    assert second.ends_on is None
    with pytest.raises(ValidationError):
        services.income_source_change(
            participant=participant, kind="none", starts_on=dt.date(2025, 4, 1)
        )


class TestPathway:
    def test_opening_is_logged(self, pathway, counsellor):
        log = list(pathway.transitions.values_list("kind", "by", "to_phase"))
        assert log == [("start", counsellor.pk, "intake")]

    def test_one_open_pathway_per_programme(self, pathway, participant, programme, counsellor):
        with pytest.raises(ValidationError, match="déjà ouvert"):
            services.pathway_open(
                participant=participant,
                programme=programme,
                started_on=dt.date(2025, 6, 1),
                by=counsellor,
            )
        other = ProgrammeFactory(organization=participant.organization)
        services.pathway_open(
            participant=participant, programme=other, started_on=dt.date(2025, 6, 1), by=counsellor
        )
        assert participant.pathways.open().count() == 2

    def test_the_database_refuses_two_open_pathways_too(self, pathway):
        from participants.models import Pathway

        with pytest.raises(IntegrityError), transaction.atomic():
            Pathway.objects.create(
                participant=pathway.participant,
                programme=pathway.programme,
                started_on=dt.date(2025, 4, 1),
            )

    def test_phase_changes_are_logged_with_who_from_to_and_why(self, pathway, counsellor):
        services.pathway_change_phase(
            pathway=pathway, phase="worksite", by=counsellor, note="Entre au chantier"
        )
        change = pathway.transitions.get(kind=PathwayTransition.Kind.PHASE)
        assert (change.from_phase, change.to_phase, change.by, change.note) == (
            "intake",
            "worksite",
            counsellor,
            "Entre au chantier",
        )

    def test_closing_needs_an_outcome_and_a_date_not_before_the_start(self, pathway, counsellor):
        with pytest.raises(ValidationError, match="situation à la sortie"):
            services.pathway_close(
                pathway=pathway, ended_on=dt.date(2025, 6, 30), exit_outcome="", by=counsellor
            )
        with pytest.raises(ValidationError, match="précéder le début"):
            services.pathway_close(
                pathway=pathway,
                ended_on=dt.date(2025, 3, 2),
                exit_outcome=ExitOutcome.JOB_PERMANENT,
                by=counsellor,
            )
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        with pytest.raises(ValidationError, match="date future"):
            services.pathway_close(
                pathway=pathway, ended_on=tomorrow, exit_outcome="moved", by=counsellor
            )
        pathway.refresh_from_db()
        assert pathway.is_open

    def test_closing_derives_the_positive_flag_and_plans_follow_ups(self, pathway, counsellor):
        services.pathway_close(
            pathway=pathway,
            ended_on=dt.date(2025, 8, 31),
            exit_outcome=ExitOutcome.TRAINING_QUALIFYING,
            by=counsellor,
            job_searching_at_exit=False,
        )
        pathway.refresh_from_db()
        assert pathway.exit_is_positive
        due = list(pathway.follow_ups.values_list("months", "due_on"))
        assert due == [
            (3, dt.date(2025, 11, 30)),
            (6, dt.date(2026, 2, 28)),
            (12, dt.date(2026, 8, 31)),
        ]
        close = pathway.transitions.get(kind="close")
        assert close.exit_outcome == "training_qualifying"

    def test_positive_outcomes_are_employment_and_training(self):
        assert {o.value for o in POSITIVE_OUTCOMES} == {
            "job_permanent",
            "job_fixed_long",
            "job_fixed_short",
            "job_subsidised",
            "self_employed",
            "training_qualifying",
            "training_other",
            "studies",
        }

    def test_reopening_is_logged_and_drops_pending_follow_ups(self, pathway, counsellor):
        services.pathway_close(
            pathway=pathway, ended_on=dt.date(2025, 5, 2), exit_outcome="no_news", by=counsellor
        )
        first = pathway.follow_ups.get(months=3)
        services.follow_up_record(
            follow_up=first, done_on=dt.date(2025, 8, 5), situation="job_seeking", improved=False
        )
        with pytest.raises(ValidationError, match="Expliquez"):
            services.pathway_reopen(pathway=pathway, by=counsellor, note=" ")
        services.pathway_reopen(pathway=pathway, by=counsellor, note="Reprend contact")
        pathway.refresh_from_db()
        assert pathway.is_open and pathway.exit_outcome == ""
        assert list(pathway.follow_ups.values_list("months", flat=True)) == [3]
        reopen = pathway.transitions.get(kind="reopen")
        assert (reopen.exit_outcome, reopen.note) == ("no_news", "Reprend contact")

    def test_a_participant_with_history_cannot_be_deleted(self, pathway, participant, operator):
        with pytest.raises(ValidationError, match="historique"):
            services.participant_delete(participant=participant)
        assert Participant.objects.filter(pk=participant.pk).exists()
        mistake = ParticipantFactory(organization=operator)
        services.participant_delete(participant=mistake)
        assert not Participant.objects.filter(pk=mistake.pk).exists()


class TestEvents:
    def test_events_in_the_future_are_refused(self, pathway, counsellor):
        with pytest.raises(ValidationError, match="date future"):
            services.event_add(
                pathway=pathway,
                by=counsellor,
                date=timezone.localdate() + dt.timedelta(days=1),
                text="Entretien prévu",
            )

    def test_a_restricted_note_is_read_by_its_author_and_allowed_colleagues_only(
        self, pathway, counsellor, operator
    ):
        services.event_add(
            pathway=pathway,
            by=counsellor,
            date=dt.date(2025, 3, 10),
            text="Situation familiale difficile",
            confidentiality=Confidentiality.RESTRICTED,
        )
        services.event_add(
            pathway=pathway, by=counsellor, date=dt.date(2025, 3, 11), text="CV mis à jour"
        )
        colleague = MembershipFactory(organization=operator, role="counsellor")
        trusted = MembershipFactory(
            organization=operator, role="direction", can_read_restricted_notes=True
        )
        author = counsellor.memberships.get()

        def texts(user, membership):
            return set(
                PathwayEvent.objects.visible_to(user, membership).values_list("text", flat=True)
            )

        everything = {"Situation familiale difficile", "CV mis à jour"}
        assert texts(counsellor, author) == everything
        assert texts(trusted.user, trusted) == everything
        assert texts(colleague.user, colleague) == {"CV mis à jour"}
        assert set(PathwayEvent.objects.shareable().values_list("text", flat=True)) == {
            "CV mis à jour"
        }

    def test_a_closed_pathway_takes_no_new_note(self, counsellor, pathway):
        from django.core.exceptions import ValidationError

        services.pathway_close(
            pathway=pathway, ended_on=dt.date(2025, 5, 2), exit_outcome="moved", by=counsellor
        )
        pathway.refresh_from_db()
        with pytest.raises(ValidationError, match="clôturé"):
            services.event_add(pathway=pathway, by=counsellor, date=dt.date(2025, 6, 1), text="x")
        with pytest.raises(ValidationError, match="clôturé"):
            services.goal_add(pathway=pathway, text="x")


def test_needs_are_resolved_after_being_identified(participant):
    need = services.need_add(
        participant=participant, category="childcare", identified_on=dt.date(2025, 3, 3)
    )
    with pytest.raises(ValidationError):
        services.need_resolve(need=need, resolved_on=dt.date(2025, 3, 1))
    services.need_resolve(need=need, resolved_on=dt.date(2025, 4, 15))
    need.refresh_from_db()
    assert need.resolved_on == dt.date(2025, 4, 15)


def test_the_search_text_ignores_case_and_accents(participant):
    assert "benedicte" in participant.search_text
    assert "lemaitre" in participant.search_text
    assert "0470123456" in participant.search_text


def test_changes_are_audited_without_identifiers_or_note_texts(participant, pathway, counsellor):
    from auditlog.models import LogEntry

    participant.phone = "0488 00 00 00"
    participant.save()
    services.event_add(
        pathway=pathway,
        by=counsellor,
        date=dt.date(2025, 3, 10),
        text="Texte confidentiel",
        confidentiality=Confidentiality.RESTRICTED,
    )
    entries = LogEntry.objects.get_for_object(participant)
    assert entries.filter(action=LogEntry.Action.UPDATE).exists()
    everything = str(list(LogEntry.objects.values_list("changes", flat=True)))
    assert "Texte confidentiel" not in everything
    # Not even a part of the number: half of it and the birth date would give it back.
    assert participant.national_number[-5:] not in everything


def test_the_in_progress_filter_leaves_out_people_without_a_pathway(operator):
    from participants.selectors import participant_list
    from tests.factories import PathwayFactory

    nobody = ParticipantFactory(organization=operator, last_name="Sansparcours")
    ongoing = PathwayFactory(participant__organization=operator).participant
    closed = PathwayFactory(
        participant__organization=operator,
        ended_on=dt.date(2025, 6, 30),
        exit_outcome="job_permanent",
    )
    assert list(participant_list(organization=operator, status="open")) == [ongoing]
    assert nobody not in participant_list(organization=operator, status="closed")
    assert closed.participant not in participant_list(organization=operator, status="open")
