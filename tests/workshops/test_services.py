"""The rules of the collective modules: a catalogue title once per organization, sessions
within their places, enrolment of open pathways of the organization only, marks only once the
session has begun and for the people enrolled, a colleague's change not overwritten, and every
presence an event of the pathway's log — changed or removed with its mark."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from participants import services as participant_services
from participants.models import PathwayEvent
from tests.factories import PathwayFactory
from tests.workshops.conftest import days_ago
from workshops import services
from workshops.models import DropInVisit, Module, ModuleAttendance, ModuleEnrolment
from workshops.services import Mark

pytestmark = pytest.mark.django_db


def _marks(session, *pairs, **fields):
    return [Mark(participant_id=p.participant_id, status=s, **fields) for p, s in pairs]


class TestCatalogue:
    def test_a_title_is_once_in_the_catalogue_whatever_its_case(self, operator, module):
        with pytest.raises(ValidationError) as error:
            services.module_create(organization=operator, title=module.title.upper())
        assert "déjà au catalogue" in str(error.value)

    def test_the_same_title_in_another_organization_is_another_module(self, other_operator, module):
        other = services.module_create(organization=other_operator, title=module.title)
        assert other.pk != module.pk

    def test_a_module_is_not_co_run_with_its_own_organization(self, operator):
        with pytest.raises(ValidationError) as error:
            services.module_create(organization=operator, title="Atelier", partner=operator)
        assert set(error.value.message_dict) == {"partner"}

    def test_a_session_takes_the_module_s_length_unless_told(self, module, counsellor):
        session = services.session_plan(
            module=module, date=days_ago(1), starts_at=dt.time(14), by=counsellor
        )
        assert session.duration_minutes == 150
        assert session.hours == Decimal("2.50")
        assert session.ends_at == dt.time(16, 30)

    def test_a_module_withdrawn_from_the_catalogue_is_not_planned(self, module, counsellor):
        services.module_update(module=module, active=False)
        with pytest.raises(ValidationError):
            services.session_plan(
                module=module, date=days_ago(1), starts_at=dt.time(14), by=counsellor
            )

    def test_a_withdrawn_module_s_session_is_corrected_but_not_moved(self, module, past_session):
        services.module_update(module=module, active=False)
        services.session_update(session=past_session, room="Salle 2")
        with pytest.raises(ValidationError):
            services.session_update(session=past_session, date=days_ago(8))
        past_session.refresh_from_db()
        assert (past_session.room, past_session.date) == ("Salle 2", days_ago(7))

    def test_a_session_is_planned_at_most_two_years_ahead(self, module, counsellor):
        with pytest.raises(ValidationError) as error:
            services.session_plan(
                module=module,
                date=timezone.localdate() + dt.timedelta(days=800),
                starts_at=dt.time(14),
                by=counsellor,
            )
        assert set(error.value.message_dict) == {"date"}


class TestEnrolment:
    def test_the_last_place_is_taken_once(self, coming_session, pathways, counsellor):
        for pathway in pathways[:2]:
            services.enrolment_add(session=coming_session, pathway=pathway, by=counsellor)
        with pytest.raises(ValidationError) as error:
            services.enrolment_add(session=coming_session, pathway=pathways[2], by=counsellor)
        assert "complète (2 places)" in str(error.value)

    def test_twice_in_the_same_session_is_refused(self, coming_session, pathways, counsellor):
        services.enrolment_add(session=coming_session, pathway=pathways[0], by=counsellor)
        with pytest.raises(ValidationError) as error:
            services.enrolment_add(session=coming_session, pathway=pathways[0], by=counsellor)
        assert "déjà inscrit" in str(error.value)

    def test_a_person_of_another_organization_is_refused(
        self, coming_session, other_operator, counsellor
    ):
        stranger = PathwayFactory(participant__organization=other_operator)
        with pytest.raises(ValidationError):
            services.enrolment_add(session=coming_session, pathway=stranger, by=counsellor)

    def test_a_session_before_the_pathway_began_is_refused(self, module, operator, counsellor):
        session = services.session_plan(
            module=module, date=days_ago(30), starts_at=dt.time(9), by=counsellor
        )
        recent = PathwayFactory(participant__organization=operator, started_on=days_ago(10))
        with pytest.raises(ValidationError) as error:
            services.enrolment_add(session=session, pathway=recent, by=counsellor)
        assert "précède le début du parcours" in str(error.value)

    def test_a_closed_pathway_is_refused(self, coming_session, pathways, counsellor):
        pathway = pathways[0]
        participant_services.pathway_close(
            pathway=pathway, ended_on=timezone.localdate(), exit_outcome="moved", by=counsellor
        )
        with pytest.raises(ValidationError) as error:
            services.enrolment_add(session=coming_session, pathway=pathway, by=counsellor)
        assert "clôturé" in str(error.value)

    def test_closing_the_pathway_frees_the_places_still_to_come(
        self, coming_session, enrolled, pathways, counsellor
    ):
        services.enrolment_add(session=coming_session, pathway=pathways[0], by=counsellor)
        participant_services.pathway_close(
            pathway=pathways[0], ended_on=timezone.localdate(), exit_outcome="moved", by=counsellor
        )
        kept = ModuleEnrolment.objects.filter(pathway=pathways[0])
        assert [e.session_id for e in kept] == [enrolled.pk]  # the past session stays

    def test_an_enrolment_with_a_mark_is_not_removed(self, enrolled, pathways, counsellor):
        services.attendance_record(
            session=enrolled, marks=_marks(enrolled, (pathways[0], "present")), by=counsellor
        )
        enrolment = ModuleEnrolment.objects.get(pathway=pathways[0])
        with pytest.raises(ValidationError):
            services.enrolment_remove(enrolment=enrolment)
        services.enrolment_remove(enrolment=ModuleEnrolment.objects.get(pathway=pathways[1]))
        assert enrolled.enrolments.count() == 2


class TestAttendance:
    def test_presences_become_events_of_the_pathway_log(self, enrolled, pathways, counsellor):
        amina, jonas, fatou = pathways
        result = services.attendance_record(
            session=enrolled,
            marks=[
                Mark(participant_id=amina.participant_id, status="present"),
                Mark(participant_id=jonas.participant_id, status="late", hours=Decimal("1.5")),
                Mark(participant_id=fatou.participant_id, status="unexcused"),
            ],
            by=counsellor,
        )
        assert len(result.saved) == 3
        events = PathwayEvent.objects.filter(kind=PathwayEvent.Kind.GROUP_WORKSHOP)
        assert {(e.pathway_id, e.date, e.duration_minutes) for e in events} == {
            (amina.pk, enrolled.date, 150),
            (jonas.pk, enrolled.date, 90),
        }
        text = events.get(pathway=jonas).text
        assert text == "Atelier « Atelier CV et lettre de motivation » : En retard."

    def test_a_presence_changed_to_an_absence_leaves_the_log(self, enrolled, pathways, counsellor):
        amina = pathways[0]
        services.attendance_record(
            session=enrolled, marks=_marks(enrolled, (amina, "present")), by=counsellor
        )
        mark = ModuleAttendance.objects.get(participant=amina.participant)
        services.attendance_record(
            session=enrolled,
            marks=_marks(enrolled, (amina, "excused"), version=mark.version),
            by=counsellor,
        )
        mark.refresh_from_db()
        assert (mark.status, mark.version, mark.event) == ("excused", 2, None)
        assert not PathwayEvent.objects.filter(pathway=amina).exists()

    def test_an_absence_counts_no_hours_unless_typed(self, enrolled, pathways, counsellor):
        amina, jonas, _fatou = pathways
        services.attendance_record(
            session=enrolled,
            marks=[
                Mark(participant_id=amina.participant_id, status="unexcused"),
                Mark(participant_id=jonas.participant_id, status="excused", hours=Decimal("1")),
            ],
            by=counsellor,
        )
        hours = dict(ModuleAttendance.objects.values_list("participant", "hours"))
        assert hours == {amina.participant_id: Decimal("0.00"), jonas.participant_id: Decimal("1")}

    def test_a_change_made_meanwhile_is_kept_and_reported(
        self, enrolled, pathways, counsellor, director
    ):
        amina = pathways[0]
        services.attendance_record(
            session=enrolled, marks=_marks(enrolled, (amina, "present")), by=director
        )
        # The counsellor's page was shown before: no version.
        result = services.attendance_record(
            session=enrolled, marks=_marks(enrolled, (amina, "unexcused")), by=counsellor
        )
        assert [a.participant_id for a in result.conflicts] == [amina.participant_id]
        assert ModuleAttendance.objects.get().status == "present"

    def test_a_session_not_yet_begun_is_refused(self, coming_session, pathways, counsellor):
        services.enrolment_add(session=coming_session, pathway=pathways[0], by=counsellor)
        with pytest.raises(ValidationError) as error:
            services.attendance_record(
                session=coming_session,
                marks=_marks(coming_session, (pathways[0], "present")),
                by=counsellor,
            )
        assert "pas encore commencé" in str(error.value)

    def test_a_person_not_enrolled_is_refused(self, past_session, pathways, counsellor):
        with pytest.raises(ValidationError):
            services.attendance_record(
                session=past_session,
                marks=_marks(past_session, (pathways[0], "present")),
                by=counsellor,
            )

    def test_a_cancelled_session_takes_no_mark_and_a_marked_one_is_not_cancelled(
        self, enrolled, pathways, counsellor
    ):
        services.attendance_record(
            session=enrolled, marks=_marks(enrolled, (pathways[0], "present")), by=counsellor
        )
        with pytest.raises(ValidationError):
            services.session_cancel(session=enrolled, reason="Salle inondée")

    def test_a_closed_pathway_s_log_does_not_change(self, enrolled, pathways, counsellor):
        amina = pathways[0]
        services.attendance_record(
            session=enrolled, marks=_marks(enrolled, (amina, "present")), by=counsellor
        )
        participant_services.pathway_close(
            pathway=amina, ended_on=timezone.localdate(), exit_outcome="moved", by=counsellor
        )
        services.attendance_record(
            session=enrolled,
            marks=_marks(enrolled, (amina, "unexcused"), version=1),
            by=counsellor,
        )
        mark = ModuleAttendance.objects.get()
        assert mark.status == "unexcused"
        assert PathwayEvent.objects.filter(pathway=amina, kind="group_workshop").count() == 1

    def test_no_event_in_a_pathway_closed_since(self, enrolled, pathways, counsellor):
        amina = pathways[0]
        participant_services.pathway_close(
            pathway=amina, ended_on=timezone.localdate(), exit_outcome="moved", by=counsellor
        )
        services.attendance_record(
            session=enrolled, marks=_marks(enrolled, (amina, "present")), by=counsellor
        )
        assert ModuleAttendance.objects.get().event is None


class TestHeldSessions:
    def test_a_held_module_keeps_its_kind_and_a_held_session_its_date(self, epn, counsellor):
        session = services.session_plan(
            module=epn, date=days_ago(2), starts_at=dt.time(13), by=counsellor
        )
        services.visit_record(
            session=session, people=1, age_band="unknown", gender="X", need="other", by=counsellor
        )
        with pytest.raises(ValidationError) as error:
            services.module_update(module=epn, kind=Module.Kind.WORKSHOP)
        assert set(error.value.message_dict) == {"kind"}
        with pytest.raises(ValidationError) as error:
            services.session_update(session=session, date=days_ago(3))
        assert set(error.value.message_dict) == {"date"}
        with pytest.raises(ValidationError) as error:
            services.session_update(
                session=session, starts_at=dt.time(15), duration_minutes=60, room="Salle 4"
            )
        assert set(error.value.message_dict) == {"starts_at", "duration_minutes"}
        services.session_update(session=session, date=session.date, room="Salle 4")
        session.refresh_from_db()
        assert session.room == "Salle 4"
        services.module_update(module=epn, kind=Module.Kind.EPN, facilitator="Yannick")
        epn.refresh_from_db()
        assert (epn.kind, epn.facilitator) == ("epn", "Yannick")


class TestDropInVisits:
    def test_visitors_are_counted_at_an_epn_session(self, epn, counsellor):
        session = services.session_plan(
            module=epn, date=days_ago(2), starts_at=dt.time(13), by=counsellor
        )
        visit = services.visit_record(
            session=session,
            people=3,
            age_band=DropInVisit.AgeBand.FROM_65,
            gender="F",
            need=DropInVisit.Need.PROCEDURES,
            by=counsellor,
        )
        assert (visit.people, visit.session) == (3, session)

    def test_not_at_a_workshop_nor_ahead_nor_more_than_fifty(self, epn, past_session, counsellor):
        visit = {"age_band": "unknown", "gender": "X", "need": "other", "by": counsellor}
        with pytest.raises(ValidationError):
            services.visit_record(session=past_session, people=1, **visit)
        coming = services.session_plan(
            module=epn,
            date=timezone.localdate() + dt.timedelta(days=1),
            starts_at=dt.time(13),
            by=counsellor,
        )
        with pytest.raises(ValidationError):
            services.visit_record(session=coming, people=1, **visit)
        today = services.session_plan(
            module=epn, date=days_ago(0), starts_at=dt.time(0, 15), by=counsellor
        )
        with pytest.raises(ValidationError):
            services.visit_record(session=today, people=51, **visit)
        assert not DropInVisit.objects.exists()
        assert Module.objects.count() == 2
