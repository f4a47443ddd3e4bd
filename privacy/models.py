from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization


class AnonymisationReview(models.Model):
    """The monthly dry run of one organization (a beat task): who the retention rule would
    anonymise, waiting for an administrator of the organization to confirm. Ids only."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("organisation")
    )
    prepared_at = models.DateTimeField(_("préparée le"), default=timezone.now)
    participant_ids = models.JSONField(_("participant·es concerné·es"), default=list)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmée par"),
    )
    anonymised = models.PositiveIntegerField(_("personnes anonymisées"), null=True, blank=True)

    class Meta:
        verbose_name = _("revue d'anonymisation")
        verbose_name_plural = _("revues d'anonymisation")
        ordering = ["-prepared_at", "-pk"]

    def __str__(self):
        return f"{self.organization} {self.prepared_at:%d/%m/%Y}"
