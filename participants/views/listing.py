"""The list of participants: searched and filtered (the filters kept in the session), exported."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.access import role_required
from accounts.addresses import address_for_each
from accounts.models import AccessLog
from accounts.services import access_log_record_many
from participants import selectors
from participants.exports import participants_xlsx
from participants.forms import ParticipantFilterForm
from participants.models import Programme
from participants.views.access import CASELOAD_ROLES

PAGE_SIZE = 25
EXPORT_LIMIT = 20_000

FILTERS = ("q", "status", "programme", "mine")
FILTERS_SESSION_KEY = "participant_filters"


def _filters(request) -> ParticipantFilterForm:
    """The list's filters live in the session, posted by the search form: a name or a national
    number typed in the search box never appears in a URL, so never in a server log, the
    browser history or a shared link. Read again by the form: a bad value kept there is dropped."""
    stored = request.session.get(FILTERS_SESSION_KEY, {})
    if stored.get("organization") != request.organization.pk:
        stored = {}
    stored = {key: stored.get(key, "") for key in FILTERS}
    return ParticipantFilterForm(stored, organization=request.organization)


def _filtered_participants(request, form: ParticipantFilterForm):
    filters = form.filters()
    return selectors.participant_list(
        organization=request.organization,
        query=filters["q"],
        counsellor=request.user if filters["mine"] else None,
        programme=form.cleaned_data.get("programme"),
        status=filters["status"],
    )


# What the list shows of each person (the file and the counsellor's account are wide rows).
LIST_COLUMNS = (
    "first_name",
    "last_name",
    "birth_date",
    "national_number",
    "commune",
    "address_confidential",  # a confidential commune is not listed (participants.confidential)
    "counsellor__first_name",
    "counsellor__last_name",
)


@role_required(*CASELOAD_ROLES)
def participant_list(request):
    if request.method == "POST":
        form = ParticipantFilterForm(request.POST, organization=request.organization)
        filters = form.filters()  # what can be used; what is refused is said, not stored
        if form.errors:
            messages.error(request, form.problems())
        request.session[FILTERS_SESSION_KEY] = {**filters, "organization": request.organization.pk}
        if not request.htmx:
            return redirect("participants:list")
    form = _filters(request)
    filters = form.filters()
    participants = _filtered_participants(request, form).only(*LIST_COLUMNS)
    page = Paginator(participants, PAGE_SIZE).get_page(request.GET.get("page"))
    # Each row's address reversed once, not per row in the template.
    detail_url = address_for_each("participants:detail")
    for participant in page:
        participant.detail_url = detail_url(participant.pk)
    context = {
        "page": page,
        "filters": filters,
        "programmes": Programme.objects.filter(organization=request.organization),
    }
    template = "participants/_participant_rows.html" if request.htmx else None
    return render(request, template or "participants/participant_list.html", context)


@role_required(*CASELOAD_ROLES)
def participant_export(request):
    participants = list(_filtered_participants(request, _filters(request))[:EXPORT_LIMIT])
    access_log_record_many(
        user=request.user,
        organization=request.organization,
        objects=participants,
        action=AccessLog.Action.EXPORT,
    )
    response = HttpResponse(
        participants_xlsx(participants),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="participants-{stamp}.xlsx"'
    return response
