"""A confidential address shown, with a reason (participants.confidential): to a role the
organization names, each showing written down, and the edit form allowed to hold it for a few
minutes. Answered with the identity section (htmx) or the whole page (a plain form post, in the
access log like any opening of the page): the address is in that answer only, never in an
address bar or a page the browser keeps."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST

from accounts.access import role_required
from accounts.forms import apply_form
from accounts.services import access_log_record
from participants.confidential import (
    address_edit_allow,
    address_reveal_record,
    may_see_address,
)
from participants.forms import AddressRevealForm
from participants.views.access import CASELOAD_ROLES, participant_or_404
from participants.views.page import detail_context


@role_required(*CASELOAD_ROLES)
@require_POST
def address_reveal(request, pk):
    participant = participant_or_404(request, pk)  # another organization's: 404
    if not may_see_address(request.membership, participant):
        raise PermissionDenied  # the record is theirs to open, the address is not
    form = AddressRevealForm(request.POST, prefix="address")

    def reveal(data):
        address_reveal_record(participant=participant, user=request.user, reason=data["reason"])
        address_edit_allow(session=request.session, participant=participant)

    # The flag lifted meanwhile: nothing hidden, nothing to log.
    revealed = not participant.address_confidential or apply_form(form, reveal)
    context = detail_context(
        request, participant, address_form=None if revealed else form, address_revealed=revealed
    )
    if request.htmx:
        # A section of the page already opened (and logged).
        response = render(request, "participants/_identity.html", context)
    else:
        access_log_record(user=request.user, organization=request.organization, obj=participant)
        response = render(request, "participants/participant_detail.html", context)
    patch_cache_control(response, private=True, no_store=True)
    return response
