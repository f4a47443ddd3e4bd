from celery import shared_task
from django.utils import timezone

from privacy import anonymisation, documents, services


@shared_task
def anonymisation_reviews_prepare() -> int:
    """Periodic (celery beat, monthly): the dry run, shown to each organization's administration."""
    return len(services.anonymisation_reviews_prepare(today=timezone.localdate()))


@shared_task
def documents_expired_remove() -> int:
    """Periodic (celery beat, daily): the documents whose retention date has passed go."""
    return documents.documents_expired_remove(today=timezone.localdate())


@shared_task
def signals_expired_erase() -> int:
    """Periodic (celery beat, daily): anonymous signals closed a year ago lose their text."""
    return anonymisation.signals_expired_erase(today=timezone.localdate())
