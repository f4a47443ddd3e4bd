"""The participant import in the interface: upload, preview (a dry run), confirm."""

import base64
import csv
import hashlib
import io

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import role_required
from participants.forms import ImportForm
from participants.importing import COLUMNS, ImportFileError, participants_import
from participants.views import CASELOAD_ROLES

SESSION_KEY = "participant_import"


@role_required(*CASELOAD_ROLES)
def participant_import(request):
    """Upload and preview: the file is checked and imported in a transaction that is rolled back."""
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            report = participants_import(
                organization=request.organization,
                content=content,
                filename=upload.name,
                by=request.user,
                dry_run=True,
            )
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if report.ok:
                # Kept server-side until confirmed: the session lives in the database.
                request.session[SESSION_KEY] = {
                    "organization": request.organization.pk,
                    "filename": upload.name,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "plan": report.plan,
                    "content": base64.b64encode(content).decode(),
                }
    return render(
        request,
        "participants/import.html",
        {"form": form, "report": report, "columns": COLUMNS},
    )


@role_required(*CASELOAD_ROLES)
@require_POST
def participant_import_confirm(request):
    pending = request.session.pop(SESSION_KEY, None)  # at most one confirmation per preview
    if (
        not pending
        or pending["organization"] != request.organization.pk
        or pending["sha256"] != request.POST.get("sha256")
    ):
        messages.error(
            request, _("Cet import n'est plus en attente : envoyez le fichier à nouveau.")
        )
        return redirect("participants:import")
    content = base64.b64decode(pending["content"])
    try:
        report = participants_import(
            organization=request.organization,
            content=content,
            filename=pending["filename"],
            by=request.user,
            expected_plan=pending["plan"],
        )
    except ImportFileError as error:
        report, problem = None, str(error)
    if report is None or not report.ok:
        # The records changed between the preview and the confirmation (another import, a
        # colleague creating the same person): nothing was written.
        messages.error(
            request,
            problem if report is None else report.errors[0].message,
        )
        return redirect("participants:import")
    messages.success(
        request,
        _("Import terminé. Fiches créées : %(people)s ; parcours créés : %(pathways)s.")
        % {"people": report.participants_created, "pathways": report.pathways_created},
    )
    return redirect("participants:list")


@role_required(*CASELOAD_ROLES)
def participant_import_template(request):
    """A CSV to fill in: the header of the contract and one example row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "Dupont",
            "Marie",
            "17/04/1992",
            "F",
            "",
            "marie.dupont@example.org",
            "0470 12 34 56",
            "1070",
            "isced_3_4",
            "BE",
            "01/09/2023",
            "unemployment",
            "mokolab",
            "06/01/2025",
            "",
            "",
        ]
    )
    response = HttpResponse(
        "\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8"
    )  # the BOM makes Excel read UTF-8
    response["Content-Disposition"] = 'attachment; filename="modele-import-participants.csv"'
    return response
