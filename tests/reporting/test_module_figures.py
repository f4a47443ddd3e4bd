"""The collective modules' figures (issue 20, point 4): defined once in
``reporting.indicators.workshops``, shown by the activity report (the sections « Modules
collectifs » and « Espace public numérique (EPN) », their definitions, two spreadsheet listings)
and by the director's dashboard.

The data set, year 2025 (hand-counted; P3 anonymised since). Modules: CV (workshop, 120 min),
Info (information, 90 min), EPN (epn, 180 min); P1…P4 of the operator, pathways open since
01/12/2024.
  S1  CV   10/03/2025  P1 present 2 h, P2 late 1,5 h, P3 absent (unexcused)
  S2  CV   15/09/2025  P1 present 2 h, P3 left early 1 h
  S3  Info 20/05/2025  P2 present 1,5 h, P4 excused
  S4  Info 04/06/2025  cancelled                                        → not of 2025
  S5  CV   12/12/2024  P1 present                                       → 2024
  S6  CV   05/11/2025  P1 P2 enrolled, the grid not filled in           → not held
  S7  EPN  07/10/2025  P4 present 3 h; drop-ins: 2 people under 26 F accounts,
                                                 1 person 65+ M online procedures
  S8  EPN  14/10/2025  P4 present 3 h, P1 late 2 h
  S9  EPN  21/10/2025  drop-in only: 3 people 45–64 X job search        → held all the same
  S10 another operator's workshop, 2025, its person present            → never counted
2025: sessions held 6 (S1 S2 S3 S7 S8 S9); participants 4 (P1 P2 P3 P4); hours 2 + 1,5 + 2 + 1
+ 1,5 + 3 + 3 + 2 = 16,00. By kind: workshop 2 sessions, 3 people (P1 P2 P3), 6,50 h;
information 1, 1 (P2), 1,50 h; EPN 3, 2 (P4 P1), 8,00 h; other 0, 0, 0. EPN: presences 3
(S7 P4, S8 P4, S8 P1), distinct 2, drop-in visitors 2 + 1 + 3 = 6: visits 3 + 6 = 9, people
2 + 6 = 8; by need accounts 2, procedures 1, job search 3; by age under 26 2, 65+ 1, 45–64 3;
by gender F 2, M 1, X 3.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from participants.models import Participant
from privacy.anonymisation import participant_anonymise
from reporting.document import KeyFigures, Table, Text
from reporting.indicators.workshops import PRESENT, module_figures
from reporting.render.formats import format_value
from reporting.reports import build
from reporting.reports.common import pseudonym
from reporting.reports.definitions import SEPARATOR
from tests.factories import ParticipantFactory, ProgrammeFactory
from tests.reporting.datasets import _pathway
from tests.reporting.rendered import _card, _dashboard, _listing_rows, _pdf_text, _plain
from workshops import services
from workshops.models import DropInVisit, Module, ModuleAttendance, ModuleSession
from workshops.services import Mark

d = dt.date
MODULES = "Modules collectifs"
EPN_SECTION = "Espace public numérique (EPN)"
PRESENCES = "Présences aux modules"
VISITS = "Visites libres de l'EPN"
DEFINITIONS = "Définitions des chiffres"
NOTE = "Note libre : ne va pas bien"


def _module(organization, title, kind, minutes):
    return services.module_create(
        organization=organization, title=title, kind=kind, duration_minutes=minutes
    )


def _session(module, day, by, pathways=(), marks=(), hour=9):
    """A session of ``day``, the people of ``pathways`` enrolled, ``marks`` (pathway, status,
    hours or None, note) saved on its grid."""
    session = services.session_plan(module=module, date=day, starts_at=dt.time(hour), by=by)
    for pathway in pathways:
        services.enrolment_add(session=session, pathway=pathway, by=by)
    if marks:
        services.attendance_record(
            session=session,
            marks=[
                Mark(pathway.participant_id, status, hours=hours, note=note)
                for pathway, status, hours, note in marks
            ],
            by=by,
        )
    return session


def _visit(session, people, age_band, gender, need, by):
    return services.visit_record(
        session=session, people=people, age_band=age_band, gender=gender, need=need, by=by
    )


@pytest.fixture
def data(operator, other_operator, counsellor):
    programme = ProgrammeFactory(organization=operator)
    people = {name: ParticipantFactory(organization=operator) for name in ("p1", "p2", "p3", "p4")}
    p1, p2, p3, p4 = (_pathway(people[name], programme, d(2024, 12, 1)) for name in people)
    cv = _module(operator, "Atelier CV", Module.Kind.WORKSHOP, 120)
    info = _module(operator, "Information formations", Module.Kind.INFORMATION, 90)
    epn = _module(operator, "EPN du mardi", Module.Kind.EPN, 180)
    by = counsellor
    s = {}
    s[1] = _session(
        cv,
        d(2025, 3, 10),
        by,
        [p1, p2, p3],
        [
            (p1, "present", None, ""),
            (p2, "late", Decimal("1.5"), ""),
            (p3, "unexcused", None, ""),
        ],
    )
    s[2] = _session(
        cv,
        d(2025, 9, 15),
        by,
        [p1, p3],
        [(p1, "present", None, ""), (p3, "left_early", Decimal("1"), NOTE)],
    )
    s[3] = _session(
        info, d(2025, 5, 20), by, [p2, p4], [(p2, "present", None, ""), (p4, "excused", None, "")]
    )
    s[4] = services.session_cancel(
        session=_session(info, d(2025, 6, 4), by, [p1]), reason="Animatrice malade"
    )
    s[5] = _session(cv, d(2024, 12, 12), by, [p1], [(p1, "present", None, "")])
    s[6] = _session(cv, d(2025, 11, 5), by, [p1, p2])
    s[7] = _session(epn, d(2025, 10, 7), by, [p4], [(p4, "present", None, "")])
    _visit(s[7], 2, "under_26", "F", "accounts", by)
    _visit(s[7], 1, "65_plus", "M", "procedures", by)
    s[8] = _session(
        epn,
        d(2025, 10, 14),
        by,
        [p4, p1],
        [(p4, "present", None, ""), (p1, "late", Decimal("2"), "")],
    )
    s[9] = _session(epn, d(2025, 10, 21), by)
    _visit(s[9], 3, "45_64", "X", "job_search", by)
    stranger = ParticipantFactory(organization=other_operator)
    elsewhere = _module(other_operator, "Atelier CV", Module.Kind.WORKSHOP, 120)
    s[10] = _session(
        elsewhere,
        d(2025, 3, 10),
        by,
        [_pathway(stranger, ProgrammeFactory(organization=other_operator), d(2025, 1, 1))],
        [],
    )
    services.attendance_record(session=s[10], marks=[Mark(stranger.pk, "present")], by=by)
    # Anonymised after the fact, as the retention rule does: the note is emptied, the marks
    # stay counted.
    p3.ended_on, p3.exit_outcome = d(2025, 9, 30), "dropped_out"
    p3.save(update_fields=["ended_on", "exit_outcome"])
    participant_anonymise(participant=people["p3"])
    return {"people": people, "sessions": s, "stranger": stranger, "epn": epn}


# --- An independent recomputation, row by row in Python ---------------------------------------


def _recount(organization, year: int) -> dict:
    """What the figures should be, from every mark and every visit read one by one."""
    marks = [
        m
        for m in ModuleAttendance.objects.select_related("session__module")
        if m.session.module.organization_id == organization.pk
        and m.session.date.year == year
        and m.session.status != ModuleSession.Status.CANCELLED
        and m.status in PRESENT
    ]
    visits = [
        v
        for v in DropInVisit.objects.select_related("session__module")
        if v.session.module.organization_id == organization.pk
        and v.session.date.year == year
        and v.session.status != ModuleSession.Status.CANCELLED
    ]
    held = {m.session for m in marks} | {v.session for v in visits}
    epn_marks = [m for m in marks if m.session.module.kind == "epn"]
    epn_visits = [v for v in visits if v.session.module.kind == "epn"]

    def visitors(attribute, choices):
        return {
            code: sum(v.people for v in epn_visits if getattr(v, attribute) == code)
            for code, _label in choices
        }

    return {
        "year": year,
        "sessions_held": len(held),
        "participants": len({m.participant_id for m in marks}),
        "hours": sum((m.hours for m in marks), Decimal("0.00")),
        "by_kind": {
            kind: (
                sum(s.module.kind == kind for s in held),
                len({m.participant_id for m in marks if m.session.module.kind == kind}),
                sum((m.hours for m in marks if m.session.module.kind == kind), Decimal("0.00")),
            )
            for kind in Module.Kind.values
        },
        "epn_sessions_held": sum(s.module.kind == "epn" for s in held),
        "epn_presences": len(epn_marks),
        "epn_participants": len({m.participant_id for m in epn_marks}),
        "drop_in_people": sum(v.people for v in epn_visits),
        "drop_ins_by_need": visitors("need", DropInVisit.Need.choices),
        "drop_ins_by_age_band": visitors("age_band", DropInVisit.AgeBand.choices),
        "drop_ins_by_gender": visitors("gender", DropInVisit._meta.get_field("gender").choices),
    }


def _as_dict(figures) -> dict:
    found = dataclasses.asdict(figures)
    found["by_kind"] = {
        row.code: (row.sessions, row.participants, row.hours) for row in figures.by_kind
    }
    for name in ("drop_ins_by_need", "drop_ins_by_age_band", "drop_ins_by_gender"):
        found[name] = {row.code: row.count for row in getattr(figures, name)}
    return found


HAND_COUNTED = {
    "year": 2025,
    "sessions_held": 6,
    "participants": 4,
    "hours": Decimal("16.00"),
    "by_kind": {
        "workshop": (2, 3, Decimal("6.50")),
        "information": (1, 1, Decimal("1.50")),
        "epn": (3, 2, Decimal("8.00")),
        "other": (0, 0, Decimal("0.00")),
    },
    "epn_sessions_held": 3,
    "epn_presences": 3,
    "epn_participants": 2,
    "drop_in_people": 6,
    "drop_ins_by_need": {
        "accounts": 2,
        "procedures": 1,
        "job_search": 3,
        "device": 0,
        "printing": 0,
        "other": 0,
    },
    "drop_ins_by_age_band": {"under_26": 2, "26_44": 0, "45_64": 3, "65_plus": 1, "unknown": 0},
    "drop_ins_by_gender": {"F": 2, "M": 1, "X": 3},
}


class TestIndicators:
    def test_it_counts_the_hand_counted_figures_of_2025(self, data, operator):
        figures = module_figures(organization=operator, year=2025)

        assert _as_dict(figures) == HAND_COUNTED
        assert (figures.epn_visits, figures.epn_people) == (9, 8)

    @pytest.mark.parametrize("year", [2024, 2025, 2026])
    def test_it_agrees_with_a_recount_of_the_rows(self, data, operator, year):
        assert _as_dict(module_figures(organization=operator, year=year)) == _recount(
            operator, year
        )

    def test_the_session_of_december_2024_counts_in_2024(self, data, operator):
        figures = module_figures(organization=operator, year=2024)

        assert (figures.sessions_held, figures.participants, figures.hours) == (
            1,
            1,
            Decimal("2.00"),
        )

    def test_a_session_without_a_presence_nor_a_visit_is_not_held(self, data, operator):
        s = data["sessions"]
        # S6: people enrolled, the grid not filled in; S4: cancelled.
        assert not s[6].attendances.exists()
        assert s[4].status == ModuleSession.Status.CANCELLED
        # S9 has no participant, only drop-in visitors: held.
        assert module_figures(organization=operator, year=2025).epn_sessions_held == 3

    def test_an_absence_is_neither_a_participant_nor_an_hour(self, data, operator):
        figures = module_figures(organization=operator, year=2025)
        information = next(row for row in figures.by_kind if row.code == "information")

        # P4 excused at S3: only P2 there.
        assert (information.participants, information.hours) == (1, Decimal("1.50"))

    def test_another_organizations_sessions_are_ignored(self, data, operator, other_operator):
        theirs = module_figures(organization=other_operator, year=2025)
        assert (theirs.sessions_held, theirs.participants) == (1, 1)

        assert module_figures(organization=operator, year=2025).sessions_held == 6

    def test_an_anonymised_participants_presences_still_count(self, data, operator):
        p3 = Participant.objects.get(pk=data["people"]["p3"].pk)
        assert p3.anonymised_at is not None
        assert ModuleAttendance.objects.get(participant=p3, session=data["sessions"][2]).note != (
            NOTE
        )

        figures = module_figures(organization=operator, year=2025)

        workshop = next(row for row in figures.by_kind if row.code == "workshop")
        assert (workshop.participants, workshop.hours) == (3, Decimal("6.50"))  # P3's hour too

    def test_a_year_without_sessions_counts_zeros(self, operator):
        figures = module_figures(organization=operator, year=2025)

        assert (figures.sessions_held, figures.participants, figures.hours) == (
            0,
            0,
            Decimal("0.00"),
        )
        assert (figures.epn_visits, figures.epn_people) == (0, 0)
        assert [row.count for row in figures.drop_ins_by_gender] == [0, 0, 0]

    def test_it_takes_one_query_however_many_rows(
        self, data, operator, counsellor, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            module_figures(organization=operator, year=2025)
        for n in range(10):
            _visit(data["sessions"][9], 1, "unknown", "X", "printing", counsellor)
            _session(data["epn"], d(2025, 4, 1 + n), counsellor)
        with django_assert_num_queries(1):
            figures = module_figures(organization=operator, year=2025)
        assert figures.drop_in_people == 16


# --- The activity report ----------------------------------------------------------------------


@pytest.fixture
def document(data, operator):
    return build("activity", organization=operator, parameters={"year": 2025})


@pytest.fixture
def pdf_text(document) -> str:
    return _plain(_pdf_text(document))


def _section(document, title):
    return next(section for section in document.sections if section.title == title)


def _shown(text: str, label: str) -> int:
    """A key figure's count as the PDF prints it, before its label ("6 Séances …")."""
    found = re.search(rf"(\d+) {re.escape(label)}", text)
    assert found, label
    return int(found.group(1))


