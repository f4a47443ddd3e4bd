"""The hosting partner's view: members of a housing company (role ``partner``) see the chantiers
their organization hosts — schedule, group size, attendance rate, incidents — and of the people
only their first names (DESIGN §4 "Data protection": the minimum)."""

from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone

from accounts.access import get_scoped_or_404, role_required
from accounts.models import Role
from chantiers.models import Chantier, Enrolment, Incident, WorkSession
from chantiers.selectors import attendance_rates

NEXT_SESSIONS = 8


def _hosted(request):
    return Chantier.objects.filter(host=request.organization)


def _figures(chantier_ids) -> dict:
    """Group size, attendance and open incidents of each chantier, in three grouped queries."""
    rates = attendance_rates(chantier_ids=chantier_ids)
    figures = {pk: {"group": 0, "open_incidents": 0} for pk in chantier_ids}
    for row in (
        Enrolment.objects.filter(chantier__in=chantier_ids, status__in=Enrolment.IN_GROUP)
        .values("chantier")
        .annotate(n=Count("pk"))
    ):
        figures[row["chantier"]]["group"] = row["n"]
    for row in (
        Incident.objects.filter(chantier__in=chantier_ids, closed_on__isnull=True)
        .values("chantier")
        .annotate(n=Count("pk"))
    ):
        figures[row["chantier"]]["open_incidents"] = row["n"]
    for pk, values in figures.items():
        values["rate"] = rates[pk]  # the chantier page's rate, shown by ``whole_percent``
    return figures


def _next_sessions(chantier_ids, *, per_chantier: int) -> dict:
    upcoming = WorkSession.objects.filter(
        chantier__in=chantier_ids,
        date__gte=timezone.localdate(),
        status=WorkSession.Status.PLANNED,
    ).order_by("chantier", "date", "starts_at")
    sessions = {pk: [] for pk in chantier_ids}
    for session in upcoming:
        if len(sessions[session.chantier_id]) < per_chantier:
            sessions[session.chantier_id].append(session)
    return sessions


@role_required(Role.PARTNER)
def hosting_list(request):
    chantiers = list(_hosted(request))
    ids = [c.pk for c in chantiers]
    figures = _figures(ids)
    sessions = _next_sessions(ids, per_chantier=3)
    rows = [
        {"chantier": c, "figures": figures[c.pk], "sessions": sessions[c.pk]} for c in chantiers
    ]
    return render(request, "partners/hosting.html", {"rows": rows, "chantier": None})


@role_required(Role.PARTNER)
def hosting_detail(request, pk):
    chantier = get_scoped_or_404(request, _hosted(request), via="host", pk=pk)
    # First names only: the partner never receives the surname or anything else of a person.
    first_names = list(
        Enrolment.objects.filter(chantier=chantier, status__in=Enrolment.IN_GROUP)
        .order_by("participant__first_name")
        .values_list("participant__first_name", flat=True)
    )
    context = {
        "chantier": chantier,
        "figures": _figures([chantier.pk])[chantier.pk],
        "sessions": _next_sessions([chantier.pk], per_chantier=NEXT_SESSIONS)[chantier.pk],
        "first_names": first_names,
        # Kind, date, open or closed: no description, no people involved (they carry names).
        "incidents": Incident.objects.filter(chantier=chantier).only(
            "pk", "kind", "date", "closed_on"
        ),
    }
    return render(request, "partners/hosting.html", context)
