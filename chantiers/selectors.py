"""Reads on chantiers, scoped by organization and, for coordinators, by their own chantiers."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from accounts.dates import add_months, month_bounds
from accounts.models import Role
from chantiers.indemnities import ZERO, YearBalance
from chantiers.models import (
    Attendance,
    CeilingExcess,
    Chantier,
    ElsewhereDeclaration,
    Enrolment,
    Incident,
    IndemnityCeiling,
    MonthlyStatement,
    RealCost,
    ServiceSheet,
    StatementCorrection,
    VolunteerAgreement,
    WorkSession,
)
from participants.models import Participant, Pathway
from participants.selectors import participant_list


def chantiers_for(*, organization, user, role) -> QuerySet[Chantier]:
    """A coordinator sees the chantiers they coordinate; direction sees all of the operator's."""
    chantiers = Chantier.objects.filter(organization=organization)
    if role == Role.COORDINATOR:
        chantiers = chantiers.filter(coordinators=user)
    return chantiers


def sessions_during(
    *, chantiers: QuerySet[Chantier], first: dt.date, last: dt.date
) -> QuerySet[WorkSession]:
    """The sessions of some days, each with how many marks it has."""
    return (
        WorkSession.objects.filter(chantier__in=chantiers, date__range=(first, last))
        .select_related("chantier")
        .annotate(marked=Count("attendances"))
        .order_by("date", "starts_at", "chantier__name")
    )


def group_on(*, session: WorkSession) -> list[Enrolment]:
    """The active members of the chantier's group on the session's day."""
    day = session.date
    return list(
        Enrolment.objects.filter(chantier=session.chantier_id, status__in=Enrolment.IN_GROUP)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name")
    )


def group_during(*, chantier: Chantier, first: dt.date, last: dt.date) -> list[Enrolment]:
    """The group on some day between ``first`` and ``last``, in one query: ``group_on``
    for a period, plus the people who left during it (they still worked its first days)."""
    left_during = Q(
        status__in=(Enrolment.Status.WITHDRAWN, Enrolment.Status.COMPLETED), left_on__gte=first
    )
    return list(
        Enrolment.objects.filter(chantier=chantier)
        .filter(Q(status__in=Enrolment.IN_GROUP) | left_during)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=last))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=first))
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name")
    )


def week_sessions(*, chantier: Chantier, monday: dt.date) -> list[WorkSession]:
    """The week's sessions that are held or still planned, in the order of the sheet."""
    return list(
        chantier.sessions.filter(date__range=(monday, monday + dt.timedelta(days=6)))
        .exclude(status=WorkSession.Status.CANCELLED)
        .order_by("date", "starts_at")
    )


def month_sessions(*, chantier: Chantier, month: dt.date) -> QuerySet[WorkSession]:
    """The chantier's sessions of the month (``month``: its first day), with how many marks
    each has."""
    return (
        chantier.sessions.filter(date__gte=month, date__lt=add_months(month, 1))
        .annotate(marked=Count("attendances"))
        .order_by("date", "starts_at")
    )


def marks_of(
    *, sessions: list[WorkSession], participant_ids: list[int]
) -> dict[tuple[int, int], Attendance]:
    """The recorded marks of these people at these sessions, by (session, participant)."""
    return {
        (a.session_id, a.participant_id): a
        for a in Attendance.objects.filter(session__in=sessions, participant__in=participant_ids)
    }


def locked_months(*, participant_ids: list[int], months: set[dt.date]) -> set[tuple[int, dt.date]]:
    """(participant, month) whose statement is validated or paid: their days are read-only."""
    return set(
        MonthlyStatement.objects.filter(participant__in=participant_ids, month__in=months)
        .exclude(status=MonthlyStatement.Status.DRAFT)
        .values_list("participant", "month")
    )


def declared_elsewhere(*, participant_ids, year: int) -> dict[int, tuple[Decimal, int]]:
    """What each person declared receiving elsewhere in ``year``: (amount, km) — rule 6."""
    return {
        row["participant"]: (row["amount"] or ZERO, row["km"] or 0)
        for row in ElsewhereDeclaration.objects.filter(participant__in=participant_ids, year=year)
        .values("participant")
        .annotate(amount=Sum("amount"), km=Sum("km"))
    }


