from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The home page of each role: at the top of the dependencies, it may read every app's
    selectors, and nothing imports it."""

    name = "dashboard"
    verbose_name = _("Tableau de bord")
