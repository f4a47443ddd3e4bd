"""A volunteer's year after the fact (DESIGN §4 rules 6–8): what they declared receiving elsewhere,
a validated month corrected, and a ceiling exceeded with what direction did about it."""

from functools import partial

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.forms import add_service_errors, apply_form
from accounts.forms_input import parse_id
from accounts.models import AccessLog, Role
from accounts.services import access_log_record
from chantiers import selectors, year_changes
from chantiers.forms_year import (
    CorrectionForm,
    CorrectionSettleForm,
    DeclarationForm,
    ExcessResolveForm,
    RealCostForm,
)
from chantiers.models import CeilingExcess, ElsewhereDeclaration, RealCost, StatementCorrection
from chantiers.services import excess_refusal
from chantiers.storage import private_file_response
from chantiers.views.access import (
    CHANTIER_ROLES,
    READ_ROLES,
    statement_or_404,
    visible_chantiers,
    volunteer_or_404,
)

# Who follows a volunteer's money: the coordinators of their chantiers, the counsellors, direction.
YEAR_ROLES = (*CHANTIER_ROLES, Role.COUNSELLOR)


def _excess_said(request, balance) -> None:
    if balance.exceeded and balance.excess_id:
        excess = CeilingExcess.objects.select_related("participant").get(pk=balance.excess_id)
        messages.error(request, " ".join(excess_refusal(excess).messages))