def year_balances(*, participant_ids: list[int], organization, year: int) -> dict[int, YearBalance]:
    """The year's balance of several people in six queries, whatever their number (the engine
    writes the amounts; this reads them): the marks and the service sheets by the state of their
    month's statement, the corrections, the declarations, the ceilings, the open excesses."""
    ceiling = IndemnityCeiling.objects.filter(year=year).first()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    statement_status = MonthlyStatement.objects.filter(
        participant=OuterRef("participant"), month=OuterRef("month")
    ).values("status")[:1]
    marks: dict[int, dict[str, tuple[Decimal, int]]] = {}
    days = [  # the chantiers' marks and the volunteers' service sheets (issue 21)
        Attendance.objects.filter(
            participant__in=participant_ids,
            session__date__range=(first, last),
            session__chantier__organization=organization,
        ).annotate(month=TruncMonth("session__date")),
        ServiceSheet.objects.filter(
            participant__in=participant_ids, date__range=(first, last), organization=organization
        ).annotate(month=TruncMonth("date")),
    ]
    for rows in days:
        for row in (
            rows.annotate(month_status=Subquery(statement_status))
            .values("participant", "month_status")
            .annotate(amount=Sum("indemnity"), km=Sum("km_paid"))
            .order_by()
        ):
            amount, km = marks.setdefault(row["participant"], {}).get(
                row["month_status"] or "", (ZERO, 0)
            )
            marks[row["participant"]][row["month_status"] or ""] = (
                amount + (row["amount"] or ZERO),
                km + (row["km"] or 0),
            )
    corrections: dict[int, tuple[Decimal, int]] = {
        row["statement__participant"]: (row["amount"] or ZERO, row["km"] or 0)
        for row in StatementCorrection.objects.filter(
            statement__participant__in=participant_ids, statement__month__year=year
        )
        .values("statement__participant")
        .annotate(amount=Sum("amount"), km=Sum("km"))
    }
    declared = declared_elsewhere(participant_ids=participant_ids, year=year)
    excesses = {  # one open at most per person and year (a constraint)
        pk: (over, km, excess_id)
        for pk, over, km, excess_id in CeilingExcess.objects.filter(
            participant__in=participant_ids, year=year, outcome=""
        ).values_list("participant", "amount_over", "km_over", "pk")
    }
    balances = {}
    for pk in participant_ids:
        by_state = marks.get(pk, {})
        corrected = corrections.get(pk, (ZERO, 0))
        amounts = {state: value[0] for state, value in by_state.items()}
        paid_state = MonthlyStatement.Status.PAID
        validated = corrected[0] + sum(
            (amount for state, amount in amounts.items() if state and state != "draft"), ZERO
        )
        balances[pk] = YearBalance(
            year=year,
            annual_ceiling=ceiling.annual if ceiling else None,
            declared_elsewhere=declared.get(pk, (ZERO, 0))[0],
            paid=sum(amounts.values(), ZERO) + corrected[0],
            validated=validated,
            settled=amounts.get(paid_state, ZERO),
            km_cap=ceiling.km_cap if ceiling else None,
            km_declared=declared.get(pk, (ZERO, 0))[1],
            km_used=sum(value[1] for value in by_state.values()) + corrected[1],
            excess=excesses.get(pk, (ZERO, 0, None))[0],
            km_excess=excesses.get(pk, (ZERO, 0, None))[1],
            excess_id=excesses.get(pk, (ZERO, 0, None))[2],
        )
    return balances


def excesses_open_of(*, participant_ids, year: int) -> dict[int, int]:
    """The open ceiling excess of each of these people in ``year``, by person: its id."""
    return dict(
        CeilingExcess.objects.filter(
            participant__in=participant_ids, year=year, outcome=""
        ).values_list("participant", "pk")
    )


def excesses_open(*, organization, user, role) -> list[CeilingExcess]:
    """Every open ceiling excess the dashboard shows: the organization's for direction, those
    of the people of their chantiers for a coordinator."""
    excesses = CeilingExcess.objects.filter(organization=organization, outcome="")
    if role == Role.COORDINATOR:
        groups = Enrolment.objects.filter(
            chantier__in=chantiers_for(organization=organization, user=user, role=role)
        )
        excesses = excesses.filter(participant__in=groups.values("participant"))
    return list(
        excesses.select_related("participant")
        .only(
            "year",
            "amount_over",
            "km_over",
            "found_at",
            "participant__first_name",
            "participant__last_name",
        )
        .order_by("-found_at")
    )


