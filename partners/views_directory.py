"""The partner directory: where a counsellor finds a service to refer someone to."""

from django.core.paginator import Paginator
from django.shortcuts import render

from accounts.access import get_scoped_or_404, role_required
from accounts.forms_input import parse_id
from accounts.models import Role
from participants.models import Need, Participant
from partners import selectors
from partners.forms import DirectoryForm

DIRECTORY_ROLES = (Role.COUNSELLOR, Role.DIRECTION)
PAGE_SIZE = 25


def _referred(request) -> tuple[Participant | None, Need | None]:
    """Coming from a participant's page (``?need=`` or ``?participant=``, ids only): whom each
    service's "Orienter ici" button refers."""
    need = participant = None
    need_id = parse_id(request.GET.get("need"))
    participant_id = parse_id(request.GET.get("participant"))
    if need_id:
        need = get_scoped_or_404(
            request,
            Need.objects.select_related("participant"),
            via="participant__organization",
            pk=need_id,
        )
        participant = need.participant
    elif participant_id:
        participant = get_scoped_or_404(request, Participant.objects, pk=participant_id)
    return participant, need


@role_required(*DIRECTORY_ROLES)
def directory(request):
    participant, need = _referred(request)
    data = request.GET.copy()
    if need is not None and "category" not in data:
        data["category"] = need.category  # the link from a need opens on its category
    form = DirectoryForm(data)
    form.is_valid()
    services = selectors.service_directory(
        organization=request.organization,
        category=form.cleaned_data.get("category", ""),
        place=form.cleaned_data.get("place", ""),
    )
    context = {
        "form": form,
        "page": Paginator(services, PAGE_SIZE).get_page(request.GET.get("page")),
        "participant": participant,
        "need": need,
    }
    return render(request, "partners/directory.html", context)
