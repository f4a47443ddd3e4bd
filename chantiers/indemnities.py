"""The indemnity engine: rules 1–4 of DESIGN §4 "Indemnities", the only place amounts are computed.

The law allows a flat-rate reimbursement of a volunteer's expenses within a daily and an annual
ceiling per person and calendar year; above either, the whole amount becomes taxable pay, which
can cost a person on benefits their benefits. So, per participant and calendar year:

1. one indemnity per calendar day with a present-like mark, whatever the number of sessions or
   chantiers that day: the agreement's daily rate, never above the year's daily ceiling;
2. the year's total — all agreements of the operator, plus what the volunteer declared receiving
   elsewhere — never exceeds the annual ceiling: the day that would cross it is paid only the
   remaining balance, the following days nothing, each with its reason;
3. nothing without a signed agreement covering the day, the organisation note given and the
   declaration the income source of that day requires (presence is still recorded);
4. a year without a configured ceiling pays nothing and says what to configure.

Amounts are Decimal, rounded half-up to the cent. Recomputing is idempotent: completing the
paperwork, changing a mark or a ceiling and recomputing gives the amounts the rules say — except
in months whose statement is validated (rule 5): their amounts stay as validated, and count in
the year's total.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, Q

from chantiers.models import (
    ZERO,
    Attendance,
    IndemnityCeiling,
    MonthlyStatement,
    VolunteerAgreement,
)
from participants.models import IncomeKind, IncomeSource, Participant

WARNING_RATIO = Decimal("0.80")

# The declaration each income source requires before volunteering (DESIGN §3).
DECLARATION_REQUIRED = {
    IncomeKind.UNEMPLOYMENT: VolunteerAgreement.Declaration.C45B,
    IncomeKind.RIS: VolunteerAgreement.Declaration.CPAS_INFORMED,
    IncomeKind.RIS_EQUIVALENT: VolunteerAgreement.Declaration.CPAS_INFORMED,
    IncomeKind.DISABILITY: VolunteerAgreement.Declaration.MEDICAL_ADVISER,
    IncomeKind.NONE: VolunteerAgreement.Declaration.NONE,
    IncomeKind.OTHER: VolunteerAgreement.Declaration.NONE,
}

Reason = Attendance.NotPayable


def money(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class YearBalance:
    year: int
    annual_ceiling: Decimal | None
    declared_elsewhere: Decimal
    paid: Decimal  # by this operator, this year

    @property
    def total(self) -> Decimal:
        return self.declared_elsewhere + self.paid

    @property
    def remaining(self) -> Decimal | None:
        if self.annual_ceiling is None:
            return None
        return max(ZERO, self.annual_ceiling - self.total)

    @property
    def warning(self) -> bool:
        """From 80 % of the annual ceiling: the coordinator and the counsellor are told."""
        return self.annual_ceiling is not None and self.total >= WARNING_RATIO * self.annual_ceiling


def _income_on(incomes: list[IncomeSource], day: dt.date) -> IncomeSource | None:
    for income in incomes:
        if income.starts_on <= day and (income.ends_on is None or day <= income.ends_on):
            return income
    return None


def _missing_paperwork(
    agreement: VolunteerAgreement, day: dt.date, incomes: list[IncomeSource]
) -> str:
    """The first reason this agreement cannot pay for ``day``, or "" when it can."""
    if agreement.signed_on is None or agreement.signed_on > day:
        return Reason.NOT_SIGNED
    if agreement.organisation_note_given_on is None or agreement.organisation_note_given_on > day:
        return Reason.NOTE_MISSING
    income = _income_on(incomes, day)
    if income is None:
        return Reason.INCOME_UNKNOWN
    required = DECLARATION_REQUIRED[income.kind]
    if required != VolunteerAgreement.Declaration.NONE and (
        agreement.declaration != required
        or agreement.declaration_on is None
        or agreement.declaration_on > day
    ):
        return Reason.DECLARATION_MISSING
    if agreement.scheme == VolunteerAgreement.Scheme.REAL_COSTS:
        return Reason.REAL_COSTS
    return ""


def _payable_agreement(day, agreements, incomes) -> tuple[VolunteerAgreement | None, str]:
    covering = [a for a in agreements if a.covers(day)]
    if not covering:
        return None, Reason.NO_AGREEMENT
    first_reason = ""
    for agreement in covering:  # the most recent first
        reason = _missing_paperwork(agreement, day, incomes)
        if not reason:
            return agreement, ""
        first_reason = first_reason or reason
    return None, first_reason


def indemnities_recompute(*, participant: Participant, year: int) -> YearBalance:
    """Recompute every attendance of ``participant`` in ``year`` and return the year's balance."""
    return indemnities_recompute_many(participant_ids=[participant.pk], year=year)[participant.pk]


