"""The individual appointments' figures (issue 20, point 4): defined once in
``reporting.indicators.appointments``, shown by the activity report (PDF section, definitions,
spreadsheet listing) and by the director's dashboard.

The data set, in Brussels time, year 2025 (hand-counted; P3 anonymised since):
  #1  P1 31/12/2024 23:30  held, 60 min                → 2024 (22:30 UTC)
  #2  P1 01/01/2025 00:15  held, in person, 45 min     → 2025, though 31/12/2024 23:15 in UTC
  #3  P2 31/12/2025 23:30  no-show, phone              → 2025 (22:30 UTC)
  #4  P2 01/01/2026 00:30  held                        → 2026, though 31/12/2025 23:30 in UTC
  #5  P1 10/03/2025 10:00  held, video, planned 60 min, really 90 (the duration given when held)
  #6  P3 15/06/2025 14:00  held, in person, 30 min (summer time) — P3 anonymised afterwards
  #7  P3 20/06/2025 09:00  cancelled
  #8  P4 01/09/2025 09:00  no-show, in person
  #9  P4 02/12/2025 11:00  still planned (its time has passed: to complete)
  #10 P1 18/12/2025 10:00  still planned (to complete; to come as of 10/12/2025)
  #11 S  05/05/2025 10:00  held — at another operator: never counted
  #12 P2 16/05/2025 10:00  held, phone, 60 min
2025: held 4 (#2 #5 #6 #12), persons met 3 (P1 P2 P3), minutes 45 + 90 + 30 + 60 = 225 = 3,75 h;
no-shows 2 (#3 #8), cancelled 1 (#7), to complete 2 (#9 #10); no-show rate 2 / (4 + 2) = 33,3 %;
held by mode: in person 2, phone 1, video 1. Listed: 9 rows.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from agenda import services
from agenda.models import Appointment
from participants.models import Participant
from reporting.document import KeyFigures, Table, Text
from reporting.indicators.appointments import appointment_figures
from reporting.render.formats import format_value
from reporting.reports import build
from reporting.reports.common import pseudonym
from reporting.reports.definitions import SEPARATOR
from tests.factories import MembershipFactory, ParticipantFactory, ProgrammeFactory
from tests.reporting.datasets import _pathway
from tests.reporting.rendered import _card, _dashboard, _listing_rows, _pdf_text, _plain

BRUSSELS = ZoneInfo("Europe/Brussels")
d = dt.date
SECTION = "Rendez-vous individuels"
LISTING = "Rendez-vous"


def at(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=BRUSSELS)


def _book(pathway, counsellor, starts_at, minutes=60, mode=Appointment.Mode.IN_PERSON, **more):
    return services.appointment_book(
        pathway=pathway,
        counsellor=counsellor,
        starts_at=starts_at,
        by=counsellor,
        duration_minutes=minutes,
        mode=mode,
        now=starts_at - dt.timedelta(days=1),
        **more,
    )


def _held(appointment, minutes=None):
    return services.appointment_held(
        appointment=appointment,
        text="Point sur la recherche d'emploi.",
        by=appointment.counsellor,
        duration_minutes=minutes,
        now=appointment.starts_at,
    )


def _no_show(appointment):
    return services.appointment_no_show(
        appointment=appointment, by=appointment.counsellor, now=appointment.starts_at
    )


@pytest.fixture
def data(operator, other_operator, counsellor, director):
    counsellor.first_name, counsellor.last_name = "Aïcha", "Conseil"
    counsellor.save(update_fields=["first_name", "last_name"])
    programme = ProgrammeFactory(organization=operator)
    people = {
        name: ParticipantFactory(organization=operator, first_name=f"Prénom{name}")
        for name in ("p1", "p2", "p3", "p4")
    }
    started = {"p1": d(2024, 12, 1), "p2": d(2025, 1, 1), "p3": d(2025, 6, 1), "p4": d(2025, 8, 1)}
    pathways = {name: _pathway(people[name], programme, started[name]) for name in people}
    p1, p2, p3, p4 = (pathways[name] for name in ("p1", "p2", "p3", "p4"))
    a = {}
    a[1] = _held(_book(p1, counsellor, at(2024, 12, 31, 23, 30)))
    a[2] = _held(_book(p1, counsellor, at(2025, 1, 1, 0, 15), minutes=45))
    a[3] = _no_show(_book(p2, director, at(2025, 12, 31, 23, 30), mode=Appointment.Mode.PHONE))
    a[4] = _held(_book(p2, counsellor, at(2026, 1, 1, 0, 30)))
    a[5] = _held(_book(p1, counsellor, at(2025, 3, 10, 10), mode=Appointment.Mode.VIDEO), 90)
    a[6] = _held(_book(p3, director, at(2025, 6, 15, 14), minutes=30))
    a[7] = services.appointment_cancel(
        appointment=_book(p3, counsellor, at(2025, 6, 20, 9), purpose="Bilan logement"),
        reason="Empêchement de la personne",
        by=counsellor,
    )
    a[8] = _no_show(_book(p4, counsellor, at(2025, 9, 1, 9)))
    a[9] = _book(p4, counsellor, at(2025, 12, 2, 11), place="Bureau 3, rue Haute")
    a[10] = _book(p1, director, at(2025, 12, 18, 10))
    stranger = ParticipantFactory(organization=other_operator)
    elsewhere = MembershipFactory(organization=other_operator, role=Role.COUNSELLOR).user
    a[11] = _held(
        _book(
            _pathway(stranger, ProgrammeFactory(organization=other_operator), d(2025, 1, 1)),
            elsewhere,
            at(2025, 5, 5, 10),
        )
    )
    a[12] = _held(_book(p2, counsellor, at(2025, 5, 16, 10), mode=Appointment.Mode.PHONE))
    # Anonymised after the fact, as the retention rule does: the appointments stay counted.
    Participant.objects.filter(pk=people["p3"].pk).update(anonymised_at=timezone.now())
    return {"people": people, "appointments": a, "stranger": stranger}


# --- An independent recomputation, row by row in Python ---------------------------------------


def _recount(organization, year: int, now: dt.datetime) -> dict:
    """What the figures should be, from every appointment read one by one: its Brussels date
    gives its year; a planned one is to complete once begun, else to come."""
    rows = []
    for appointment in Appointment.objects.select_related("pathway__participant", "event"):
        if appointment.pathway.participant.organization_id != organization.pk:
            continue
        if appointment.starts_at.astimezone(BRUSSELS).year != year:
            continue
        outcome = appointment.status
        if outcome == Appointment.Status.PLANNED:
            outcome = "to_complete" if appointment.starts_at <= now else "to_come"
        rows.append((appointment, outcome))
    held = [a for a, outcome in rows if outcome == "held"]
    counts = Counter(outcome for _a, outcome in rows)
    minutes = sum(
        (a.event.duration_minutes if a.event.duration_minutes else a.duration_minutes) for a in held
    )
    answered = counts["held"] + counts["no_show"]
    return {
        "year": year,
        "held": len(held),
        "persons_met": len({a.pathway.participant_id for a in held}),
        "hours_held": (Decimal(minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP),
        "no_shows": counts["no_show"],
        "cancelled": counts["cancelled"],
        "to_complete": counts["to_complete"],
        "to_come": counts["to_come"],
        "no_show_rate": (
            (Decimal(counts["no_show"]) / answered).quantize(Decimal("0.001"), ROUND_HALF_UP)
            if answered
            else None
        ),
        "held_by_mode": {mode: sum(a.mode == mode for a in held) for mode in Appointment.Mode},
    }


def _as_dict(figures) -> dict:
    found = dataclasses.asdict(figures)
    found["held_by_mode"] = {row.code: row.count for row in figures.held_by_mode}
    return found


class TestIndicators:
    def test_it_counts_the_hand_counted_figures_of_2025(self, data, operator):
        figures = appointment_figures(organization=operator, year=2025)

        assert _as_dict(figures) == {
            "year": 2025,
            "held": 4,
            "persons_met": 3,
            "hours_held": Decimal("3.75"),
            "no_shows": 2,
            "cancelled": 1,
            "to_complete": 2,
            "to_come": 0,
            "no_show_rate": Decimal("0.333"),
            "held_by_mode": {"in_person": 2, "phone": 1, "video": 1},
        }
        assert figures.provisional
        assert figures.listed == 9

    @pytest.mark.parametrize("year", [2024, 2025, 2026])
    @pytest.mark.parametrize(
        "now", [None, at(2025, 12, 10, 12)], ids=["today", "on-10-december-2025"]
    )
    def test_it_agrees_with_a_recount_of_the_rows_by_brussels_date(self, data, operator, year, now):
        figures = appointment_figures(organization=operator, year=year, now=now)

        assert _as_dict(figures) == _recount(operator, year, now or timezone.now())

    def test_the_year_is_the_brussels_date_not_the_utc_one(self, data, operator):
        # #2 is 31/12/2024 in UTC, 01/01/2025 in Brussels; #4 is 31/12/2025 in UTC, 2026 here.
        assert appointment_figures(organization=operator, year=2024).held == 1  # #1 only
        assert appointment_figures(organization=operator, year=2026).held == 1  # #4 only

    def test_a_planned_appointment_not_begun_is_to_come_not_to_complete(self, data, operator):
        figures = appointment_figures(organization=operator, year=2025, now=at(2025, 12, 10, 12))

        assert (figures.to_complete, figures.to_come) == (1, 1)  # #9 begun, #10 not yet
        assert figures.no_show_rate == Decimal("0.333")  # neither changes the rate

    def test_another_organizations_appointments_are_ignored(self, data, operator, other_operator):
        assert appointment_figures(organization=other_operator, year=2025).held == 1  # #11
        figures = appointment_figures(organization=operator, year=2025)
        assert figures.held == 4
        assert data["appointments"][11].status == Appointment.Status.HELD

    def test_an_anonymised_participants_appointments_still_count(self, data, operator):
        p3 = Participant.objects.get(pk=data["people"]["p3"].pk)
        assert p3.anonymised_at is not None

        figures = appointment_figures(organization=operator, year=2025)

        assert figures.persons_met == 3  # P1, P2 and the anonymised P3
        assert figures.cancelled == 1  # P3's

    def test_the_rate_is_none_without_any_appointment_held_or_missed(self, operator):
        figures = appointment_figures(organization=operator, year=2025)

        assert figures.no_show_rate is None
        assert figures.hours_held == Decimal("0.00")
        assert [row.count for row in figures.held_by_mode] == [0, 0, 0]
        assert not figures.provisional

    def test_it_takes_one_query_however_many_rows(
        self, data, operator, counsellor, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            appointment_figures(organization=operator, year=2025)
        pathway = data["appointments"][2].pathway
        for n in range(10):
            _no_show(_book(pathway, counsellor, at(2025, 4, 1 + n, 9)))
        with django_assert_num_queries(1):
            figures = appointment_figures(organization=operator, year=2025)
        assert figures.no_shows == 12


# --- The activity report ----------------------------------------------------------------------


@pytest.fixture
def document(data, operator):
    return build("activity", organization=operator, parameters={"year": 2025})


@pytest.fixture
def pdf_text(document) -> str:
    return _plain(_pdf_text(document))


def _section(document):
    return next(section for section in document.sections if section.title == SECTION)


def _shown_count(text: str, label: str) -> int:
    """A key figure's value as the PDF prints it, before its label ("4 Rendez-vous tenus")."""
    found = re.search(rf"(\d+) {re.escape(label)}", text)
    assert found, label
    return int(found.group(1))


