"""What every caseload screen starts with: the roles, and the records a person may reach —
another organization's answers 404, and so does an anonymised record (it only exists to be
counted: nobody works on it any more)."""

from accounts.access import get_scoped_or_404
from accounts.models import Role
from participants.models import FollowUp, Goal, Need, Participant, Pathway

CASELOAD_ROLES = (Role.COUNSELLOR, Role.DIRECTION)


def participant_or_404(request, pk) -> Participant:
    queryset = Participant.objects.filter(anonymised_at__isnull=True).select_related("counsellor")
    return get_scoped_or_404(request, queryset, pk=pk)


def pathway_or_404(request, pk) -> Pathway:
    queryset = Pathway.objects.filter(participant__anonymised_at__isnull=True).select_related(
        "participant", "programme"
    )
    return get_scoped_or_404(request, queryset, via="participant__organization", pk=pk)


def need_or_404(request, pk) -> Need:
    queryset = Need.objects.filter(participant__anonymised_at__isnull=True).select_related(
        "participant"
    )
    return get_scoped_or_404(request, queryset, via="participant__organization", pk=pk)


def goal_or_404(request, pk) -> Goal:
    queryset = Goal.objects.filter(pathway__participant__anonymised_at__isnull=True)
    queryset = queryset.select_related("pathway__participant")
    return get_scoped_or_404(request, queryset, via="pathway__participant__organization", pk=pk)


def follow_up_or_404(request, pk) -> FollowUp:
    queryset = FollowUp.objects.filter(pathway__participant__anonymised_at__isnull=True)
    queryset = queryset.select_related("pathway__participant", "pathway__programme")
    return get_scoped_or_404(request, queryset, via="pathway__participant__organization", pk=pk)
