"""The activity figures (DESIGN §5) on a small data set built by hand, year 2025.

Persons of the operator (birth date → age on 31/12/2025; pathways):
  A  F 15/06/1990 (35)  P1 01/03/2024 → 10/02/2025 job_permanent (spans 2024 and 2025)
  B  M 01/03/2007 (18)  P1 01/01/2025 → 30/06/2025 dropped_out, P2 01/07/2025 → open
  C  X 01/01/1960 (65)  P1 01/05/2019 → 31/12/2025 training_qualifying (exit on 31/12)
  D  F 31/12/2008 (17)  P2 01/01/2018 → 31/12/2018 moved, P1 01/11/2025 → open
  E  M 01/01/1975 (50)  P1 01/01/2023 → 31/12/2024 job_fixed_long (not accompanied in 2025)
  F  M 01/01/2000 (25)  P1 01/01/2026 → open (not accompanied in 2025)
  H  F 01/01/1996 (29)  P2 01/03/2025 → 30/09/2025 training_other, P1 01/10 → 30/11/2025 no_news
  I  F 01/07/1985 (40)  P1 01/04/2025 → open
and a person G of another operator, with a positive exit in 2025, never counted.
"""

import datetime
from decimal import Decimal

import pytest

from accounts.models import Organization
from chantiers.models import Attendance, Enrolment, Incident, MonthlyStatement
from participants.models import IncomeSource, Need, Pathway
from partners.models import EmployerContact, Matching, Referral
from reporting.indicators import activity
from reporting.indicators.chantiers import chantier_figures, chantiers_running, indemnities_paid
from reporting.indicators.common import Period
from tests.factories import (
    ChantierFactory,
    OrganizationFactory,
    ParticipantFactory,
    ProgrammeFactory,
    UserFactory,
    WorkSessionFactory,
)

d = datetime.date
Y = 2025


def _pathway(participant, programme, started_on, ended_on=None, outcome=""):
    return Pathway.objects.create(
        participant=participant,
        programme=programme,
        started_on=started_on,
        ended_on=ended_on,
        exit_outcome=outcome,
    )


