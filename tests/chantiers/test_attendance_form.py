"""The one attendance form (chantiers.forms_attendance), read by the grid and by the entry of the
week's paper sheet alike: the same hours, statuses, notes and versions, the same messages."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from chantiers.forms_attendance import AttendanceForm, Cell
from chantiers.models import Attendance
from tests.chantiers.helpers import _group
from tests.factories import ChantierFactory, WorkSessionFactory


@pytest.fixture
def chantier(operator, coordinator):
    chantier = ChantierFactory(organization=operator)
    chantier.coordinators.add(coordinator)
    return chantier


def _recorded(session, person, **fields):
    return Attendance.objects.create(
        session=session, participant=person, hours=session.hours, **{"status": "present"} | fields
    )


@pytest.fixture
def session(chantier):
    return WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2), status="planned")


def _cells(session, people, recorded=None):
    recorded = recorded or {}
    return [
        Cell(
            key=str(person.pk),
            label=str(person),
            session=session,
            participant_id=person.pk,
            recorded=recorded.get(person.pk),
        )
        for person in people
    ]


def _read(session, people, data, **kwargs):
    form = AttendanceForm(
        data, cells=_cells(session, people, kwargs.pop("recorded", None)), **kwargs
    )
    return form, form.marks().get(session, []) if form.is_valid() else None


@pytest.mark.parametrize(
    ("typed", "hours"),
    [
        ("", None),
        ("7,5", Decimal("7.50")),
        (" 7.5 ", Decimal("7.50")),
        ("6.555", Decimal("6.56")),
        ("0", Decimal("0.00")),
        ("24", Decimal("24.00")),
    ],
)
def test_it_reads_hours_with_a_comma_or_a_point_to_the_cent(chantier, session, typed, hours):
    person = _group(chantier, 1)[0]
    _form, marks = _read(
        session, [person], {f"status-{person.pk}": "present", f"hours-{person.pk}": typed}
    )
    assert [(m.participant_id, m.status, m.hours) for m in marks] == [(person.pk, "present", hours)]


@pytest.mark.parametrize("typed", ["trois", "25", "-1", "NaN", "Infinity", "1e400"])
def test_it_names_each_cell_whose_hours_it_cannot_read(chantier, session, typed):
    first, second = _group(chantier, 2)
    form, marks = _read(
        session,
        [first, second],
        {
            f"status-{first.pk}": "present",
            f"hours-{first.pk}": typed,
            f"status-{second.pk}": "late",
        },
    )
    assert marks is None
    assert form.bad_keys() == {str(first.pk)}
    with translation.override("fr"):
        assert form.problems() == (
            f"Heures illisibles ou impossibles (entre 0 et 24) : {first} : « {typed} »."
        )


def test_an_unknown_status_is_named_too(chantier, session):
    person = _group(chantier, 1)[0]
    form, marks = _read(session, [person], {f"status-{person.pk}": "asleep"})
    assert marks is None
    with translation.override("fr"):
        assert form.problems() == f"Présence inconnue : {person} : « asleep »."


def test_everyone_present_fills_only_the_rows_never_marked_and_left_unset(chantier, session):
    unset, chosen, marked = _group(chantier, 3)
    recorded = {marked.pk: _recorded(session, marked, status="late")}
    _form, marks = _read(
        session,
        [unset, chosen, marked],
        {f"status-{chosen.pk}": "excused"},
        recorded=recorded,
        everyone_present=True,
    )
    assert {m.participant_id: m.status for m in marks} == {
        unset.pk: "present",
        chosen.pk: "excused",
    }


def test_a_note_not_on_the_page_is_kept_and_one_typed_replaces_it(chantier, session):
    kept, typed = _group(chantier, 2)
    recorded = {p.pk: _recorded(session, p, note="Arrivé avec son fils") for p in (kept, typed)}
    _form, marks = _read(
        session,
        [kept, typed],
        {
            f"status-{kept.pk}": "present",
            f"status-{typed.pk}": "present",
            f"note-{typed.pk}": "  Badge oublié ",
        },
        recorded=recorded,
    )
    assert {m.participant_id: m.note for m in marks} == {
        kept.pk: "Arrivé avec son fils",
        typed.pk: "Badge oublié",
    }


def test_a_version_that_is_not_a_number_counts_as_none(chantier, session):
    shown, garbled = _group(chantier, 2)
    _form, marks = _read(
        session,
        [shown, garbled],
        {
            f"status-{shown.pk}": "present",
            f"version-{shown.pk}": "3",
            f"status-{garbled.pk}": "present",
            f"version-{garbled.pk}": "3'; --",
        },
    )
    assert {m.participant_id: m.version for m in marks} == {shown.pk: 3, garbled.pk: None}


def test_the_grid_and_the_weeks_sheet_refuse_the_same_hours_in_the_same_words(
    client, coordinator, chantier, session
):
    person = _group(chantier, 1)[0]
    client.force_login(coordinator)
    grid = client.post(
        reverse("chantiers:session_attendance", args=[session.pk]),
        {f"status-{person.pk}": "present", f"hours-{person.pk}": "25"},
        follow=True,
    )
    key = f"{session.pk}-{person.pk}"
    week = client.post(
        reverse("chantiers:week_entry", args=[chantier.pk, 2026, 3, 2]),
        {f"status-{key}": "present", f"hours-{key}": "25"},
        follow=True,
    )
    for response in (grid, week):
        assert "Heures illisibles ou impossibles (entre 0 et 24)" in response.text
        assert "« 25 »" in response.text
    assert not Attendance.objects.exists()


def test_saving_the_grid_again_unchanged_says_so(client, coordinator, chantier, session):
    person = _group(chantier, 1)[0]
    client.force_login(coordinator)
    url = reverse("chantiers:session_attendance", args=[session.pk])
    client.post(url, {f"status-{person.pk}": "present"})
    response = client.post(
        url, {f"status-{person.pk}": "present", f"version-{person.pk}": "1"}, follow=True
    )
    assert "Rien n&#x27;a changé." in response.text
    assert Attendance.objects.get().version == 1
