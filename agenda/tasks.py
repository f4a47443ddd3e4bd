from celery import shared_task

from agenda import services


@shared_task
def appointment_reminders_send() -> dict[str, int]:
    """Periodic (celery beat): the reminders of tomorrow's appointments not sent yet."""
    return services.reminders_send_due()
