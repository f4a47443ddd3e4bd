"""The trainings' and certifications' figures (issue 20, point 4): defined once in
``reporting.indicators.trainings``, shown by the activity report (PDF section, definitions,
spreadsheet listings) and by the director's dashboard.

The data set, year 2025 (hand-counted; P3 anonymised since; « BF » is the training centre, a
partner of the application, which noted T2 and C2 itself):
  T1  P1 01/09/2024 → 31/12/2024 completed 100 h          → 2024 only
  T2  P1 01/10/2024 → 01/01/2025 completed  80 h, BF      → followed 2024 and 2025, ends 2025
  T3  P2 31/12/2025 → (30/06/2026 planned) ongoing 3,5 h  → followed 2025 and 2026, ongoing
  T4  P2 01/03/2025 → 15/06/2025 abandoned 20,25 h, BF
  T5  P3 01/02/2025 → 30/11/2025 completed 120 h
  T6  P3 01/05/2025 → (no end)   abandoned 6 h            → ends on its start: 2025
  T7  P4 01/01/2026 → ongoing 10 h                        → 2026 only
  T8  P4 01/04/2025 → 01/05/2025 still planned            → never counted
  T9  P4 01/09/2025 → 01/02/2026 completed 50 h           → followed 2025, ends 2026
  T10 S  01/02/2025 → 01/03/2025 completed 40 h           → another operator: never counted
  T11 P1 01/01/2023 → (no end)   abandoned 7 h            → ends on its start: 2023 only
  T12 P2 01/06/2024 → (31/12/2024 planned, passed) ongoing 40 h → followed 2024 to today
  C1  P1 31/12/2024 diploma → 2024;          C2 P1 01/01/2025 certificate (after T2, BF)
  C3  P3 01/06/2025 skill attestation;       C4 P3 31/12/2025 certificate
  C5  P2 01/01/2026 licence → 2026;          C6 S 05/05/2025 certificate: another operator
2025: certifications 3 (C2 C3 C4), persons certified 2 (P1 P3), by kind: certificate 2, skill
attestation 1; trainings followed 7 (T2 T3 T4 T5 T6 T9 T12), persons in training 4; completed 2
(T2 T5), abandoned 2 (T4 T6), ongoing 2 (T3 T12), ended later 1 (T9); hours 80 + 20,25 + 120 + 6
= 226,25; ongoing hours 3,5 + 40 = 43,5. By provider: BF 2 trainings (1 completed, 1 abandoned,
100,25 h), another provider 5 (1, 1, 126 h).
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

from accounts.models import Organization, Role
from participants import services
from participants.models import Certification, Participant, Training
from privacy.anonymisation import participant_anonymise
from reporting.document import KeyFigures, Table, Text
from reporting.indicators.trainings import training_figures, trainings_by_provider
from reporting.render.formats import format_value
from reporting.reports import build
from reporting.reports.common import pseudonym
from reporting.reports.definitions import SEPARATOR
from tests.factories import MembershipFactory, OrganizationFactory, ParticipantFactory
from tests.reporting.rendered import _card, _dashboard, _listing_rows, _pdf_text, _plain

d = dt.date
SECTION = "Formations et certifications"
DEFINITIONS = "Définitions des chiffres"
ZERO = Decimal("0.00")


def _training(person, by, starts_on, status, hours, ends_on=None, provider=None, **more):
    return services.training_add(
        participant=person,
        title=more.pop("title", f"Formation {starts_on:%d/%m/%Y}"),
        provider="" if provider else "Cours du soir Saint-Gilles",
        provider_organization=provider,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_planned=Decimal(hours),
        hours_done=Decimal(hours),
        status=status,
        recorded_by=by,
        recorded_by_organization=more.pop("organization", person.organization),
        **more,
    )


def _certification(person, by, kind, obtained_on, **more):
    return services.certification_add(
        participant=person,
        kind=kind,
        title=more.pop("title", f"Certification {obtained_on:%d/%m/%Y}"),
        obtained_on=obtained_on,
        issuing_body="Jury central",
        recorded_by=by,
        recorded_by_organization=more.pop("organization", person.organization),
        **more,
    )


@pytest.fixture
def centre(db):
    return OrganizationFactory(name="Bruxelles Formation", kind=Organization.Kind.TRAINING)


@pytest.fixture
def data(operator, other_operator, counsellor, centre):
    trainer = MembershipFactory(organization=centre, role=Role.PARTNER).user
    people = {
        name: ParticipantFactory(organization=operator, first_name=f"Prénom{name}")
        for name in ("p1", "p2", "p3", "p4")
    }
    p1, p2, p3, p4 = people.values()
    stranger = ParticipantFactory(organization=other_operator)
    elsewhere = MembershipFactory(organization=other_operator, role=Role.COUNSELLOR).user
    t = {}
    t[1] = _training(p1, counsellor, d(2024, 9, 1), "completed", "100", d(2024, 12, 31))
    t[2] = _training(
        p1, trainer, d(2024, 10, 1), "completed", "80", d(2025, 1, 1), centre, organization=centre
    )
    t[3] = _training(p2, counsellor, d(2025, 12, 31), "ongoing", "3.5", d(2026, 6, 30))
    t[4] = _training(p2, counsellor, d(2025, 3, 1), "abandoned", "20.25", d(2025, 6, 15), centre)
    t[5] = _training(p3, counsellor, d(2025, 2, 1), "completed", "120", d(2025, 11, 30))
    t[6] = _training(p3, counsellor, d(2025, 5, 1), "abandoned", "6")
    t[7] = _training(p4, counsellor, d(2026, 1, 1), "ongoing", "10")
    t[8] = _training(p4, counsellor, d(2025, 4, 1), "planned", "0", d(2025, 5, 1))
    t[9] = _training(p4, counsellor, d(2025, 9, 1), "completed", "50", d(2026, 2, 1))
    t[10] = _training(stranger, elsewhere, d(2025, 2, 1), "completed", "40", d(2025, 3, 1))
    t[11] = _training(p1, counsellor, d(2023, 1, 1), "abandoned", "7")
    t[12] = _training(p2, counsellor, d(2024, 6, 1), "ongoing", "40", d(2024, 12, 31))
    c = {}
    c[1] = _certification(p1, counsellor, "diploma", d(2024, 12, 31))
    c[2] = _certification(
        p1, trainer, "certificate", d(2025, 1, 1), training=t[2], organization=centre
    )
    c[3] = _certification(p3, counsellor, "skill_attestation", d(2025, 6, 1))
    c[4] = _certification(p3, counsellor, "certificate", d(2025, 12, 31), title="VCA de base")
    c[5] = _certification(p2, counsellor, "licence", d(2026, 1, 1))
    c[6] = _certification(stranger, elsewhere, "certificate", d(2025, 5, 5))
    # Anonymised after the fact, as the retention rule does: titles and providers emptied,
    # the dates, hours, states and kinds kept, so the figures stay.
    participant_anonymise(participant=p3)
    return {"people": people, "trainings": t, "certifications": c, "stranger": stranger}


# --- An independent recomputation, row by row in Python ---------------------------------------


def _recount(organization, year: int) -> dict:
    """What the figures should be, from every training and certification read one by one."""
    first, last = d(year, 1, 1), d(year, 12, 31)
    followed = []
    for training in Training.objects.select_related("participant", "provider_organization"):
        if training.participant.organization_id != organization.pk:
            continue
        if training.status == "planned" or training.starts_on > last:
            continue
        if training.status == "ongoing":
            outcome = "ongoing"
        else:
            ended = training.ends_on or training.starts_on
            if ended < first:
                continue
            outcome = training.status if ended <= last else "ended_later"
        followed.append((training, outcome))
    certified = [
        certification
        for certification in Certification.objects.select_related("participant")
        if certification.participant.organization_id == organization.pk
        and first <= certification.obtained_on <= last
    ]
    outcomes = Counter(outcome for _t, outcome in followed)

    def hours(*kept):
        return sum((t.hours_done for t, outcome in followed if outcome in kept), ZERO)

    return {
        "year": year,
        "certifications": len(certified),
        "persons_certified": len({c.participant_id for c in certified}),
        "certifications_by_kind": {
            kind: sum(c.kind == kind for c in certified) for kind in Certification.Kind
        },
        "trainings": len(followed),
        "persons_in_training": len({t.participant_id for t, _o in followed}),
        "completed": outcomes["completed"],
        "abandoned": outcomes["abandoned"],
        "ongoing": outcomes["ongoing"],
        "ended_later": outcomes["ended_later"],
        "hours": hours("completed", "abandoned"),
        "ongoing_hours": hours("ongoing"),
    }


def _as_dict(figures) -> dict:
    found = dataclasses.asdict(figures)
    found["certifications_by_kind"] = {
        row.code: row.count for row in figures.certifications_by_kind
    }
    return found


class TestIndicators:
    def test_it_counts_the_hand_counted_figures_of_2025(self, data, operator):
        figures = training_figures(organization=operator, year=2025)

        assert _as_dict(figures) == {
            "year": 2025,
            "certifications": 3,
            "persons_certified": 2,
            "certifications_by_kind": {
                "diploma": 0,
                "certificate": 2,
                "licence": 0,
                "skill_attestation": 1,
            },
            "trainings": 7,
            "persons_in_training": 4,
            "completed": 2,
            "abandoned": 2,
            "ongoing": 2,
            "ended_later": 1,
            "hours": Decimal("226.25"),
            "ongoing_hours": Decimal("43.50"),
        }

    @pytest.mark.parametrize("year", [2023, 2024, 2025, 2026])
    def test_it_agrees_with_a_recount_of_the_rows(self, data, operator, year):
        figures = training_figures(organization=operator, year=year)

        assert _as_dict(figures) == _recount(operator, year)

    def test_the_hours_of_a_training_count_in_one_year_only(self, data, operator):
        # Every training of the operator that has ended, each in the year of its end: the hours
        # of all years add up to theirs, once (T2 runs across 2024 and 2025, T9 across 2025 and
        # 2026, T11 has no end).
        ended = Training.objects.filter(
            participant__organization=operator, status__in=["completed", "abandoned"]
        )
        every_year = sum(
            (training_figures(organization=operator, year=y).hours for y in range(2023, 2027)),
            ZERO,
        )
        assert every_year == sum((t.hours_done for t in ended), ZERO) == Decimal("383.25")

    def test_the_year_boundary_is_the_31st_of_december(self, data, operator):
        # T1 ends 31/12/2024, T2 01/01/2025; C1 is of 31/12/2024, C2 of 01/01/2025.
        last_year = training_figures(organization=operator, year=2024)
        assert (last_year.completed, last_year.hours) == (1, Decimal("100.00"))  # T1
        assert last_year.ended_later == 1  # T2, counted in 2025
        assert last_year.certifications_by_kind[0].count == 1  # C1, a diploma
        assert last_year.certifications == 1

    def test_an_abandoned_training_without_an_end_is_dated_by_its_start(self, data, operator):
        # T11 (2023) is in 2023 only, not in every year after it; T6 is in 2025.
        assert training_figures(organization=operator, year=2023).abandoned == 1
        assert training_figures(organization=operator, year=2024).abandoned == 0

    def test_a_planned_training_counts_in_no_year(self, data, operator):
        planned = data["trainings"][8]
        assert planned.status == "planned"
        assert training_figures(organization=operator, year=2025).trainings == 7  # not T8

    def test_another_organizations_records_are_ignored(self, data, operator, other_operator):
        theirs = training_figures(organization=other_operator, year=2025)
        assert (theirs.trainings, theirs.hours, theirs.certifications) == (1, Decimal("40"), 1)
        assert training_figures(organization=operator, year=2025).certifications == 3

    def test_an_anonymised_persons_records_still_count(self, data, operator):
        p3 = Participant.objects.get(pk=data["people"]["p3"].pk)
        assert p3.anonymised_at is not None
        assert not Training.objects.filter(participant=p3, provider="Cours du soir Saint-Gilles")

        figures = training_figures(organization=operator, year=2025)

        assert figures.persons_certified == 2  # P1 and the anonymised P3
        assert figures.persons_in_training == 4
        assert figures.completed == 2  # T2 and P3's T5

    def test_a_training_noted_by_the_partner_that_gives_it_counts(self, data, operator, centre):
        t2 = data["trainings"][2]
        assert t2.recorded_by_organization == centre

        rows = trainings_by_provider(organization=operator, year=2025)

        assert [dataclasses.astuple(row) for row in rows] == [
            ("Bruxelles Formation", 2, 1, 1, Decimal("100.25")),  # T2 (noted by BF) and T4
            ("Autre organisme", 5, 1, 1, Decimal("126.00")),
        ]

    def test_without_records_every_figure_is_zero(self, operator):
        figures = training_figures(organization=operator, year=2025)

        assert (figures.trainings, figures.certifications, figures.hours) == (0, 0, ZERO)
        assert figures.ongoing_hours == ZERO
        assert [row.count for row in figures.certifications_by_kind] == [0, 0, 0, 0]
        assert trainings_by_provider(organization=operator, year=2025) == []

    def test_it_takes_one_query_however_many_rows(
        self, data, operator, counsellor, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            training_figures(organization=operator, year=2025)
        person = data["people"]["p4"]
        for n in range(10):
            _training(person, counsellor, d(2025, 3, 1 + n), "completed", "1", d(2025, 4, 1))
            _certification(person, counsellor, "licence", d(2025, 4, 1 + n))
        with django_assert_num_queries(1):
            figures = training_figures(organization=operator, year=2025)
        assert (figures.completed, figures.certifications) == (12, 13)


# --- The activity report ----------------------------------------------------------------------


@pytest.fixture
def document(data, operator):
    return build("activity", organization=operator, parameters={"year": 2025})


@pytest.fixture
def pdf_text(document) -> str:
    return _plain(_pdf_text(document))


def _section(document):
    return next(section for section in document.sections if section.title == SECTION)


def _shown(text: str, label: str) -> str:
    """A key figure's value as the PDF prints it, before its label ("3 Certifications…")."""
    found = re.search(rf"([\d ,]+(?: h)?) {re.escape(label)}", text)
    assert found, label
    return found.group(1).strip()


