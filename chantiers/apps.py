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
            # Rules 6–8: who declared, corrected, answered for an excess — and who deleted.
            models.StatementCorrection,
            models.CeilingExcess,
        ):
            auditlog.register(model)
        # The receipts and attestations stay out of the audit trail (their content is personal).
        auditlog.register(models.ElsewhereDeclaration, exclude_fields=["proof_file"])
        auditlog.register(models.RealCost, exclude_fields=["receipt"])
        # The file itself stays out of the audit trail (it holds every IBAN of the batch).
        auditlog.register(models.PaymentBatch, exclude_fields=["sepa_xml"])

        from chantiers.services import indemnities_recompute_from
        from participants.services import INCOME_FOLLOWERS

        # The declaration a day needs follows the income source of that day (rule 3): a new or
        # back-dated income source changes what is payable, so the service that changes it
        # recomputes the amounts from that day.
        if indemnities_recompute_from not in INCOME_FOLLOWERS:
            INCOME_FOLLOWERS.append(indemnities_recompute_from)

        from chantiers.selectors import participant_indemnities_section
        from participants.selectors import PAGE_SECTIONS

        # The participant's page shows the year's balance and the 80 % warning (rule 2).
        if participant_indemnities_section not in PAGE_SECTIONS:
            PAGE_SECTIONS.append(participant_indemnities_section)
