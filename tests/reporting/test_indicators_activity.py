"""The activity figures (DESIGN §5) on a small data set built by hand, year 2025: persons A to I
of tests/reporting/datasets.py:build_activity_data, whose docstring draws them; and edge cases
(leap-day births, a reopened pathway) recomputed by hand."""

import datetime
from decimal import Decimal

import pytest

from reporting.indicators import activity
from reporting.indicators.chantiers import chantier_figures, chantiers_running, indemnities_paid
from reporting.indicators.common import Period
from tests.factories import (
    OrganizationFactory,
    ParticipantFactory,
    ProgrammeFactory,
)
from tests.reporting.datasets import _pathway, build_activity_data

d = datetime.date
Y = 2025


@pytest.fixture
def data(operator, other_operator):
    return build_activity_data(operator, other_operator)


def _counts(rows):
    return {row.code: row.count for row in rows}


class TestHeadline:
    def test_it_counts_each_person_accompanied_once_whatever_their_pathways(self, data, operator):
        figures = activity.headline(organization=operator, year=Y)
        # A (spans 2024–2025), B (two pathways), C (exit 31/12), D, H (two pathways), I = 6;
        # E ended in 2024, F starts in 2026, G belongs to another operator.
        assert figures.persons_accompanied == 6

    def test_it_counts_as_new_only_people_whose_first_pathway_ever_started_in_the_year(
        self, data, operator
    ):
        figures = activity.headline(organization=operator, year=Y)
        # B (started 01/01/2025), H, I; not A (2024), C (2019), D (first pathway in 2018).
        assert figures.new == 3

    def test_it_counts_exits_and_positive_exits_per_person(self, data, operator):
        figures = activity.headline(organization=operator, year=Y)
        # Exits: A, B, C (on 31/12), H (two exits, one person) = 4.
        assert figures.exits == 4
        # Positive: A (job_permanent), C (training_qualifying), H (training_other) = 3.
        assert figures.positive_exits == 3
        assert figures.positive_exit_rate == Decimal("0.500")  # 3 / 6
        assert figures.positive_over_exits == Decimal("0.750")  # 3 / 4

    def test_it_compares_the_persons_accompanied_with_the_annual_target(self, data, operator):
        figures = activity.headline(organization=operator, year=Y)
        assert figures.target == 9
        assert figures.target_attainment == Decimal("0.667")  # 6 / 9

    def test_an_exit_on_the_31st_of_december_belongs_to_that_year_not_the_next(
        self, data, operator
    ):
        next_year = activity.headline(organization=operator, year=2026)
        # 2026: B (P2), D, I still open, F starts: 4 persons; C's exit on 31/12/2025 is not here.
        assert next_year.persons_accompanied == 4
        assert next_year.exits == 0
        assert next_year.positive_exits == 0

    def test_a_pathway_spanning_two_years_counts_in_both(self, data, operator):
        previous = activity.headline(organization=operator, year=2024)
        # 2024: A (from 01/03/2024), C, E (ends 31/12/2024) = 3; E's exit is positive.
        assert previous.persons_accompanied == 3
        assert previous.exits == 1
        assert previous.positive_exits == 1
        assert previous.new == 1  # A
        assert previous.positive_exit_rate == Decimal("0.333")  # 1 / 3

    def test_it_has_no_rate_and_no_attainment_when_there_is_nothing_to_divide(self, other_operator):
        figures = activity.headline(organization=other_operator, year=2010)
        assert figures.persons_accompanied == 0
        assert figures.positive_exit_rate is None
        assert figures.positive_over_exits is None
        assert figures.target is None
        assert figures.target_attainment is None

    @pytest.mark.parametrize("size", [3, 30])
    def test_it_takes_one_query_whatever_the_number_of_participants(
        self, db, size, django_assert_num_queries
    ):
        organization = OrganizationFactory()
        programme = ProgrammeFactory(organization=organization)
        for n in range(size):
            person = ParticipantFactory(organization=organization)
            _pathway(person, programme, d(2025, 1, 1), d(2025, 6, 1), "job_permanent")
            if n % 3 == 0:
                _pathway(person, programme, d(2025, 7, 1))
        with django_assert_num_queries(1):
            figures = activity.headline(organization=organization, year=Y)
        assert figures.persons_accompanied == size
        assert figures.positive_exits == size


