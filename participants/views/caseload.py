"""The counsellor's desk."""

from django.shortcuts import render
from django.utils import timezone

from accounts.access import role_required
from accounts.models import Role
from participants import selectors
from participants.views.access import CASELOAD_ROLES


@role_required(*CASELOAD_ROLES)
def caseload(request):
    """The counsellor's desk: follow-ups due, pathways without news, their participants."""
    mine = request.user if request.membership.role == Role.COUNSELLOR else None
    context = {
        "follow_ups": selectors.follow_ups_due(organization=request.organization, counsellor=mine)[
            :50
        ],
        "stale": selectors.stale_pathways(organization=request.organization, counsellor=mine)[:50],
        "mine": mine,
        "stale_days": selectors.STALE_AFTER_DAYS,
        "today": timezone.localdate(),
    }
    return render(request, "participants/caseload.html", context)
