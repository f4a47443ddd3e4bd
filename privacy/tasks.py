from celery import shared_task
from django.utils import timezone

from privacy import services


@shared_task
def anonymisation_reviews_prepare() -> int:
    """Periodic (celery beat, monthly): the dry run, shown to each organization's administration."""
    return len(services.anonymisation_reviews_prepare(today=timezone.localdate()))