def _grouped(rows, key: str) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(getattr(row, key), []).append(row)
    return grouped


def indemnities_recompute_many(*, participant_ids, year: int) -> dict[int, YearBalance]:
    """The same for several people at once (a whole session's group): a fixed number of queries,
    whatever the size of the group. Returns each person's balance for the year."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    own_operator = Q(organization=F("participant__organization"))
    with transaction.atomic():
        # One recomputation at a time per person: two saves at once cannot both spend the
        # remaining balance. Always locked in the same order (by id).
        ids = list(
            Participant.objects.select_for_update()
            .filter(pk__in=participant_ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ceiling = IndemnityCeiling.objects.filter(year=year).first()
        agreements = _grouped(
            VolunteerAgreement.objects.filter(
                own_operator, participant__in=ids, starts_on__lte=last
            )
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
            .order_by("-starts_on", "-pk"),
            "participant_id",
        )
        incomes = _grouped(IncomeSource.objects.filter(participant__in=ids), "participant_id")
        locked: dict[int, set[int]] = {}
        for person, month in (
            MonthlyStatement.objects.filter(participant__in=ids, month__year=year)
            .exclude(status=MonthlyStatement.Status.DRAFT)
            .values_list("participant", "month__month")
        ):
            locked.setdefault(person, set()).add(month)
        attendances = _grouped(
            Attendance.objects.filter(
                participant__in=ids,
                session__date__range=(first, last),
                session__chantier__organization=F("participant__organization"),
            )
            .select_related("session")
            .order_by("session__date", "session__starts_at", "pk"),
            "participant_id",
        )
        balances, changed = {}, []
        for person in ids:
            balances[person] = _recompute_one(
                year=year,
                ceiling=ceiling,
                agreements=agreements.get(person, []),
                incomes=incomes.get(person, []),
                locked=locked.get(person, set()),
                attendances=attendances.get(person, []),
                changed=changed,
            )
        Attendance.objects.bulk_update(
            changed, ["indemnity", "not_payable", "not_payable_acknowledged"], batch_size=500
        )
    return balances


def _recompute_one(
    *, year, ceiling, agreements, incomes, locked, attendances, changed
) -> YearBalance:
    """Rules 1–4 for one person and year; the attendances whose amount changes go to ``changed``."""
    # What the volunteer declared receiving elsewhere is declared for the year an agreement
    # starts: an agreement carried over from last year says nothing about this year.
    declared_elsewhere = money(
        max((a.amount_from_others for a in agreements if a.starts_on.year == year), default=ZERO)
    )
    # Never both schemes in one year: one real-costs agreement excludes the flat rate.
    real_costs_year = any(a.scheme == VolunteerAgreement.Scheme.REAL_COSTS for a in agreements)
    # Validated months keep their amounts, and those count for the whole year from the
    # start: an earlier day still open cannot spend what a later, validated month paid.
    locked_total = sum((a.indemnity for a in attendances if a.session.date.month in locked), ZERO)
    spent = declared_elsewhere + locked_total
    paid = locked_total
    indemnified_days = {
        a.session.date for a in attendances if a.session.date.month in locked and a.indemnity
    }
    for attendance in attendances:
        amount, reason = ZERO, ""
        day = attendance.session.date
        if day.month in locked:
            continue
        if attendance.status in Attendance.PRESENT_LIKE:
            if ceiling is None:
                reason = Reason.NO_CEILING
            elif real_costs_year:
                reason = Reason.REAL_COSTS
            elif day in indemnified_days:
                reason = Reason.OTHER_SESSION
            else:
                agreement, reason = _payable_agreement(day, agreements, incomes)
                if agreement is not None:
                    indemnified_days.add(day)
                    daily = money(min(agreement.daily_rate, ceiling.daily))
                    remaining = max(ZERO, ceiling.annual - spent)
                    amount = min(daily, remaining)
                    if amount < daily:
                        reason = Reason.ANNUAL_CEILING
                    spent += amount
                    paid += amount
        if (attendance.indemnity, attendance.not_payable) != (amount, reason):
            attendance.indemnity, attendance.not_payable = amount, reason
            attendance.not_payable_acknowledged = False  # a new reason is confirmed anew
            changed.append(attendance)
    return YearBalance(
        year=year,
        annual_ceiling=ceiling.annual if ceiling else None,
        declared_elsewhere=declared_elsewhere,
        paid=paid,
    )
