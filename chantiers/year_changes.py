"""What changes a volunteer's year after the fact (DESIGN §4 rules 6–8): a declaration of what
they received elsewhere, a correction of a validated month, direction's answer when the year
went above a ceiling, and the real costs of a volunteer under that regime. Each change of an
amount recomputes the year at once, under the person's lock, so that the flag of an excess
(``CeilingExcess``) is never one save behind."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.dates import month_bounds
from accounts.models import Membership, Role, User
from accounts.templatetags.formatting import euros
from chantiers.indemnities import (
    YearBalance,
    indemnities_recompute,
    missing_paperwork,
    money,
    payable_agreement,
)
from chantiers.models import (
    ZERO,
    Attendance,
    CeilingExcess,
    ElsewhereDeclaration,
    IndemnityCeiling,
    MonthlyStatement,
    RealCost,
    ServiceSheet,
    StatementCorrection,
    Vehicle,
    VolunteerAgreement,
)
from chantiers.selectors import locked_months
from chantiers.storage import document_problem
from participants.models import IncomeSource, Participant


def _lock(participant_id: int) -> Participant:
    """The common lock order of every service that changes amounts: the person first."""
    return Participant.objects.select_for_update().get(pk=participant_id)


@transaction.atomic
def declaration_save(*, declaration: ElsewhereDeclaration, by: User) -> YearBalance:
    """A year's declaration recorded (rule 6), the year recomputed: if it takes the year above
    the annual ceiling with what is already validated, the person is flagged (rule 7)."""
    participant = _lock(declaration.participant_id)
    if declaration.amount < 0 or declaration.km < 0:
        raise ValidationError(_("Un montant déclaré ne peut pas être négatif."))
    if not declaration.amount and not declaration.km:
        raise ValidationError(_("Indiquez un montant ou des kilomètres."))
    if declaration.declared_on > timezone.localdate():
        raise ValidationError({"declared_on": _("La date ne peut pas être dans le futur.")})
    if declaration.proof_file and not declaration.proof_file._committed:  # a new upload
        problem = document_problem(declaration.proof_file)
        if problem:
            raise ValidationError({"proof_file": problem})
    if declaration.pk is None:
        declaration.entered_by = by
        earlier_year = None
    else:  # a year corrected: the year it leaves is recomputed too
        earlier_year = ElsewhereDeclaration.objects.get(pk=declaration.pk).year
    declaration.organization_id = participant.organization_id
    declaration.amount = money(declaration.amount)
    declaration.save()
    if earlier_year not in (None, declaration.year):
        indemnities_recompute(participant=participant, year=earlier_year)
    return indemnities_recompute(participant=participant, year=declaration.year)


@transaction.atomic
def declaration_delete(*, declaration: ElsewhereDeclaration) -> YearBalance:
    """A declaration entered by mistake removed (the audit log keeps it); the year recomputed."""
    participant = _lock(declaration.participant_id)
    year = declaration.year
    _file_delete_on_commit(declaration.proof_file)
    declaration.delete()
    return indemnities_recompute(participant=participant, year=year)


@transaction.atomic
def excess_resolve(
    *,
    excess: CeilingExcess,
    outcome: str,
    by: User,
    told_on: dt.date | None,
    recovered_amount: Decimal | None = None,
    note: str = "",
    seen: Decimal | None = None,
) -> CeilingExcess:
    """Direction records what was done about an excess (rule 7): the amount recovered, or the
    year accepted as taxable pay with the day the volunteer was told. Statements and payments
    of the person are free again. ``seen``: the amount over the page showed — if it changed
    meanwhile, direction answers the new one."""
    if not Membership.objects.holds(
        user=by, organization=excess.organization_id, role=Role.DIRECTION
    ):
        raise PermissionDenied
    _lock(excess.participant_id)
    excess = CeilingExcess.objects.select_for_update().get(pk=excess.pk)
    if not excess.is_open:
        raise ValidationError(_("La suite de ce dépassement est déjà enregistrée."))
    if seen is not None and seen != excess.amount_over:
        raise ValidationError(
            _(
                "Le dépassement a changé entre-temps : %(over)s au-delà maintenant. Vérifiez, "
                "puis enregistrez la suite donnée."
            )
            % {"over": euros(excess.amount_over)}
        )
    errors = {}
    if outcome not in (CeilingExcess.Outcome.RECOVERED, CeilingExcess.Outcome.TAXABLE):
        errors["outcome"] = _("Choisissez la suite donnée.")
    if told_on is None:
        errors["told_on"] = _("Indiquez la date à laquelle la personne a été informée.")
    elif told_on > timezone.localdate():
        errors["told_on"] = _("La date ne peut pas être dans le futur.")
    if outcome == CeilingExcess.Outcome.RECOVERED and (
        recovered_amount is None or recovered_amount < excess.amount_over
    ):
        # A part recovered leaves the year above the ceiling: that is not an answer.
        errors["recovered_amount"] = _(
            "Indiquez le montant récupéré : au moins le dépassement, %(over)s."
        ) % {"over": euros(excess.amount_over)}
    if errors:
        raise ValidationError(errors)
    excess.outcome, excess.told_on, excess.note = outcome, told_on, note.strip()
    excess.recovered_amount = (
        money(recovered_amount) if outcome == CeilingExcess.Outcome.RECOVERED else None
    )
    excess.resolved_by, excess.resolved_at = by, timezone.now()
    excess.save()
    return excess


@transaction.atomic
def correction_create(
    *,
    statement: MonthlyStatement,
    amount: Decimal,
    km: int,
    reason: str,
    by: User,
    vehicle: str = "",
) -> StatementCorrection:
    """A validated month corrected by a line (rule 8), never edited. A positive line pays only
    what the month's payable days allow — the daily rate within the daily ceiling, a day whose
    paperwork was done, never under the real-costs regime — and never a cent across the annual
    ceiling or the km cap; a negative one takes back no more than the month paid. Kilometres
    are corrected at the year's rate of their vehicle. A later payment batch carries it."""
    participant = _lock(statement.participant_id)
    statement = MonthlyStatement.objects.select_for_update().get(pk=statement.pk)
    if not statement.is_locked:
        raise ValidationError(
            _("Cette fiche n'est pas validée : corrigez les présences, puis préparez-la à nouveau.")
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Le motif de la correction est obligatoire.")})
    amount, km = money(amount), int(km)
    if not amount and not km:
        raise ValidationError(_("Indiquez un montant ou des kilomètres à corriger."))
    if km and vehicle not in Vehicle.values:
        raise ValidationError({"vehicle": _("Indiquez le véhicule de ces kilomètres.")})
    vehicle = vehicle if km else ""
    year = statement.month.year
    ceiling = IndemnityCeiling.objects.filter(year=year).first()
    if ceiling is None:
        raise ValidationError(
            _(
                "Aucun plafond de défraiement n'est configuré pour %(year)s. L'administration "
                "doit l'ajouter."
            )
            % {"year": year}
        )
    balance = indemnities_recompute(participant=participant, year=year)
    room = _month_room(statement, ceiling)
    corrected = list(statement.corrections.all())
    flat_paid = statement.amount + sum((c.amount for c in corrected), ZERO)
    errors = {}
    if amount > 0 and amount > room.flat - flat_paid:
        errors["amount"] = _(
            "Au-delà de ce que les jours payables du mois permettent (le forfait du jour dans le "
            "plafond journalier, les papiers en ordre, pas de frais réels) : au plus %(most)s."
        ) % {"most": euros(max(ZERO, room.flat - flat_paid))}
    elif amount > 0 and amount > balance.remaining:
        errors["amount"] = _(
            "Cette correction dépasserait le plafond annuel de %(year)s : il reste %(remaining)s."
        ) % {"year": year, "remaining": euros(balance.remaining)}
    elif amount < 0 and -amount > flat_paid:
        errors["amount"] = _("Plus retiré que la fiche n'a payé de forfait.")
    mileage = ZERO
    if km:
        rate = ceiling.km_rate(vehicle)
        if rate is None:
            errors["km"] = _(
                "Aucune indemnité kilométrique n'est configurée pour ce véhicule en %(year)s. "
                "L'administration doit l'ajouter."
            ) % {"year": year}
        elif km > 0 and not room.payable_days:
            errors["km"] = _("Aucun jour payable ce mois-là : pas de kilomètres à ajouter.")
        elif km > 0 and km > balance.km_remaining:
            errors["km"] = _("Au-delà des %(cap)s km de l'année : il en reste %(left)s.") % {
                "cap": ceiling.km_cap,
                "left": balance.km_remaining,
            }
        else:
            mileage = money(km * rate)
            paid_here = room.mileage.get(vehicle, ZERO) + sum(
                (c.mileage for c in corrected if c.vehicle == vehicle), ZERO
            )
            if mileage < 0 and -mileage > paid_here:
                errors["km"] = _(
                    "Plus retiré que la fiche n'a payé pour ce véhicule (%(paid)s)."
                ) % {"paid": euros(paid_here)}
    if errors:
        raise ValidationError(errors)
    correction = StatementCorrection.objects.create(
        statement=statement,
        amount=amount,
        km=km,
        vehicle=vehicle,
        mileage=mileage,
        reason=reason.strip(),
        created_by=by,
    )
    indemnities_recompute(participant=participant, year=year)
    return correction


@dataclass
class _MonthRoom:
    flat: Decimal  # the most the month's payable days allow at the flat rate
    payable_days: int
    mileage: dict[str, Decimal]  # paid for the month's trips, by vehicle


def _month_room(statement: MonthlyStatement, ceiling: IndemnityCeiling) -> _MonthRoom:
    """What the corrected month could have paid, by the rules the engine applies (1, 3, 8)."""
    first, last = month_bounds(statement.month)
    participant_id, organization_id = statement.participant_id, statement.organization_id
    marks = [  # the chantiers' marks and the volunteer's sheets (issue 21)
        *Attendance.objects.filter(
            participant=participant_id,
            session__date__range=(first, last),
            session__chantier__organization=organization_id,
        ).select_related("session"),
        *ServiceSheet.objects.filter(
            participant=participant_id, date__range=(first, last), organization=organization_id
        ),
    ]
    agreements = list(
        VolunteerAgreement.objects.filter(
            participant=participant_id, organization=organization_id, starts_on__lte=last
        ).order_by("-starts_on", "-pk")
    )
    incomes = list(IncomeSource.objects.filter(participant=participant_id))
    real_costs_year = any(
        a.scheme == VolunteerAgreement.Scheme.REAL_COSTS
        and a.starts_on.year <= first.year <= (a.ends_on or last).year
        for a in agreements
    )
    flat, days = ZERO, 0
    days_of = {}
    for mark in sorted(marks, key=lambda mark: mark.day):  # a day's sessions before its sheet
        if mark.is_present:
            days_of.setdefault(mark.day, mark.chantier_id_of_day)
    for day, chantier_id in sorted(days_of.items()):
        agreement, _reason = payable_agreement(day, agreements, incomes, chantier_id=chantier_id)
        if agreement is not None and not real_costs_year:
            flat += money(min(agreement.daily_rate, ceiling.daily))
            days += 1
    mileage: dict[str, Decimal] = {}
    for mark in marks:
        if mark.mileage:
            mileage[mark.vehicle] = mileage.get(mark.vehicle, ZERO) + mark.mileage
    return _MonthRoom(flat=flat, payable_days=days, mileage=mileage)


@transaction.atomic
def correction_settle(
    *, correction: StatementCorrection, on: dt.date, note: str, by: User
) -> StatementCorrection:
    """Direction records a correction settled outside a batch (the person repaid it, or it was
    paid by other means): no batch carries it any more."""
    if not Membership.objects.holds(
        user=by, organization=correction.statement.organization_id, role=Role.DIRECTION
    ):
        raise PermissionDenied
    _lock(correction.statement.participant_id)  # as a batch that would carry it
    correction = StatementCorrection.objects.select_for_update().get(pk=correction.pk)
    if not correction.is_pending:
        raise ValidationError(_("Cette correction est déjà réglée."))
    if on > timezone.localdate():
        raise ValidationError({"settled_on": _("La date ne peut pas être dans le futur.")})
    if not note.strip():
        raise ValidationError({"settled_note": _("Dites comment elle a été réglée.")})
    correction.settled_on, correction.settled_note = on, note.strip()
    correction.save(update_fields=["settled_on", "settled_note"])
    return correction


@transaction.atomic
def real_cost_add(*, cost: RealCost, by: User) -> RealCost:
    """An expense repaid on its receipt (rule 8): only under a real-costs agreement covering its
    day with its paperwork done, never in a validated month (a correction is for that), always
    with the receipt. It does not count against the flat-rate ceilings."""
    participant = _lock(cost.participant_id)
    errors = {}
    if cost.amount is None or cost.amount <= 0:
        errors["amount"] = _("Le montant doit être positif.")
    if cost.date > timezone.localdate():
        errors["date"] = _("La date ne peut pas être dans le futur.")
    # A file just sent is checked; one already kept (a service sheet's) was checked then.
    problem = (
        (document_problem(cost.receipt) if not cost.receipt._committed else "")
        if cost.receipt
        else _("Joignez le ticket ou la facture.")
    )
    if problem:
        errors["receipt"] = problem
    if errors:
        raise ValidationError(errors)
    if locked_months(participant_ids=[participant.pk], months={cost.date.replace(day=1)}):
        raise ValidationError(
            {"date": _("Le mois de cette dépense est validé : ajoutez une correction à sa fiche.")}
        )
    reason = _real_costs_refusal(participant, cost.date)
    if reason:
        raise ValidationError({"date": reason})
    cost.organization_id = participant.organization_id
    cost.amount = money(cost.amount)
    cost.entered_by = by
    cost.save()
    return cost


def _real_costs_refusal(participant: Participant, day: dt.date) -> str:
    """Why real costs cannot be repaid for this day, in words; empty when they can."""
    agreements = [
        agreement
        for agreement in VolunteerAgreement.objects.filter(
            participant=participant,
            organization=participant.organization_id,
            scheme=VolunteerAgreement.Scheme.REAL_COSTS,
        ).order_by("-starts_on", "-pk")
        if agreement.covers(day)
    ]
    if not agreements:
        return _("Pas de convention au régime des frais réels couvrant ce jour.")
    incomes = list(IncomeSource.objects.filter(participant=participant))
    reasons = [missing_paperwork(agreement, day, incomes) for agreement in agreements]
    if Attendance.NotPayable.REAL_COSTS in reasons:  # everything done but the regime: payable
        return ""
    return str(Attendance.NotPayable(reasons[0]).label)


@transaction.atomic
def real_cost_delete(*, cost: RealCost) -> None:
    """An expense entered by mistake, while its month is not validated (the audit log keeps it)."""
    _lock(cost.participant_id)
    if locked_months(participant_ids=[cost.participant_id], months={cost.date.replace(day=1)}):
        raise ValidationError(
            _("Le mois de cette dépense est validé : ajoutez une correction à sa fiche.")
        )
    if ServiceSheet.objects.filter(real_cost=cost).exists():
        raise ValidationError(
            _(
                "Cette dépense vient d'une fiche de prestation validée (son ticket est celui de "
                "la fiche) : si elle est erronée, ajoutez une correction à la fiche du mois "
                "une fois celui-ci validé."
            )
        )
    _file_delete_on_commit(cost.receipt)
    cost.delete()


def _file_delete_on_commit(file) -> None:
    """The file goes with its row, once the row is gone for good: a rollback keeps both."""
    if file:
        name, storage = file.name, file.storage
        transaction.on_commit(lambda: storage.delete(name))