def _attendance_rate(present: int, recorded: int) -> Decimal | None:
    """Present-like marks over all the marks of held sessions: the reports' definition
    (DESIGN §5), a fraction rounded half up to 0.001; None without marks."""
    if not recorded:
        return None
    return (Decimal(present) / recorded).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def _held_marks(**filters):
    return Attendance.objects.filter(session__status=WorkSession.Status.HELD, **filters)


PRESENT_LIKE = Q(status__in=Attendance.PRESENT_LIKE)


def attendance_rates(*, chantier_ids) -> dict[int, Decimal | None]:
    """The attendance rate of several chantiers in one grouped query (the hosting partner's
    page); the chantier page reads the same rate through ``chantier_figures``."""
    rates = dict.fromkeys(chantier_ids)
    for row in (
        _held_marks(session__chantier__in=chantier_ids)
        .values("session__chantier")
        .annotate(n=Count("pk"), present=Count("pk", filter=PRESENT_LIKE))
        .order_by()
    ):
        rates[row["session__chantier"]] = _attendance_rate(row["present"], row["n"])
    return rates


def chantier_figures(*, chantier: Chantier, enrolments: list[Enrolment] | None = None) -> dict:
    """The chantier at a glance: the group, the sessions held, attendance and indemnities.
    ``enrolments``: all the chantier's enrolments, when the caller has them at hand (one query
    less)."""
    # The sessions held and their marks in one query (a session without marks still counts).
    totals = chantier.sessions.filter(status=WorkSession.Status.HELD).aggregate(
        sessions_held=Count("pk", distinct=True),
        recorded=Count("attendances"),
        present=Count("attendances", filter=Q(attendances__status__in=Attendance.PRESENT_LIKE)),
        indemnities=Sum("attendances__indemnity"),
    )
    if enrolments is None:
        group = chantier.enrolments.filter(status=Enrolment.Status.ACTIVE).count()
    else:
        group = sum(1 for enrolment in enrolments if enrolment.status == Enrolment.Status.ACTIVE)
    return {
        "group": group,
        "sessions_held": totals["sessions_held"],
        "attendance_rate": _attendance_rate(totals["present"], totals["recorded"]),
        "indemnities": totals["indemnities"] or ZERO,
        "open_incidents": chantier.incidents.filter(closed_on__isnull=True).count(),
    }


def group_paperwork(*, chantier: Chantier, on: dt.date) -> list[dict]:
    """Each member with their agreement and what is missing for it to pay on ``on``."""
    from chantiers.indemnities import missing_paperwork
    from participants.models import IncomeSource

    enrolments = list(
        chantier.enrolments.select_related("participant").order_by(
            "participant__last_name", "participant__first_name"
        )
    )
    ids = [e.participant_id for e in enrolments]
    agreements: dict[int, VolunteerAgreement] = {}
    for agreement in VolunteerAgreement.objects.filter(
        participant__in=ids, organization=chantier.organization_id
    ).order_by("starts_on"):
        agreements[agreement.participant_id] = agreement  # the latest one
    incomes: dict[int, list] = {}
    for income in IncomeSource.objects.filter(participant__in=ids):
        incomes.setdefault(income.participant_id, []).append(income)
    rows = []
    for enrolment in enrolments:
        agreement = agreements.get(enrolment.participant_id)
        missing = (
            missing_paperwork(agreement, on, incomes.get(enrolment.participant_id, []))
            if agreement and agreement.covers(on)
            else Attendance.NotPayable.NO_AGREEMENT
        )
        rows.append(
            {
                "enrolment": enrolment,
                "agreement": agreement,
                "missing": Attendance.NotPayable(missing).label if missing else "",
            }
        )
    return rows


def month_statements(
    *, organization, participant_ids: list[int], month: dt.date
) -> list[MonthlyStatement]:
    """The month's statements of these people, by name, with who validated them and how many
    corrections each has."""
    return list(
        MonthlyStatement.objects.filter(
            organization=organization, participant__in=participant_ids, month=month
        )
        .select_related("participant", "validated_by")
        .annotate(correction_count=Count("corrections"))
        .order_by("participant__last_name", "participant__first_name")
    )


def month_statements_to_print(
    *, organization, participant_ids: list[int], month: dt.date
) -> list[MonthlyStatement]:
    """The month's statements of these people, by name, with what their printed sheets show
    (the person, the organization, who validated them, the payment batch)."""
    return list(
        MonthlyStatement.objects.select_related(
            "participant", "organization", "validated_by", "batch"
        )
        .filter(participant__in=participant_ids, month=month, organization=organization)
        .order_by("participant__last_name", "participant__first_name")
    )


