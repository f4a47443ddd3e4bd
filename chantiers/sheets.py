"""Service sheets (issue 21): the days a volunteer served the organisation outside a chantier,
entered by the volunteer, validated or sent back by a coordinator. Each change recomputes the
person's year under their lock, with the same engine and ceilings as the chantiers' marks: one
person, one year, whatever the agreement (DESIGN §4, "Volunteers")."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from chantiers.indemnities import indemnities_recompute, money
from chantiers.models import ZERO, Attendance, RealCost, ServiceSheet
from chantiers.selectors import locked_months
from chantiers.storage import document_problem
from chantiers.year_changes import (
    _file_delete_on_commit,
    _lock,
    _real_costs_refusal,
    real_cost_add,
)

SAME_DAY = gettext_lazy(
    "Une prestation est déjà notée ce jour-là : modifiez-la plutôt que d'en ajouter une seconde."
)
MONTH_VALIDATED = gettext_lazy(
    "Le mois de cette prestation est déjà validé : demandez à votre coordinateur·rice de "
    "l'ajouter en correction."
)
# The same refusals said to the coordinator typing a paper sheet (``sheet_enter_signed``).
SAME_DAY_STAFF = gettext_lazy(
    "Une prestation est déjà notée ce jour-là pour cette personne : validez-la ou renvoyez-la "
    "depuis sa page."
)
MONTH_VALIDATED_STAFF = gettext_lazy(
    "Le mois de cette prestation est déjà validé : ajoutez-la en correction à la fiche du mois."
)
NO_REAL_COSTS = gettext_lazy(
    "Votre convention ne prévoit pas le remboursement de frais sur ticket ce jour-là "
    "(%(reason)s) : vos frais sont couverts par le forfait."
)
NO_REAL_COSTS_STAFF = gettext_lazy(
    "La convention de la personne ne prévoit pas le remboursement de frais sur ticket ce "
    "jour-là (%(reason)s) : ses frais sont couverts par le forfait."
)


# Reasons not to pay a day that a validation need not confirm: a paper sheet is validated with
# them (``sheet_enter_signed``).
SAID_ONLY = Attendance.INFORMATIVE | {Attendance.NotPayable.REAL_COSTS}


def _checked(sheet: ServiceSheet) -> None:
    """What the volunteer typed, checked: every problem at once, next to its field."""
    errors = {}
    if sheet.date and sheet.date > timezone.localdate():
        errors["date"] = _("Une prestation se note une fois faite : la date est dans le futur.")
    if sheet.hours is not None and not (Decimal("0.25") <= sheet.hours <= 24):
        errors["hours"] = _("Indiquez un nombre d'heures entre 0,25 et 24.")
    if sheet.km and not sheet.vehicle:
        errors["vehicle"] = _("Indiquez le véhicule des kilomètres.")
    # A file just sent is checked whatever it goes with; one already kept was checked then.
    uploaded = bool(sheet.receipt) and not sheet.receipt._committed
    problem = document_problem(sheet.receipt) if uploaded else ""
    if sheet.expense_amount:
        if not sheet.expense_description.strip():
            errors["expense_description"] = _("Indiquez l'objet des frais.")
        if not sheet.receipt:
            problem = _("Joignez une photo du ticket ou de la facture.")
    if problem:
        errors["receipt"] = problem
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def sheet_submit(*, sheet: ServiceSheet, by: User) -> ServiceSheet:
    """A new sheet, or one sent back and corrected, sent for validation; the year recomputed
    (the day is counted at once against the ceilings, as a mark on a chantier is)."""
    return _submit(sheet, by, staff=False)


@transaction.atomic
def sheet_enter_signed(*, sheet: ServiceSheet, by: User) -> ServiceSheet:
    """A paper sheet the volunteer signed, typed by a coordinator or the direction (many
    volunteers have no log-in): entered and validated by that staff member at once — the
    signature is the volunteer's word, the typing the staff's check. Every rule of
    ``sheet_submit`` holds, in the staff's words; refused, nothing is kept (nor the receipt).

    A day the engine does not pay for a reason a validation confirms (no agreement, a ceiling, a
    missing declaration…: rule 5) is not validated with it: the reason is known only once the
    sheet is entered, so the sheet waits with its reason shown, for a validation in full
    knowledge. The informative reasons (paid elsewhere that day, the real-costs regime) do not
    hold it."""
    if sheet.pk is not None:
        raise ValueError("A paper sheet is a new sheet; a sheet entered is answered instead.")
    sheet = _submit(sheet, by, staff=True)
    if sheet.not_payable and sheet.not_payable not in SAID_ONLY:
        return sheet
    try:
        # Under the person's lock still: what submitting checked (month, regime, receipt) holds.
        return sheet_validate(sheet=sheet, by=by)
    except ValidationError:
        if sheet.receipt:  # its row is rolled back: the file goes with it
            sheet.receipt.storage.delete(sheet.receipt.name)
        raise


def _submit(sheet: ServiceSheet, by: User, *, staff: bool) -> ServiceSheet:
    participant = _lock(sheet.participant_id)
    _checked(sheet)
    previous = None
    if sheet.pk is not None:
        previous = ServiceSheet.objects.select_for_update().get(pk=sheet.pk)
        if previous.is_locked:
            raise ValidationError(_("Cette prestation est validée : elle ne change plus."))
    # The volunteering's end (``volunteers.Volunteer``, by its relation: that app is above this
    # one): no day after it.
    volunteering = getattr(participant, "volunteer", None)
    if volunteering is not None and volunteering.ended_on and sheet.date > volunteering.ended_on:
        raise ValidationError(
            {
                "date": _("Le bénévolat a pris fin le %(date)s : pas de prestation après.")
                % {"date": volunteering.ended_on.strftime("%d/%m/%Y")}
            }
        )
    months = {sheet.date.replace(day=1)} | ({previous.date.replace(day=1)} if previous else set())
    if locked_months(participant_ids=[participant.pk], months=months):
        raise ValidationError({"date": MONTH_VALIDATED_STAFF if staff else MONTH_VALIDATED})
    reason = _real_costs_refusal(participant, sheet.date) if sheet.expense_amount else ""
    if reason:
        message = NO_REAL_COSTS_STAFF if staff else NO_REAL_COSTS
        raise ValidationError({"expense_amount": message % {"reason": reason}})
    # Under the person's lock, no other sheet of theirs can be written meanwhile: asked before
    # the save, so that a refused sheet leaves no file behind.
    if (
        ServiceSheet.objects.filter(participant=participant, date=sheet.date)
        .exclude(pk=sheet.pk)
        .exists()
    ):
        raise ValidationError({"date": SAME_DAY_STAFF if staff else SAME_DAY})
    sheet.organization_id = participant.organization_id
    sheet.expense_amount = money(sheet.expense_amount or ZERO)
    sheet.status, sheet.return_reason, sheet.entered_by = ServiceSheet.Status.SUBMITTED, "", by
    sheet.save()
    if previous is not None and previous.receipt and previous.receipt.name != sheet.receipt.name:
        _file_delete_on_commit(previous.receipt)  # a photo replaced: the old one goes
    for year in {sheet.date.year} | ({previous.date.year} if previous else set()):
        indemnities_recompute(participant=participant, year=year)
    sheet.refresh_from_db()
    return sheet


def _waiting(sheet: ServiceSheet) -> ServiceSheet:
    sheet = ServiceSheet.objects.select_for_update().get(pk=sheet.pk)
    if sheet.status != ServiceSheet.Status.SUBMITTED:
        raise ValidationError(
            _("Cette prestation n'attend plus de réponse (%(status)s).")
            % {"status": sheet.get_status_display()}
        )
    if locked_months(participant_ids=[sheet.participant_id], months={sheet.date.replace(day=1)}):
        raise ValidationError(MONTH_VALIDATED)
    return sheet


@transaction.atomic
def sheet_validate(*, sheet: ServiceSheet, by: User) -> ServiceSheet:
    """The coordinator confirms the day: it goes into the month's statement, and so into the
    payment. A reason not to pay it, shown on the sheet, is confirmed with it. Its expenses on
    receipt become the month's real costs."""
    _lock(sheet.participant_id)
    sheet = _waiting(sheet)
    if sheet.expense_amount:
        sheet.real_cost = real_cost_add(
            cost=RealCost(
                participant_id=sheet.participant_id,
                date=sheet.date,
                amount=sheet.expense_amount,
                description=sheet.expense_description,
                receipt=sheet.receipt.name,
            ),
            by=by,
        )
    sheet.status, sheet.validated_by, sheet.validated_at = (
        ServiceSheet.Status.VALIDATED,
        by,
        timezone.now(),
    )
    sheet.not_payable_acknowledged = bool(sheet.not_payable)
    sheet.save(
        update_fields=[
            "status",
            "validated_by",
            "validated_at",
            "not_payable_acknowledged",
            "real_cost",
        ]
    )
    return sheet


@transaction.atomic
def sheet_return(*, sheet: ServiceSheet, by: User, reason: str) -> ServiceSheet:
    """Sent back to the volunteer with the reason: it counts nothing until sent again, so the
    year is recomputed (the balance it held is free for the other days)."""
    participant = _lock(sheet.participant_id)
    if not reason.strip():
        raise ValidationError({"reason": _("Dites au·à la bénévole ce qu'il faut corriger.")})
    sheet = _waiting(sheet)
    sheet.status, sheet.return_reason = ServiceSheet.Status.RETURNED, reason.strip()
    sheet.save(update_fields=["status", "return_reason"])
    indemnities_recompute(participant=participant, year=sheet.date.year)
    sheet.refresh_from_db()
    return sheet


def sheet_year_days(*, participant_id: int, year: int) -> list[dt.date]:
    """The days of the year already on a sheet (the form says so before the volunteer types)."""
    return list(
        ServiceSheet.objects.filter(participant=participant_id, date__year=year).values_list(
            "date", flat=True
        )
    )
