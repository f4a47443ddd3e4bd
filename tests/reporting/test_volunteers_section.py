"""The volunteering and outreach figures (issue 21, point 5): defined once in
``reporting.indicators.volunteers``, shown by the activity report (the section « Bénévolat et
proximité », its definitions, four spreadsheet listings) and by the director's dashboard.

The data set, year 2026 (hand-counted). Volunteers of the operator, agreements of 25,00 € a day
for 2026 (V2: real costs):
  V1 since 01/06/2025  sheets 02/03/2026 3 h 10 km by car (validated), 03/03/2026 2,5 h
                       (validated), 04/03/2026 4 h (submitted), 05/03/2026 1 h (sent back),
                       10/11/2025 2 h (validated, 2025); at A1
  V2 since 01/01/2026  sheet 01/04/2026 2 h, 8,40 € on a receipt (validated)
  V3 since 01/01/2024  no sheet; at A1
  V4 since 01/02/2026  nothing
  V5 01/01/2020 → 30/06/2025 (ended): at A3 (2027) and A4 (2025)
Outreach actions:
  A1 10/05/2026 « Marché du Midi », V1 V3: 12 met, 5 F, 4 M; 3 < 25, 6 25–54, 2 55+; housing,
                                             health
  A2 01/09/2026 another place, the team alone: 8 met, 8 F; no age; housing, legal
  A3 15/01/2027, A4 31/12/2025: outside 2026
Signals (S1 S2 S4 S6 by a relay; S3 S5 by the team):
  S1 01/02/2026 housing    open
  S2 01/03/2026 health     taken up
  S3 01/04/2026 housing    taken up, then closed: intake
  S4 01/05/2026 financial  closed at once: referred              → taken up
  S5 01/06/2026 other      closed at once: nothing needed        → not taken up
  S6 01/07/2026 legal      taken up, then closed: nothing needed → taken up
  S7 20/12/2025 housing    open                                  → 2025 (but waiting today)
The other operator: a volunteer with a validated sheet of 2026, an action of 2026 (50 met, at
which it was), a signal of 2026 still open: never counted.
2026: volunteers registered 4 (V1 V2 V3 V4), active 3 (V1 V2 V3: 2 with a sheet, 2 at an
action); validated sheets 3, hours 3 + 2,5 + 2 = 7,50; flat rate 25 + 25 + 0 = 50,00 (V2 is
under real costs), mileage 10 km × 0,4326 = 4,33, indemnities 54,33 €; real costs 8,40 €.
Actions 2, people met 20: F 13, M 4, not said 3; < 25 3, 25–54 6, 55+ 2, not said 9; themes
housing 2, health 1, legal 1. Signals raised 6 (4 by relays), taken up 4 (S2 S3 S4 S6), closed
4 (S3 S4 S5 S6), waiting 1 (S1); by follow-up intake 1, referred 1, nothing 2; by need housing
2, health 1, financial 1, legal 1, other 1. Waiting today, whatever the year: S1 and S7, 2.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from collections import Counter
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from chantiers.models import ServiceSheet, VolunteerAgreement
from chantiers.sheets import sheet_return, sheet_submit, sheet_validate
from participants import services as participant_services
from participants.models import NeedCategory
from reporting.document import KeyFigures, Table
from reporting.indicators.volunteers import volunteer_figures
from reporting.render.formats import format_value
from reporting.render.xlsx import render_xlsx
from reporting.reports import build
from reporting.reports.common import pseudonym
from reporting.reports.definitions import SEPARATOR
from tests.chantiers.helpers import _agreement
from tests.factories import ParticipantFactory
from tests.reporting.rendered import _card, _dashboard, _listing_rows, _pdf_text, _plain
from volunteers import signals as signal_services
from volunteers.models import ContactPoint, OutreachActivity, Signal
from volunteers.services import volunteer_register

d = dt.date
D = Decimal
SECTION = "Bénévolat et proximité"
DEFINITIONS = "Définitions des chiffres"
LISTINGS = ("Bénévoles actif·ves", "Fiches de prestation", "Actions de proximité", "Signalements")
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
NOTE = "Madame Dubois, rue Haute, ne va pas bien"
ACTIVITY = "Visites chez Monsieur Janssens"


def _volunteer(organization, since, by, ended_on=None, last_name=None):
    """A person without income since 2024 (no declaration due), registered as a volunteer."""
    person = ParticipantFactory(
        organization=organization, **({"last_name": last_name} if last_name else {})
    )
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=d(2024, 1, 1)
    )
    volunteer = volunteer_register(
        organization=organization, by=by, since=since, activity="Relais", participant=person
    )
    if ended_on:
        volunteer.ended_on = ended_on
        volunteer.save(update_fields=["ended_on"])
    return volunteer


def _sheet(volunteer, day, by, hours="3.00", validate=True, **fields):
    sheet = sheet_submit(
        sheet=ServiceSheet(
            participant=volunteer.participant,
            date=day,
            hours=D(hours),
            activity=ACTIVITY,
            **fields,
        ),
        by=by,
    )
    return sheet_validate(sheet=sheet, by=by) if validate else sheet


def _action(organization, day, by, volunteers=(), **fields):
    action = OutreachActivity.objects.create(
        organization=organization, date=day, recorded_by=by, note=NOTE, **fields
    )
    action.volunteers.set(volunteers)
    return action


def _signal(organization, day, by, need, status="open", raised_by=None, **fields):
    return Signal.objects.create(
        organization=organization,
        raised_on=day,
        raised_by=raised_by,
        raised_by_user=by,
        need_category=need,
        description=NOTE,
        status=status,
        **fields,
    )


def _taken(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 10))


@pytest.fixture
def data(operator, other_operator, coordinator, counsellor):
    by = coordinator
    v = {}
    v[1] = _volunteer(operator, d(2025, 6, 1), by, last_name="Relaisun")
    _agreement(v[1].participant, declaration="", declaration_on=None)
    v[2] = _volunteer(operator, d(2026, 1, 1), by, last_name="Relaisdeux")
    _agreement(
        v[2].participant,
        declaration="",
        declaration_on=None,
        scheme=VolunteerAgreement.Scheme.REAL_COSTS,
    )
    v[3] = _volunteer(operator, d(2024, 1, 1), by)
    v[4] = _volunteer(operator, d(2026, 2, 1), by)
    v[5] = _volunteer(operator, d(2020, 1, 1), by, ended_on=d(2025, 6, 30))

    sheets = {
        "km": _sheet(v[1], d(2026, 3, 2), by, km=10, vehicle="car"),
        "plain": _sheet(v[1], d(2026, 3, 3), by, hours="2.50"),
        "submitted": _sheet(v[1], d(2026, 3, 4), by, hours="4.00", validate=False),
        "returned": _sheet(v[1], d(2026, 3, 5), by, hours="1.00", validate=False),
        "last_year": _sheet(v[1], d(2025, 11, 10), by, hours="2.00"),
        "receipt": _sheet(
            v[2],
            d(2026, 4, 1),
            by,
            hours="2.00",
            expense_amount=D("8.40"),
            expense_description="Tickets STIB",
            receipt=SimpleUploadedFile("ticket.jpg", JPEG, content_type="image/jpeg"),
        ),
    }
    sheets["returned"] = sheet_return(
        sheet=sheets["returned"], by=by, reason="Le local était fermé."
    )

    market = ContactPoint.objects.create(
        organization=operator, name="Marché du Midi", kind="mobile", place="Gare du Midi"
    )
    actions = {
        1: _action(
            operator,
            d(2026, 5, 10),
            by,
            [v[1], v[3]],
            contact_point=market,
            people_met=12,
            women=5,
            men=4,
            under_25=3,
            from_25_to_54=6,
            from_55=2,
            themes=["housing", "health"],
        ),
        2: _action(
            operator,
            d(2026, 9, 1),
            by,
            place="Parc de la Porte de Hal",
            people_met=8,
            women=8,
            themes=["housing", "legal"],
        ),
        3: _action(operator, d(2027, 1, 15), by, [v[5]], people_met=20, women=10, men=10),
        4: _action(operator, d(2025, 12, 31), by, [v[5]], people_met=7, themes=["health"]),
    }

    closed = {"status": "closed", "closed_at": _taken(d(2026, 8, 1))}
    # Closed at once, as ``volunteers.signals.signal_close`` notes it: handled by whoever closes
    # it, never taken up.
    at_once = {**closed, "taken_up_at": None, "taken_up_by": counsellor}
    signals = {
        1: _signal(operator, d(2026, 2, 1), counsellor, "housing", raised_by=v[1]),
        2: _signal(
            operator,
            d(2026, 3, 1),
            counsellor,
            "health",
            "taken_up",
            raised_by=v[3],
            taken_up_at=_taken(d(2026, 3, 2)),
            taken_up_by=counsellor,
        ),
        3: _signal(
            operator,
            d(2026, 4, 1),
            counsellor,
            "housing",
            outcome="intake",
            taken_up_at=_taken(d(2026, 4, 2)),
            taken_up_by=counsellor,
            **closed,
        ),
        4: _signal(
            operator,
            d(2026, 5, 1),
            counsellor,
            "financial",
            raised_by=v[1],
            outcome="referred",
            **at_once,
        ),
        5: _signal(operator, d(2026, 6, 1), counsellor, "other", outcome="nothing", **at_once),
        6: _signal(
            operator,
            d(2026, 7, 1),
            counsellor,
            "legal",
            raised_by=v[1],
            outcome="nothing",
            taken_up_at=_taken(d(2026, 7, 2)),
            taken_up_by=counsellor,
            **closed,
        ),
        7: _signal(operator, d(2025, 12, 20), counsellor, "housing"),
    }

    # The other operator: everything in 2026, never counted for the operator.
    stranger = _volunteer(other_operator, d(2026, 1, 1), by, last_name="Etranger")
    _agreement(stranger.participant, declaration="", declaration_on=None)
    _sheet(stranger, d(2026, 3, 2), by, hours="6.00")
    _action(
        other_operator,
        d(2026, 5, 10),
        by,
        [stranger],
        people_met=50,
        women=25,
        men=25,
        themes=["housing"],
    )
    _signal(other_operator, d(2026, 5, 1), counsellor, "housing", raised_by=stranger)
    return {
        "volunteers": v,
        "sheets": sheets,
        "actions": actions,
        "signals": signals,
        "stranger": stranger,
    }


def _rows(rows) -> dict:
    return {row.code: row.count for row in rows}


HAND_COUNTED = {
    "year": 2026,
    "volunteers_registered": 4,
    "volunteers_active": 3,
    "active_with_sheets": 2,
    "active_in_outreach": 2,
    "sheets": 3,
    "hours": D("7.50"),
    "flat_rate": D("50.00"),
    "mileage": D("4.33"),
    "real_costs": D("8.40"),
    "outreach_actions": 2,
    "people_met": 20,
    "women": 13,
    "men": 4,
    "under_25": 3,
    "from_25_to_54": 6,
    "from_55": 2,
    "themes": {
        code: {"housing": 2, "health": 1, "legal": 1}.get(code, 0) for code in NeedCategory.values
    },
    "signals_raised": 6,
    "signals_by_volunteers": 4,
    "signals_taken_up": 4,
    "signals_closed": 4,
    "signals_open": 1,
    "signals_by_outcome": {
        "intake": 1,
        "need": 0,
        "referred": 1,
        "not_reached": 0,
        "nothing": 2,
    },
    "signals_by_need": {
        code: {"housing": 2, "health": 1, "financial": 1, "legal": 1, "other": 1}.get(code, 0)
        for code in NeedCategory.values
    },
    "signals_waiting": 2,
}


def _as_dict(figures) -> dict:
    found = dataclasses.asdict(figures)
    for name in ("themes", "signals_by_outcome", "signals_by_need"):
        found[name] = _rows(getattr(figures, name))
    return found


# --- The figures ------------------------------------------------------------------------------


class TestIndicators:
    def test_it_counts_the_hand_counted_figures_of_2026(self, data, operator):
        figures = volunteer_figures(organization=operator, year=2026)

        assert _as_dict(figures) == HAND_COUNTED
        assert figures.indemnities == D("54.33")
        assert _rows(figures.by_gender) == {"women": 13, "men": 4, "not_said": 3}
        assert _rows(figures.by_age_band) == {
            "under_25": 3,
            "25_54": 6,
            "55_plus": 2,
            "not_said": 9,
        }
        assert figures.shown

    def test_the_sheets_amounts_are_those_the_engine_gave(self, data):
        """The hand count's amounts, read on the sheets themselves."""
        sheets = data["sheets"]
        for sheet in sheets.values():
            sheet.refresh_from_db()
        assert (sheets["km"].indemnity, sheets["km"].mileage) == (D("25.00"), D("4.33"))
        assert (sheets["plain"].indemnity, sheets["receipt"].indemnity) == (D("25.00"), D(0))
        assert sheets["receipt"].real_cost.amount == D("8.40")
        assert sheets["submitted"].indemnity == D("25.00")  # computed, not yet validated

    def test_a_sheet_waiting_or_sent_back_is_not_counted(self, data, operator, coordinator):
        before = volunteer_figures(organization=operator, year=2026)

        sheet_validate(sheet=data["sheets"]["submitted"], by=coordinator)
        after = volunteer_figures(organization=operator, year=2026)

        assert (after.sheets, after.hours) == (before.sheets + 1, before.hours + 4)
        assert after.flat_rate == before.flat_rate + D("25.00")
        assert data["sheets"]["returned"].status == "returned"

    def test_the_sheet_of_2025_counts_in_2025(self, data, operator):
        figures = volunteer_figures(organization=operator, year=2025)

        assert (figures.sheets, figures.hours, figures.volunteers_active) == (1, D("2.00"), 2)
        # V1 (the sheet), V5 (at A4); registered in 2025: V1 V3 V5.
        assert figures.volunteers_registered == 3
        assert (figures.outreach_actions, figures.people_met) == (1, 7)
        assert figures.signals_raised == 1

    def test_an_action_of_2027_counts_in_2027_only(self, data, operator):
        figures = volunteer_figures(organization=operator, year=2027)

        assert (figures.outreach_actions, figures.people_met, figures.volunteers_active) == (
            1,
            20,
            1,
        )
        assert (figures.women, figures.men, figures.gender_not_said) == (10, 10, 0)
        assert figures.age_not_said == 20
        # V1…V4 still volunteer; V5, ended in 2025, is active all the same.
        assert figures.volunteers_registered == 4

    def test_a_volunteer_active_both_ways_counts_once(self, data, operator):
        figures = volunteer_figures(organization=operator, year=2026)

        assert figures.active_with_sheets + figures.active_in_outreach == 4
        assert figures.volunteers_active == 3

    def test_another_organizations_rows_are_ignored(self, data, operator, other_operator):
        theirs = volunteer_figures(organization=other_operator, year=2026)
        assert (theirs.volunteers_active, theirs.sheets, theirs.hours) == (1, 1, D("6.00"))
        assert (theirs.people_met, theirs.signals_raised, theirs.signals_waiting) == (50, 1, 1)

        ours = volunteer_figures(organization=operator, year=2026)
        assert (ours.volunteers_active, ours.people_met, ours.signals_waiting) == (3, 20, 2)

    def test_the_signals_raised_are_the_waiting_the_taken_up_and_the_closed_without(
        self, data, operator
    ):
        figures = volunteer_figures(organization=operator, year=2026)
        closed_without = [
            s
            for s in data["signals"].values()
            if s.raised_on.year == 2026
            and s.status == "closed"
            and s.taken_up_at is None
            and s.outcome == "nothing"
        ]

        assert closed_without == [data["signals"][5]]
        assert figures.signals_raised == (
            figures.signals_open + figures.signals_taken_up + len(closed_without)
        )
        assert sum(row.count for row in figures.signals_by_outcome) == figures.signals_closed

    def test_the_signals_closed_through_the_service_are_counted_by_the_same_rule(
        self, operator, counsellor
    ):
        """``volunteers.signals.signal_close`` notes no taking up on a signal closed at once:
        with « Pas de suite nécessaire », it is not taken up; with another follow-up, or taken
        up first, it is."""
        today = timezone.localdate()

        def raised():
            return signal_services.signal_raise(
                signal=Signal(
                    organization=operator,
                    raised_on=today,
                    need_category="housing",
                    urgency="normal",
                    description=NOTE,
                ),
                by=counsellor,
            )

        nothing = signal_services.signal_close(signal=raised(), by=counsellor, outcome="nothing")
        signal_services.signal_close(signal=raised(), by=counsellor, outcome="not_reached")
        first = signal_services.signal_take_up(signal=raised(), by=counsellor)
        later = signal_services.signal_close(signal=first, by=counsellor, outcome="nothing")
        signal_services.signal_take_up(signal=raised(), by=counsellor)
        raised()
        assert nothing.taken_up_at is None  # what the service notes
        assert later.taken_up_at < later.closed_at

        figures = volunteer_figures(organization=operator, year=today.year)

        assert (figures.signals_raised, figures.signals_taken_up) == (5, 3)
        assert (figures.signals_closed, figures.signals_open) == (3, 1)
        assert _rows(figures.signals_by_outcome)["nothing"] == 2

    def test_a_year_without_anything_counts_zeros_and_is_not_shown(self, operator):
        figures = volunteer_figures(organization=operator, year=2026)

        assert (figures.volunteers_active, figures.hours, figures.indemnities) == (
            0,
            D("0.00"),
            D("0.00"),
        )
        assert (figures.people_met, figures.signals_raised, figures.signals_waiting) == (0, 0, 0)
        assert [row.count for row in figures.themes] == [0] * len(NeedCategory.values)
        assert not figures.shown

    def test_a_volunteer_registered_alone_shows_the_section(self, operator, coordinator):
        _volunteer(operator, d(2026, 2, 1), coordinator)

        figures = volunteer_figures(organization=operator, year=2026)

        assert (figures.volunteers_registered, figures.volunteers_active) == (1, 0)
        assert figures.shown
        assert not volunteer_figures(organization=operator, year=2025).shown

    @pytest.mark.parametrize("rows", [1, 5])
    def test_it_takes_one_query_however_many_rows(
        self, operator, coordinator, rows, django_assert_num_queries
    ):
        _rows_of_each(operator, coordinator, rows)

        with django_assert_num_queries(1):
            figures = volunteer_figures(organization=operator, year=2026)

        assert (figures.volunteers_active, figures.sheets, figures.outreach_actions) == (
            rows,
            rows,
            rows,
        )
        assert (figures.signals_raised, figures.signals_taken_up) == (rows, rows)


