from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgendaConfig(AppConfig):
    """Appointments a counsellor plans with a participant (issue 20): the counsellor's and the
    team's agenda, the outcome that turns a held appointment into an event of the pathway, the
    reminder the day before, and the calendar feed. Above participants, beside chantiers."""

    name = "agenda"
    verbose_name = _("Agenda")

    def ready(self):
        from auditlog.registry import auditlog
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured
        from django.utils.module_loading import import_string

        try:
            backend = import_string(settings.SMS_BACKEND)
        except ImportError:
            backend = None
        if not hasattr(backend, "send_messages"):
            raise ImproperlyConfigured(
                "SMS_BACKEND must name a class with send_messages, such as "
                f"agenda.sms.ConsoleBackend, not {settings.SMS_BACKEND!r}."
            )

        from agenda import models

        auditlog.register(models.Appointment)
        auditlog.register(models.ReminderConsent)

        from agenda.services import appointments_cancel_for_closed_pathway
        from participants.services import CLOSE_FOLLOWERS

        if appointments_cancel_for_closed_pathway not in CLOSE_FOLLOWERS:
            CLOSE_FOLLOWERS.append(appointments_cancel_for_closed_pathway)

        from agenda.selectors import participant_appointments_section
        from participants.selectors import PAGE_SECTIONS

        # The participant's page lists the person's coming appointments and their consent.
        if participant_appointments_section not in PAGE_SECTIONS:
            PAGE_SECTIONS.append(participant_appointments_section)
