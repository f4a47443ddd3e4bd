"""Receipts and attestations (DESIGN §4 rule 8, rule 6): MEDIA_ROOT/private/documents, with no URL.
They hold personal data, so they are only ever downloaded through a view that checks who asks
(``chantiers.views.year_changes``) and writes the download in the access log."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# What a phone photographs or a scanner writes; the content is checked, not only the name.
MAX_BYTES = 10 * 1024 * 1024
SIGNATURES = {
    ".pdf": (b"%PDF",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
ACCEPTED = ", ".join(sorted(SIGNATURES))
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}


@deconstructible
class PrivateDocumentStorage(FileSystemStorage):
    @cached_property
    def base_location(self):
        # Read at use, not at import: tests point MEDIA_ROOT elsewhere.
        return os.path.join(settings.MEDIA_ROOT, "private", "documents")

    def url(self, name):
        raise ValueError("Receipts and attestations have no public URL; use the download view.")


private_document_storage = PrivateDocumentStorage()


def document_path(row, filename: str) -> str:
    """Per organization and year; the name keeps only its extension (a file name can say more
    about the person than the record does)."""
    extension = os.path.splitext(filename)[1].lower()
    return f"{row.organization_id}/{row.year_of_document}/{row._meta.model_name}{extension}"


def document_problem(upload) -> str:
    """Why this upload is not a receipt or an attestation we keep, in words; empty when it is."""
    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in SIGNATURES:
        return str(_("Envoyez une photo ou un PDF (%(types)s).") % {"types": ACCEPTED})
    if upload.size > MAX_BYTES:
        return str(
            _("Le fichier dépasse 10 Mo : envoyez une photo moins lourde ou un PDF plus léger.")
        )
    upload.seek(0)
    start = upload.read(16)
    upload.seek(0)
    if not start.startswith(SIGNATURES[extension]):
        return str(_("Ce fichier n'est pas le %(type)s que son nom annonce.") % {"type": extension})
    return ""


def private_file_response(file, filename: str) -> FileResponse:
    """A private file as an attachment, typed by its extension and never sniffed by the browser
    (the caller has checked who asks and written the access log)."""
    extension = os.path.splitext(file.name)[1].lower()
    response = FileResponse(
        file.open("rb"),
        as_attachment=True,
        filename=f"{filename}{extension}",
        content_type=CONTENT_TYPES.get(extension, "application/octet-stream"),
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