def _rows_of_each(operator, by, rows: int) -> None:
    """``rows`` volunteers, each with a validated sheet, at an action of their own, having
    raised a signal taken up and closed."""
    for n in range(rows):
        volunteer = _volunteer(operator, d(2026, 1, 1), by)
        _sheet(volunteer, d(2026, 2, 1 + n), by, hours="1.00")
        _action(
            operator,
            d(2026, 3, 1 + n),
            by,
            [volunteer],
            people_met=3,
            women=1,
            men=1,
            under_25=1,
            themes=["digital", "language"],
        )
        _signal(
            operator,
            d(2026, 4, 1 + n),
            by,
            "digital",
            raised_by=volunteer,
            outcome="need",
            status="closed",
            taken_up_at=_taken(d(2026, 4, 2)),
            closed_at=_taken(d(2026, 4, 3)),
        )


# --- The activity report ----------------------------------------------------------------------


@pytest.fixture
def document(data, operator):
    return build("activity", organization=operator, parameters={"year": 2026})


@pytest.fixture
def pdf_text(document) -> str:
    return _plain(_pdf_text(document))


def _section(document, title=SECTION):
    return next(section for section in document.sections if section.title == title)


def _shown(text: str, label: str) -> int:
    """A key figure's count as the PDF prints it, before its label ("3 Bénévoles …")."""
    found = re.search(rf"(\d+) {re.escape(label)}", text)
    assert found, label
    return int(found.group(1))


