"""The hosting partner's view: members of a housing company (role ``partner``) see the chantiers
their organization hosts — schedule, group size, attendance rate, incidents — and of the people
only their first names (DESIGN §4 "Data protection": the minimum).

Here rather than in ``partners``: the page reads chantiers, and partners does not import its
sibling; the dashboard may import every app."""

from django.shortcuts import render

from accounts.access import get_scoped_or_404, role_required
from accounts.models import Role
from chantiers import selectors

NEXT_SESSIONS = 8


@role_required(Role.PARTNER)
def hosting_list(request):
    chantiers = list(selectors.chantiers_hosted(organization=request.organization))
    ids = [c.pk for c in chantiers]
    figures = selectors.hosting_figures(chantier_ids=ids)
    sessions = selectors.hosting_next_sessions(chantier_ids=ids, per_chantier=3)
    rows = [
        {"chantier": c, "figures": figures[c.pk], "sessions": sessions[c.pk]} for c in chantiers
    ]
    return render(request, "partners/hosting.html", {"rows": rows, "chantier": None})


@role_required(Role.PARTNER)
def hosting_detail(request, pk):
    hosted = selectors.chantiers_hosted(organization=request.organization)
    chantier = get_scoped_or_404(request, hosted, via="host", pk=pk)
    context = {
        "chantier": chantier,
        "figures": selectors.hosting_figures(chantier_ids=[chantier.pk])[chantier.pk],
        "sessions": selectors.hosting_next_sessions(
            chantier_ids=[chantier.pk], per_chantier=NEXT_SESSIONS
        )[chantier.pk],
        "first_names": selectors.hosting_first_names(chantier=chantier),
        "incidents": selectors.hosting_incidents(chantier=chantier),
    }
    return render(request, "partners/hosting.html", context)
