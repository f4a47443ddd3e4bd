"""Recording a session's attendance (chantiers.services.attendance_record): the whole session at
once with its indemnities, a colleague's mark never overwritten, bad marks refused whole."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from chantiers.models import Attendance, Enrolment
from chantiers.services import Mark, attendance_record
from tests.factories import ChantierFactory, ParticipantFactory, WorkSessionFactory

D = Decimal


@pytest.fixture
def session(operator):
    return WorkSessionFactory(
        chantier=ChantierFactory(organization=operator),
        status="planned",
        starts_at=dt.time(8, 30),
        ends_at=dt.time(12, 30),
    )


def test_a_whole_session_is_saved_at_once_with_its_indemnities(session, group, coordinator):
    result = attendance_record(
        session=session,
        marks=[
            Mark(group[0].pk, "present"),
            Mark(group[1].pk, "late", hours=Decimal("3.5")),
            Mark(group[2].pk, "excused"),
        ],
        by=coordinator,
    )
    rows = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    assert rows[group[0].pk].hours == Decimal("4.00")  # the session's length by default
    assert rows[group[1].pk].hours == Decimal("3.50")
    assert [rows[p.pk].indemnity for p in group] == [
        Decimal("20.00"),
        Decimal("20.00"),
        Decimal("0.00"),
    ]
    assert result.balances[group[0].pk].paid == Decimal("20.00")
    session.refresh_from_db()
    assert session.status == "held"


def test_a_mark_changed_by_a_colleague_meanwhile_is_not_lost(session, group, coordinator, director):
    first = attendance_record(session=session, marks=[Mark(group[0].pk, "present")], by=coordinator)
    seen = first.saved[0].version
    # The director corrects the mark on their phone...
    attendance_record(
        session=session, marks=[Mark(group[0].pk, "left_early", version=seen)], by=director
    )
    # ...and the coordinator, whose page still shows the old version, saves "unexcused".
    result = attendance_record(
        session=session,
        marks=[Mark(group[0].pk, "unexcused", version=seen), Mark(group[1].pk, "present")],
        by=coordinator,
    )
    assert [a.participant_id for a in result.conflicts] == [group[0].pk]
    mark = Attendance.objects.get(session=session, participant=group[0])
    assert (mark.status, mark.recorded_by) == ("left_early", director)
    assert Attendance.objects.get(session=session, participant=group[1]).status == "present"


def test_a_mark_a_colleague_created_meanwhile_is_not_overwritten(volunteer, coordinator, director):
    session = WorkSessionFactory(chantier=ChantierFactory(organization=volunteer.organization))
    Enrolment.objects.create(chantier=session.chantier, participant=volunteer, status="active")
    attendance_record(session=session, marks=[Mark(volunteer.pk, "present")], by=director)
    # The coordinator's page showed no mark (version None) and says "unexcused".
    result = attendance_record(
        session=session, marks=[Mark(volunteer.pk, "unexcused", version=None)], by=coordinator
    )
    assert [a.participant_id for a in result.conflicts] == [volunteer.pk]
    assert Attendance.objects.get().status == "present"


def test_bad_marks_are_refused_whole(session, group, coordinator, other_operator):
    stranger = ParticipantFactory(organization=other_operator)
    with pytest.raises(ValidationError, match="ne fait pas partie"):
        attendance_record(session=session, marks=[Mark(stranger.pk, "present")], by=coordinator)
    with pytest.raises(ValidationError, match="Présence inconnue"):
        attendance_record(session=session, marks=[Mark(group[0].pk, "maybe")], by=coordinator)
    assert not Attendance.objects.exists()


def test_unreadable_numbers_of_hours_are_refused(volunteer, coordinator):
    session = WorkSessionFactory(chantier=ChantierFactory(organization=volunteer.organization))
    with pytest.raises(ValidationError, match="impossible"):
        attendance_record(
            session=session, marks=[Mark(volunteer.pk, "present", hours=D("NaN"))], by=coordinator
        )


@pytest.mark.parametrize("status", ["candidate", None])
def test_no_mark_for_someone_never_selected_into_the_group(session, group, coordinator, status):
    """Issue 18, item 7: a candidate (or someone not enrolled) gets no attendance; the save is
    refused whole, naming them."""
    outsider = group[0]
    Enrolment.objects.filter(participant=outsider).delete()
    if status:
        Enrolment.objects.create(chantier=session.chantier, participant=outsider, status=status)
    marks = [Mark(person.pk, "present") for person in group]
    with pytest.raises(ValidationError, match=f"{outsider} n'a pas été sélectionné"):
        attendance_record(session=session, marks=marks, by=coordinator)
    assert not Attendance.objects.exists()
    # Once selected — even if they left since — their marks are taken.
    Enrolment.objects.update_or_create(
        chantier=session.chantier, participant=outsider, defaults={"status": "withdrawn"}
    )
    assert len(attendance_record(session=session, marks=marks, by=coordinator).saved) == 3


def test_a_cancelled_session_takes_no_marks(session, group, coordinator):
    session.status = "cancelled"
    session.save()
    with pytest.raises(ValidationError, match="annulée"):
        attendance_record(session=session, marks=[Mark(group[0].pk, "present")], by=coordinator)
