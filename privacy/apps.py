from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """What the data protection promises of DESIGN §6 need across every app: anonymisation at
    the end of the retention period, the subject-access export, the participants' documents. At
    the top of the arrows beside reporting and dashboard: it reaches every app's records; only
    the dashboard imports it."""

    name = "privacy"
    verbose_name = _("Protection des données")

    def ready(self):
        from participants.selectors import PAGE_SECTIONS
        from privacy.documents import participant_documents_section

        # The participant's page lists the person's documents.
        if participant_documents_section not in PAGE_SECTIONS:
            PAGE_SECTIONS.append(participant_documents_section)