def _hours_shown(hours: Decimal) -> str:
    return _plain(format_value(hours, "hours"))


class TestReport:
    def test_the_pdf_has_the_two_sections_with_their_figures(self, pdf_text):
        figures_text = pdf_text.split(DEFINITIONS)[0]
        for shown in (
            "Modules collectifs",
            "6 Séances de modules tenues",
            "4 Participant·es aux modules",
            "16,0 h Heures de participation aux modules",
            "Modules collectifs par type",
            "Atelier 2 3 6,5 h",
            "Séance d'information 1 1 1,5 h",
            "Séance EPN (espace public numérique) 3 2 8,0 h",
            "Autre 0 0 0,0 h",
            "Total 6 — 16,0 h",
            "Espace public numérique (EPN)",
            "3 Séances EPN tenues",
            "9 Passages à l'EPN 3 présences de participant·es inscrit·es et 6 visiteur·euses "
            "libres",
            "8 Personnes accueillies à l'EPN 2 participant·es inscrit·es distinct·es et 6 "
            "visiteur·euses libres, compté·es à chaque visite",
            "6 Visiteur·euses libres",
            "Visiteur·euses libres par aide apportée",
            "Messagerie et comptes en ligne 2 33,3 %",
            "Démarches administratives en ligne 1 16,7 %",
            "Recherche d'emploi en ligne (CV, candidatures) 3 50,0 %",
            "Visiteur·euses libres par tranche d'âge",
            "Moins de 26 ans 2 33,3 %",
            "Visiteur·euses libres par genre",
            "Femme 2 33,3 %",
            "Total 6 100,0 %",
        ):
            assert shown in figures_text, shown

    def test_the_spreadsheet_rows_reconcile_with_the_pdf(self, document, pdf_text, data):
        figures_text = pdf_text.split(DEFINITIONS)[0]
        header, presences = _listing_rows(document, PRESENCES)
        assert header == [
            "N°", "Séance (N°)", "Date", "Module", "Type de module", "Identifiant", "Présence",
            "Heures",
        ]  # fmt: skip
        p = {label: header.index(label) for label in header}
        header, visits = _listing_rows(document, VISITS)
        assert header == [
            "N°", "Séance (N°)", "Date", "Module", "Type de module", "Personnes",
            "Tranche d'âge", "Genre", "Aide apportée",
        ]  # fmt: skip
        v = {label: header.index(label) for label in header}
        assert {row[p["Date"]].year for row in presences} == {2025}
        assert {row[v["Date"]].year for row in visits} == {2025}
        assert {row[p["Présence"]] for row in presences} <= {
            "Présent·e",
            "En retard",
            "Parti·e plus tôt",
        }

        sessions = {row[p["Séance (N°)"]] for row in presences} | {
            row[v["Séance (N°)"]] for row in visits
        }
        assert len(sessions) == _shown(figures_text, "Séances de modules tenues") == 6
        persons = {row[p["Identifiant"]] for row in presences}
        assert len(persons) == _shown(figures_text, "Participant·es aux modules")
        hours = sum(Decimal(str(row[p["Heures"]])) for row in presences)
        assert hours == Decimal("16")
        assert f"{_hours_shown(hours)} Heures de participation aux modules" in figures_text
        for kind in Module.Kind.labels:
            rows = [row for row in presences if row[p["Type de module"]] == kind]
            kind_sessions = {row[p["Séance (N°)"]] for row in rows} | {
                row[v["Séance (N°)"]] for row in visits if row[v["Type de module"]] == kind
            }
            kind_hours = sum((Decimal(str(row[p["Heures"]])) for row in rows), Decimal(0))
            line = (
                f"{kind} {len(kind_sessions)} {len({row[p['Identifiant']] for row in rows})} "
                f"{_hours_shown(kind_hours)}"
            )
            assert line in figures_text, line

        epn = str(Module.Kind.EPN.label)
        epn_presences = [row for row in presences if row[p["Type de module"]] == epn]
        visitors = sum(row[v["Personnes"]] for row in visits if row[v["Type de module"]] == epn)
        epn_sessions = {row[p["Séance (N°)"]] for row in epn_presences} | {
            row[v["Séance (N°)"]] for row in visits if row[v["Type de module"]] == epn
        }
        assert len(epn_sessions) == _shown(figures_text, "Séances EPN tenues")
        assert visitors == _shown(figures_text, "Visiteur·euses libres") == 6
        assert len(epn_presences) + visitors == _shown(figures_text, "Passages à l'EPN")
        registered = len({row[p["Identifiant"]] for row in epn_presences})
        assert registered + visitors == _shown(figures_text, "Personnes accueillies à l'EPN")
        for column, table in (
            ("Aide apportée", "Visiteur·euses libres par aide apportée"),
            ("Tranche d'âge", "Visiteur·euses libres par tranche d'âge"),
            ("Genre", "Visiteur·euses libres par genre"),
        ):
            counted = Counter()
            for row in visits:
                counted[row[v[column]]] += row[v["Personnes"]]
            shown = {
                row[0]: row[1]
                for row in next(t for _s, t in document.tables() if t.title == table).rows
                if row[1]
            }
            assert shown == dict(counted), table
            for label, n in counted.items():
                assert f"{label} {n} " in figures_text, label

    def test_the_listings_name_no_participant_and_hold_no_free_text(self, document, data):
        cells = set()
        for title in (PRESENCES, VISITS):
            _header, rows = _listing_rows(document, title)
            cells |= {cell for row in rows for cell in row}
        people = data["people"]
        assert pseudonym(people["p3"].pk) in cells  # the anonymised person, by pseudonym
        assert pseudonym(data["stranger"].pk) not in cells
        names = {p.last_name for p in people.values()} | {p.first_name for p in people.values()}
        assert not cells & (names | {NOTE, "Animatrice malade"})

    def test_the_definitions_define_each_figure_of_the_sections(self, document, pdf_text):
        definitions = next(t for _s, t in document.tables() if t.title == DEFINITIONS)
        defined = {name for row in definitions.rows for name in row[0].split(SEPARATOR)}
        shown = []
        for title in (MODULES, EPN_SECTION):
            for block in _section(document, title).blocks:
                if isinstance(block, KeyFigures):
                    shown += [figure.label for figure in block.items]
                elif isinstance(block, Table):
                    shown.append(block.title)
        assert len(shown) == 11
        assert [label for label in shown if label not in defined] == []
        definitions_text = pdf_text.split(DEFINITIONS)[-1]
        for sentence in (
            "Séances de modules collectifs de l'année (selon leur date), pas annulées, où au "
            "moins une personne est notée présente",
            "Une séance dont la grille n'est pas remplie n'est pas tenue.",
            "y compris les personnes anonymisées depuis.",
            "Deux personnes présentes deux heures font quatre heures de participation.",
            "Les visiteur·euses libres sont anonymes et ne peuvent pas être dédoublonné·es : une "
            "personne revenue trois fois compte trois fois. Ce chiffre est donc un maximum.",
        ):
            assert sentence in definitions_text, sentence

    def test_building_the_report_takes_as_many_queries_with_more_records(
        self, data, operator, counsellor
    ):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                build("activity", organization=operator, parameters={"year": 2025})
            return len(captured)

        before = queries()
        p4 = data["people"]["p4"].pathways.get()
        for n in range(5):
            session = _session(
                data["epn"], d(2025, 4, 1 + n), counsellor, [p4], [(p4, "present", None, "")]
            )
            _visit(session, 2, "26_44", "F", "device", counsellor)

        assert queries() == before

    def test_a_year_without_sessions_says_so(self, operator):
        document = build("activity", organization=operator, parameters={"year": 2025})

        assert _section(document, MODULES).blocks == [
            Text("Aucune séance de module collectif tenue en 2025.")
        ]
        assert _section(document, EPN_SECTION).blocks == [Text("Aucune séance EPN tenue en 2025.")]
        for title in (PRESENCES, VISITS):
            listing = next(table for table in document.listings if table.title == title)
            assert listing.rows == []


