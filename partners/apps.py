from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "partners"
    verbose_name = _("Partenaires et orientations")

    def ready(self):
        from auditlog.registry import auditlog

        from partners import models

        auditlog.register(models.PartnerService)
        auditlog.register(models.PartnerContact)
        # The signed link's nonce is a secret: kept out of the audit trail.
        auditlog.register(models.Referral, exclude_fields=["link_nonce"])
        auditlog.register(models.EmployerContact)
        auditlog.register(models.Matching)