class TestReport:
    def test_the_section_follows_the_appointments(self, document):
        titles = [section.title for section in document.sections]
        assert titles.index(SECTION) == titles.index("Rendez-vous individuels") + 1

    def test_the_pdf_has_the_section_with_its_figures(self, pdf_text):
        figures_text = pdf_text.split(DEFINITIONS)[0]
        for shown in (
            "Formations et certifications",
            "3 Certifications obtenues",
            "2 Personnes certifiées",
            "4 Personnes en formation",
            "7 Formations suivies",
            "2 Formations terminées",
            "2 Formations abandonnées",
            # 226,25 h at one decimal, half up
            "226,3 h Heures de formation des formations terminées ou abandonnées dans l'année",
            "2 Formations toujours en cours",
            "43,5 h Heures des formations en cours suivies à ce jour",
            "1 Formations finies après l'année",
            "Certifications obtenues par type",
            "Diplôme 0 0,0 %",
            "Certificat 2 66,7 %",
            "Attestation de compétences 1 33,3 %",
            "Total 3 100,0 %",
            "Formations suivies par organisme",
            "Bruxelles Formation 2 1 1 100,3 h",
            "Autre organisme 5 1 1 126,0 h",
            "Total 7 2 2 226,3 h",
        ):
            assert shown in figures_text, shown

    def test_the_spreadsheet_lists_the_trainings_and_reconciles_with_the_pdf(
        self, document, pdf_text, data
    ):
        header, rows = _listing_rows(document, "Formations")
        assert header == [
            "N°", "Identifiant", "Partenaire qui la donne", "Début", "Fin", "Heures suivies",
            "Issue",
        ]  # fmt: skip
        column = {label: header.index(label) for label in header}
        t = data["trainings"]
        assert [row[column["N°"]] for row in rows] == [str(t[n].pk) for n in (12, 2, 5, 4, 6, 9, 3)]
        # T6, abandoned without an end, ends on its start; T3 and T12, ongoing, have no end.
        ends = {row[column["N°"]]: row[column["Fin"]] for row in rows}
        assert ends[str(t[6].pk)] == dt.datetime(2025, 5, 1)
        assert ends[str(t[3].pk)] is None

        figures_text = pdf_text.split(DEFINITIONS)[0]
        issues = Counter(row[column["Issue"]] for row in rows)
        for issue, label in (
            ("Terminée dans l'année", "Formations terminées"),
            ("Abandonnée dans l'année", "Formations abandonnées"),
            ("Toujours en cours", "Formations toujours en cours"),
            ("Finie après l'année", "Formations finies après l'année"),
        ):
            assert str(issues[issue]) == _shown(figures_text, label), issue
        assert str(len(rows)) == _shown(figures_text, "Formations suivies")
        persons = {row[column["Identifiant"]] for row in rows}
        assert str(len(persons)) == _shown(figures_text, "Personnes en formation")

        def hours(*kept) -> Decimal:
            return sum(
                (
                    Decimal(str(row[column["Heures suivies"]]))
                    for row in rows
                    if row[column["Issue"]] in kept
                ),
                ZERO,
            )

        ended = hours("Terminée dans l'année", "Abandonnée dans l'année")
        assert ended == Decimal("226.25")
        assert _plain(format_value(ended, "hours")) == _shown(figures_text, "Heures de formation")
        ongoing = hours("Toujours en cours")
        assert _plain(format_value(ongoing, "hours")) == _shown(
            figures_text, "Heures des formations en cours"
        )
        by_partner = Counter(row[column["Partenaire qui la donne"]] for row in rows)
        assert by_partner == {"Bruxelles Formation": 2, None: 5}

    def test_the_spreadsheet_lists_the_certifications_and_reconciles_with_the_pdf(
        self, document, pdf_text, data
    ):
        header, rows = _listing_rows(document, "Certifications")
        assert header == ["N°", "Identifiant", "Type", "Obtenue le", "Formation (N°)"]
        column = {label: header.index(label) for label in header}
        c, t = data["certifications"], data["trainings"]
        assert [row[column["N°"]] for row in rows] == [str(c[n].pk) for n in (2, 3, 4)]
        assert rows[0][column["Formation (N°)"]] == str(t[2].pk)

        figures_text = pdf_text.split(DEFINITIONS)[0]
        assert str(len(rows)) == _shown(figures_text, "Certifications obtenues")
        persons = {row[column["Identifiant"]] for row in rows}
        assert str(len(persons)) == _shown(figures_text, "Personnes certifiées")
        for kind, n in Counter(row[column["Type"]] for row in rows).items():
            assert f"{kind} {n} " in figures_text, kind

    def test_the_listings_name_no_participant_and_hold_no_free_text(self, document, data):
        cells = set()
        for title in ("Formations", "Certifications"):
            _header, rows = _listing_rows(document, title)
            cells |= {cell for row in rows for cell in row}
        people = data["people"]
        assert pseudonym(people["p3"].pk) in cells  # the anonymised person, by pseudonym
        assert pseudonym(data["stranger"].pk) not in cells
        names = {p.last_name for p in people.values()} | {p.first_name for p in people.values()}
        free_text = {"Cours du soir Saint-Gilles", "Jury central", "VCA de base"}
        titles = {training.title for training in data["trainings"].values()}
        assert not cells & (names | free_text | titles)

    def test_the_definitions_define_each_figure_of_the_section(self, document, pdf_text):
        definitions = next(
            table for _section, table in document.tables() if table.title == DEFINITIONS
        )
        defined = {name for row in definitions.rows for name in row[0].split(SEPARATOR)}
        blocks = _section(document).blocks
        shown = [table.title for table in blocks if isinstance(table, Table)] + [
            figure.label
            for block in blocks
            if isinstance(block, KeyFigures)
            for figure in block.items
        ]
        assert "Heures de formation" in shown
        assert [label for label in shown if label not in defined] == []
        definitions_text = pdf_text.split(DEFINITIONS)[-1]
        for sentence in (
            "Formations commencées au plus tard le 31/12 et pas finies avant le 01/01, quelle "
            "que soit leur issue ; une formation encore « prévue » ne compte pas",
            "Heures suivies des formations terminées ou abandonnées dans l'année. Les heures "
            "d'une formation comptent une seule fois, l'année où elle finit",
            "jamais dans deux années.",
            "elles ne sont pas ajoutées aux heures de formation de l'année",
            "sans date de fin, c'est leur date de début qui compte.",
            "qu'ils aient été notés par l'équipe ou par le partenaire qui les a délivrés.",
            "sont regroupées en « Autre organisme ».",
        ):
            assert sentence in definitions_text, sentence

    def test_building_the_report_takes_as_many_queries_with_more_records(
        self, data, operator, counsellor, centre
    ):
        person, counts = data["people"]["p4"], []
        for more in (0, 10):
            for n in range(more):
                _training(person, counsellor, d(2025, 3, 1 + n), "ongoing", "2", provider=centre)
                _certification(person, counsellor, "diploma", d(2025, 4, 1 + n))
            with CaptureQueriesContext(connection) as captured:
                build("activity", organization=operator, parameters={"year": 2025})
            counts.append(len(captured))

        assert counts[0] == counts[1]

    def test_a_year_without_trainings_nor_certifications_says_so(self, operator):
        document = build("activity", organization=operator, parameters={"year": 2025})

        assert _section(document).blocks == [
            Text("Aucune formation suivie ni certification obtenue en 2025.")
        ]
        for title in ("Formations", "Certifications"):
            listing = next(table for table in document.listings if table.title == title)
            assert listing.rows == []


