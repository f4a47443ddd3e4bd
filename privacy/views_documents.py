"""A participant's documents, on the caseload's side: added, downloaded (checked and logged),
removed. Same roles and same 404s as the person's page."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.forms import apply_form
from accounts.models import AccessLog
from accounts.services import access_log_record
from chantiers.storage import private_file_response
from participants.views.access import CASELOAD_ROLES, participant_or_404
from privacy import documents
from privacy.forms import DocumentForm
from privacy.models import Document


def _document_or_404(request, pk) -> Document:
    queryset = Document.objects.filter(
        ~Q(file=""), participant__anonymised_at__isnull=True
    ).select_related("participant")
    return get_scoped_or_404(request, queryset, via="participant__organization", pk=pk)


def _section_url(participant) -> str:
    return reverse("participants:detail", args=[participant.pk]) + "#documents"


@role_required(*CASELOAD_ROLES)
def document_add(request, pk):
    participant = participant_or_404(request, pk)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and apply_form(
        form,
        lambda data: documents.document_add(participant=participant, by=request.user, **data),
    ):
        messages.success(request, _("Le document est ajouté au dossier."))
        return redirect(_section_url(participant))
    return render(
        request,
        "privacy/document_form.html",
        {"form": form, "participant": participant, "title": _("Ajouter un document")},
    )


@role_required(*CASELOAD_ROLES)
def document_download(request, pk):
    document = _document_or_404(request, pk)
    try:
        response = private_file_response(
            document.file, f"{document.dated_on:%Y-%m-%d}-{document.kind}-{document.pk}"
        )
    except FileNotFoundError:  # lost from the disk: said as missing, not as a crash
        raise Http404 from None
    access_log_record(
        user=request.user,
        organization=request.organization,
        obj=document,
        action=AccessLog.Action.DOWNLOAD,
    )
    return response


@role_required(*CASELOAD_ROLES)
@require_POST
def document_remove(request, pk):
    document = _document_or_404(request, pk)
    participant = document.participant
    documents.document_remove(document=document)
    messages.success(request, _("Le document est supprimé."))
    return redirect(_section_url(participant))