def _money(value: Decimal) -> str:
    return _plain(format_value(value, "money"))


class TestReport:
    def test_the_section_comes_after_the_epn_with_its_figures(self, document, pdf_text):
        titles = [section.title for section in document.sections]
        assert titles.index(SECTION) == titles.index("Espace public numérique (EPN)") + 1

        figures_text = pdf_text.split(DEFINITIONS)[0]
        for shown in (
            "Bénévolat et proximité",
            "3 Bénévoles actif·ves 2 avec une fiche de prestation validée, 2 à une action de "
            "proximité ; 4 bénévoles inscrit·es dans l'année",
            "3 Fiches de prestation validées",
            "7,5 h Heures de bénévolat",
            f"{_money(D('54.33'))} Défraiements des bénévoles forfaits {_money(D('50'))} et "
            f"indemnités kilométriques {_money(D('4.33'))}",
            f"{_money(D('8.40'))} Frais réels des bénévoles",
            "2 Actions de proximité",
            "20 Personnes rencontrées en proximité comptées sans nom, à chaque action",
            "6 Signalements reçus dont 4 par des bénévoles relais",
            "4 Signalements pris en charge",
            "4 Signalements clôturés",
            "1 Signalements en attente",
            "Personnes rencontrées en proximité par genre",
            "Femmes 13 65,0 %",
            "Hommes 4 20,0 %",
            "Non précisé 3 15,0 %",
            "Total 20 100,0 %",
            "Personnes rencontrées en proximité par tranche d'âge",
            "Moins de 25 ans 3 15,0 %",
            "Non précisé 9 45,0 %",
            "Thèmes des actions et besoins signalés",
            "Logement 2 2",
            "Santé 1 1",
            "Situation financière, dettes 0 1",
            "Juridique, séjour 1 1",
            "Total — 6",
            "Signalements clôturés par suite donnée",
            "Accueilli·e : un accompagnement commence 1",
            "Orienté·e vers un autre service 1",
            "Pas de suite nécessaire 2",
            "Total 4",
        ):
            assert shown in figures_text, shown

    def test_the_document_model_holds_the_figures(self, document):
        blocks = _section(document).blocks
        figures = {
            figure.label: figure.value
            for block in blocks
            if isinstance(block, KeyFigures)
            for figure in block.items
        }
        assert figures == {
            "Bénévoles actif·ves": 3,
            "Fiches de prestation validées": 3,
            "Heures de bénévolat": D("7.50"),
            "Défraiements des bénévoles": D("54.33"),
            "Frais réels des bénévoles": D("8.40"),
            "Actions de proximité": 2,
            "Personnes rencontrées en proximité": 20,
            "Signalements reçus": 6,
            "Signalements pris en charge": 4,
            "Signalements clôturés": 4,
            "Signalements en attente": 1,
        }
        tables = [block.title for block in blocks if isinstance(block, Table)]
        assert tables == [
            "Personnes rencontrées en proximité par genre",
            "Personnes rencontrées en proximité par tranche d'âge",
            "Thèmes des actions et besoins signalés",
            "Signalements clôturés par suite donnée",
        ]

    def test_the_spreadsheet_rows_reconcile_with_the_pdf(self, document, pdf_text):
        figures_text = pdf_text.split(DEFINITIONS)[0]
        header, people = _listing_rows_plain(document, "Bénévoles actif·ves")
        assert header == ["Identifiant", "Fiches validées", "Heures", "Actions de proximité"]
        assert len(people) == _shown(figures_text, "Bénévoles actif·ves") == 3

        header, sheets = _listing_rows(document, "Fiches de prestation")
        assert header == [
            "N°", "Identifiant", "Date", "Heures", "Défraiement", "Indemnité kilométrique",
            "Frais réels",
        ]  # fmt: skip
        s = {label: header.index(label) for label in header}
        assert {row[s["Date"]].year for row in sheets} == {2026}
        assert len(sheets) == _shown(figures_text, "Fiches de prestation validées")
        hours = sum(D(str(row[s["Heures"]])) for row in sheets)
        assert hours == D("7.5") == sum(D(str(row[2])) for row in people)
        assert sum(row[1] for row in people) == len(sheets)
        money = sum(
            D(str(row[s["Défraiement"]])) + D(str(row[s["Indemnité kilométrique"]]))
            for row in sheets
        )
        assert money == D("54.33")
        assert sum(D(str(row[s["Frais réels"]] or 0)) for row in sheets) == D("8.4")
        # The active volunteers: those of the sheets and those at an action.
        assert {row[s["Identifiant"]] for row in sheets} <= {row[0] for row in people}

        header, actions = _listing_rows(document, "Actions de proximité")
        a = {label: header.index(label) for label in header}
        assert len(actions) == _shown(figures_text, "Actions de proximité") == 2
        assert sum(row[a["Personnes rencontrées"]] for row in actions) == 20
        for label, total in (
            ("Femmes", 13), ("Hommes", 4), ("Genre non précisé", 3), ("Moins de 25 ans", 3),
            ("25 à 54 ans", 6), ("55 ans et plus", 2), ("Âge non précisé", 9),
        ):  # fmt: skip
            assert sum(row[a[label]] for row in actions) == total, label
        assert [row[a["Point de contact"]] for row in actions] == ["Marché du Midi", "Autre lieu"]
        assert [row[a["Bénévoles présent·es"]] for row in actions] == [2, 0]
        themes = Counter(t for row in actions for t in row[a["Thèmes abordés"]].split(" ; ") if t)
        assert themes == {"Logement": 2, "Santé": 1, "Juridique, séjour": 1}

        header, signals = _listing_rows(document, "Signalements")
        g = {label: header.index(label) for label in header}
        assert len(signals) == _shown(figures_text, "Signalements reçus") == 6
        assert Counter(row[g["Pris en charge"]] for row in signals) == {"oui": 4, "non": 2}
        assert Counter(row[g["État"]] for row in signals) == {
            "Clôturé": 4,
            "Pris en charge": 1,
            "Reçu": 1,
        }
        assert Counter(row[g["Relevé par"]] for row in signals) == {
            "Bénévole relais": 4,
            "Équipe": 2,
        }
        assert Counter(row[g["Suite donnée"]] for row in signals if row[g["Suite donnée"]]) == {
            "Accueilli·e : un accompagnement commence": 1,
            "Orienté·e vers un autre service": 1,
            "Pas de suite nécessaire": 2,
        }

    def test_no_person_nor_free_text_reaches_the_section_or_the_listings(
        self, document, pdf_text, data
    ):
        cells = set()
        for title in LISTINGS:
            _header, rows = (
                _listing_rows_plain(document, title)
                if title == "Bénévoles actif·ves"
                else _listing_rows(document, title)
            )
            cells |= {cell for row in rows for cell in row}
        people = [v.participant for v in data["volunteers"].values()]
        assert pseudonym(people[0].pk) in cells  # the volunteers by pseudonym only
        assert pseudonym(data["stranger"].participant_id) not in cells
        names = {p.last_name for p in people} | {p.first_name for p in people}
        free = {NOTE, ACTIVITY, "Tickets STIB", "Parc de la Porte de Hal", "Le local était fermé."}
        assert not cells & (names | free)
        section_text = pdf_text.split(SECTION)[1].split(DEFINITIONS)[0]
        assert not [word for word in names | free if word in section_text]

    def test_the_definitions_define_each_figure_of_the_section(self, document, pdf_text):
        definitions = next(t for _s, t in document.tables() if t.title == DEFINITIONS)
        defined = {name for row in definitions.rows for name in row[0].split(SEPARATOR)}
        shown = []
        for block in _section(document).blocks:
            if isinstance(block, KeyFigures):
                shown += [figure.label for figure in block.items]
            elif isinstance(block, Table):
                shown.append(block.title)
        assert len(shown) == 15
        assert [label for label in shown if label not in defined] == []
        definitions_text = pdf_text.split(DEFINITIONS)[-1]
        for sentence in (
            "au moins une fiche de prestation validée datée de l'année, ou noté·e présent·e à "
            "une action de proximité de l'année",
            "Une fiche à valider ou renvoyée pour correction ne compte pas.",
            "clôturé directement avec une autre suite que « Pas de suite nécessaire »",
        ):
            assert sentence in definitions_text, sentence

    def test_building_the_report_takes_as_many_queries_with_more_records(
        self, operator, coordinator
    ):
        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                document = build("activity", organization=operator, parameters={"year": 2026})
            assert SECTION in [section.title for section in document.sections]
            return len(captured)

        _rows_of_each(operator, coordinator, 1)
        one = queries()
        _rows_of_each(operator, coordinator, 4)
        five = queries()

        assert one == five

    def test_a_year_without_volunteering_has_no_section_nor_listings(self, operator):
        document = build("activity", organization=operator, parameters={"year": 2026})

        assert SECTION not in [section.title for section in document.sections]
        assert not set(LISTINGS) & {table.title for table in document.listings}

    def test_another_year_of_the_same_operator_without_anything_has_none(self, data, operator):
        document = build("activity", organization=operator, parameters={"year": 2019})

        assert SECTION not in [section.title for section in document.sections]


