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
        # The file itself stays out of the audit trail (it holds every IBAN of the batch).
        auditlog.register(models.PaymentBatch, exclude_fields=["sepa_xml"])

        from django.db.models.signals import post_save

        from participants.models import IncomeSource

        # The declaration a day needs follows the income source of that day (rule 3): a new or
        # back-dated income source changes what is payable, so the amounts are recomputed.
        post_save.connect(_income_changed, sender=IncomeSource, dispatch_uid="income-recompute")


def _income_changed(sender, instance, **kwargs):
    from django.db import transaction

    from chantiers.services import indemnities_recompute_from

    transaction.on_commit(
        lambda: indemnities_recompute_from(participant=instance.participant, day=instance.starts_on)
    )