# --- The director's dashboard -----------------------------------------------------------------


@pytest.fixture
def this_year(operator, counsellor):
    """This year: one training completed on 01/01 (12,5 h), one ongoing since then (4 h), two
    certifications of 01/01 (dates that are never in the future, whatever the day)."""
    year = timezone.localdate().year
    person = ParticipantFactory(organization=operator)
    first = d(year, 1, 1)
    _training(person, counsellor, first, "completed", "12.5", first)
    _training(person, counsellor, first, "ongoing", "4", title="Langue")
    _certification(person, counsellor, "certificate", first)
    _certification(person, counsellor, "licence", first)
    return {"year": year, "person": person}


class TestDashboard:
    def test_the_director_sees_this_years_certifications_and_training_hours(
        self, client, director, this_year
    ):
        page = _dashboard(client, director)

        assert f"Formations et certifications en {this_year['year']}" in page.text
        assert _card(page, "certifications-obtained") == "2"
        assert _card(page, "training-hours") == "12,5 h"
        assert _card(page, "training-ongoing-hours") == "4,0 h"

    def test_it_reads_the_figures_of_the_report(self, client, director, operator, this_year):
        """One definition: the dashboard shows what ``training_figures`` says."""
        figures = training_figures(organization=operator, year=this_year["year"])

        page = _dashboard(client, director)

        assert _card(page, "certifications-obtained") == format_value(figures.certifications)
        assert _card(page, "training-hours") == _plain(format_value(figures.hours, "hours"))

    @pytest.mark.parametrize("who", ["counsellor", "coordinator", "admin"])
    def test_only_the_direction_sees_them(self, client, personas, who, this_year):
        page = _dashboard(client, personas[who])

        assert "trainings" not in page.context
        assert 'data-testid="training-hours"' not in page.text

    @pytest.mark.parametrize("rows", [5, 50])
    def test_the_query_count_does_not_grow_with_trainings(
        self, client, director, counsellor, operator, this_year, rows, django_assert_num_queries
    ):
        first = d(this_year["year"], 1, 1)
        Training.objects.bulk_create(
            Training(
                participant=this_year["person"],
                title=f"T{n}",
                provider="P",
                starts_on=first,
                ends_on=first,
                hours_done=Decimal(1),
                status=Training.Status.COMPLETED,
                recorded_by=counsellor,
                recorded_by_organization=operator,
            )
            for n in range(rows)
        )
        client.force_login(director)
        # session, user, second factor, memberships, savepoint pair (atomic request), team
        # counts, access log count, referral reminders, ceiling excesses, the appointments'
        # figures: 11, as before; and the trainings' and certifications' figures, +1: one
        # select of aggregates of both tables, whatever their number; and the collective
        # modules' figures, +1 (tests/reporting/test_module_figures.py); and the volunteering
        # figures, +1 (tests/reporting/test_volunteers_section.py).
        with django_assert_num_queries(14):
            page = client.get(reverse("dashboard:home"))
        assert _card(page, "training-hours") == _plain(
            format_value(Decimal("12.5") + rows, "hours")
        )
