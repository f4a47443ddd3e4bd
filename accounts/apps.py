from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Comptes et organisations")

    def ready(self):
        from auditlog.registry import auditlog

        from accounts.models import Membership, Organization, User

        auditlog.register(User, exclude_fields=["password", "last_login"])
        auditlog.register(Organization)
        auditlog.register(Membership)
