from celery import shared_task

from partners import services


@shared_task
def referrals_expire_overdue() -> int:
    """Periodic (celery beat): referrals left unanswered past REFERRAL_EXPIRY_DAYS expire."""
    return services.referral_expire_overdue()
