"""ESF+ participant indicators: hand-built people (tests/reporting/datasets.py:build_esf_data,
and edge cases), figures counted by hand in the comments."""

import datetime as dt

import pytest

from reporting.indicators.common import Period
from reporting.indicators.esf import esf_entry, esf_indicators
from tests.factories import ParticipantFactory, ProgrammeFactory
from tests.reporting.datasets import _crowd, _pathway, build_esf_data

D = dt.date
d = dt.date  # as the edge-case tests write it
PERIOD = Period(D(2025, 1, 1), D(2025, 6, 30))
AS_OF = D(2025, 12, 15)  # +6 follow-ups due after this day are "not yet due"


@pytest.fixture
def programme(operator):
    return ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")


@pytest.fixture
def data(operator, other_operator, programme):
    return build_esf_data(operator, other_operator, programme)


def figures(operator, programme):
    return esf_indicators(organization=operator, programme=programme, period=PERIOD, as_of=AS_OF)


def cells(esf, key):
    """[F, M, X, total]"""
    return esf.row(key).cells()


def test_it_counts_entrants_by_their_situation_on_the_start_day(operator, programme, data):
    esf = figures(operator, programme)
    # Alice, Béa, Chloé (started on the last day), Gina; Didier once for two pathways; Eli
    assert cells(esf, "entrants") == [4, 1, 1, 6]
    # job seeker on the start day: Alice, Béa, Gina; Didier; not Eli (registered after)
    assert cells(esf, "unemployed") == [3, 1, 0, 4]
    # ≥ 12 months: Alice (19), Béa (exactly 12), not Gina (11); Didier (13 at his 2nd start)
    assert cells(esf, "long_term_unemployed") == [2, 1, 0, 3]
    # not a job seeker on the start day: Chloé (never), Eli (only later)
    assert cells(esf, "inactive") == [1, 0, 1, 2]


def test_it_says_employment_at_entry_is_not_collected_instead_of_inventing_zero(
    operator, programme, data
):
    row = figures(operator, programme).row("employed")
    assert row.cells() == [None, None, None, None]
    assert "Non collecté" in row.note


def test_it_counts_age_bands_on_the_start_day(operator, programme, data):
    esf = figures(operator, programme)
    assert cells(esf, "under_18") == [1, 0, 0, 1]  # Chloé, 17 on 30/06/2025
    assert cells(esf, "age_18_29") == [1, 0, 1, 2]  # Alice 24; Eli 29 (30 on 07/07/2025)
    assert cells(esf, "age_55_plus") == [1, 0, 0, 1]  # Béa, 56


def test_it_counts_education_levels_and_third_country_nationals(operator, programme, data):
    esf = figures(operator, programme)
    assert cells(esf, "isced_0_2") == [2, 0, 0, 2]  # Alice, Gina (not Ines: after the period)
    assert cells(esf, "isced_3_4") == [0, 1, 1, 2]  # Didier, Eli
    assert cells(esf, "isced_5_8") == [1, 0, 0, 1]  # Béa
    assert cells(esf, "isced_unknown") == [1, 0, 0, 1]  # Chloé
    assert cells(esf, "third_country") == [1, 1, 0, 2]  # Alice, Didier


def test_it_counts_leavers_by_their_situation_at_exit(operator, programme, data):
    esf = figures(operator, programme)
    # Léa (ended on the first day), Pia; Didier, Hugo (ended on the last day), Karim once; Mona
    assert cells(esf, "leavers") == [2, 3, 1, 6]
    assert cells(esf, "job_searching") == [0, 1, 1, 2]  # Didier, Mona
    assert cells(esf, "education_training") == [1, 1, 0, 2]  # Léa (other), Karim (qualifying)
    assert cells(esf, "qualification") == [1, 2, 0, 3]  # Léa; Hugo, Karim
    assert cells(esf, "employment") == [1, 2, 0, 3]  # Pia (self-employed); Hugo, Karim


def test_it_counts_six_months_follow_ups_done_and_keeps_missing_ones_apart(
    operator, programme, data
):
    esf = figures(operator, programme)
    assert cells(esf, "six_done") == [2, 1, 1, 4]  # Léa, Pia; Karim (two, one person); Mona
    assert cells(esf, "six_employed") == [1, 1, 0, 2]  # Pia; Karim
    assert cells(esf, "six_improved") == [2, 1, 0, 3]  # Léa, Pia; Karim (not Mona)
    # Didier's +6 is due (01/09/2025) and not done: neither in "employed" nor in "improved"
    # (no success), nor among the done follow-ups that did not improve (no failure).
    assert cells(esf, "six_missing") == [0, 1, 0, 1]
    assert cells(esf, "six_not_yet_due") == [0, 1, 0, 1]  # Hugo, due 30/12/2025


def test_its_query_count_does_not_grow_with_the_number_of_people(
    operator, programme, data, django_assert_num_queries
):
    _crowd(operator, programme, 3)
    with django_assert_num_queries(3):  # entry, exit, six months
        small = figures(operator, programme)
    _crowd(operator, programme, 30)
    with django_assert_num_queries(3):
        large = figures(operator, programme)
    assert small.row("entrants").total == 6 + 3
    assert large.row("entrants").total == 6 + 33
    # 33 crowd members: i % 3 → 11 F, 11 M, 11 X, all employed at +6
    assert large.row("six_employed").cells() == [1 + 11, 1 + 11, 0 + 11, 2 + 33]


def test_the_esf_entry_cells_hold_on_the_edge_cases(operator, edge_cases):
    rows = {
        row.key: row.cells()
        for row in esf_entry(organization=operator, programme=edge_cases, period=Period.year(2025))
    }
    # Entered MoKoLab in 2025: L1 F (01/03), L2 M (01/01), L4 M (01/02) — [F, M, X, total].
    assert rows["entrants"] == [1, 2, 0, 3]
    # L1: 29/02/2024 → 01/03/2025 is 12 whole months (long-term); L4: 02/02/2024 → 01/02/2025
    # is 11 months; L2 was never a job seeker: inactive, not unemployed.
    assert rows["unemployed"] == [1, 1, 0, 2]
    assert rows["long_term_unemployed"] == [1, 0, 0, 1]
    assert rows["inactive"] == [0, 1, 0, 1]
    assert rows["employed"] == [None, None, None, None]  # not collected, not an invented 0
    # At entry: L2 16 (under 18), L1 25 (18–29), L4 35.
    assert rows["under_18"] == [0, 1, 0, 1]
    assert rows["age_18_29"] == [1, 0, 0, 1]
    assert rows["age_55_plus"] == [0, 0, 0, 0]


def test_a_person_turns_18_at_entry_on_1_march_when_born_on_29_february(operator):
    programme = ProgrammeFactory(organization=operator, code="leap")
    on_28th = ParticipantFactory(organization=operator, birth_date=d(2008, 2, 29), gender="F")
    on_1st = ParticipantFactory(organization=operator, birth_date=d(2008, 2, 29), gender="M")
    _pathway(on_28th, programme, d(2026, 2, 28))
    _pathway(on_1st, programme, d(2026, 3, 1))

    rows = {
        row.key: row.cells()
        for row in esf_entry(
            organization=operator,
            programme=programme,
            period=Period(d(2026, 1, 1), d(2026, 6, 30)),
        )
    }
    # 29/02/2008 → 28/02/2026: 215 whole months (17); → 01/03/2026: 216 (18), as Participant.age.
    assert rows["under_18"] == [1, 0, 0, 1]
    assert rows["age_18_29"] == [0, 1, 0, 1]
