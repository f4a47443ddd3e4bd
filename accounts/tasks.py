from smtplib import SMTPException

from celery import shared_task

from accounts import services
from accounts.models import Membership


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def membership_send_invitation(membership_id: int) -> None:
    membership = Membership.objects.select_related("user", "organization").get(pk=membership_id)
    services.membership_send_invitation(membership=membership)


@shared_task
def access_log_purge_expired() -> int:
    return services.access_log_purge_expired()


@shared_task
def memberships_send_due_invitations() -> int:
    """Periodic (celery beat): the invitations the broker could not take when they were asked."""
    return services.memberships_send_due_invitations()