# --- The director's dashboard -----------------------------------------------------------------


@pytest.fixture
def this_year(operator, counsellor):
    """This year, 01/01 (begun whatever the day the test runs): a workshop of 2 h with one person
    present and one absent, an EPN session with that person late for 1,5 h and 4 drop-in
    visitors: 2 sessions held, 1 participant, 3,5 h, 1 + 4 = 5 EPN visits."""
    year = timezone.localdate().year
    programme = ProgrammeFactory(organization=operator)
    present, absent = (
        _pathway(ParticipantFactory(organization=operator), programme, d(year, 1, 1))
        for _ in range(2)
    )
    workshop = _module(operator, "Atelier CV", Module.Kind.WORKSHOP, 120)
    epn = _module(operator, "EPN", Module.Kind.EPN, 120)
    _session(
        workshop,
        d(year, 1, 1),
        counsellor,
        [present, absent],
        [(present, "present", None, ""), (absent, "unexcused", None, "")],
        hour=0,
    )
    session = _session(
        epn, d(year, 1, 1), counsellor, [present], [(present, "late", Decimal("1.5"), "")], hour=0
    )
    _visit(session, 4, "unknown", "X", "device", counsellor)
    return {"year": year, "epn": session, "workshop": workshop, "person": present.participant}


class TestDashboard:
    def test_the_director_sees_this_years_modules_and_epn_visits(self, client, director, this_year):
        page = _dashboard(client, director)

        assert f"Modules collectifs en {this_year['year']}" in page.text
        assert _card(page, "module-sessions-held") == "2"
        assert _card(page, "module-participants") == "1"
        assert _card(page, "module-hours") == "3,5 h"
        assert _card(page, "epn-visits") == "5"

    def test_it_reads_the_figures_of_the_report(self, client, director, operator, this_year):
        """One definition: the dashboard shows what ``module_figures`` says."""
        figures = module_figures(organization=operator, year=this_year["year"])

        page = _dashboard(client, director)

        assert _card(page, "module-sessions-held") == format_value(figures.sessions_held)
        assert _card(page, "module-hours") == _plain(format_value(figures.hours, "hours"))
        assert _card(page, "epn-visits") == format_value(figures.epn_visits)

    @pytest.mark.parametrize("who", ["counsellor", "coordinator", "admin"])
    def test_only_the_direction_sees_them(self, client, personas, who, this_year):
        page = _dashboard(client, personas[who])

        assert "modules" not in page.context
        assert 'data-testid="epn-visits"' not in page.text

    @pytest.mark.parametrize("rows", [5, 50])
    def test_the_query_count_does_not_grow_with_sessions_and_visits(
        self, client, director, counsellor, this_year, rows, django_assert_num_queries
    ):
        first = d(this_year["year"], 1, 1)
        sessions = ModuleSession.objects.bulk_create(
            ModuleSession(
                module=this_year["workshop"],
                date=first,
                starts_at=dt.time(0),
                duration_minutes=60,
                created_by=counsellor,
            )
            for _ in range(rows)
        )
        ModuleAttendance.objects.bulk_create(
            ModuleAttendance(
                session=session, participant=this_year["person"], status="present", hours=1
            )
            for session in sessions
        )
        DropInVisit.objects.bulk_create(
            DropInVisit(session=this_year["epn"], people=1, need="other", recorded_by=counsellor)
            for _ in range(rows)
        )
        client.force_login(director)
        # session, user, second factor, memberships, savepoint pair (atomic request), team
        # counts, access log count, referral reminders, ceiling excesses, the appointments'
        # figures, the trainings' and certifications' figures: 12, as before; and the modules'
        # figures, +1: one select of aggregates, whatever their number; and the volunteering
        # figures, +1 (tests/reporting/test_volunteers_section.py).
        with django_assert_num_queries(14):
            page = client.get(reverse("dashboard:home"))
        assert _card(page, "module-sessions-held") == format_value(2 + rows)
        assert _card(page, "module-hours") == _plain(format_value(Decimal("3.5") + rows, "hours"))
        assert _card(page, "epn-visits") == format_value(5 + rows)
