"""The group of a chantier, through its services: who is eligible, a justification to override,
a full group, the dates and reasons of each arrival and departure."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from chantiers.models import Enrolment
from chantiers.services import (
    enrolment_activate,
    enrolment_add,
    enrolment_eligibility,
    enrolment_leave,
    enrolment_select,
)
from tests.factories import ChantierFactory, ParticipantFactory, PathwayFactory


@pytest.fixture
def chantier(operator):
    # Starts 05/01/2026; 24 months of job seeking needed: since 05/01/2024 at the latest.
    return ChantierFactory(organization=operator, starts_on=dt.date(2026, 1, 5), capacity=2)


def _candidate(operator, since=dt.date(2023, 6, 1), with_pathway=True):
    person = ParticipantFactory(organization=operator, jobseeker_since=since)
    if with_pathway:
        PathwayFactory(participant=person)
    return person


class TestEligibility:
    def test_a_long_term_job_seeker_with_an_open_pathway_is_eligible(self, chantier, operator):
        assert enrolment_eligibility(chantier=chantier, participant=_candidate(operator)) == []

    def test_each_unmet_condition_is_given_with_its_reason(self, chantier, operator):
        recent = _candidate(operator, since=dt.date(2024, 1, 6), with_pathway=False)
        problems = enrolment_eligibility(chantier=chantier, participant=recent)
        assert "depuis le 05/01/2024 au plus tard" in problems[0]
        assert problems[1] == "Aucun parcours ouvert."
        unknown = _candidate(operator, since=None)
        assert "inconnue" in enrolment_eligibility(chantier=chantier, participant=unknown)[0]

    def test_exactly_twenty_four_months_is_enough(self, chantier, operator):
        person = _candidate(operator, since=dt.date(2024, 1, 5))
        assert enrolment_eligibility(chantier=chantier, participant=person) == []

    def test_a_full_group_refuses_one_more(self, chantier, operator):
        for _ in range(2):
            enrolment_select(
                enrolment=enrolment_add(chantier=chantier, participant=_candidate(operator))
            )
        late = enrolment_add(chantier=chantier, participant=_candidate(operator))
        with pytest.raises(ValidationError) as error:
            enrolment_select(enrolment=late)
        assert "complet (2 places)" in str(error.value)


def test_an_override_needs_a_written_justification_that_is_kept(chantier, operator):
    recent = enrolment_add(
        chantier=chantier, participant=_candidate(operator, since=dt.date(2025, 6, 1))
    )
    with pytest.raises(ValidationError, match="justification"):
        enrolment_select(enrolment=recent, justification="  ")
    selected = enrolment_select(
        enrolment=recent, justification="Orientée par le CPAS, situation de rupture de logement."
    )
    assert selected.status == Enrolment.Status.SELECTED
    assert selected.eligibility_override.startswith("Orientée par le CPAS")
    from auditlog.models import LogEntry

    update = LogEntry.objects.get_for_object(selected).filter(action=LogEntry.Action.UPDATE).get()
    assert update.changes_dict["eligibility_override"][1].startswith("Orientée par le CPAS")


def test_the_group_lifecycle_keeps_dates_and_reasons(chantier, operator):
    enrolment = enrolment_select(
        enrolment=enrolment_add(chantier=chantier, participant=_candidate(operator))
    )
    enrolment_activate(enrolment=enrolment, joined_on=dt.date(2026, 1, 5))
    with pytest.raises(ValidationError, match="motif"):
        enrolment_leave(enrolment=enrolment, status="withdrawn", left_on=dt.date(2026, 2, 1))
    enrolment_leave(
        enrolment=enrolment,
        status="withdrawn",
        left_on=dt.date(2026, 2, 1),
        reason="A trouvé un emploi",
    )
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.joined_on, enrolment.left_on, enrolment.leave_reason) == (
        "withdrawn",
        dt.date(2026, 1, 5),
        dt.date(2026, 2, 1),
        "A trouvé un emploi",
    )


def test_another_organizations_participant_cannot_be_enrolled(chantier, other_operator):
    with pytest.raises(ValidationError):
        enrolment_add(
            chantier=chantier, participant=ParticipantFactory(organization=other_operator)
        )
