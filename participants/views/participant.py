"""A participant's record: created (the duplicate rules), shown, edited, its income source."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.forms import add_service_errors, apply_form
from accounts.services import access_log_record
from participants import services
from participants.confidential import (
    address_in_form,
    address_roles_label,
    may_see_address,
)
from participants.forms import IncomeSourceForm, ParticipantCreateForm, ParticipantForm
from participants.views.access import CASELOAD_ROLES, participant_or_404
from participants.views.page import detail_context, section_answer


@role_required(*CASELOAD_ROLES)
def participant_create(request):
    form = ParticipantCreateForm(request.POST or None, organization=request.organization)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        try:
            participant = services.participant_register(
                organization=request.organization, by=request.user, **form.cleaned_data
            )
        except services.PossibleDuplicate as error:
            duplicates = error.duplicates
            add_service_errors(form, error)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("La fiche de %(name)s est créée.") % {"name": participant})
            return redirect("participants:detail", pk=participant.pk)
    return render(
        request, "participants/participant_form.html", {"form": form, "duplicates": duplicates}
    )


@role_required(*CASELOAD_ROLES)
def participant_detail(request, pk):
    participant = participant_or_404(request, pk)
    access_log_record(user=request.user, organization=request.organization, obj=participant)
    return render(
        request, "participants/participant_detail.html", detail_context(request, participant)
    )


@role_required(*CASELOAD_ROLES)
def participant_edit(request, pk):
    participant = participant_or_404(request, pk)
    may_see = may_see_address(request.membership, participant)
    form = ParticipantForm(
        request.POST or None,
        instance=participant,
        organization=request.organization,
        may_see_address=may_see,
        with_address=address_in_form(
            request, participant, may_see=may_see, fields=ParticipantForm.ADDRESS_FIELDS
        ),
    )
    if request.method == "POST" and apply_form(
        form, lambda data: services.participant_update(participant=participant, **data)
    ):
        messages.success(request, _("La fiche est enregistrée."))
        return redirect("participants:detail", pk=participant.pk)
    context = {
        "form": form,
        "participant": participant,
        "address_may_see": may_see,
        "address_roles": address_roles_label(request.organization),
    }
    return render(request, "participants/participant_form.html", context)


@role_required(*CASELOAD_ROLES)
@require_POST
def income_change(request, pk):
    participant = participant_or_404(request, pk)
    form = IncomeSourceForm(request.POST, prefix="income")
    ok = apply_form(
        form, lambda data: services.income_source_change(participant=participant, **data)
    )
    if ok:
        messages.success(request, _("La source de revenus est mise à jour."))
    return section_answer(
        request,
        participant,
        "participants/_identity.html",
        "#identity",
        ok,
        income_form=None if ok else form,
    )
