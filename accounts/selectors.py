from datetime import timedelta

from axes.models import AccessFailureLog
from django.db.models import Count, Q, QuerySet, Value
from django.db.models.functions import Lower, Replace
from django.utils import timezone

from accounts.models import AccessLog, Membership, Organization, Role
from accounts.two_factor import CODE_SUFFIX


def membership_list(*, organization: Organization) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organization=organization)
        .select_related("user")
        .order_by("-is_active", "user__last_name", "user__first_name")
    )


def team_counts(*, organization: Organization) -> dict:
    """Active members by role, and those who never logged in, in one query."""
    active = Membership.objects.active().filter(organization=organization)
    aggregates = {role.value: Count("pk", filter=Q(role=role)) for role in Role}
    aggregates["never_logged_in"] = Count("pk", filter=Q(user__last_login__isnull=True))
    aggregates["total"] = Count("pk")
    counts = active.aggregate(**aggregates)
    counts["by_role"] = [(role.label, counts[role.value]) for role in Role if counts[role.value]]
    return counts


def access_log_list(*, organization: Organization) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(organization=organization).select_related(
        "user", "content_type"
    )


def access_log_count(*, organization: Organization, days: int = 30) -> int:
    since = timezone.now() - timedelta(days=days)
    return AccessLog.objects.filter(organization=organization, at__gte=since).count()


def failed_login_count(*, organization: Organization, hours: int = 24) -> int:
    """Failed log-ins on the accounts of this organization's members: one per failure, a wrong
    password or a wrong code of the second step (counted as ``email#code``, accounts.two_factor)."""
    since = timezone.now() - timedelta(hours=hours)
    emails = Membership.objects.filter(organization=organization).values(email=Lower("user__email"))
    return (
        AccessFailureLog.objects.annotate(
            login=Replace(Lower("username"), Value(CODE_SUFFIX), Value(""))
        )
        .filter(login__in=emails, attempt_time__gte=since)
        .count()
    )
