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
4. a year without a configured ceiling pays nothing and says what to configure;
6. what was received elsewhere is declared per calendar year (``ElsewhereDeclaration``);
7. a year whose fixed part — validated or paid months, corrections, declarations — is above a
   ceiling is flagged (``CeilingExcess``) with the amount over, and stays flagged until direction
   records what was done; the open days of that year are paid nothing;
8. kilometres on present days are reimbursed at the year's rate of the vehicle, within the
   year's kilometre cap (declared kilometres count), on top of the flat rate.

Amounts are Decimal, rounded half-up to the cent. Recomputing is idempotent: completing the
paperwork, changing a mark or a ceiling and recomputing gives the amounts the rules say — except
in months whose statement is validated (rule 5): their amounts stay as validated, and count in
the year's total.
"""

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from chantiers.models import (
    ZERO,
    Attendance,
    CeilingExcess,
    ElsewhereDeclaration,
    IndemnityCeiling,
    MonthlyStatement,
    ServiceSheet,
    StatementCorrection,
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
    """One person's calendar year against the ceilings. ``paid`` is what this organisation's
    marks amount to (validated or not) with the corrections; ``validated`` the part of it that
    is validated or paid (statements, corrections), which no recomputation changes."""

    year: int
    annual_ceiling: Decimal | None
    declared_elsewhere: Decimal
    paid: Decimal  # by this operator, this year
    validated: Decimal = ZERO
    settled: Decimal = ZERO  # of which paid by a payment batch
    km_cap: int | None = None
    km_declared: int = 0
    km_used: int = 0  # reimbursed by this operator, this year
    excess: Decimal = ZERO  # above the annual ceiling, by the fixed part of the year
    km_excess: int = 0
    excess_id: int | None = None  # the open flag, to link to it

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

    @property
    def exceeded(self) -> bool:
        return self.excess > 0 or self.km_excess > 0

    @property
    def open_amount(self) -> Decimal:
        """Computed on the marks, not validated yet."""
        return self.paid - self.validated

    @property
    def validated_unpaid(self) -> Decimal:
        return self.validated - self.settled

    @property
    def km_total(self) -> int:
        return self.km_declared + self.km_used

    @property
    def km_remaining(self) -> int | None:
        return None if self.km_cap is None else max(0, self.km_cap - self.km_total)


def _income_on(incomes: list[IncomeSource], day: dt.date) -> IncomeSource | None:
    for income in incomes:
        if income.starts_on <= day and (income.ends_on is None or day <= income.ends_on):
            return income
    return None


def missing_paperwork(
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


def payable_agreement(
    day, agreements, incomes, *, chantier_id: int | None = None
) -> tuple[VolunteerAgreement | None, str]:
    """The agreement that pays ``day``: among those covering it, the day's own first — the
    chantier's for a mark on it, one without chantier for a volunteer's sheet (issue 21) — then
    the most recent."""
    covering = sorted(  # stable: the most recent first within each group
        (a for a in agreements if a.covers(day)), key=lambda a: a.chantier_id != chantier_id
    )
    if not covering:
        return None, Reason.NO_AGREEMENT
    first_reason = ""
    for agreement in covering:  # the most recent first
        reason = missing_paperwork(agreement, day, incomes)
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
        operator_of = dict(
            Participant.objects.select_for_update()
            .filter(pk__in=participant_ids)
            .order_by("pk")
            .values_list("pk", "organization")
        )
        ids = list(operator_of)
        ceiling = IndemnityCeiling.objects.filter(year=year).first()
        declared = {
            row["participant"]: (row["amount"] or ZERO, row["km"] or 0)
            for row in ElsewhereDeclaration.objects.filter(participant__in=ids, year=year)
            .values("participant")
            .annotate(amount=Sum("amount"), km=Sum("km"))
        }
        corrected = {
            row["statement__participant"]: (row["amount"] or ZERO, row["km"] or 0)
            for row in StatementCorrection.objects.filter(
                statement__participant__in=ids, statement__month__year=year
            )
            .values("statement__participant")
            .annotate(amount=Sum("amount"), km=Sum("km"))
        }
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
        # A volunteer's service sheets are present days of the same person (issue 21).
        sheets = _grouped(
            ServiceSheet.objects.filter(
                participant__in=ids,
                date__range=(first, last),
                organization=F("participant__organization"),
            ).order_by("date", "pk"),
            "participant_id",
        )
        balances, changed = {}, []
        for person in ids:
            balances[person] = indemnities_compute_one(
                year=year,
                ceiling=ceiling,
                declared=declared.get(person, (ZERO, 0)),
                corrected=corrected.get(person, (ZERO, 0)),
                agreements=agreements.get(person, []),
                incomes=incomes.get(person, []),
                locked=locked.get(person, set()),
                attendances=attendances.get(person, []),
                sheets=sheets.get(person, []),
                changed=changed,
            )
        computed = ["indemnity", "not_payable", "not_payable_acknowledged", "km_paid", "mileage"]
        for model in (Attendance, ServiceSheet):
            rows = [row for row in changed if isinstance(row, model)]
            model.objects.bulk_update(rows, computed, batch_size=500)
        flagged = _excesses_sync(balances=balances, operator_of=operator_of, year=year)
    return {
        person: replace(balance, excess_id=flagged.get(person))
        for person, balance in balances.items()
    }


def _excesses_sync(
    *, balances: dict[int, YearBalance], operator_of: dict, year: int
) -> dict[int, int]:
    """Rule 7: open a flag for each person whose year went above a ceiling, update its amounts
    while it is open, and close it by itself when corrected data bring the year back within the
    ceilings. What direction answered (recovered, accepted as taxable) covers that excess and no
    larger one, until the year is found within the ceilings again: any excess after that is a
    new case. Returns the open flag of each person."""
    Outcome = CeilingExcess.Outcome
    known: dict[int, list[CeilingExcess]] = {}
    for excess in CeilingExcess.objects.filter(
        participant__in=list(balances), year=year, superseded_at__isnull=True
    ).exclude(outcome=Outcome.CORRECTED):
        known.setdefault(excess.participant_id, []).append(excess)
    now, flagged, superseded = timezone.now(), {}, []
    for person, balance in balances.items():
        rows = known.get(person, [])
        current = next((row for row in rows if row.is_open), None)
        over, km_over = balance.excess, balance.km_excess
        if not balance.exceeded:
            if current is not None:
                current.outcome, current.resolved_at = Outcome.CORRECTED, now
                current.save(update_fields=["outcome", "resolved_at"])
            superseded += [row.pk for row in rows if not row.is_open]
            continue
        if current is not None:
            if (current.amount_over, current.km_over) != (over, km_over):
                current.amount_over, current.km_over = over, km_over
                current.save(update_fields=["amount_over", "km_over"])
            flagged[person] = current.pk
            continue
        answered = any(row.amount_over >= over and row.km_over >= km_over for row in rows)
        if not answered:
            flagged[person] = CeilingExcess.objects.create(
                participant_id=person,
                organization_id=operator_of[person],
                year=year,
                amount_over=over,
                km_over=km_over,
            ).pk
    if superseded:
        CeilingExcess.objects.filter(pk__in=superseded).update(superseded_at=now)
    return flagged


def indemnities_compute_one(
    *,
    year,
    ceiling,
    declared,
    corrected,
    agreements,
    incomes,
    locked,
    attendances,
    changed,
    sheets=(),
) -> YearBalance:
    """Rules 1–4, 7 and 8 for one person and year; the attendances (and service sheets) whose
    amounts change go to ``changed``. In memory only, on rows already loaded:
    ``indemnities_recompute_many`` loads and saves them (the demo computes rows not saved yet).
    A day's chantier sessions come before its service sheet: the sheet of a day already paid
    on a chantier is not paid a second time."""
    declared_elsewhere, km_declared = money(declared[0]), declared[1]
    # Never both schemes in one year: one real-costs agreement excludes the flat rate.
    real_costs_year = any(a.scheme == VolunteerAgreement.Scheme.REAL_COSTS for a in agreements)
    # Validated months keep their amounts, and those count for the whole year from the
    # start — with the corrections and what was received elsewhere: an earlier day still open
    # cannot spend what a later, validated month paid.
    days = sorted([*attendances, *sheets], key=lambda row: row.day)  # stable: sessions first
    fixed = [a for a in days if a.day.month in locked]
    validated = sum((a.indemnity for a in fixed), ZERO) + corrected[0]
    km_validated = sum(a.km_paid for a in fixed) + corrected[1]
    spent, km_spent = declared_elsewhere + validated, km_declared + km_validated
    paid, km_used = validated, km_validated
    indemnified_days = {a.day for a in fixed if a.indemnity}
    for attendance in days:
        day = attendance.day
        if day.month in locked:
            continue
        amount, reason, km_paid, mileage = ZERO, "", 0, ZERO
        if attendance.is_present:
            agreement = None
            if ceiling is None:
                reason = Reason.NO_CEILING
            elif real_costs_year:
                reason = Reason.REAL_COSTS
            else:
                agreement, reason = payable_agreement(
                    day, agreements, incomes, chantier_id=attendance.chantier_id_of_day
                )
            if agreement is not None and day in indemnified_days:
                reason = Reason.OTHER_SESSION  # the trip of a second session is still paid
            elif agreement is not None:
                indemnified_days.add(day)
                daily = money(min(agreement.daily_rate, ceiling.daily))
                amount = min(daily, max(ZERO, ceiling.annual - spent))
                if amount < daily:
                    reason = Reason.ANNUAL_CEILING
                spent += amount
            rate = ceiling.km_rate(attendance.vehicle) if agreement is not None else None
            if attendance.km and rate is not None:
                km_paid = min(attendance.km, max(0, ceiling.km_cap - km_spent))
                mileage = money(km_paid * rate)
                km_spent += km_paid
        paid += amount
        km_used += km_paid
        now = (amount, reason, km_paid, mileage)
        if (attendance.indemnity, attendance.not_payable) != (amount, reason):
            attendance.not_payable_acknowledged = False  # a new reason is confirmed anew
        if (
            attendance.indemnity,
            attendance.not_payable,
            attendance.km_paid,
            attendance.mileage,
        ) != now:
            attendance.indemnity, attendance.not_payable, attendance.km_paid, attendance.mileage = (
                now
            )
            changed.append(attendance)
    annual = ceiling.annual if ceiling else None
    km_cap = ceiling.km_cap if ceiling else None
    return YearBalance(
        year=year,
        annual_ceiling=annual,
        declared_elsewhere=declared_elsewhere,
        paid=paid,
        validated=validated,
        km_cap=km_cap,
        km_declared=km_declared,
        km_used=km_used,
        excess=max(ZERO, declared_elsewhere + validated - annual) if annual else ZERO,
        km_excess=max(0, km_declared + km_validated - km_cap) if km_cap is not None else 0,
    )