class TestReport:
    def test_the_pdf_has_the_section_with_its_figures(self, pdf_text):
        for shown in (
            "Rendez-vous individuels",
            "4 Rendez-vous tenus",
            "3 Personnes rencontrées",
            "3,8 h Heures des rendez-vous tenus",  # 3,75 h at one decimal, half up
            "2 Absences sans prévenir",
            "33,3 % Taux d'absence sur 6 rendez-vous tenus ou manqués — provisoire : 2 à compléter",
            "1 Rendez-vous annulés",
            "2 Rendez-vous à compléter",
            "Chiffres provisoires : 2 rendez-vous de l'année sont passés",
            "Rendez-vous tenus par forme",
            "En présentiel 2 50,0 %",
            "Par téléphone 1 25,0 %",
            "En visioconférence 1 25,0 %",
            "Total 4 100,0 %",
        ):
            assert shown in pdf_text, shown
        assert "Rendez-vous à venir" not in pdf_text.split("Définitions des chiffres")[0]

    def test_the_spreadsheet_lists_every_appointment_of_the_year_and_reconciles_with_the_pdf(
        self, document, pdf_text, data
    ):
        header, rows = _listing_rows(document, LISTING)
        assert header == [
            "N°", "Date et heure", "Identifiant", "Conseiller·ère", "Forme", "Durée (minutes)",
            "Issue",
        ]  # fmt: skip
        column = {label: header.index(label) for label in header}
        a = data["appointments"]
        assert [row[column["N°"]] for row in rows] == [
            str(a[n].pk) for n in (2, 5, 12, 6, 7, 8, 9, 10, 3)
        ]
        # Brussels wall-clock times: the first and the last minutes of the year's edges.
        assert rows[0][column["Date et heure"]] == dt.datetime(2025, 1, 1, 0, 15)
        assert rows[-1][column["Date et heure"]] == dt.datetime(2025, 12, 31, 23, 30)

        issues = Counter(row[column["Issue"]] for row in rows)
        figures_text = pdf_text.split("Définitions des chiffres")[0]
        for issue, label in (
            ("Tenu", "Rendez-vous tenus"),
            ("Absence sans prévenir", "Absences sans prévenir"),
            ("Annulé", "Rendez-vous annulés"),
            ("À compléter", "Rendez-vous à compléter"),
        ):
            assert issues[issue] == _shown_count(figures_text, label), issue
        assert sum(issues.values()) == len(rows) == 9  # nothing else listed (no « À venir »)
        held = [row for row in rows if row[column["Issue"]] == "Tenu"]
        persons = {row[column["Identifiant"]] for row in held}
        assert len(persons) == _shown_count(figures_text, "Personnes rencontrées")
        minutes = sum(row[column["Durée (minutes)"]] for row in held)
        assert minutes == 225  # #5 counts its real 90 minutes, not the 60 planned
        hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert _plain(f"{format_value(hours, 'hours')} Heures des rendez-vous tenus") in (
            figures_text
        )
        missed = issues["Absence sans prévenir"]
        no_show_rate = (Decimal(missed) / (len(held) + missed)).quantize(
            Decimal("0.001"), ROUND_HALF_UP
        )
        assert f"{_plain(format_value(no_show_rate, 'percent'))} Taux d'absence" in figures_text
        for mode, n in Counter(row[column["Forme"]] for row in held).items():
            assert f"{mode} {n} " in figures_text, mode

    def test_the_listing_names_no_participant_and_holds_no_free_text(self, document, data):
        _header, rows = _listing_rows(document, LISTING)
        cells = {cell for row in rows for cell in row}
        people = data["people"]
        assert pseudonym(people["p3"].pk) in cells  # the anonymised person, by pseudonym
        assert pseudonym(data["stranger"].pk) not in cells
        names = {p.last_name for p in people.values()} | {p.first_name for p in people.values()}
        free_text = {"Bilan logement", "Bureau 3, rue Haute", "Empêchement de la personne"}
        assert not cells & (names | free_text)
        assert "Aïcha Conseil" in cells

    def test_the_definitions_define_each_figure_of_the_section(self, document, pdf_text):
        definitions = next(
            block
            for block in document.sections[-1].blocks
            if isinstance(block, Table) and block.title == "Définitions des chiffres"
        )
        defined = {name for row in definitions.rows for name in row[0].split(SEPARATOR)}
        shown = []
        for block in _section(document).blocks:
            if isinstance(block, KeyFigures):
                shown += [figure.label for figure in block.items]
            elif isinstance(block, Table):
                shown.append(block.title)
        assert "Taux d'absence" in shown
        assert [label for label in shown if label not in defined] == []
        assert {"Rendez-vous à venir", "Rendez-vous à compléter"} <= defined
        definitions_text = pdf_text.split("Définitions des chiffres")[-1]
        for sentence in (
            "Absences sans prévenir sur rendez-vous tenus ou manqués (tenus plus absences sans "
            "prévenir).",
            "le 31/12 à 23 h 30 compte dans l'année, le 01/01 à 0 h 15 dans la suivante.",
            "la durée réelle notée quand le rendez-vous a été dit tenu, à défaut la durée prévue.",
            "n'est pas encore notée : comptés à part, ni parmi les rendez-vous tenus ni dans le "
            "taux d'absence.",
        ):
            assert sentence in definitions_text, sentence

    def test_the_report_of_the_current_year_shows_those_to_come(self, operator, counsellor):
        year = timezone.localdate().year
        pathway = _pathway(
            ParticipantFactory(organization=operator),
            ProgrammeFactory(organization=operator),
            d(year, 1, 1),
        )
        last_evening = at(year, 12, 31, 23)
        _book(pathway, counsellor, last_evening)
        _book(pathway, counsellor, at(year + 1, 1, 1, 0, 30))  # next year's: not counted
        coming = int(timezone.now() < last_evening)  # 1 unless the test runs that evening

        document = build("activity", organization=operator, parameters={"year": year})

        figures = next(b for b in _section(document).blocks if isinstance(b, KeyFigures))
        shown = {figure.label: figure.value for figure in figures.items}
        assert shown.get("Rendez-vous à venir", 0) == coming
        assert shown["Rendez-vous à compléter"] == 1 - coming
        assert shown["Rendez-vous tenus"] == 0
        assert shown["Taux d'absence"] is None

    def test_building_the_report_takes_as_many_queries_with_more_appointments(
        self, data, operator, counsellor
    ):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                build("activity", organization=operator, parameters={"year": 2025})
            return len(captured)

        before = queries()
        pathway = data["appointments"][2].pathway
        for n in range(10):
            _held(_book(pathway, counsellor, at(2025, 4, 1 + n, 9)))

        assert queries() == before

    def test_a_year_without_appointments_says_so(self, operator):
        document = build("activity", organization=operator, parameters={"year": 2025})

        assert _section(document).blocks == [Text("Aucun rendez-vous individuel en 2025.")]
        listing = next(table for table in document.listings if table.title == LISTING)
        assert listing.rows == []


