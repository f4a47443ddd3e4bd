from smtplib import SMTPException

from celery import shared_task

from partners import services


@shared_task
def referrals_expire_overdue() -> int:
    """Periodic (celery beat): referrals left unanswered past REFERRAL_EXPIRY_DAYS expire."""
    return services.referral_expire_overdue()


# --- The partner's side: the answer link and the daily digest (issue 5, items 3 and 4) -----


@shared_task(
    autoretry_for=(SMTPException, ConnectionError, TimeoutError),
    retry_backoff=30,
    max_retries=5,
)
def referral_send_link(referral_id: int) -> bool:
    """E-mail the partner a new answer link; the previous link stops working."""
    from partners import emails
    from partners.models import Referral

    return emails.referral_link_send(referral=Referral.objects.get(pk=referral_id))


@shared_task
def referrals_daily_digest() -> int:
    """Daily (celery beat): one e-mail per person about the referrals of the last 24 hours."""
    from partners import emails

    return emails.referrals_digest_send()


@shared_task
def referral_links_send_due() -> int:
    """Periodic (celery beat): the answer links the broker could not take when they were asked."""
    from partners import emails

    return emails.referral_links_send_due()
