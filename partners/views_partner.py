"""The partner's side of referrals: members (role ``partner``) of the receiving organization see
what is addressed to them and answer in the app.

They see only the minimum of the person referred (DESIGN "Data protection"): first and last
name, phone, e-mail, the reason. The querysets below load nothing else of the participant.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import get_scoped_or_404, role_required
from accounts.forms import add_service_errors
from accounts.models import AccessLog, Role
from accounts.services import access_log_record
from partners import services
from partners.forms import AnswerForm
from partners.models import Referral
from partners.selectors import referrals_minimal

PAGE_SIZE = 25
FILTERS_SESSION_KEY = "partner_inbox_filters"


def _received(request):
    return referrals_minimal(Referral.objects.filter(to_organization=request.organization))


def _status_filter(request) -> str:
    """Kept in the session, posted by the filter form, like the other lists."""
    stored = request.session.get(FILTERS_SESSION_KEY, {})
    if stored.get("organization") != request.organization.pk:
        return ""
    status = stored.get("status", "")
    return status if status in Referral.Status.values else ""


@role_required(Role.PARTNER)
def inbox(request):
    if request.method == "POST":
        status = request.POST.get("status", "")
        request.session[FILTERS_SESSION_KEY] = {
            "status": status if status in Referral.Status.values else "",
            "organization": request.organization.pk,
        }
        return redirect("partners:inbox")
    status = _status_filter(request)
    referrals = _received(request)
    if status:
        referrals = referrals.filter(status=status)
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "partners/inbox.html",
        {"page": page, "status": status, "statuses": Referral.Status.choices},
    )


@role_required(Role.PARTNER)
def answer(request, pk):
    referral = get_scoped_or_404(
        request, referrals_minimal(Referral.objects), via="to_organization", pk=pk
    )
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_answer(
                referral=referral,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Votre réponse est enregistrée et transmise."))
            return redirect("partners:inbox")
    if request.method == "GET":
        access_log_record(
            user=request.user,
            organization=request.organization,
            obj=referral,
            action=AccessLog.Action.VIEW,
        )
    return render(request, "partners/answer_form.html", {"referral": referral, "form": form})