@role_required(*YEAR_ROLES)
def declarations(request, pk):
    """The year's declarations of what the person receives elsewhere, and a new one."""
    participant = volunteer_or_404(request, pk)
    declaration = ElsewhereDeclaration(participant=participant)
    form = DeclarationForm(
        request.POST or None,
        request.FILES or None,
        instance=declaration,
        initial={"year": timezone.localdate().year, "declared_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            balance = year_changes.declaration_save(
                declaration=form.save(commit=False), by=request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Déclaration enregistrée ; l'année est recalculée."))
            _excess_said(request, balance)
            return redirect("chantiers:declarations", pk=participant.pk)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else None
    year = year or timezone.localdate().year
    context = {
        "participant": participant,
        "form": form,
        "declarations": participant.elsewhere_declarations.select_related("entered_by"),
        "balance": selectors.year_balances(
            participant_ids=[participant.pk], organization=request.organization, year=year
        )[participant.pk],
        "can_see_page": request.membership.role != Role.COORDINATOR,
    }
    return render(request, "chantiers/declarations.html", context)


@role_required(*YEAR_ROLES)
@require_POST
def declaration_delete(request, pk):
    declaration = get_scoped_or_404(
        request,
        ElsewhereDeclaration.objects.select_related("participant"),
        via="participant__organization",
        pk=pk,
    )
    participant = volunteer_or_404(request, declaration.participant_id)
    year_changes.declaration_delete(declaration=declaration)
    messages.success(
        request,
        _("Déclaration de %(year)s supprimée ; l'année est recalculée.")
        % {"year": declaration.year},
    )
    return redirect("chantiers:declarations", pk=participant.pk)


@role_required(*YEAR_ROLES)
def excess(request, pk):
    """One year above a ceiling: the figures, and direction's answer (rule 7)."""
    excess = get_scoped_or_404(
        request,
        CeilingExcess.objects.select_related("participant", "resolved_by"),
        pk=pk,
    )
    volunteer_or_404(request, excess.participant_id)
    can_resolve = request.membership.role == Role.DIRECTION and excess.is_open
    form = ExcessResolveForm(request.POST or None, initial={"seen": excess.amount_over})
    if request.method == "POST":
        if not can_resolve:
            raise Http404
        resolve = partial(year_changes.excess_resolve, excess=excess, by=request.user)
        if apply_form(form, lambda data: resolve(**data)):
            messages.success(request, _("Suite enregistrée : les fiches et paiements reprennent."))
            return redirect("chantiers:excess", pk=excess.pk)
    context = {
        "excess": excess,
        "participant": excess.participant,
        "form": form,
        "can_resolve": can_resolve,
        "balance": selectors.year_balances(
            participant_ids=[excess.participant_id],
            organization=request.organization,
            year=excess.year,
        )[excess.participant_id],
        "declarations": excess.participant.elsewhere_declarations.filter(year=excess.year),
    }
    return render(request, "chantiers/excess.html", context)


@role_required(*READ_ROLES)
def corrections(request, pk):
    """A validated month's corrections: the lines added, and a new one (rule 8)."""
    statement = statement_or_404(request, pk)
    can_correct = request.membership.role in CHANTIER_ROLES and statement.is_locked
    form = CorrectionForm(request.POST or None)
    if request.method == "POST":
        if not can_correct:
            raise Http404
        correct = partial(year_changes.correction_create, statement=statement, by=request.user)
        if apply_form(form, lambda data: correct(**data)):
            messages.success(
                request, _("Correction enregistrée : un prochain lot de paiement la portera.")
            )
            return redirect("chantiers:corrections", pk=statement.pk)
    return _corrections_page(request, statement, form=form, can_correct=can_correct)


def _corrections_page(request, statement, *, form, can_correct, settling=None):
    """``settling``: a refused "settled outside a batch", given back as typed on its line."""
    settled_on = timezone.localdate().isoformat()
    context = {
        "statement": statement,
        "participant": statement.participant,
        "form": form,
        "can_correct": can_correct,
        "can_settle": request.membership.role == Role.DIRECTION,
        "settling": settling,
        "settled_on": settled_on,
        "corrections": statement.corrections.select_related(
            "created_by", "carried_by", "carried_by__batch"
        ),
        # Back to the month page it was opened from (a chantier this user may see).
        "chantier": visible_chantiers(request)
        .filter(pk=parse_id(request.GET.get("chantier")))
        .first(),
    }
    return render(request, "chantiers/corrections.html", context)


@role_required(Role.DIRECTION)
@require_POST
def correction_settle(request, pk):
    correction = get_object_or_404(
        StatementCorrection.objects.select_related("statement"),
        pk=pk,
        statement__organization=request.organization,
    )
    # Ids of the correction's own line (one per pending correction on the page).
    form = CorrectionSettleForm(request.POST, auto_id=f"id_c{correction.pk}_%s")
    settle = partial(year_changes.correction_settle, correction=correction, by=request.user)
    if apply_form(form, lambda data: settle(on=data["settled_on"], note=data["settled_note"])):
        messages.success(request, _("Correction marquée comme réglée hors lot."))
        return redirect("chantiers:corrections", pk=correction.statement_id)
    # Refused: the page again, the line's date and comment as typed, and why beside them.
    statement = statement_or_404(request, correction.statement_id)
    return _corrections_page(
        request,
        statement,
        form=CorrectionForm(),
        can_correct=statement.is_locked,
        settling={"pk": correction.pk, "form": form},
    )


@role_required(*YEAR_ROLES)
def real_costs(request, pk):
    """The real costs of a volunteer under that regime, repaid on their receipts (rule 8)."""
    participant = volunteer_or_404(request, pk)
    cost = RealCost(participant=participant)
    form = RealCostForm(request.POST or None, request.FILES or None, instance=cost)
    if request.method == "POST" and apply_form(
        form,
        lambda data: year_changes.real_cost_add(cost=form.save(commit=False), by=request.user),
    ):
        messages.success(request, _("Dépense enregistrée : elle sera sur la fiche du mois."))
        return redirect("chantiers:real_costs", pk=participant.pk)
    context = {
        "participant": participant,
        "form": form,
        "costs": participant.real_costs.filter(organization=request.organization)
        .select_related("entered_by")
        .order_by("-date", "-pk"),
        "can_see_page": request.membership.role != Role.COORDINATOR,
    }
    return render(request, "chantiers/real_costs.html", context)


@role_required(*YEAR_ROLES)
@require_POST
def real_cost_delete(request, pk):
    cost = get_scoped_or_404(request, RealCost.objects.all(), pk=pk)
    volunteer_or_404(request, cost.participant_id)
    try:
        year_changes.real_cost_delete(cost=cost)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Dépense supprimée."))
    return redirect("chantiers:real_costs", pk=cost.participant_id)


def document_response(request, row, file, participant_id) -> FileResponse:
    """A receipt or an attestation, to the people who may see the person; written in the
    access log like every download of personal data."""
    participant = volunteer_or_404(request, participant_id)
    if not file:
        raise Http404
    access_log_record(
        user=request.user,
        organization=request.organization,
        obj=participant,
        action=AccessLog.Action.DOWNLOAD,
    )
    return private_file_response(file, f"{row._meta.model_name}-{row.pk}")


@role_required(*YEAR_ROLES)
def real_cost_receipt(request, pk):
    cost = get_scoped_or_404(request, RealCost.objects.all(), pk=pk)
    return document_response(request, cost, cost.receipt, cost.participant_id)


@role_required(*YEAR_ROLES)
def declaration_proof(request, pk):
    declaration = get_scoped_or_404(
        request, ElsewhereDeclaration.objects.all(), via="participant__organization", pk=pk
    )
    return document_response(
        request, declaration, declaration.proof_file, declaration.participant_id
    )