def build_activity_data(operator, other_operator):
    """The data set of the module docstring; returns the people and organizations by letter."""
    operator.annual_target = 9
    operator.save(update_fields=["annual_target"])
    p1 = ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")
    p2 = ProgrammeFactory(organization=operator, code="insertion", name="Insertion")
    user = UserFactory()

    def person(birth_date, gender, education, commune, jobseeker_since):
        return ParticipantFactory(
            organization=operator,
            birth_date=birth_date,
            gender=gender,
            education_level=education,
            commune=commune,
            jobseeker_since=jobseeker_since,
        )

    a = person(d(1990, 6, 15), "F", "isced_0_2", "Anderlecht", d(2021, 1, 10))
    b = person(d(2007, 3, 1), "M", "isced_3_4", "", None)
    c = person(d(1960, 1, 1), "X", "isced_5_8", "Anderlecht", d(2019, 3, 15))
    dd = person(d(2008, 12, 31), "F", "unknown", "Schaerbeek", d(2025, 5, 1))
    e = person(d(1975, 1, 1), "M", "isced_3_4", "Ixelles", d(2020, 1, 1))
    f = person(d(2000, 1, 1), "M", "isced_3_4", "Ixelles", d(2020, 1, 1))
    h = person(d(1996, 1, 1), "F", "isced_0_2", "Schaerbeek", d(2019, 1, 1))
    i = person(d(1985, 7, 1), "F", "isced_3_4", "Ixelles", d(2024, 1, 1))

    pa = _pathway(a, p1, d(2024, 3, 1), d(2025, 2, 10), "job_permanent")
    pb1 = _pathway(b, p1, d(2025, 1, 1), d(2025, 6, 30), "dropped_out")
    _pathway(b, p2, d(2025, 7, 1))
    _pathway(c, p1, d(2019, 5, 1), d(2025, 12, 31), "training_qualifying")
    _pathway(dd, p2, d(2018, 1, 1), d(2018, 12, 31), "moved")
    _pathway(dd, p1, d(2025, 11, 1))
    _pathway(e, p1, d(2023, 1, 1), d(2024, 12, 31), "job_fixed_long")
    _pathway(f, p1, d(2026, 1, 1))
    ph = _pathway(h, p2, d(2025, 3, 1), d(2025, 9, 30), "training_other")
    _pathway(h, p1, d(2025, 10, 1), d(2025, 11, 30), "no_news")
    pi = _pathway(i, p1, d(2025, 4, 1))

    # Income sources: the one in effect on the last day each person was accompanied in 2025.
    IncomeSource.objects.create(participant=a, kind="unemployment", starts_on=d(2020, 1, 1))
    IncomeSource.objects.create(
        participant=b, kind="ris", starts_on=d(2024, 1, 1), ends_on=d(2025, 6, 30)
    )
    IncomeSource.objects.create(participant=b, kind="none", starts_on=d(2025, 7, 1))
    IncomeSource.objects.create(participant=c, kind="disability", starts_on=d(2015, 1, 1))
    IncomeSource.objects.create(
        participant=h, kind="ris_equivalent", starts_on=d(2024, 1, 1), ends_on=d(2025, 12, 31)
    )
    IncomeSource.objects.create(participant=i, kind="other", starts_on=d(2025, 1, 1))

    # Another operator's person: a pathway, an exit, a need, a referral, a contact, a chantier.
    g = ParticipantFactory(organization=other_operator, gender="M", commune="Anderlecht")
    other_programme = ProgrammeFactory(organization=other_operator)
    pg = _pathway(g, other_programme, d(2025, 2, 1), d(2025, 5, 1), "job_permanent")
    Need.objects.create(participant=g, category="language", identified_on=d(2025, 2, 1))

    # Needs of the operator's participants.
    Need.objects.create(
        participant=a, category="language", identified_on=d(2024, 5, 1), resolved_on=d(2025, 3, 1)
    )
    Need.objects.create(participant=b, category="housing", identified_on=d(2025, 2, 1))
    Need.objects.create(
        participant=b, category="housing", identified_on=d(2025, 3, 1), resolved_on=d(2025, 8, 1)
    )
    Need.objects.create(participant=c, category="health", identified_on=d(2023, 1, 1))

    # Referrals.
    housing = OrganizationFactory(kind=Organization.Kind.HOUSING, name="Logement")
    cpas = OrganizationFactory(kind=Organization.Kind.CPAS, name="CPAS")

    def referral(participant, pathway, to, sent_on, status, sender=operator):
        Referral.objects.create(
            participant=participant,
            pathway=pathway,
            from_organization=sender,
            to_organization=to,
            reason="motif",
            sent_on=sent_on,
            sent_by=user,
            status=status,
            refusal_reason="complet" if status == "refused" else "",
        )

    referral(b, pb1, housing, d(2025, 2, 5), "accepted")
    referral(b, pb1, housing, d(2025, 3, 5), "refused")
    referral(h, ph, cpas, d(2025, 4, 1), "completed")
    referral(a, pa, cpas, d(2024, 12, 20), "completed")
    referral(g, pg, housing, d(2025, 3, 1), "sent", sender=other_operator)

    # Employers.
    x1, x2, x3 = (OrganizationFactory(kind=Organization.Kind.EMPLOYER) for _ in range(3))

    def contact(employer, on, organization=operator):
        EmployerContact.objects.create(
            organization=organization, employer=employer, date=on, by=user, outcome="information"
        )

    contact(x1, d(2025, 1, 10))
    contact(x1, d(2025, 5, 10))
    contact(x2, d(2025, 6, 1))
    contact(x3, d(2024, 12, 1))
    contact(x3, d(2025, 2, 1), organization=other_operator)

    def matching(participant, pathway, employer, proposed_on, status, status_on):
        Matching.objects.create(
            participant=participant,
            pathway=pathway,
            employer=employer,
            position="ouvrier·ère",
            proposed_on=proposed_on,
            status=status,
            status_on=status_on,
            by=user,
        )

    matching(a, pa, x1, d(2024, 12, 15), "hired", d(2025, 1, 20))
    matching(i, pi, x2, d(2025, 5, 1), "interview", d(2025, 5, 10))
    matching(h, ph, x1, d(2025, 6, 1), "rejected", d(2025, 6, 20))
    matching(i, pi, x1, d(2025, 9, 1), "hired", d(2025, 10, 1))
    matching(g, pg, x3, d(2025, 3, 1), "hired", d(2025, 3, 20))

    # Chantiers: K1 and K2 overlap 2025 by their dates, K4 only by a held session, K3 not at all.
    k1 = ChantierFactory(
        organization=operator, code="k1", name="Peinture Wayez", programme=p1,
        starts_on=d(2025, 3, 1), ends_on=d(2025, 6, 30),
    )  # fmt: skip
    k2 = ChantierFactory(
        organization=operator, code="k2", name="Jardins Peterbos",
        starts_on=d(2024, 9, 1), ends_on=d(2025, 1, 31),
    )  # fmt: skip
    k3 = ChantierFactory(
        organization=operator, code="k3", name="Ancien", starts_on=d(2024, 1, 1),
        ends_on=d(2024, 6, 30),
    )  # fmt: skip
    k4 = ChantierFactory(
        organization=operator, code="k4", name="Retardataire", starts_on=d(2024, 1, 1),
        ends_on=d(2024, 12, 31),
    )  # fmt: skip
    other_chantier = ChantierFactory(organization=other_operator, starts_on=d(2025, 1, 1))

    def enrol(chantier, participant, status, joined_on=None, left_on=None):
        Enrolment.objects.create(
            chantier=chantier,
            participant=participant,
            status=status,
            joined_on=joined_on,
            left_on=left_on,
        )

    enrol(k1, b, "completed", d(2025, 3, 1), d(2025, 6, 30))
    enrol(k1, h, "withdrawn", d(2025, 3, 1), d(2025, 4, 15))
    enrol(k1, i, "active", d(2025, 3, 1))
    enrol(k1, dd, "candidate")
    enrol(k2, b, "completed", d(2024, 9, 1), d(2025, 1, 31))
    enrol(k2, c, "withdrawn", d(2024, 9, 1), d(2024, 12, 15))
    enrol(k2, a, "completed", d(2024, 9, 1))  # no left_on: ends with the chantier, 31/01/2025
    enrol(k3, e, "completed", d(2024, 1, 1), d(2024, 6, 30))
    enrol(k4, i, "active")
    enrol(other_chantier, g, "active", d(2025, 1, 1))

    def session(chantier, on, status="held", ends_at=datetime.time(13, 0)):
        return WorkSessionFactory(chantier=chantier, date=on, status=status, ends_at=ends_at)

    s1 = session(k1, d(2025, 3, 3))
    s2 = session(k1, d(2025, 3, 4), ends_at=datetime.time(16, 0))
    s3 = session(k1, d(2025, 3, 5), status="cancelled")
    session(k1, d(2025, 3, 6), status="planned")
    s5 = session(k2, d(2025, 1, 10))
    s6 = session(k2, d(2024, 12, 10))
    s7 = session(k4, d(2025, 1, 15))
    s_other = session(other_chantier, d(2025, 2, 3))

    def mark(on_session, participant, status, hours, indemnity):
        Attendance.objects.create(
            session=on_session,
            participant=participant,
            status=status,
            hours=Decimal(hours),
            indemnity=Decimal(indemnity),
        )

    mark(s1, b, "present", "4.00", "42.31")
    mark(s1, h, "late", "3.50", "42.31")
    mark(s1, i, "unexcused", "0", "0")
    mark(s2, b, "left_early", "5.00", "42.31")
    mark(s2, h, "excused", "0", "0")
    mark(s2, i, "present", "7.00", "42.31")
    mark(s3, b, "present", "4.00", "10.00")  # a mark left on a cancelled session
    mark(s5, b, "present", "6.00", "40.00")
    mark(s5, a, "unexcused", "0", "0")
    mark(s6, b, "present", "6.00", "41.48")
    mark(s7, i, "present", "4.00", "42.31")
    mark(s_other, g, "present", "4.00", "42.31")

    Incident.objects.create(chantier=k1, date=d(2025, 3, 3), kind="accident", description="x")
    Incident.objects.create(chantier=k1, date=d(2025, 3, 4), kind="conflict", description="x")
    Incident.objects.create(chantier=k2, date=d(2024, 12, 10), kind="damage", description="x")
    Incident.objects.create(
        chantier=other_chantier, date=d(2025, 2, 3), kind="accident", description="x"
    )

    def statement(participant, month, amount, status, organization=operator):
        MonthlyStatement.objects.create(
            participant=participant,
            organization=organization,
            month=month,
            amount=Decimal(amount),
            status=status,
        )

    statement(b, d(2025, 3, 1), "84.62", "paid")
    statement(h, d(2025, 3, 1), "42.31", "validated")
    statement(i, d(2025, 12, 1), "42.31", "paid")
    statement(b, d(2024, 12, 1), "41.48", "paid")
    statement(i, d(2026, 1, 1), "42.31", "paid")
    statement(g, d(2025, 2, 1), "42.31", "paid", organization=other_operator)

    return {
        "a": a, "b": b, "c": c, "d": dd, "e": e, "f": f, "g": g, "h": h, "i": i,
        "k1": k1, "k2": k2, "k3": k3, "k4": k4, "p1": p1, "p2": p2,
    }  # fmt: skip


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
