from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    """Collective modules (issue 20): the catalogue of workshops, information sessions and
    public digital space (EPN) sessions, their sessions with a room and a capacity, the people
    enrolled, their attendance on the grid every session shares (participants.grid), each
    presence an event of the pathway's log, and the anonymous head-count of the EPN's drop-in
    visitors. Above participants, beside chantiers."""

    name = "workshops"
    verbose_name = _("Modules collectifs")

    def ready(self):
        from auditlog.registry import auditlog

        from workshops import models

        auditlog.register(models.ModuleEnrolment)
        auditlog.register(models.ModuleAttendance)
        auditlog.register(models.DropInVisit)  # a past year's EPN figures: who changed them

        from participants.services import CLOSE_FOLLOWERS
        from workshops.services import enrolments_remove_for_closed_pathway

        if enrolments_remove_for_closed_pathway not in CLOSE_FOLLOWERS:
            CLOSE_FOLLOWERS.append(enrolments_remove_for_closed_pathway)

        from participants.selectors import PAGE_SECTIONS
        from workshops.selectors import participant_modules_section

        # The participant's page lists the sessions the person is enrolled in, and enrols them.
        if participant_modules_section not in PAGE_SECTIONS:
            PAGE_SECTIONS.append(participant_modules_section)
