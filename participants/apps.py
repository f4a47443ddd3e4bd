from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants et parcours")

    def ready(self):
        from auditlog.registry import auditlog

        from participants import models

        # Identifiers are masked in the audit trail; note texts are left out of it entirely,
        # because a restricted note must not resurface in the admin's audit view. The address
        # is masked for everyone: it may be made confidential later (participants.confidential)
        # and the entries written before would still hold it.
        auditlog.register(
            models.Participant,
            exclude_fields=["search_text"],
            mask_fields=["national_number", "iban", "street", "postcode", "commune"],
            mask_callable="participants.audit.mask_entirely",
        )
        auditlog.register(models.IncomeSource)
        auditlog.register(models.Need)
        auditlog.register(models.Pathway)
        auditlog.register(models.PathwayEvent, exclude_fields=["text"])
        auditlog.register(models.Goal)
        auditlog.register(models.FollowUp)
        auditlog.register(models.Programme)
        auditlog.register(models.Training)
        auditlog.register(models.Certification)
