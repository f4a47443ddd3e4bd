"""Printed documents (monthly statements, sign-in sheets) and the entry of the paper sheet."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from pypdf import PdfReader

from accounts.models import AccessLog, Role
from chantiers.models import Attendance, Enrolment, MonthlyStatement
from chantiers.services import Mark, attendance_record, statement_prepare
from tests.chantiers.helpers import _member
from tests.factories import ChantierFactory, MembershipFactory, WorkSessionFactory

MONDAY = dt.date(2026, 3, 2)
TUESDAY, WEDNESDAY = MONDAY + dt.timedelta(days=1), MONDAY + dt.timedelta(days=2)


@pytest.fixture
def chantier(operator, coordinator, legal_ceilings):
    chantier = ChantierFactory(organization=operator, name="Peinture des halls", code="halls")
    chantier.coordinators.add(coordinator)
    return chantier


def _text(response) -> str:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(page.extract_text() for page in pages)
    return " ".join(text.replace("\xa0", " ").replace("\u202f", " ").split())


def _pages(response) -> int:
    return len(PdfReader(io.BytesIO(response.content)).pages)


def _week(chantier, *, cancelled_tuesday=True):
    """Monday and Wednesday held or planned, Tuesday cancelled, next Monday out of the week."""
    monday = WorkSessionFactory(chantier=chantier, date=MONDAY, status="planned")
    tuesday = WorkSessionFactory(
        chantier=chantier,
        date=TUESDAY,
        status="cancelled" if cancelled_tuesday else "planned",
        cancel_reason="Pluie",
    )
    wednesday = WorkSessionFactory(
        chantier=chantier,
        date=WEDNESDAY,
        starts_at=dt.time(13, 0),
        ends_at=dt.time(16, 30),
        status="planned",
    )
    WorkSessionFactory(chantier=chantier, date=MONDAY + dt.timedelta(days=7), status="planned")
    return monday, tuesday, wednesday


# Monthly statements


@pytest.fixture
def march(chantier, coordinator):
    """Three sessions at 12.50 € a day: present, present, absent without excuse."""
    person, _agreement = _member(chantier, last_name="Lambert")
    person.iban = "BE68539007547034"
    person.save()
    for day, status in ((MONDAY, "present"), (TUESDAY, "present"), (WEDNESDAY, "unexcused")):
        session = WorkSessionFactory(chantier=chantier, date=day)
        attendance_record(session=session, marks=[Mark(person.pk, status)], by=coordinator)
    return statement_prepare(participant=person, month=dt.date(2026, 3, 1))


def _statement_url(statement):
    return reverse("chantiers:statement_pdf", args=[statement.pk])


def test_the_statement_pdf_shows_the_hand_checked_figures(client, coordinator, march):
    client.force_login(coordinator)
    text = _text(client.get(_statement_url(march)))
    person = march.participant
    assert "Fiche de suivi des prestations et des défraiements" in text
    assert "Mission Locale de Test" in text and "LAMBERT" in text
    assert person.birth_date.strftime("%d/%m/%Y") in text
    # Two days paid 12,50 €, the unexcused absence nothing: 25,00 € for 8 hours.
    assert text.count("12,50 €") == 2
    assert "Absence non justifiée" in text
    assert "Total : 2 jours de présence 8,00 25,00 €" in text
    # Year to date, remaining balance (1 760,83 − 25,00) and the 2026 ceilings.
    assert "1 735,83 €" in text and "44,02 €" in text and "1 760,83 €" in text
    assert "BROUILLON — non validée" in text
    # Never the national number, never the whole IBAN.
    assert person.national_number not in text.replace(" ", "")
    assert "BE68" not in text and "•••• 7034" in text


def test_an_apostrophe_prints_as_written_in_the_running_header(client, coordinator, march):
    march.participant.last_name = "D'Hondt"
    march.participant.save()
    organization = march.participant.organization
    organization.name = "Mission Locale d'Ixelles"
    organization.save()
    client.force_login(coordinator)
    text = _text(client.get(_statement_url(march)))
    assert "Mission Locale d'Ixelles" in text and "D'HONDT" in text.upper()
    assert "&#x27;" not in text and "&#39;" not in text


def test_a_validated_statement_says_who_validated_it(client, coordinator, march):
    from chantiers.services import statement_validate

    statement_validate(statement=march, by=coordinator)
    client.force_login(coordinator)
    text = _text(client.get(_statement_url(march)))
    assert "BROUILLON" not in text
    assert f"validée par {coordinator.get_full_name()} le" in text


def test_a_statement_older_than_its_marks_says_so(client, coordinator, march):
    Attendance.objects.filter(session__date=WEDNESDAY).update(status="present")
    client.force_login(coordinator)
    assert "Les présences ont changé" in _text(client.get(_statement_url(march)))


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("coordinator", 200),
        ("director", 200),
        ("admin", 200),
        ("counsellor", 403),
        ("partner", 403),
        ("outsider", 404),
    ],
)
def test_who_may_print_a_statement(client, personas, persona, expected, march, chantier):
    client.force_login(personas[persona])
    assert client.get(_statement_url(march)).status_code == expected
    month_pdf = reverse("chantiers:month_statements_pdf", args=[chantier.pk, 2026, 3])
    assert client.get(month_pdf).status_code == expected


def test_a_coordinator_of_another_chantier_gets_404(client, operator, march, chantier):
    other = MembershipFactory(organization=operator, role=Role.COORDINATOR).user
    ChantierFactory(organization=operator).coordinators.add(other)
    client.force_login(other)
    assert client.get(_statement_url(march)).status_code == 404
    month_pdf = reverse("chantiers:month_statements_pdf", args=[chantier.pk, 2026, 3])
    assert client.get(month_pdf).status_code == 404


def test_printing_a_statement_is_logged(client, director, march):
    client.force_login(director)
    client.get(_statement_url(march))
    entry = AccessLog.objects.get(action=AccessLog.Action.PRINT)
    assert (entry.user, entry.object_id) == (director, str(march.participant_id))


def test_the_month_pdf_has_one_page_per_statement(client, coordinator, chantier, march):
    late, agreement = _member(chantier, last_name="Tardif")
    agreement.signed_on = TUESDAY
    agreement.save()
    attendance_record(
        session=chantier.sessions.get(date=MONDAY), marks=[Mark(late.pk, "late")], by=coordinator
    )
    statement_prepare(participant=late, month=dt.date(2026, 3, 1))
    client.force_login(coordinator)
    response = client.get(reverse("chantiers:month_statements_pdf", args=[chantier.pk, 2026, 3]))
    text = _text(response)
    assert _pages(response) == 2 and "page 2 / 2" in text
    assert text.index("LAMBERT") < text.index("TARDIF")
    assert "Convention pas encore signée" in text
    assert AccessLog.objects.filter(action="print").count() == 2


@pytest.mark.parametrize(
    "name,args",
    [
        ("month_statements_pdf", (2026, 13)),
        ("month_statements_pdf", (9999, 12)),
        ("signin_sheet_week", (2026, 2, 30)),
        ("signin_sheet_week", (9999, 12, 31)),
        ("week_entry", (9999, 12, 31)),
        ("week_entry", (1, 1, 1)),
    ],
)
def test_impossible_dates_answer_404(client, coordinator, chantier, name, args):
    client.force_login(coordinator)
    assert client.get(reverse(f"chantiers:{name}", args=[chantier.pk, *args])).status_code == 404


def test_a_month_without_statements_sends_back_to_the_month_page(client, coordinator, chantier):
    client.force_login(coordinator)
    response = client.get(reverse("chantiers:month_statements_pdf", args=[chantier.pk, 2026, 4]))
    assert response.status_code == 302
    assert response.url == reverse("chantiers:month_statements", args=[chantier.pk, 2026, 4])


# Sign-in sheets


@pytest.fixture
def group(chantier):
    return [_member(chantier, last_name=name)[0] for name in ("Bernard", "Adam", "Claes")]


def test_the_session_sheet_numbers_the_group_and_leaves_blank_rows(
    client, coordinator, chantier, group
):
    monday, _tuesday, _wednesday = _week(chantier)
    client.force_login(coordinator)
    response = client.get(reverse("chantiers:signin_sheet_session", args=[monday.pk]))
    text = _text(response)
    adam, bernard, claes = sorted(group, key=lambda p: p.last_name)
    assert f"1 {adam.first_name} ADAM" in text
    assert f"2 {bernard.first_name} BERNARD" in text
    assert f"3 {claes.first_name} CLAES" in text
    assert "CLAES 4 5 Signature" in text  # two numbered blank rows
    assert "Lundi 02/03/2026, 09:00–13:00" in text
    assert coordinator.get_full_name() in text
    assert "Signature du ou de la coordinateur·rice" in text
    assert AccessLog.objects.filter(action="print").count() == 3


def test_the_week_sheet_skips_cancelled_sessions(client, coordinator, chantier, group):
    _week(chantier)
    client.force_login(coordinator)
    thursday = MONDAY + dt.timedelta(days=3)
    response = client.get(
        reverse("chantiers:signin_sheet_week", args=[chantier.pk, 2026, 3, thursday.day])
    )
    text = _text(response)
    assert "Lundi 02/03" in text and "Mercredi 04/03" in text
    assert "03/03" not in text  # Tuesday cancelled
    assert "09/03" not in text  # the next week
    assert "13:00–16:30" in text
    assert "3 " in text and "ADAM" in text and "CLAES" in text
    assert _pages(response) == 1


def test_someone_who_left_during_the_week_keeps_the_days_before(
    client, coordinator, chantier, group
):
    monday, _tuesday, wednesday = _week(chantier)
    adam = min(group, key=lambda p: p.last_name)
    Enrolment.objects.filter(participant=adam).update(
        status="withdrawn", left_on=MONDAY, leave_reason="Emploi trouvé"
    )
    client.force_login(coordinator)
    text = _text(client.get(reverse("chantiers:signin_sheet_week", args=[chantier.pk, 2026, 3, 2])))
    assert "1 " + adam.first_name + " ADAM" in text and "pas dans le groupe" in text
    page = client.get(_entry_url(chantier))
    cells = {c["key"]: c for row in page.context["rows"] for c in row["cells"]}
    assert cells[f"{monday.pk}-{adam.pk}"]["in_group"]
    assert not cells[f"{wednesday.pk}-{adam.pk}"]["in_group"]


def test_a_cancelled_session_has_no_sheet(client, coordinator, chantier, group):
    _monday, tuesday, _wednesday = _week(chantier)
    client.force_login(coordinator)
    response = client.get(reverse("chantiers:signin_sheet_session", args=[tuesday.pk]))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "persona,expected",
    [
        ("coordinator", 200),
        ("director", 200),
        ("admin", 403),
        ("counsellor", 403),
        ("partner", 403),
        ("outsider", 403),  # an admin, of another operator
        ("other_coordinator", 404),
    ],
)
def test_who_may_print_a_sheet_or_enter_the_week(
    client, personas, persona, expected, chantier, group, other_operator
):
    monday, _tuesday, _wednesday = _week(chantier)
    personas["other_coordinator"] = MembershipFactory(
        organization=other_operator, role=Role.COORDINATOR
    ).user
    client.force_login(personas[persona])
    urls = [
        reverse("chantiers:signin_sheet_session", args=[monday.pk]),
        reverse("chantiers:signin_sheet_week", args=[chantier.pk, 2026, 3, 2]),
        reverse("chantiers:week_entry", args=[chantier.pk, 2026, 3, 2]),
    ]
    assert [client.get(url).status_code for url in urls] == [expected] * 3


def test_another_coordinator_gets_404_for_the_sheets(client, operator, chantier, group):
    monday, _tuesday, _wednesday = _week(chantier)
    client.force_login(MembershipFactory(organization=operator, role=Role.COORDINATOR).user)
    assert (
        client.get(reverse("chantiers:signin_sheet_session", args=[monday.pk])).status_code == 404
    )
    assert (
        client.get(reverse("chantiers:week_entry", args=[chantier.pk, 2026, 3, 2])).status_code
        == 404
    )


# Entering the paper sheet afterwards


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _entry_url(chantier, day=MONDAY):
    return reverse("chantiers:week_entry", args=[chantier.pk, day.year, day.month, day.day])


def _form(response) -> dict:
    """The values the page shows, as the browser would send them back."""
    data = {}
    for row in response.context["rows"]:
        for cell in row["cells"]:
            if cell["in_group"] and not cell["locked"]:
                key = cell["key"]
                data[f"status-{key}"] = cell["status"]
                data[f"hours-{key}"] = cell["hours"]
                data[f"version-{key}"] = cell["version"]
    return data


def test_a_whole_week_is_saved_in_one_post(client, coordinator, chantier, group):
    monday, _tuesday, wednesday = _week(chantier)
    adam, bernard, claes = sorted(group, key=lambda p: p.last_name)
    client.force_login(coordinator)
    page = client.get(_entry_url(chantier, WEDNESDAY))
    assert [s.pk for s in page.context["sessions"]] == [monday.pk, wednesday.pk]
    data = _form(page)
    assert data[f"hours-{monday.pk}-{adam.pk}"] == "4,00"  # the session's length
    data.update(
        {
            f"status-{monday.pk}-{adam.pk}": "present",
            f"status-{monday.pk}-{bernard.pk}": "late",
            f"hours-{monday.pk}-{bernard.pk}": "3,5",
            f"status-{monday.pk}-{claes.pk}": "unexcused",
            f"status-{wednesday.pk}-{adam.pk}": "present",
            f"status-{wednesday.pk}-{bernard.pk}": "left_early",
            f"hours-{wednesday.pk}-{bernard.pk}": "2",
            # Claes on Wednesday left blank: not entered.
        }
    )
    response = client.post(_entry_url(chantier, WEDNESDAY), data, follow=True)
    assert _messages(response) == ["5 présences enregistrées."]
    marks = {
        (a.session.date, a.participant.last_name): (a.status, a.hours, a.indemnity)
        for a in Attendance.objects.select_related("session", "participant")
    }
    assert marks == {
        (MONDAY, "Adam"): ("present", Decimal("4.00"), Decimal("12.50")),
        (MONDAY, "Bernard"): ("late", Decimal("3.50"), Decimal("12.50")),
        (MONDAY, "Claes"): ("unexcused", Decimal("4.00"), Decimal("0.00")),
        (WEDNESDAY, "Adam"): ("present", Decimal("3.50"), Decimal("12.50")),
        (WEDNESDAY, "Bernard"): ("left_early", Decimal("2.00"), Decimal("12.50")),
    }
    # Sent again unchanged, nothing moves.
    response = client.post(_entry_url(chantier), _form(response), follow=True)
    assert _messages(response) == ["Rien n'a changé."]
    assert set(Attendance.objects.values_list("version", flat=True)) == {1}


def test_unreadable_hours_give_the_sheet_back_as_typed(client, coordinator, chantier, group):
    monday, _tuesday, wednesday = _week(chantier)
    adam, bernard, _claes = sorted(group, key=lambda p: p.last_name)
    client.force_login(coordinator)
    data = _form(client.get(_entry_url(chantier)))
    data.update(
        {
            f"status-{monday.pk}-{adam.pk}": "present",
            f"status-{monday.pk}-{bernard.pk}": "late",
            f"hours-{monday.pk}-{bernard.pk}": "trois",
            f"status-{wednesday.pk}-{adam.pk}": "excused",
            f"hours-{wednesday.pk}-{adam.pk}": "30",
        }
    )
    response = client.post(_entry_url(chantier), data)
    assert response.status_code == 200
    assert not Attendance.objects.exists()
    assert "Heures illisibles ou impossibles" in response.text
    assert "« trois »" in response.text and "« 30 »" in response.text
    cells = {c["key"]: c for row in response.context["rows"] for c in row["cells"]}
    assert cells[f"{monday.pk}-{bernard.pk}"]["hours"] == "trois"
    assert cells[f"{monday.pk}-{bernard.pk}"]["error"]
    assert cells[f"{monday.pk}-{bernard.pk}"]["status"] == "late"
    assert cells[f"{monday.pk}-{adam.pk}"]["status"] == "present"
    assert cells[f"{wednesday.pk}-{adam.pk}"]["status"] == "excused"
    assert 'value="trois"' in response.text


def test_a_mark_changed_meanwhile_is_reported_not_overwritten(
    client, coordinator, director, chantier, group
):
    monday, _tuesday, _wednesday = _week(chantier)
    adam, bernard, _claes = sorted(group, key=lambda p: p.last_name)
    attendance_record(session=monday, marks=[Mark(adam.pk, "present")], by=coordinator)
    client.force_login(coordinator)
    data = _form(client.get(_entry_url(chantier)))
    assert data[f"version-{monday.pk}-{adam.pk}"] == "1"
    # Meanwhile the director marks Adam late.
    attendance_record(session=monday, marks=[Mark(adam.pk, "late", version=1)], by=director)
    data.update(
        {
            f"status-{monday.pk}-{adam.pk}": "excused",
            f"status-{monday.pk}-{bernard.pk}": "present",
        }
    )
    response = client.post(_entry_url(chantier), data, follow=True)
    [conflict] = [m for m in _messages(response) if "modifié entre-temps" in m]
    assert conflict.startswith(f"{adam}, lun 02/03 : modifié entre-temps par {director}")
    assert Attendance.objects.get(participant=adam).status == "late"
    assert Attendance.objects.get(participant=bernard).status == "present"


def test_a_validated_month_is_refused_and_nothing_is_saved(client, coordinator, chantier, group):
    monday, _tuesday, wednesday = _week(chantier)
    adam, bernard, _claes = sorted(group, key=lambda p: p.last_name)
    client.force_login(coordinator)
    data = _form(client.get(_entry_url(chantier)))
    MonthlyStatement.objects.create(
        participant=adam,
        organization=chantier.organization,
        month=dt.date(2026, 3, 1),
        status="validated",
    )
    data.update(
        {
            f"status-{monday.pk}-{bernard.pk}": "present",
            f"status-{wednesday.pk}-{adam.pk}": "present",
        }
    )
    response = client.post(_entry_url(chantier), data)
    assert response.status_code == 200
    assert "Le mois est validé pour" in response.text
    assert not Attendance.objects.exists()  # Monday's marks were not kept either
    # Shown again, Adam's boxes of March are locked.
    cells = {
        c["key"]: c
        for row in client.get(_entry_url(chantier)).context["rows"]
        for c in row["cells"]
    }
    assert cells[f"{wednesday.pk}-{adam.pk}"]["locked"]
    assert not cells[f"{wednesday.pk}-{bernard.pk}"]["locked"]


@pytest.mark.parametrize("size", [3, 12])
def test_the_week_page_query_count_does_not_grow_with_the_group(
    client, coordinator, chantier, size, django_assert_num_queries
):
    monday, _tuesday, wednesday = _week(chantier)
    people = [_member(chantier)[0] for _ in range(size)]
    for session in (monday, wednesday):
        attendance_record(
            session=session, marks=[Mark(p.pk, "present") for p in people], by=coordinator
        )
    client.force_login(coordinator)
    # session, user, memberships, savepoints ×2, chantier, sessions, group, marks, statements
    with django_assert_num_queries(10):
        response = client.get(_entry_url(chantier))
    assert len(response.context["rows"]) == size
