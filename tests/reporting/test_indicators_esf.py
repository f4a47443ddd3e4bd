"""ESF+ participant indicators: hand-built people, figures counted by hand in the comments."""

import datetime as dt

import pytest

from participants.models import FollowUp
from reporting.indicators.common import Period
from reporting.indicators.esf import esf_indicators
from tests.factories import ParticipantFactory, PathwayFactory, ProgrammeFactory

D = dt.date
PERIOD = Period(D(2025, 1, 1), D(2025, 6, 30))
AS_OF = D(2025, 12, 15)  # +6 follow-ups due after this day are "not yet due"


def person(organization, gender, born, since=None, isced="unknown", nationality="BE"):
    return ParticipantFactory(
        organization=organization,
        gender=gender,
        birth_date=born,
        jobseeker_since=since,
        education_level=isced,
        nationality_group=nationality,
    )


def pathway(participant, programme, started, ended=None, outcome="", **kwargs):
    return PathwayFactory(
        participant=participant,
        programme=programme,
        started_on=started,
        ended_on=ended,
        exit_outcome=outcome,
        **kwargs,
    )


def follow_up(pathway, due, done=None, situation="", improved=None, months=6):
    return FollowUp.objects.create(
        pathway=pathway,
        months=months,
        due_on=due,
        done_on=done,
        situation=situation,
        improved=improved,
    )


@pytest.fixture
def programme(operator):
    return ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")


@pytest.fixture
def data(operator, other_operator, programme):
    return build_esf_data(operator, other_operator, programme)