def statements_waiting(*, participant_ids: list[int], month: dt.date) -> dict[int, int]:
    """Per participant, the days of the month not paid that nobody has confirmed yet: the marks,
    and the service sheets of those who volunteer too (issue 21)."""
    waiting: dict[int, int] = {}
    for rows in (
        Attendance.objects.filter(session__date__range=month_bounds(month)),
        ServiceSheet.objects.filter(date__range=month_bounds(month)).exclude(
            status=ServiceSheet.Status.RETURNED
        ),
    ):
        for person, count in (
            rows.filter(participant__in=participant_ids, not_payable_acknowledged=False)
            .exclude(not_payable="")
            .exclude(not_payable__in=Attendance.INFORMATIVE)
            .values_list("participant")
            .annotate(count=Count("pk"))
        ):
            waiting[person] = waiting.get(person, 0) + count
    return waiting


# --- Group formation (issue 4, items 3–4): eligibility of many people at once -------------


def enrolment_eligibility_many(
    *, chantier: Chantier, participants: list, in_group: set[int] | None = None
) -> dict[int, list[str]]:
    """Why each person cannot be selected (DESIGN §3), in words (empty when they can), in one or
    two queries: job seeker for the chantier's minimum months on its start date, an open
    pathway, a place left. ``in_group``: the participants already selected or active in the
    chantier, when the caller has them at hand."""
    from django.utils.translation import gettext as _

    from participants.models import Pathway

    ids = [participant.pk for participant in participants]
    with_pathway = set(
        Pathway.objects.open().filter(participant__in=ids).values_list("participant", flat=True)
    )
    if in_group is None:
        in_group = set(
            chantier.enrolments.filter(status__in=Enrolment.IN_GROUP).values_list(
                "participant", flat=True
            )
        )
    needed = add_months(chantier.starts_on, -chantier.min_jobseeking_months)
    eligibility = {}
    for participant in participants:
        problems = []
        since = participant.jobseeker_since
        if since is None:
            problems.append(_("Date d'inscription comme demandeur·euse d'emploi inconnue."))
        elif since > needed:
            problems.append(
                _(
                    "Demandeur·euse d'emploi depuis le %(since)s : il faut au moins %(months)s "
                    "mois au début du chantier (depuis le %(needed)s au plus tard)."
                )
                % {
                    "since": since.strftime("%d/%m/%Y"),
                    "months": chantier.min_jobseeking_months,
                    "needed": needed.strftime("%d/%m/%Y"),
                }
            )
        if participant.pk not in with_pathway:
            problems.append(_("Aucun parcours ouvert."))
        if len(in_group - {participant.pk}) >= chantier.capacity:
            problems.append(
                _("Le groupe est complet (%(capacity)s places).") % {"capacity": chantier.capacity}
            )
        eligibility[participant.pk] = problems
    return eligibility