def _listing_rows_plain(document, title):
    """A listing without a « N° » column (one row per volunteer), read back from its sheet."""
    sheet = load_workbook(io.BytesIO(render_xlsx(document)))[title]
    rows = list(sheet.iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row[0] == "Identifiant")
    body = []
    for row in rows[start + 1 :]:
        if all(cell is None for cell in row[1:]):
            break
        body.append(list(row))
    return list(rows[start]), body


# --- The director's dashboard -----------------------------------------------------------------


@pytest.fixture
def this_year(operator, coordinator, counsellor):
    """This year, 01/01 (begun whatever the day the test runs): a volunteer with a validated
    sheet of 2,5 h, another one at an action where 9 people were met; two signals waiting (one
    of last year), one taken up: 2 active, 2,5 h, 9 people met, 2 signals waiting."""
    year = timezone.localdate().year
    first = d(year, 1, 1)
    with_sheet = _volunteer(operator, first, coordinator)
    _sheet(with_sheet, first, coordinator, hours="2.50")
    at_action = _volunteer(operator, first, coordinator)
    _action(operator, first, coordinator, [at_action], people_met=9)
    _signal(operator, first, counsellor, "housing", raised_by=at_action)
    _signal(operator, d(year - 1, 12, 31), counsellor, "health")
    _signal(operator, first, counsellor, "health", "taken_up", taken_up_at=_taken(first))
    return {"year": year, "first": first, "volunteer": at_action}


