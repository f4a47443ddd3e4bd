from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """What the data protection promises of DESIGN §6 need across every app: anonymisation at
    the end of the retention period (and, later, the subject-access export). At the top of the
    arrows beside reporting and dashboard: it reaches every app's records; nothing imports it."""

    name = "privacy"
    verbose_name = _("Protection des données")
