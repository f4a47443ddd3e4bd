"""The counsellor's side of referrals: send one, follow them, close them after an acceptance."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, role_required
from accounts.addresses import address_for_each
from accounts.forms import add_service_errors
from accounts.forms_input import parse_id
from accounts.models import Role
from participants.models import Participant
from partners import selectors, services
from partners.forms import ReferralForm
from partners.models import Referral

REFERRAL_ROLES = (Role.COUNSELLOR, Role.DIRECTION)
PAGE_SIZE = 25
FILTERS_SESSION_KEY = "referral_filters"


def _participant_page(participant_pk) -> str:
    return reverse("participants:detail", args=[participant_pk]) + "#referrals"


@role_required(*REFERRAL_ROLES)
def referral_create(request, pk):
    participant = get_scoped_or_404(request, Participant.objects, pk=pk)
    initial = {
        key: request.GET[key] for key in ("service", "need") if parse_id(request.GET.get(key))
    }
    form = ReferralForm(
        request.POST or None,
        initial=initial,
        organization=request.organization,
        participant=participant,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_send(
                participant=participant,
                to_organization=data["service"].organization,
                service=data["service"],
                need=data["need"],
                reason=data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            reachable = services.referral_link_send_if_no_members(referral=referral)
            messages.success(
                request,
                _("L'orientation vers %(partner)s est envoyée.")
                % {"partner": referral.to_organization},
            )
            if not reachable:
                messages.warning(
                    request,
                    _(
                        "%(partner)s n'a ni compte dans l'application ni adresse e-mail : "
                        "prévenez-le vous-même."
                    )
                    % {"partner": referral.to_organization},
                )
            return redirect(_participant_page(participant.pk))
    return render(
        request, "partners/referral_form.html", {"form": form, "participant": participant}
    )


@role_required(*REFERRAL_ROLES)
@require_POST
def referral_close(request, pk):
    """After an acceptance, the counsellor says whether the person went."""
    referral = get_scoped_or_404(request, Referral.objects, via="from_organization", pk=pk)
    came = request.POST.get("came")
    if came not in ("1", "0"):
        messages.error(request, _("Indiquez si la personne est venue ou non."))
        return redirect(_participant_page(referral.participant_id))
    try:
        services.referral_close(referral=referral, came=came == "1", by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("L'orientation est clôturée."))
    return redirect(_participant_page(referral.participant_id))


def _filters(request) -> dict:
    """Kept in the session like the participants list; a counsellor sees theirs by default."""
    stored = request.session.get(FILTERS_SESSION_KEY, {})
    if stored.get("organization") != request.organization.pk:
        stored = {"mine": "1" if request.membership.role == Role.COUNSELLOR else ""}
    status = stored.get("status", "")
    return {
        "status": status if status in Referral.Status.values else "",
        "mine": "1" if stored.get("mine") else "",
    }


@role_required(*REFERRAL_ROLES)
def referral_list(request):
    if request.method == "POST":
        filters = {key: request.POST.get(key, "").strip()[:20] for key in ("status", "mine")}
        request.session[FILTERS_SESSION_KEY] = {**filters, "organization": request.organization.pk}
        return redirect("partners:referral_list")
    filters = _filters(request)
    referrals = selectors.referral_list(
        organization=request.organization,
        sent_by=request.user if filters["mine"] else None,
        status=filters["status"],
    )
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    # Each row's address reversed once, not per row in the template.
    participant_url = address_for_each("participants:detail", anchor="#referrals")
    for referral in page:
        referral.participant_url = participant_url(referral.participant_id)
    context = {
        "page": page,
        "filters": filters,
        "statuses": Referral.Status.choices,
    }
    return render(request, "partners/referral_list.html", context)