def build_esf_data(operator, other_operator, programme):
    """Entrants (started in the period) and leavers (ended in the period) of the programme."""
    org, p = operator, programme
    # --- entrants --------------------------------------------------------------------------
    alice = person(org, "F", D(2000, 3, 15), D(2023, 6, 1), "isced_0_2", "non_EU")
    pathway(alice, p, D(2025, 1, 1))  # first day of the period: 24 years, 19 months seeking
    bea = person(org, "F", D(1968, 5, 1), D(2024, 3, 10), "isced_5_8", "EU")
    pathway(bea, p, D(2025, 3, 10))  # 56 years; exactly 12 months seeking → long-term
    chloe = person(org, "F", D(2008, 1, 20), None)
    pathway(chloe, p, D(2025, 6, 30))  # last day of the period; 17 years; not a job seeker
    gina = person(org, "F", D(1985, 2, 2), D(2024, 2, 16), "isced_0_2")
    pathway(gina, p, D(2025, 2, 15))  # 40 years; 11 months seeking (the 16th not reached)
    didier = person(org, "M", D(1990, 1, 1), D(2024, 3, 1), "isced_3_4", "non_EU")
    # two pathways in the period: 11 months seeking at the first, 13 at the second
    first = pathway(
        didier, p, D(2025, 2, 1), D(2025, 3, 1), "referred_isp", job_searching_at_exit=True
    )
    pathway(didier, p, D(2025, 4, 1))
    eli = person(org, "X", D(1995, 7, 7), D(2025, 6, 1), "isced_3_4")
    pathway(eli, p, D(2025, 5, 5))  # 29 years; job seeker only after the start → inactive

    # --- leavers ---------------------------------------------------------------------------
    hugo = person(org, "M", D(1980, 1, 1), D(2020, 1, 1))
    hugo_pw = pathway(  # started the day before the period: a leaver, not an entrant
        hugo,
        p,
        D(2024, 12, 31),
        D(2025, 6, 30),  # last day of the period
        "job_permanent",
        qualification_obtained=True,
        job_searching_at_exit=False,
    )
    karim = person(org, "M", D(1982, 1, 1), D(2020, 1, 1))
    karim_1 = pathway(
        karim, p, D(2024, 1, 10), D(2025, 1, 15), "training_qualifying", qualification_obtained=True
    )
    karim_2 = pathway(karim, p, D(2024, 12, 1), D(2025, 5, 31), "job_fixed_short")
    lea = person(org, "F", D(1983, 1, 1), D(2020, 1, 1))
    lea_pw = pathway(  # ended on the first day of the period
        lea, p, D(2024, 5, 1), D(2025, 1, 1), "training_other", qualification_obtained=True
    )
    pia = person(org, "F", D(1984, 1, 1), D(2020, 1, 1))
    pia_pw = pathway(pia, p, D(2024, 6, 1), D(2025, 6, 1), "self_employed")
    mona = person(org, "X", D(1986, 1, 1), D(2020, 1, 1))
    mona_pw = pathway(
        mona, p, D(2024, 6, 1), D(2025, 4, 30), "dropped_out", job_searching_at_exit=True
    )

    # --- +6 months follow-ups --------------------------------------------------------------
    follow_up(hugo_pw, D(2025, 12, 30))  # not yet due on AS_OF
    follow_up(karim_1, D(2025, 7, 15), D(2025, 7, 20), "employed", True)
    follow_up(karim_2, D(2025, 11, 30), D(2025, 12, 1), "employed", True)
    follow_up(first, D(2025, 9, 1))  # Didier: due, never done → missing
    follow_up(first, D(2025, 6, 1), D(2025, 6, 2), "employed", True, months=3)  # not +6
    follow_up(lea_pw, D(2025, 7, 1), D(2025, 7, 3), "training", True)
    follow_up(pia_pw, D(2025, 12, 1), D(2025, 12, 2), "employed", True)
    follow_up(mona_pw, D(2025, 10, 30), D(2025, 11, 2), "job_seeking", False)

    # --- never counted ---------------------------------------------------------------------
    ines = person(org, "F", D(1990, 1, 1), D(2020, 1, 1), "isced_0_2", "non_EU")
    pathway(ines, p, D(2025, 7, 1))  # starts the day after the period
    nora = person(org, "F", D(1990, 1, 1), D(2020, 1, 1))
    nora_pw = pathway(nora, p, D(2024, 1, 1), D(2024, 12, 31), "job_permanent")  # day before
    follow_up(nora_pw, D(2025, 6, 30), D(2025, 6, 30), "employed", True)
    omar = person(org, "M", D(1990, 1, 1), D(2020, 1, 1))
    pathway(omar, p, D(2024, 1, 1), D(2025, 7, 1), "job_permanent")  # ends the day after
    jules = person(org, "M", D(2000, 1, 1), D(2020, 1, 1), "isced_0_2", "non_EU")
    other_programme = ProgrammeFactory(organization=org)
    pathway(jules, other_programme, D(2025, 3, 1), D(2025, 4, 1), "job_permanent")
    # Another operator's people, even (wrongly) on our programme, never count.
    stranger = person(other_operator, "F", D(2000, 1, 1), D(2020, 1, 1), "isced_0_2", "non_EU")
    stranger_pw = pathway(stranger, p, D(2025, 2, 1), D(2025, 3, 1), "job_permanent")
    follow_up(stranger_pw, D(2025, 9, 1), D(2025, 9, 1), "employed", True)
    theirs = ProgrammeFactory(organization=other_operator, code="mokolab")
    neighbour = person(other_operator, "M", D(2000, 1, 1), D(2020, 1, 1))
    pathway(neighbour, theirs, D(2025, 2, 1), D(2025, 3, 1), "job_permanent")
    return {"alice": alice, "gina": gina, "didier": didier, "omar": omar, "stranger": stranger}


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


def _crowd(organization, programme, n):
    """n more entrants who also leave in the period, each with a done +6 follow-up."""
    for i in range(n):
        someone = person(organization, "FMX"[i % 3], D(1990, 1, 1), D(2023, 1, 1), "isced_3_4")
        pw = pathway(someone, programme, D(2025, 2, 1), D(2025, 3, 1), "job_permanent")
        follow_up(pw, D(2025, 9, 1), D(2025, 9, 2), "employed", True)


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