class TestTrend:
    def test_it_gives_the_five_years_up_to_the_year_in_one_query(
        self, data, operator, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            years = activity.trend(organization=operator, year=Y)
        # 2021 and 2022: C alone; 2023: C, E; 2024: A, C, E (E positive); 2025: see above.
        assert [(t.year, t.persons_accompanied, t.positive_exits) for t in years] == [
            (2021, 1, 0),
            (2022, 1, 0),
            (2023, 2, 0),
            (2024, 3, 1),
            (2025, 6, 3),
        ]
        assert years[-2].positive_exit_rate == Decimal("0.333")  # 1 / 3
        assert years[-1].positive_exit_rate == Decimal("0.500")  # 3 / 6
        assert years[0].positive_exit_rate == Decimal("0.000")  # 0 / 1

    def test_the_report_reads_the_headline_and_the_trend_from_one_query_with_the_same_figures(
        self, data, operator, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            headline, years = activity.headline_and_trend(organization=operator, year=Y)
        assert headline == activity.headline(organization=operator, year=Y)
        assert years == activity.trend(organization=operator, year=Y)
        assert headline.persons_accompanied == years[-1].persons_accompanied == 6


class TestBreakdowns:
    @pytest.fixture
    def breakdowns(self, data, operator):
        return activity.breakdowns(organization=operator, year=Y)

    def test_every_breakdown_sums_to_the_persons_accompanied(self, breakdowns):
        for name in ("gender", "age_band", "education", "jobseeking", "commune", "income"):
            assert sum(row.count for row in getattr(breakdowns, name)) == 6, name

    def test_it_breaks_down_by_gender(self, breakdowns):
        # F: A, D, H, I; M: B; X: C.
        assert _counts(breakdowns.gender) == {"F": 4, "M": 1, "X": 1}

    def test_it_uses_the_age_on_the_31st_of_december(self, breakdowns):
        # D born 31/12/2008 is 17 on 31/12/2025; B 18; H 29; A 35, I 40; C 65; nobody 50–54.
        assert _counts(breakdowns.age_band) == {
            "<18": 1, "18–24": 1, "25–29": 1, "30–49": 2, "50–54": 0, "55+": 1,
        }  # fmt: skip

    def test_it_breaks_down_by_education_level(self, breakdowns):
        assert _counts(breakdowns.education) == {
            "isced_0_2": 2,  # A, H
            "isced_3_4": 2,  # B, I
            "isced_5_8": 1,  # C
            "unknown": 1,  # D
        }

    def test_it_measures_job_seeking_at_the_start_of_the_earliest_pathway_open_in_the_year(
        self, breakdowns
    ):
        # C: 15/03/2019 → 01/05/2019 = 1 month; D: 01/05 → 01/11/2025 (not her 2018 pathway) = 6;
        # I: 01/01/2024 → 01/04/2025 = 15; A: 10/01/2021 → 01/03/2024 = 37 (the day is not
        # reached: 38 - 1); H: 01/01/2019 → 01/03/2025 = 74; B has no date.
        assert _counts(breakdowns.jobseeking) == {
            "<6": 1, "6–12": 1, "12–24": 1, "24–60": 1, "60+": 1, "unknown": 1,
        }  # fmt: skip

    def test_it_counts_whole_months_of_job_seeking(self, other_operator):
        programme = ProgrammeFactory(organization=other_operator)
        for since in (d(2024, 3, 2), d(2024, 3, 1), d(2025, 1, 1)):
            person = ParticipantFactory(organization=other_operator, jobseeker_since=since)
            _pathway(person, programme, d(2024, 9, 1))
        rows = activity.breakdowns(organization=other_operator, year=2025).jobseeking
        # 02/03 → 01/09/2024 is 5 months and 30 days: "< 6"; 01/03 → 01/09 is 6 months: "6–12";
        # a job seeker since after the pathway's start (01/01/2025) counts as "< 6".
        assert _counts(rows) == {
            "<6": 2, "6–12": 1, "12–24": 0, "24–60": 0, "60+": 0, "unknown": 0,
        }  # fmt: skip

    def test_it_breaks_down_by_commune_with_blank_as_unknown(self, breakdowns):
        assert [(row.label, row.count) for row in breakdowns.commune] == [
            ("Anderlecht", 2),  # A, C
            ("Schaerbeek", 2),  # D, H
            ("Ixelles", 1),  # I (E and F are not accompanied in 2025)
            ("inconnue", 1),  # B
        ]

    def test_it_takes_the_income_source_of_the_last_day_accompanied(self, breakdowns):
        # B: RIS until 30/06, then none (P2 still open on 31/12); H: last day 30/11, RIS
        # equivalent; D has none recorded.
        assert _counts(breakdowns.income) == {
            "unemployment": 1, "ris": 0, "ris_equivalent": 1, "disability": 1, "none": 1,
            "other": 1, "unknown": 1,
        }  # fmt: skip

    def test_it_takes_two_queries_for_all_the_breakdowns(
        self, data, operator, django_assert_num_queries
    ):
        # The communes, grouped; the other five, counted per category in one query.
        with django_assert_num_queries(2):
            activity.breakdowns(organization=operator, year=Y)


class TestPersonsListing:
    def test_it_has_one_row_per_person_accompanied_reconciling_with_the_breakdowns(
        self, data, operator
    ):
        persons = list(activity.persons_accompanied(organization=operator, year=Y))
        assert len(persons) == 6
        breakdowns = activity.breakdowns(organization=operator, year=Y)
        for field, rows in (
            ("age_band", breakdowns.age_band),
            ("jobseeking_band", breakdowns.jobseeking),
            ("income", breakdowns.income),
            ("gender", breakdowns.gender),
        ):
            listed = {}
            for person in persons:
                listed[getattr(person, field)] = listed.get(getattr(person, field), 0) + 1
            assert listed == {row.code: row.count for row in rows if row.count}, field

    def test_it_shows_the_positive_exit_of_a_person_who_left_twice(self, data, operator):
        persons = {p.pk: p for p in activity.persons_accompanied(organization=operator, year=Y)}
        h = persons[data["h"].pk]
        # H left P2 on 30/09 (training_other) and P1 on 30/11 (no_news): the positive one shows.
        assert (h.exit_on, h.exit_outcome, h.exit_positive) == (
            d(2025, 9, 30),
            "training_other",
            True,
        )
        b = persons[data["b"].pk]
        assert (b.exit_on, b.exit_outcome, b.exit_positive, b.is_new) == (
            d(2025, 6, 30),
            "dropped_out",
            False,
            True,
        )
        i = persons[data["i"].pk]
        assert (i.exit_on, i.exit_outcome, i.exit_positive) == (None, None, False)
        assert sum(p.exit_positive for p in persons.values()) == 3  # the headline's figure
        assert sum(p.is_new for p in persons.values()) == 3


class TestExits:
    def test_it_counts_exits_by_outcome_with_the_distinct_persons(self, data, operator):
        exits = activity.exits_by_outcome(organization=operator, year=Y)
        counted = {row.outcome: (row.exits, row.persons) for row in exits.rows if row.exits}
        assert counted == {
            "job_permanent": (1, 1),  # A
            "training_qualifying": (1, 1),  # C on 31/12
            "training_other": (1, 1),  # H
            "dropped_out": (1, 1),  # B
            "no_news": (1, 1),  # H
        }
        assert exits.exits == 5  # pathways
        assert exits.persons == 4  # A, B, C, H
        positive = sum(row.exits for row in exits.rows if row.positive)
        assert positive == 3
        assert {row.outcome: row.group for row in exits.rows}["studies"] == "training"


class TestNeedsReferralsEmployers:
    def test_it_counts_needs_identified_and_resolved_in_the_year(self, data, operator):
        rows = {
            row.category: (row.identified, row.resolved)
            for row in activity.needs_by_category(organization=operator, year=Y)
        }
        # A's language need: identified 2024, resolved 2025; B: two housing needs identified in
        # 2025, one resolved; C's 2023 health need is neither; G's is another operator's.
        assert rows["language"] == (0, 1)
        assert rows["housing"] == (2, 1)
        assert rows["health"] == (0, 0)
        assert sum(i for i, _ in rows.values()) == 2

    def test_it_counts_referrals_sent_in_the_year_by_partner_kind_and_status(self, data, operator):
        rows = activity.referrals_by_kind(organization=operator, year=Y)
        assert [(row.kind, row.total) for row in rows] == [("housing", 2), ("cpas", 1)]
        housing, cpas = rows
        assert housing.by_status["accepted"] == 1
        assert housing.by_status["refused"] == 1
        assert housing.by_status["sent"] == 0  # G's referral is the other operator's
        assert cpas.by_status["completed"] == 1  # A's is from 2024

    def test_it_counts_employers_contacts_matchings_and_hires(self, data, operator):
        figures = activity.employers(organization=operator, year=Y)
        assert figures.contacts == 3  # x1 twice, x2; x3 in 2024
        assert figures.employers_contacted == 2  # x1, x2
        assert figures.matchings == 3  # proposed in 2025: I→x2, H→x1, I→x1
        assert figures.matchings_by_status == {
            "proposed": 0, "interview": 1, "hired": 1, "rejected": 1, "no_answer": 0,
        }  # fmt: skip
        # Hired in 2025: A (proposed in 2024, hired 20/01/2025) and I.
        assert figures.hires == 2


class TestChantierFigures:
    @pytest.fixture
    def figures(self, data, operator):
        return chantier_figures(organization=operator, period=Period.year(Y))

    def test_it_reports_the_chantiers_running_in_the_period(self, figures, data):
        # K2 ends 31/01/2025, K1 runs in 2025, K4's dates are 2024 but it held a session in
        # January 2025; K3 ended in 2024; ordered by start.
        assert [row.code for row in figures.rows] == ["k4", "k2", "k1"]

    def test_it_computes_each_chantier_row(self, figures):
        rows = {row.code: row for row in figures.rows}
        k1 = rows["k1"]
        assert k1.participants == 3  # B, H, I (D is only a candidate)
        assert k1.sessions_held == 2  # the cancelled and the planned ones do not count
        assert k1.hours == Decimal("19.50")  # 4 + 3.5 + 5 + 7
        assert k1.attendance_rate == Decimal("0.667")  # 4 present-like of 6 marks
        # 4 × 42.31 + 10.00 left on the cancelled session = 179.24
        assert k1.indemnities == Decimal("179.24")
        assert k1.completion_rate == Decimal("0.500")  # B completed, H withdrew
        assert k1.incidents == 2
        k2 = rows["k2"]
        assert k2.participants == 2  # B, A; C left on 15/12/2024
        assert k2.sessions_held == 1  # 10/12/2024 is outside
        assert k2.hours == Decimal("6.00")
        assert k2.attendance_rate == Decimal("0.500")  # B present, A absent
        assert k2.indemnities == Decimal("40.00")
        assert k2.completion_rate == Decimal("1.000")  # B 31/01, A with the chantier's end
        assert k2.incidents == 0  # the damage was in 2024
        k4 = rows["k4"]
        assert (k4.participants, k4.sessions_held, k4.hours, k4.completion_rate) == (
            1,
            1,
            Decimal("4.00"),
            None,
        )

    def test_its_total_counts_distinct_persons_and_adds_the_rest(self, figures):
        total = figures.total
        assert total.name == "Total"
        assert total.chantier_id is None
        assert total.participants == 4  # B, H, I, A: B and I are in two chantiers
        assert total.sessions_held == 4  # 2 + 1 + 1
        assert total.hours == Decimal("29.50")  # 19.5 + 6 + 4
        assert total.attendance_rate == Decimal("0.667")  # (4 + 1 + 1) / (6 + 2 + 1)
        assert total.indemnities == Decimal("261.55")  # 179.24 + 40.00 + 42.31
        assert total.completion_rate == Decimal("0.750")  # (1 + 2) / (2 + 2)
        assert total.incidents == 2

    def test_it_filters_by_programme_and_by_chantier(self, data, operator):
        period = Period.year(Y)
        by_programme = chantier_figures(organization=operator, period=period, programme=data["p1"])
        assert [row.code for row in by_programme.rows] == ["k1"]
        one = chantier_figures(organization=operator, period=period, chantier=data["k2"])
        assert [row.code for row in one.rows] == ["k2"]
        assert one.total.participants == 2

    def test_it_never_counts_another_operators_chantier(self, data, other_operator):
        assert not chantiers_running(organization=other_operator, period=Period.year(2024))
        assert (
            chantier_figures(
                organization=data["k1"].organization, period=Period.year(Y)
            ).total.incidents
            == 2
        )

    def test_it_takes_a_constant_number_of_queries(self, data, operator, django_assert_num_queries):
        with django_assert_num_queries(7):
            chantier_figures(organization=operator, period=Period.year(Y))

    def test_it_sums_the_indemnities_paid_for_the_months_of_the_year(self, data, operator):
        # B March 84.62 + I December 42.31; H's is only validated; 2024 and 2026 are outside;
        # the other operator's is not ours.
        assert indemnities_paid(organization=operator, period=Period.year(Y)) == Decimal("126.93")


def test_the_activity_headline_and_trend_hold_on_the_edge_cases(operator, edge_cases):
    headline = activity.headline(organization=operator, year=2025)

    # Accompanied in 2025: L1, L2, L3 (anonymised, still counted), L4, L6 (01/01 only) = 5;
    # not L5 (starts in 2026) nor the other operator's person.
    assert headline.persons_accompanied == 5
    # New: first pathway ever in 2025: L1, L4 (L2 started in 2024, L6 in 2024) = 2.
    assert headline.new == 2
    # Exits in 2025: L3 (30/06, positive), L6 (01/01, dropped out); L4's was reopened = 2.
    assert headline.exits == 2
    assert headline.positive_exits == 1
    assert headline.positive_exit_rate == Decimal("0.200")  # 1 / 5
    assert headline.positive_over_exits == Decimal("0.500")  # 1 / 2
    assert headline.target_attainment == Decimal("1.250")  # 5 / 4

    trend = {
        t.year: (t.persons_accompanied, t.positive_exits)
        for t in activity.trend(organization=operator, year=2025)
    }
    # 2023: L3; 2024: L2 (exit 31/12/2024, positive), L3, L6; 2025 as above.
    assert trend == {2021: (0, 0), 2022: (0, 0), 2023: (1, 0), 2024: (3, 1), 2025: (5, 1)}


def test_the_age_bands_on_31_december_hold_for_leap_day_births(operator, edge_cases):
    bands = {
        row.code: row.count
        for row in activity.breakdowns(organization=operator, year=2025).age_band
    }
    # On 31/12/2025: L2 17 (born 29/02/2008), L1 25 (29/02/2000), L4 35, L6 30 (born 31/12/1995,
    # 30 on that very day), L3 55.
    assert bands == {"<18": 1, "18–24": 0, "25–29": 1, "30–49": 2, "50–54": 0, "55+": 1}
