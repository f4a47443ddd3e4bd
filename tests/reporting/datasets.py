"""The data sets built by hand that the indicator tests and the report tests share, so that a
report shows the figures its indicators were checked with; and the small builders they use.

- build_activity_data: the activity figures, year 2025 (test_indicators_activity,
  test_report_activity);
- build_esf_data: ESF+ entrants and leavers, first half of 2025 (test_indicators_esf,
  test_reports_subsidy_impact);
- build_cohort_data: the 2025 cohort of a programme and its chantier (test_indicators_impact,
  test_reports_subsidy_impact).
"""

import datetime
from decimal import Decimal

from accounts.models import Organization
from chantiers.models import Attendance, Enrolment, Incident, MonthlyStatement
from participants.models import FollowUp, IncomeSource, Need, Pathway
from partners.models import EmployerContact, Matching, Referral
from tests.factories import (
    ChantierFactory,
    OrganizationFactory,
    ParticipantFactory,
    PathwayFactory,
    ProgrammeFactory,
    UserFactory,
    WorkSessionFactory,
)

d = D = datetime.date  # the activity data set writes d(…), the others D(…)


# The activity data set -------------------------------------------------------------------------


def _pathway(participant, programme, started_on, ended_on=None, outcome=""):
    return Pathway.objects.create(
        participant=participant,
        programme=programme,
        started_on=started_on,
        ended_on=ended_on,
        exit_outcome=outcome,
    )


def build_activity_data(operator, other_operator):
    """The activity data set, year 2025; returns the people and organizations by letter.

    Persons of the operator (birth date → age on 31/12/2025; pathways):
      A  F 15/06/1990 (35)  P1 01/03/2024 → 10/02/2025 job_permanent (spans 2024 and 2025)
      B  M 01/03/2007 (18)  P1 01/01/2025 → 30/06/2025 dropped_out, P2 01/07/2025 → open
      C  X 01/01/1960 (65)  P1 01/05/2019 → 31/12/2025 training_qualifying (exit on 31/12)
      D  F 31/12/2008 (17)  P2 01/01/2018 → 31/12/2018 moved, P1 01/11/2025 → open
      E  M 01/01/1975 (50)  P1 01/01/2023 → 31/12/2024 job_fixed_long (not accompanied in 2025)
      F  M 01/01/2000 (25)  P1 01/01/2026 → open (not accompanied in 2025)
      H  F 01/01/1996 (29)  P2 01/03/2025 → 30/09/2025 training_other,
                            P1 01/10/2025 → 30/11/2025 no_news
      I  F 01/07/1985 (40)  P1 01/04/2025 → open
    and a person G of another operator, with a positive exit in 2025, never counted.
    """
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


# ESF+ entrants and leavers ---------------------------------------------------------------------


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


def build_esf_data(operator, other_operator, programme):
    """Entrants (started in the period, the first half of 2025) and leavers (ended in it) of the
    programme, and their +6 follow-ups; test_indicators_esf reads them on 15/12/2025, its AS_OF."""
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


def _crowd(organization, programme, n):
    """n more entrants who also leave in the period, each with a done +6 follow-up."""
    for i in range(n):
        someone = person(organization, "FMX"[i % 3], D(1990, 1, 1), D(2023, 1, 1), "isced_3_4")
        pw = pathway(someone, programme, D(2025, 2, 1), D(2025, 3, 1), "job_permanent")
        follow_up(pw, D(2025, 9, 1), D(2025, 9, 2), "employed", True)


# The 2025 cohort of a programme ----------------------------------------------------------------


def income(participant, kind, starts, ends=None):
    IncomeSource.objects.create(participant=participant, kind=kind, starts_on=starts, ends_on=ends)


def need(participant, category, identified, resolved=None):
    Need.objects.create(
        participant=participant, category=category, identified_on=identified, resolved_on=resolved
    )


def marks(participant, sessions_and_statuses):
    for session, status in sessions_and_statuses:
        Attendance.objects.create(
            session=session, participant=participant, status=status, hours=Decimal("4.00")
        )


