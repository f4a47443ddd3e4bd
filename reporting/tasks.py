import logging

from celery import shared_task
from celery.exceptions import Reject
from django.conf import settings

from reporting import services

logger = logging.getLogger(__name__)


@shared_task(
    bind=True,
    max_retries=settings.REPORT_MAX_RETRIES,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TIME_LIMIT,
)
def report_run_generate(self, run_id: int) -> None:
    """Generate one report (routed to the ``reports`` queue by CELERY_TASK_ROUTES).

    Only transient errors come back here; the service fails the run for any other. They are
    retried with a doubling delay, the run back in the queue meanwhile; then the run fails. It
    fails at once when the retry cannot be queued (the broker down too): Celery drops the message,
    and the run would wait "queued" until the periodic check gives up on it hours later.
    """
    try:
        services.report_run_execute(run_id=run_id)
    except services.TRANSIENT_ERRORS as error:
        # Before the next query: the connection that raised may be dead (a backend terminated).
        services.database_drop_broken_connection()
        if self.request.retries >= self.max_retries:
            logger.exception("Report run %s: transient errors, no retry left.", run_id)
            services.report_run_fail(run_id=run_id, reason=services.REASON_UNAVAILABLE)
            return
        services.report_run_requeue(run_id=run_id)
        countdown = settings.REPORT_RETRY_BACKOFF * 2**self.request.retries
        logger.warning("Report run %s: %r, retried in %s s.", run_id, error, countdown)
        try:
            raise self.retry(exc=error, countdown=countdown) from error
        except Reject:  # what Celery raises when the retry's message cannot be published
            logger.exception("Report run %s: its retry could not be queued.", run_id)
            services.report_run_fail(run_id=run_id, reason=services.REASON_UNAVAILABLE)


@shared_task
def report_runs_check_stuck() -> int:
    """Periodic (celery beat): runs whose worker died are queued again or failed, with their
    reason; runs the queue lost are failed."""
    return services.report_runs_check_stuck()
