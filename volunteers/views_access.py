"""The coordinators' and direction's "give a sign-in link" (issue 21): for a volunteer without
e-mail habits, a link shown once on the page that answers the button, to copy into an SMS from
their own phone or to print. The rules are ``volunteers.services.volunteer_signin_link_give``'s
and ``accounts.signin_links``'.

The page is answered to the POST, never stored nor redirected to: the link is not kept anywhere
(the database keeps its digest only), and every page behind the log-in is ``no-store``."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, keep_link_private, role_required
from accounts.services import access_log_record
from accounts.views_link import TOKEN_FIELD
from volunteers import services
from volunteers.models import Volunteer
from volunteers.views_staff import STAFF_ROLES


@role_required(*STAFF_ROLES)
@require_POST
def volunteer_signin_link(request, pk):
    volunteer = get_scoped_or_404(
        request,
        Volunteer.objects.filter(participant__anonymised_at__isnull=True).select_related(
            "participant"
        ),
        pk=pk,
    )
    try:
        token, expires_at = services.volunteer_signin_link_give(
            volunteer=volunteer, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("volunteers:detail", pk=volunteer.pk)
    access_log_record(
        user=request.user, organization=request.organization, obj=volunteer.participant
    )
    path = f"{reverse('accounts:signin_link')}?{urlencode({TOKEN_FIELD: token})}"
    context = {
        "volunteer": volunteer,
        "participant": volunteer.participant,
        "link": request.build_absolute_uri(path),
        "expires_at": expires_at,
    }
    return keep_link_private(render(request, "volunteers/signin_link.html", context))
