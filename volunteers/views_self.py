"""The volunteer's own pages (issue 21, role ``volunteer``): their year against the ceilings,
their service sheets, and the phone form to note a day or correct one sent back. Everything is
read through their own record: another person's sheet, or another organisation's, answers 404."""

from django.contrib import messages
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.access import role_required
from accounts.forms import apply_form
from accounts.models import Role
from chantiers.models import ServiceSheet
from chantiers.selectors import year_balances
from chantiers.sheets import sheet_submit
from volunteers import rota
from volunteers.forms import ServiceSheetForm
from volunteers.forms_rota import DeclareShiftForm
from volunteers.models import Volunteer
from volunteers.services import sheet_days_recalled, volunteer_of


def _volunteer_or_404(request) -> Volunteer:
    """The record of the volunteer logged in, in the organization they act in."""
    volunteer = volunteer_of(user=request.user, organization=request.organization)
    if volunteer is None:
        raise Http404
    return volunteer


def _sheets_of(request, volunteer: Volunteer):
    return ServiceSheet.objects.filter(
        participant=volunteer.participant_id, organization=request.organization
    )


@role_required(Role.VOLUNTEER)
def mine(request):
    volunteer = _volunteer_or_404(request)
    year = timezone.localdate().year
    balance = year_balances(
        participant_ids=[volunteer.participant_id], organization=request.organization, year=year
    )[volunteer.participant_id]
    # A sheet sent back last year is still to correct: it stays in the list until it is.
    sheets = (
        _sheets_of(request, volunteer)
        .filter(Q(date__year=year) | Q(status=ServiceSheet.Status.RETURNED))
        .annotate(amount=F("indemnity") + F("mileage"))
        .order_by("-date", "-pk")
    )
    share = min(balance.total / balance.annual_ceiling, 1) if balance.annual_ceiling else None
    context = {"volunteer": volunteer, "balance": balance, "share": share, "sheets": sheets}
    # The rota's shifts done whose hours are not on a sheet yet (issue 21, point 4).
    context["to_declare"] = rota.to_declare(volunteer=volunteer)
    return render(request, "volunteers/mine.html", context)


@role_required(Role.VOLUNTEER)
def sheet_new(request):
    volunteer = _volunteer_or_404(request)
    sheet = ServiceSheet(participant=volunteer.participant, organization=request.organization)
    assignment = None
    if "creneau" in request.GET:  # the hours of one of their shifts (the rota's)
        assignment = _shift_asked(request, rota.declarable(volunteer=volunteer))
    return _sheet_form_page(request, volunteer, sheet, assignment=assignment)


def _shift_asked(request, lines):
    """The volunteer's line on the shift the address's ``?creneau=`` names, among ``lines``;
    404 for any other (someone else's, another day's, declared, a bad id)."""
    asked = DeclareShiftForm(request.GET, assignments=lines)
    if not asked.is_valid():
        raise Http404
    return asked.cleaned_data["creneau"]


@role_required(Role.VOLUNTEER)
def sheet_edit(request, pk):
    volunteer = _volunteer_or_404(request)
    sheet = get_object_or_404(_sheets_of(request, volunteer), pk=pk)
    assignment = None
    if "creneau" in request.GET:  # a shift of the sheet's day, its hours added to the sheet
        if sheet.is_locked:
            raise Http404
        lines = rota.declarable(volunteer=volunteer, day=sheet.date)
        assignment = _shift_asked(request, lines)
    if not sheet.is_locked:
        return _sheet_form_page(request, volunteer, sheet, assignment=assignment)
    if request.method == "POST":  # a page left open while the coordinator validated it
        messages.error(request, _("Cette prestation est validée : elle ne change plus."))
        return redirect("volunteers:sheet_edit", pk=sheet.pk)
    return render(request, "volunteers/sheet_form.html", _page(sheet, form=None))


def _sheet_form_page(request, volunteer: Volunteer, sheet: ServiceSheet, assignment=None):
    """A new sheet, or one to correct, sent for validation through the service: its refusals
    come back beside their fields with everything typed."""
    recent_days = [] if sheet.pk else sheet_days_recalled(volunteer=volunteer)
    context = _page(sheet, form=None, recent_days=recent_days)  # before the form changes it
    form = ServiceSheetForm(
        request.POST or None, request.FILES or None, instance=sheet, activity=volunteer.activity
    )
    if assignment is not None:  # the shift's day, hours and role, or what was typed
        form.initial.update(rota.sheet_initial(assignment, sheet if sheet.pk else None))

    def submit(data):
        if assignment is None:
            return sheet_submit(sheet=form.save(commit=False), by=request.user)
        return rota.shift_hours_declare(
            assignment=assignment, sheet=form.save(commit=False), by=request.user
        )

    if request.method == "POST" and apply_form(form, submit):
        messages.success(
            request,
            _("Prestation du %(day)s envoyée : votre coordinateur·rice va la vérifier.")
            % {"day": date_format(form.instance.date, "l j F Y")},
        )
        return redirect("volunteers:mine")
    return render(request, "volunteers/sheet_form.html", {**context, "form": form})


def _page(sheet: ServiceSheet, *, form, recent_days=()) -> dict:
    """What the sheet's page shows of the sheet as it is stored: read before a form writes
    what was typed on it (and the service its new state)."""
    return {
        "form": form,
        "sheet": sheet if sheet.pk else None,
        "day": sheet.date,
        "returned_reason": sheet.return_reason if sheet.status == sheet.Status.RETURNED else "",
        "has_receipt": bool(sheet.receipt),
        "amount": sheet.indemnity + sheet.mileage,
        "recent_days": recent_days,
    }