def incomes_on(*, participant_ids: list[int], day: dt.date) -> dict:
    """Each person's income source on ``day`` (None when unknown), in one query."""
    from participants.models import IncomeSource

    found = {}
    for income in (
        IncomeSource.objects.filter(participant__in=participant_ids, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .order_by("starts_on")
    ):
        found[income.participant_id] = income  # the latest one if two overlap
    return {pk: found.get(pk) for pk in participant_ids}


def month_group_ids(*, chantier: Chantier, month: dt.date) -> list[int]:
    """Everyone with a mark on this chantier that month (the people of its monthly statements)."""
    return list(
        Attendance.objects.filter(
            session__chantier=chantier, session__date__range=month_bounds(month)
        )
        .values_list("participant", flat=True)
        .distinct()
    )


def statement_pages(*, statements: list[MonthlyStatement], month: dt.date) -> list[dict]:
    """Each statement to print with the month's marks (every chantier of the operator) and their
    totals, in one query whatever the number of statements."""
    marks: dict[int, list[Attendance]] = {}
    for attendance in (
        Attendance.objects.filter(
            participant__in=[s.participant_id for s in statements],
            session__date__range=month_bounds(month),
            session__chantier__organization__in={s.organization_id for s in statements},
        )
        .select_related("session__chantier")
        .order_by("session__date", "session__starts_at", "pk")
    ):
        marks.setdefault(attendance.participant_id, []).append(attendance)
    for sheet in ServiceSheet.objects.filter(  # a volunteer's days (issue 21)
        participant__in=[s.participant_id for s in statements],
        organization__in={s.organization_id for s in statements},
        date__range=month_bounds(month),
    ).order_by("date", "pk"):
        marks.setdefault(sheet.participant_id, []).append(sheet)
    marks = {person: sorted(rows, key=lambda row: row.day) for person, rows in marks.items()}
    # Its own corrections, and those its transfer carried (rule 8: the sheet shows both).
    corrections: dict[int, list[StatementCorrection]] = {}
    carried: dict[int, list[StatementCorrection]] = {}
    for correction in (
        StatementCorrection.objects.filter(
            Q(statement__in=statements) | Q(carried_by__in=statements)
        )
        .select_related("statement")
        .order_by("created_at", "pk")
    ):
        corrections.setdefault(correction.statement_id, []).append(correction)
        if correction.carried_by_id:
            carried.setdefault(correction.carried_by_id, []).append(correction)
    costs: dict[int, list[RealCost]] = {}
    for cost in RealCost.objects.filter(
        participant__in=[s.participant_id for s in statements],
        organization__in={s.organization_id for s in statements},
        date__range=month_bounds(month),
    ).order_by("date", "pk"):
        costs.setdefault(cost.participant_id, []).append(cost)
    pages = []
    for statement in statements:
        rows = marks.get(statement.participant_id, [])
        real_costs = costs.get(statement.participant_id, [])
        present = [a for a in rows if a.is_present]
        totals = (
            len({a.day for a in present}),
            sum((a.hours for a in present), Decimal("0.00")),
            sum((a.indemnity for a in rows), Decimal("0.00")),
            sum((a.mileage for a in rows), Decimal("0.00")),
            sum((c.amount for c in real_costs), Decimal("0.00")),
        )
        carried_here = carried.get(statement.pk, [])
        iban = statement.participant.iban
        pages.append(
            {
                "statement": statement,
                "participant": statement.participant,
                "rows": rows,
                # The marks changed since the statement was prepared: say so rather than print
                # a sheet whose lines and totals disagree.
                "stale": totals
                != (
                    statement.days,
                    statement.hours,
                    statement.amount,
                    statement.mileage,
                    statement.real_costs,
                ),
                "real_costs": real_costs,
                "corrections": corrections.get(statement.pk, []),
                "carried": carried_here,
                "transfer": statement.to_pay + sum((c.total for c in carried_here), ZERO),
                "with_km": any(a.km for a in rows),
                "iban_tail": f"•••• {iban[-4:]}" if iban else "",
            }
        )
    return pages


def agreement_year_days(*, agreement: VolunteerAgreement, year: int) -> list[dict]:
    """The year's days of presence of the person, paid or not and why: the recomputation seen."""
    labels = dict(Attendance.NotPayable.choices)
    by_reason: dict[str, dict] = {}
    for rows in (
        Attendance.objects.filter(
            session__date__year=year,
            session__chantier__organization=agreement.organization_id,
            status__in=Attendance.PRESENT_LIKE,
        ),
        ServiceSheet.objects.filter(  # the days the person volunteered (issue 21)
            date__year=year, organization=agreement.organization_id
        ).exclude(status=ServiceSheet.Status.RETURNED),
    ):
        for row in (
            rows.filter(participant=agreement.participant_id)
            .values("not_payable")
            .annotate(count=Count("pk"), amount=Sum("indemnity"))
            .order_by()
        ):
            line = by_reason.setdefault(
                row["not_payable"],
                {"reason": labels.get(row["not_payable"], ""), "count": 0, "amount": ZERO},
            )
            line["count"] += row["count"]
            line["amount"] += row["amount"]
    return [by_reason[reason] for reason in sorted(by_reason)]


def group_agreements(*, chantiers: QuerySet[Chantier]) -> QuerySet[VolunteerAgreement]:
    """The agreements of everyone enrolled in one of these chantiers' groups, with their person,
    chantier and organization."""
    group = Enrolment.objects.filter(chantier__in=chantiers).values("participant")
    return VolunteerAgreement.objects.filter(participant__in=group).select_related(
        "participant", "chantier", "organization"
    )


def agreement_chantier(
    *, agreement: VolunteerAgreement, chantiers: QuerySet[Chantier]
) -> Chantier | None:
    """The chantier an agreement's page goes with, among ``chantiers``: its own, else the latest
    one the person is enrolled in."""
    return (
        chantiers.filter(pk=agreement.chantier_id).first()
        or chantiers.filter(enrolments__participant=agreement.participant_id)
        .order_by("-starts_on")
        .first()
    )


def latest_insurance_policy(*, organization) -> str:
    """The insurance policy of the organization's last agreement that has one ("" if none): a
    new agreement starts from it."""
    return (
        VolunteerAgreement.objects.filter(organization=organization)
        .exclude(insurance_policy="")
        .order_by("-pk")
        .values_list("insurance_policy", flat=True)
        .first()
    ) or ""


def candidates(*, organization, query: str = "") -> QuerySet[Participant]:
    """The operator's people with an open pathway, by name: those who may join a chantier."""
    # Not participant_list(status="open"): its join also lets through people with no pathway.
    open_pathway = Pathway.objects.open().filter(participant=OuterRef("pk"))
    return participant_list(organization=organization, query=query).filter(Exists(open_pathway))


def participant_indemnities_section(*, participant, organization) -> dict | None:
    """The participant page's section of this year's indemnities (DESIGN §4 rule 2: the balance
    and the warning from 80 %, as on the grid), for a volunteer of this organization's chantiers:
    someone with an agreement or a mark here. None for anyone else."""
    year = timezone.localdate().year
    agreements = VolunteerAgreement.objects.filter(
        participant=OuterRef("pk"), organization=organization
    )
    marks = Attendance.objects.filter(
        participant=OuterRef("pk"), session__chantier__organization=organization
    )
    agreement, marked, real_costs = (
        Participant.objects.filter(pk=participant.pk)
        .annotate(
            agreement=Exists(agreements),
            marked=Exists(marks),
            real_regime=Exists(agreements.filter(scheme=VolunteerAgreement.Scheme.REAL_COSTS)),
        )
        .values_list("agreement", "marked", "real_regime")
        .get()
    )
    if not (agreement or marked):
        return None
    balance = year_balances(participant_ids=[participant.pk], organization=organization, year=year)
    return {
        "template": "chantiers/_participant_indemnities.html",
        "balance": balance[participant.pk],
        "participant": participant,
        "real_costs": real_costs,
    }


# --- The hosting partner's page (dashboard/views_hosting.py): figures, never a surname ----


def chantiers_hosted(*, organization) -> QuerySet[Chantier]:
    """The chantiers ``organization`` hosts (a housing company), whoever runs them."""
    return Chantier.objects.filter(host=organization)


def hosting_figures(*, chantier_ids: list[int]) -> dict:
    """Group size, attendance and open incidents of each chantier, in three grouped queries."""
    rates = attendance_rates(chantier_ids=chantier_ids)
    figures = {pk: {"group": 0, "open_incidents": 0} for pk in chantier_ids}
    for row in (
        Enrolment.objects.filter(chantier__in=chantier_ids, status__in=Enrolment.IN_GROUP)
        .values("chantier")
        .annotate(n=Count("pk"))
    ):
        figures[row["chantier"]]["group"] = row["n"]
    for row in (
        Incident.objects.filter(chantier__in=chantier_ids, closed_on__isnull=True)
        .values("chantier")
        .annotate(n=Count("pk"))
    ):
        figures[row["chantier"]]["open_incidents"] = row["n"]
    for pk, values in figures.items():
        values["rate"] = rates[pk]  # the chantier page's rate, shown by ``whole_percent``
    return figures


def hosting_next_sessions(*, chantier_ids: list[int], per_chantier: int) -> dict:
    """The next planned sessions of each chantier, at most ``per_chantier``, in one query."""
    upcoming = WorkSession.objects.filter(
        chantier__in=chantier_ids,
        date__gte=timezone.localdate(),
        status=WorkSession.Status.PLANNED,
    ).order_by("chantier", "date", "starts_at")
    sessions = {pk: [] for pk in chantier_ids}
    for session in upcoming:
        if len(sessions[session.chantier_id]) < per_chantier:
            sessions[session.chantier_id].append(session)
    return sessions


def hosting_first_names(*, chantier: Chantier) -> list[str]:
    """First names only: the partner never receives the surname or anything else of a person."""
    return list(
        Enrolment.objects.filter(chantier=chantier, status__in=Enrolment.IN_GROUP)
        .order_by("participant__first_name")
        .values_list("participant__first_name", flat=True)
    )


def hosting_incidents(*, chantier: Chantier) -> QuerySet[Incident]:
    """Kind, date, open or closed: no description, no people involved (they carry names)."""
    return Incident.objects.filter(chantier=chantier).only("pk", "kind", "date", "closed_on")
