"""A report asked for and generated in the background: one ``ReportRun`` row per request."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.choices import ChoiceLabels
from accounts.models import Organization


@deconstructible
class PrivateReportStorage(FileSystemStorage):
    """MEDIA_ROOT/private/reports, with no URL: a report holds personal data, so it is only ever
    downloaded through the view that checks who asks (``reporting.views.run_download``)."""

    @cached_property
    def base_location(self):
        # Read at use, not at import: tests and the worker point MEDIA_ROOT elsewhere.
        return os.path.join(settings.MEDIA_ROOT, "private", "reports")

    def url(self, name):
        raise ValueError("Generated reports have no public URL; use the download view.")


private_report_storage = PrivateReportStorage()


def _report_path(run, filename):
    # The year and the organization keep folders small; the run id keeps names unique.
    return f"{run.organization_id}/{run.created_at:%Y}/{run.pk}-{filename}"


class ReportRun(ChoiceLabels, models.Model):
    class Kind(models.TextChoices):
        ACTIVITY = "activity", _("Rapport d'activités")
        SUBSIDY = "subsidy", _("Rapport de subvention (FSE+)")
        IMPACT = "impact", _("Rapport d'impact")
        CHANTIER_SUMMARY = "chantier_summary", _("Bilan de chantier")

    class Status(models.TextChoices):
        QUEUED = "queued", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    FINISHED = (Status.DONE, Status.FAILED)

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="report_runs",
        verbose_name=_("opérateur"),
    )
    kind = models.CharField(_("type de rapport"), max_length=20, choices=Kind.choices)
    parameters = models.JSONField(_("paramètres"), default=dict)
    language = models.CharField(
        _("langue"), max_length=5, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,  # empty for the ``generate_report`` command
        related_name="+",
        verbose_name=_("demandé par"),
    )
    status = models.CharField(
        _("état"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0)
    step = models.CharField(_("étape"), max_length=200, blank=True)
    pdf = models.FileField(
        _("PDF"), storage=private_report_storage, upload_to=_report_path, blank=True
    )
    xlsx = models.FileField(
        _("tableur"), storage=private_report_storage, upload_to=_report_path, blank=True
    )
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64, blank=True)
    error = models.TextField(_("raison de l'échec"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    started_at = models.DateTimeField(_("commencé le"), null=True, blank=True)
    # Written by the worker while it renders (services._heartbeat): a run running without a
    # recent beat has lost its worker.
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rapport généré")
        verbose_name_plural = _("rapports générés")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The history page: an organization's runs, newest first.
            models.Index(fields=["organization", "-created_at"], name="reportrun_history_idx"),
            # The periodic check for runs left "running" by a dead worker.
            models.Index(fields=["status", "started_at"], name="reportrun_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="reportrun_progress_max_100"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | ~models.Q(pdf_sha256=""),
                name="reportrun_done_has_sha256",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    def download_name(self, extension: str) -> str:
        """``rapport-d-activites-2025-ml-test.pdf``: what the person sees in their downloads."""
        p = self.parameters
        if self.kind == self.Kind.ACTIVITY:
            detail = str(p.get("year", ""))
        elif self.kind == self.Kind.SUBSIDY:
            detail = f"{p.get('programme', '')}-{p.get('start', '')}-{p.get('end', '')}"
        elif self.kind == self.Kind.IMPACT:
            detail = p.get("chantier") or f"{p.get('programme', '')}-{p.get('year', '')}"
        else:
            detail = str(p.get("chantier", ""))
        base = slugify(f"{self.get_kind_display()} {detail} {self.organization.slug}")
        return f"{base}.{extension}"