# --- The director's dashboard -----------------------------------------------------------------


@pytest.fixture
def this_year(operator, counsellor):
    """This year (Brussels): 3 held, 1 no-show, 1 still planned from the first minutes of
    01/01 (begun whatever the day the test runs): rate 1 / 4 = 25,0 %, 1 to complete."""
    year = timezone.localdate().year
    pathway = _pathway(
        ParticipantFactory(organization=operator),
        ProgrammeFactory(organization=operator),
        d(year, 1, 1),
    )
    for minute in range(3):
        _held(_book(pathway, counsellor, at(year, 1, 1, 0, minute), minutes=5))
    _no_show(_book(pathway, counsellor, at(year, 1, 1, 0, 3), minutes=5))
    planned = _book(pathway, counsellor, at(year, 1, 1, 0, 0), minutes=5)
    return {"year": year, "pathway": pathway, "planned": planned}


class TestDashboard:
    def test_the_director_sees_this_years_appointments_held_and_the_no_show_rate(
        self, client, director, this_year
    ):
        page = _dashboard(client, director)

        assert f"Rendez-vous individuels en {this_year['year']}" in page.text
        assert _card(page, "appointments-held") == "3"
        assert _card(page, "no-show-rate") == "25,0 %"
        assert _card(page, "appointments-to-complete") == "1"
        assert "taux d'absence sans prévenir (provisoire)" in page.text

    def test_it_reads_the_figures_of_the_report(self, client, director, operator, this_year):
        """One definition: the dashboard shows what ``appointment_figures`` says."""
        figures = appointment_figures(organization=operator, year=this_year["year"])

        page = _dashboard(client, director)

        assert _card(page, "appointments-held") == format_value(figures.held, "int")
        assert _card(page, "no-show-rate") == _plain(format_value(figures.no_show_rate, "percent"))
        assert _card(page, "appointments-to-complete") == str(figures.to_complete)

    def test_without_appointments_to_complete_the_rate_is_not_provisional(
        self, client, director, counsellor, this_year
    ):
        services.appointment_cancel(appointment=this_year["planned"], reason="x", by=counsellor)

        page = _dashboard(client, director)

        assert _card(page, "appointments-to-complete") is None
        assert "provisoire" not in page.text
        assert _card(page, "no-show-rate") == "25,0 %"

    @pytest.mark.parametrize("who", ["counsellor", "coordinator", "admin"])
    def test_only_the_direction_sees_them(self, client, personas, who, this_year):
        page = _dashboard(client, personas[who])

        assert "appointments" not in page.context
        assert 'data-testid="no-show-rate"' not in page.text

    @pytest.mark.parametrize("rows", [5, 50])
    def test_the_query_count_does_not_grow_with_appointments(
        self, client, director, counsellor, this_year, rows, django_assert_num_queries
    ):
        Appointment.objects.bulk_create(
            Appointment(
                pathway=this_year["pathway"],
                counsellor=counsellor,
                created_by=counsellor,
                starts_at=at(this_year["year"], 1, 1, 0, 0),
                status=Appointment.Status.NO_SHOW,
            )
            for _ in range(rows)
        )
        client.force_login(director)
        # session, user, second factor, memberships, savepoint pair (atomic request), team
        # counts, access log count, referral reminders, ceiling excesses: 10, as before; and
        # the appointments' figures, +1: one aggregate query, whatever their number; and the
        # trainings' and certifications' figures, +1 (tests/reporting/test_training_figures.py);
        # and the collective modules' figures, +1 (tests/reporting/test_module_figures.py); and
        # the volunteering figures, +1 (tests/reporting/test_volunteers_section.py).
        with django_assert_num_queries(14):
            page = client.get(reverse("dashboard:home"))
        assert _card(page, "appointments-held") == "3"
        assert _card(page, "no-show-rate") == format_value(
            Decimal(1 + rows) / (4 + rows), "percent"
        ).replace("\xa0", " ")
