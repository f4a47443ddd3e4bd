from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChantiersConfig(AppConfig):
    name = "chantiers"
    verbose_name = _("Chantiers et bénévolat")

    def ready(self):
        from auditlog.registry import auditlog

        from chantiers import models

        for model in (
            models.Chantier,
            models.WorkSession,
            models.Enrolment,  # an eligibility override and its justification are audited
            models.VolunteerAgreement,
            models.Attendance,
            models.Incident,
            models.IndemnityCeiling,
            models.MonthlyStatement,
            models.StatementUnlock,
        ):
            auditlog.register(model)
