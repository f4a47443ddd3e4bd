"""Impact of a cohort: hand-built people (tests/reporting/datasets.py:build_cohort_data), figures
counted by hand in the comments."""

import datetime as dt
from decimal import Decimal

import pytest

from reporting.indicators.impact import (
    cohort_for_chantier,
    cohort_for_programme,
    impact_figures,
)
from tests.factories import ProgrammeFactory
from tests.reporting.datasets import build_cohort_data, follow_up, income, need, pathway, person

D = dt.date
TODAY = D(2026, 6, 15)


@pytest.fixture
def programme(operator):
    return ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")


@pytest.fixture
def cohort_data(operator, other_operator, programme, housing):
    return build_cohort_data(operator, other_operator, programme, housing)


def programme_figures(operator, programme):
    cohort = cohort_for_programme(organization=operator, programme=programme, year=2025)
    return impact_figures(cohort=cohort, today=TODAY)


def counts(shares):
    return {share.key: share.count for share in shares}


def test_it_describes_the_cohort_as_it_was_on_entry(operator, programme, cohort_data):
    figures = programme_figures(operator, programme)
    assert figures.persons == 4  # Ana, Ben, Cléo, Dan (twice in 2025, one person)
    assert counts(figures.gender) == {"F": 1, "M": 2, "X": 1}
    # ages on the first start: Ana 23, Cléo 20; Dan 34 (01/02/2025); Ben 65
    assert counts(figures.age) == {
        "lt18": 0,
        "18_24": 2,
        "25_29": 0,
        "30_49": 1,
        "50_54": 0,
        "55plus": 1,
        "unknown": 0,
    }
    assert counts(figures.education) == {
        "isced_0_2": 1,
        "isced_3_4": 1,
        "isced_5_8": 1,
        "unknown": 1,
    }
    # Cléo 3 months; Ana 14 months; Dan 73 months (since 01/01/2019); Ben not a job seeker
    assert counts(figures.jobseeking) == {
        "lt6": 1,
        "6_12": 0,
        "12_24": 1,
        "24_60": 0,
        "60plus": 1,
        "not_jobseeker": 1,
        "unknown": 0,
    }
    # Ben: CPAS income ended on 31/12/2024, none from 01/01/2025 (his start: 15/01/2025)
    assert counts(figures.income) == {
        "unemployment": 2,
        "ris": 0,
        "ris_equivalent": 0,
        "disability": 0,
        "none": 1,
        "other": 0,
        "unknown": 1,
    }


def test_it_sorts_people_by_their_own_attendance_rate(operator, programme, cohort_data):
    figures = programme_figures(operator, programme)
    # Dan 1/3 = 33 %; Ana 4/5 = 80 % (one on another chantier); Ben 2/2 = 100 % (his marks on
    # a planned session and after his pathway ended ignored); Cléo never marked
    assert counts(figures.regularity) == {"lt50": 1, "50_79": 0, "80plus": 2, "no_marks": 1}


def test_it_counts_needs_identified_during_the_pathway_and_lifted(operator, programme, cohort_data):
    needs = {
        row.category: (row.identified, row.resolved)
        for row in programme_figures(operator, programme).needs
    }
    assert needs["language"] == (1, 1)
    assert needs["housing"] == (1, 0)
    assert needs["digital"] == (1, 1)
    assert needs["mobility"] == (0, 0)  # identified before Ana's pathway started


def test_it_counts_exits_and_the_positive_rate_on_people_who_left(operator, programme, cohort_data):
    outcomes = programme_figures(operator, programme).outcomes
    assert counts(outcomes.by_outcome)["job_permanent"] == 1  # Ana (not Eva, nor the stranger)
    assert counts(outcomes.by_outcome)["dropped_out"] == 1  # Ben
    assert counts(outcomes.by_outcome)["training_other"] == 1  # Dan's first pathway
    assert (outcomes.exited, outcomes.positive, outcomes.still_open) == (3, 2, 2)
    assert outcomes.positive_rate == Decimal("0.667")  # 2 / 3


def test_it_reports_follow_ups_by_situation_with_missing_and_not_yet_due_apart(
    operator, programme, cohort_data
):
    rows = {row.months: row for row in programme_figures(operator, programme).follow_ups}
    # +3: Ana employed, Ben job seeking, Dan in training
    assert (rows[3].done, rows[3].missing, rows[3].not_yet_due) == (3, 0, 0)
    assert rows[3].by_situation == {
        "employed": 1,
        "training": 1,
        "job_seeking": 1,
        "inactive": 0,
        "unknown": 0,
    }
    # +6: Ben in training; Ana's was due on 30/03/2026 and is missing (not a failure)
    assert (rows[6].done, rows[6].missing, rows[6].not_yet_due) == (1, 1, 0)
    assert rows[6].by_situation["training"] == 1
    assert rows[6].by_situation["employed"] == 0
    # +12: Ana (30/09/2026) and Ben (30/06/2026) not yet due on 15/06/2026
    assert (rows[12].done, rows[12].missing, rows[12].not_yet_due) == (0, 0, 2)


def test_a_chantier_cohort_is_the_people_who_worked_in_its_group(operator, cohort_data):
    cohort = cohort_for_chantier(
        organization=operator, chantier=cohort_data["chantier"], today=TODAY
    )
    figures = impact_figures(cohort=cohort, today=TODAY)
    assert figures.persons == 3  # Ana (completed), Ben (withdrawn), Dan (active); not Fred
    # marks of this chantier's held sessions only: Dan 1/3, Ana 3/4, Ben 2/2
    assert counts(figures.regularity) == {"lt50": 1, "50_79": 1, "80plus": 1, "no_marks": 0}
    # their pathways open during the chantier (01/03–31/10/2025): Ana, Ben, Dan's two
    assert (figures.outcomes.exited, figures.outcomes.positive) == (3, 2)


def _more_people(organization, programme, n):
    for i in range(n):
        someone = person(organization, "FMX"[i % 3], D(1990, 1, 1), D(2023, 1, 1))
        income(someone, "unemployment", D(2023, 1, 1))
        need(someone, "language", D(2025, 3, 2))
        pw = pathway(someone, programme, D(2025, 3, 1), D(2025, 5, 1), "job_permanent")
        follow_up(pw, D(2025, 8, 1), D(2025, 8, 2), "employed", True, months=3)


def test_its_query_count_does_not_grow_with_the_cohort(
    operator, programme, cohort_data, django_assert_num_queries
):
    _more_people(operator, programme, 2)
    # gender, age, education, job seeking, income, persons, regularity, needs, outcomes (2),
    # follow-ups
    with django_assert_num_queries(11):
        programme_figures(operator, programme)
    _more_people(operator, programme, 20)
    with django_assert_num_queries(11):
        figures = programme_figures(operator, programme)
    assert figures.persons == 4 + 22
    assert counts(figures.income)["unemployment"] == 2 + 22
