import os
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import ChoiceLabels
from accounts.models import Organization
from chantiers.storage import private_document_storage
from participants.models import Participant


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


def participant_document_path(document, filename: str) -> str:
    """Per organization and person, under a random name that keeps only the extension (a file
    name can say more about the person than the record does)."""
    extension = os.path.splitext(filename)[1].lower()
    person = document.participant
    return f"participants/{person.organization_id}/{person.pk}/{uuid.uuid4().hex}{extension}"


class Document(ChoiceLabels, models.Model):
    """A paper of a participant's file (an ID copy, an attestation, a diploma, a signed
    agreement): stored outside the web root, downloaded only through an access-checked view that
    writes the access log; removed when its retention ends and by the anonymisation."""

    class Kind(models.TextChoices):
        ID_COPY = "id_copy", _("Copie de la pièce d'identité")
        ATTESTATION = "attestation", _("Attestation")
        DIPLOMA = "diploma", _("Diplôme, certificat")
        AGREEMENT = "agreement", _("Convention signée")
        OTHER = "other", _("Autre document")

    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField(_("type de document"), max_length=20, choices=Kind.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    dated_on = models.DateField(_("date du document"))
    consent_on = models.DateField(
        _("accord de la personne le"),
        help_text=_("La date à laquelle la personne a accepté que ce document soit conservé."),
    )
    keep_until = models.DateField(_("à conserver jusqu'au"))
    file = models.FileField(
        _("fichier (photo ou PDF)"),
        storage=private_document_storage,
        upload_to=participant_document_path,
        max_length=200,
        blank=True,
    )
    size = models.PositiveIntegerField(_("taille (octets)"), default=0, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("ajouté par"),
    )
    uploaded_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-dated_on", "-pk"]
        indexes = [models.Index(fields=["keep_until"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.dated_on:%d/%m/%Y}"
