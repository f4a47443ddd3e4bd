from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VolunteersConfig(AppConfig):
    """Volunteers who are not participants (issue 21): their record (a person without a pathway,
    so that the chantiers' agreements, indemnity engine, ceilings, statements and payments are
    theirs too), their log-in with the ``volunteer`` role, and the service sheets they enter
    themselves for a coordinator to validate. Above chantiers."""

    name = "volunteers"
    verbose_name = _("Bénévoles")

    def ready(self):
        from auditlog.registry import auditlog

        from chantiers.models import ServiceSheet
        from volunteers import models

        auditlog.register(models.Volunteer)
        auditlog.register(ServiceSheet)
