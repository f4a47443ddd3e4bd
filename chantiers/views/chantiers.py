"""The chantiers: the list, the chantier page (its group and their paperwork, the next sessions,
the attendance rate, the indemnities to date), and the chantier created and kept up to date by
its coordinators and the direction."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import get_scoped_or_404, role_required
from accounts.addresses import address_for_each
from chantiers import selectors, services
from chantiers.forms_planning import (
    ChantierForm,
)
from chantiers.models import (
    Chantier,
)
from chantiers.views.access import (
    CHANTIER_ROLES,
    READ_ROLES,
    chantier_or_404,
    visible_chantiers,
)


@role_required(*READ_ROLES)
def chantier_list(request):
    chantiers = visible_chantiers(request).select_related("host").order_by("status", "-starts_on")
    context = {"chantiers": chantiers, "can_create": request.membership.role in CHANTIER_ROLES}
    return render(request, "chantiers/chantier_list.html", context)


@role_required(*READ_ROLES)
def chantier_detail(request, pk):
    chantier = get_scoped_or_404(request, visible_chantiers(request).select_related("host"), pk=pk)
    day = timezone.localdate()
    group = selectors.group_paperwork(chantier=chantier, on=day)
    # Each row's address reversed once, not per row in the template.
    pdf_address = address_for_each("chantiers:agreement_pdf")
    for row in group:
        row["pdf_url"] = pdf_address(row["agreement"].pk) if row["agreement"] else ""
    next_sessions = list(chantier.sessions.filter(date__gte=day).order_by("date", "starts_at")[:6])
    grid_address = address_for_each("chantiers:session_attendance")
    for session in next_sessions:
        session.grid_url = grid_address(session.pk)
    context = {
        "chantier": chantier,
        "figures": selectors.chantier_figures(
            chantier=chantier, enrolments=[row["enrolment"] for row in group]
        ),
        "next_sessions": next_sessions,
        "group": group,
        "today": day,
        "can_edit": request.membership.role in CHANTIER_ROLES,
    }
    return render(request, "chantiers/chantier_detail.html", context)


def _saved(request, form) -> Chantier | None:
    """The chantier saved with its coordinators, or None with the refusal on the form."""
    try:
        return services.chantier_save(
            chantier=form.save(commit=False),
            coordinators=form.cleaned_data["coordinators"],
            by=request.membership,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None


@role_required(*CHANTIER_ROLES)
def chantier_create(request):
    form = ChantierForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid() and (chantier := _saved(request, form)):
        messages.success(request, _("Chantier créé. Planifiez ses séances."))
        return redirect("chantiers:sessions", pk=chantier.pk)
    return render(request, "chantiers/chantier_form.html", {"form": form, "chantier": None})


@role_required(*CHANTIER_ROLES)
def chantier_edit(request, pk):
    chantier = chantier_or_404(request, pk)
    form = ChantierForm(request.POST or None, instance=chantier, organization=request.organization)
    if request.method == "POST" and form.is_valid() and _saved(request, form):
        messages.success(request, _("Chantier enregistré."))
        return redirect("chantiers:detail", pk=chantier.pk)
    return render(request, "chantiers/chantier_form.html", {"form": form, "chantier": chantier})