class TestDashboard:
    def test_the_director_sees_this_years_volunteering(self, client, director, this_year):
        page = _dashboard(client, director)

        assert f"Bénévolat et proximité en {this_year['year']}" in page.text
        assert _card(page, "volunteers-active") == "2"
        assert _card(page, "volunteer-hours") == "2,5 h"
        assert _card(page, "outreach-people-met") == "9"
        assert _card(page, "signals-waiting") == "2"

    def test_it_reads_the_figures_of_the_report(self, client, director, operator, this_year):
        """One definition: the dashboard shows what ``volunteer_figures`` says."""
        figures = volunteer_figures(organization=operator, year=this_year["year"])

        page = _dashboard(client, director)

        assert _card(page, "volunteers-active") == format_value(figures.volunteers_active)
        assert _card(page, "volunteer-hours") == _plain(format_value(figures.hours, "hours"))
        assert _card(page, "outreach-people-met") == format_value(figures.people_met)
        assert _card(page, "signals-waiting") == format_value(figures.signals_waiting)

    @pytest.mark.parametrize("who", ["counsellor", "coordinator", "admin"])
    def test_only_the_direction_sees_it(self, client, personas, who, this_year):
        page = _dashboard(client, personas[who])

        assert "volunteering" not in page.context
        assert 'data-testid="volunteers-active"' not in page.text

    def test_no_card_without_volunteering(self, client, director):
        page = _dashboard(client, director)

        assert "volunteering" not in page.context
        assert 'data-testid="volunteers-active"' not in page.text

    def test_a_signal_waiting_alone_shows_the_card(self, client, director, operator, counsellor):
        _signal(operator, d(timezone.localdate().year - 1, 6, 1), counsellor, "housing")

        page = _dashboard(client, director)

        assert (_card(page, "volunteers-active"), _card(page, "signals-waiting")) == ("0", "1")

    @pytest.mark.parametrize("rows", [1, 5])
    def test_the_query_count_does_not_grow_with_rows(
        self, client, director, coordinator, operator, this_year, rows, django_assert_num_queries
    ):
        first = this_year["first"]
        for n in range(rows):
            volunteer = _volunteer(operator, first, coordinator)
            ServiceSheet.objects.create(
                participant=volunteer.participant,
                organization=operator,
                date=first + dt.timedelta(days=n),
                hours=D("1.00"),
                activity="Permanence",
                status="validated",
                entered_by=coordinator,
            )
            _action(operator, first, coordinator, [volunteer], people_met=1)
        client.force_login(director)
        # session, user, second factor, memberships, savepoint pair (atomic request), team
        # counts, access log count, referral reminders, ceiling excesses, the appointments',
        # the trainings' and the modules' figures: 13, as before; and the volunteering
        # figures, +1: one select of aggregates, whatever their number.
        with django_assert_num_queries(14):
            page = client.get(reverse("dashboard:home"))
        assert _card(page, "volunteers-active") == format_value(2 + rows)
        assert _card(page, "volunteer-hours") == _plain(format_value(D("2.5") + rows, "hours"))
        assert _card(page, "outreach-people-met") == format_value(9 + rows)
