"""A participant's documents (ID copy, attestations, diplomas, signed agreements): what the
caseload keeps of the person's papers, each with the person's consent and a retention date
(DESIGN §6 "Privacy"). The file lives in the private storage, outside the web root; it is
downloaded only through ``privacy.views_documents``, which checks who asks and writes the access
log. A document past its date is deleted, file and row, by a daily task; the anonymisation
erases the files and the descriptions of the person's documents with everything else."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.dates import add_months
from chantiers.storage import document_problem
from participants.models import Participant
from privacy.anonymisation import files_delete_on_commit
from privacy.models import Document

# How long a paper may be kept at most, by type — and how long it is kept when nobody says a
# shorter date: an ID copy only while it is needed, an attestation for the pathway, what proves
# a qualification or an agreement for the audits of the funders.
DEFAULT_KEEP_MONTHS = {
    Document.Kind.ID_COPY: 12,
    Document.Kind.ATTESTATION: 36,
    Document.Kind.DIPLOMA: 60,
    Document.Kind.AGREEMENT: 60,
    Document.Kind.OTHER: 24,
}


def default_keep_until(kind: str, today: dt.date) -> dt.date:
    return add_months(today, DEFAULT_KEEP_MONTHS.get(kind, 24))


def participant_documents(*, participant: Participant) -> QuerySet[Document]:
    return participant.documents.exclude(file="").select_related("uploaded_by")


def participant_documents_section(*, participant, organization) -> dict:
    """The participant page's section (registered in ``participants.selectors.PAGE_SECTIONS``)."""
    return {
        "template": "privacy/_documents.html",
        "participant": participant,
        "documents": list(participant_documents(participant=participant)),
    }


def _problems(document: Document, *, today: dt.date) -> dict[str, str]:
    errors = {}
    for name in ("dated_on", "consent_on"):
        if getattr(document, name) and getattr(document, name) > today:
            errors[name] = _("Une date future n'est pas acceptée ici.")
    latest = default_keep_until(document.kind, today)
    if document.keep_until and document.keep_until <= today:
        errors["keep_until"] = _("La date de fin de conservation doit être dans le futur.")
    elif document.keep_until and document.keep_until > latest:
        errors["keep_until"] = _(
            "Ce type de document se garde jusqu'au %(date)s au plus : choisissez une date plus "
            "proche, ou laissez vide."
        ) % {"date": latest.strftime("%d/%m/%Y")}
    if not document.file:
        errors["file"] = _("Choisissez le fichier à ajouter.")
    else:
        problem = document_problem(document.file)
        if problem:
            errors["file"] = problem
    return errors


@transaction.atomic
def document_add(*, participant: Participant, by, **fields) -> Document:
    """Keeps one paper of the person's file, checked: a photo or a PDF of 10 MB at most whose
    content is what its name says, dated in the past, kept until a date to come and no later
    than its type allows (that latest date when none is given)."""
    if participant.anonymised_at is not None:
        raise ValidationError(_("Cette personne est anonymisée : on n'y ajoute plus rien."))
    today = timezone.localdate()
    document = Document(participant=participant, uploaded_by=by, **fields)
    if document.keep_until is None and document.kind:
        document.keep_until = default_keep_until(document.kind, today)
    errors = _problems(document, today=today)
    if errors:
        raise ValidationError(errors)
    document.size = document.file.size
    document.save()
    return document


@transaction.atomic
def document_remove(*, document: Document) -> None:
    """The person withdraws their consent, or the paper is no longer needed: row and file go."""
    file = document.file
    document.delete()
    if file:
        files_delete_on_commit([file])


@transaction.atomic
def documents_expired_remove(*, today: dt.date) -> int:
    """Deletes every document whose retention date has passed, rows and files; how many."""
    expired = Document.objects.filter(keep_until__lt=today)
    files = [document.file for document in expired.only("pk", "file") if document.file]
    count, _deleted = expired.delete()
    files_delete_on_commit(files)
    return count