def build_cohort_data(operator, other_operator, programme, housing):
    """The 2025 cohort of the programme: Ana, Ben, Cléo and Dan; Ana, Ben and Dan worked in the
    chantier "peinture-1"."""
    org, p = operator, programme
    chantier = ChantierFactory(
        organization=org,
        programme=p,
        host=housing,
        code="peinture-1",
        name="Peinture cage d'escalier",
        starts_on=D(2025, 3, 1),
        ends_on=D(2025, 10, 31),
        capacity=8,
    )
    held = [WorkSessionFactory(chantier=chantier, date=D(2025, 3, day)) for day in (3, 4, 5, 6)]
    planned = WorkSessionFactory(chantier=chantier, date=D(2025, 11, 3), status="planned")
    cancelled = WorkSessionFactory(chantier=chantier, date=D(2025, 3, 7), status="cancelled")
    elsewhere = WorkSessionFactory(
        chantier=ChantierFactory(organization=org, starts_on=D(2025, 1, 1)), date=D(2025, 7, 7)
    )

    ana = person(org, "F", D(2001, 6, 1), D(2024, 1, 1), "isced_0_2")
    income(ana, "unemployment", D(2024, 1, 1))
    ana_pw = pathway(ana, p, D(2025, 3, 1), D(2025, 9, 30), "job_permanent")
    marks(ana, [(held[0], "present"), (held[1], "late"), (held[2], "left_early")])
    marks(ana, [(held[3], "unexcused")])  # 3 present-like of 4 = 75 % on this chantier
    # on another chantier during her pathway: counts for the programme cohort (4 of 5 = 80 %)
    marks(ana, [(WorkSessionFactory(chantier=elsewhere.chantier, date=D(2025, 7, 8)), "present")])
    need(ana, "language", D(2025, 3, 10), D(2025, 6, 1))
    need(ana, "housing", D(2025, 4, 1))
    need(ana, "mobility", D(2024, 12, 1), D(2025, 1, 1))  # before her pathway: not counted
    follow_up(ana_pw, D(2025, 12, 30), D(2026, 1, 5), "employed", True, months=3)
    follow_up(ana_pw, D(2026, 3, 30), months=6)  # due, not done: missing
    follow_up(ana_pw, D(2026, 9, 30), months=12)  # not yet due

    ben = person(org, "M", D(1960, 1, 1), None, "isced_5_8")
    income(ben, "ris", D(2024, 5, 1), D(2024, 12, 31))
    income(ben, "none", D(2025, 1, 1))
    ben_pw = pathway(ben, p, D(2025, 1, 15), D(2025, 6, 30), "dropped_out")
    marks(ben, [(held[0], "present"), (held[1], "present")])  # 2 of 2 = 100 %
    # not held / after his pathway ended (another chantier: counts only during the pathway)
    marks(ben, [(planned, "unexcused"), (elsewhere, "unexcused")])
    follow_up(ben_pw, D(2025, 9, 30), D(2025, 10, 1), "job_seeking", False, months=3)
    follow_up(ben_pw, D(2025, 12, 30), D(2026, 1, 2), "training", True, months=6)
    follow_up(ben_pw, D(2026, 6, 30), months=12)  # not yet due on 15/06/2026

    cleo = person(org, "X", D(2005, 1, 1), D(2025, 8, 1))
    pathway(cleo, p, D(2025, 11, 1))
    need(cleo, "digital", D(2025, 11, 5), D(2025, 12, 1))

    dan = person(org, "M", D(1990, 5, 1), D(2019, 1, 1), "isced_3_4")
    income(dan, "unemployment", D(2019, 1, 1))
    dan_1 = pathway(dan, p, D(2025, 2, 1), D(2025, 4, 30), "training_other")
    pathway(dan, p, D(2025, 5, 1))
    marks(dan, [(held[0], "present"), (held[1], "unexcused"), (held[2], "excused")])  # 1 of 3
    follow_up(dan_1, D(2025, 7, 31), D(2025, 8, 1), "training", True, months=3)

    Enrolment.objects.create(chantier=chantier, participant=ana, status="completed")
    Enrolment.objects.create(
        chantier=chantier, participant=ben, status="withdrawn", leave_reason="Raisons de santé"
    )
    Enrolment.objects.create(chantier=chantier, participant=dan, status="active")
    fred = person(org, "M", D(1991, 1, 1), D(2019, 1, 1))
    Enrolment.objects.create(chantier=chantier, participant=fred, status="candidate")

    # Never in the cohort: started the day before the year; another operator's person.
    eva = person(org, "F", D(1999, 1, 1), D(2019, 1, 1))
    pathway(eva, p, D(2024, 12, 31), D(2025, 2, 1), "job_permanent")
    stranger = person(other_operator, "F", D(1999, 1, 1), D(2019, 1, 1))
    pathway(stranger, p, D(2025, 2, 1), D(2025, 3, 1), "job_permanent")
    return {"chantier": chantier, "cancelled": cancelled}
