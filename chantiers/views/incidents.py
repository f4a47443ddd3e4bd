"""A chantier's incident log: open until closed; an accident is closed once declared to the
insurer."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import get_scoped_or_404, role_required
from accounts.models import Role
from chantiers.forms_planning import (
    IncidentForm,
)
from chantiers.models import (
    Incident,
)
from chantiers.views.access import (
    CHANTIER_ROLES,
    chantier_or_404,
    visible_chantiers,
)


@role_required(*CHANTIER_ROLES, Role.ADMIN)
def incident_list(request, pk):
    chantier = chantier_or_404(request, pk)
    incidents = chantier.incidents.select_related("session", "recorded_by").order_by(
        "closed_on", "-date", "-pk"
    )
    page = Paginator(incidents, 25).get_page(request.GET.get("page"))
    context = {
        "chantier": chantier,
        "page": page,
        "can_write": request.membership.role in CHANTIER_ROLES,
    }
    return render(request, "chantiers/incident_list.html", context)


@role_required(*CHANTIER_ROLES)
def incident_create(request, pk):
    chantier = chantier_or_404(request, pk)
    form = IncidentForm(
        request.POST or None, chantier=chantier, initial={"date": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        incident = form.save(commit=False)
        incident.recorded_by = request.user
        incident.save()
        messages.success(request, _("Incident enregistré."))
        return redirect("chantiers:incidents", pk=chantier.pk)
    context = {"form": form, "chantier": chantier, "incident": None}
    return render(request, "chantiers/incident_form.html", context)


@role_required(*CHANTIER_ROLES)
def incident_edit(request, pk):
    incidents = Incident.objects.filter(chantier__in=visible_chantiers(request)).select_related(
        "chantier"
    )
    incident = get_scoped_or_404(request, incidents, via="chantier__organization", pk=pk)
    form = IncidentForm(request.POST or None, instance=incident, chantier=incident.chantier)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Incident mis à jour."))
        return redirect("chantiers:incidents", pk=incident.chantier_id)
    context = {"form": form, "chantier": incident.chantier, "incident": incident}
    return render(request, "chantiers/incident_form.html", context)
