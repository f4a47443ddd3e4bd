"""The signed answer link, for partners without members: public pages (no login) reached from
the e-mail, and the counsellor's "send the link again".

The token is the only thing in the URL, and it rides in the query string: the access log keeps
the path only (Dockerfile, docker-compose) and Django's request log names the path only. The
answer form posts it in its body. The pages tell the browser to pass on the site's origin only,
never the address (``accounts.access.keep_link_private``), and not to keep them in a cache.
"""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.access import get_scoped_or_404, keep_link_private, role_required
from accounts.forms import add_service_errors
from accounts.models import Role
from partners import selectors, services
from partners.forms import AnswerForm
from partners.models import Referral

TOKEN_FIELD = "t"


def _problem(request, token: str, problem: services.LinkProblem):
    """410 for a link that worked once (used, expired, replaced); 400 for one that never could."""
    try:
        signing.loads(token, salt=services.LINK_SALT)  # signature only, whatever its age
    except signing.BadSignature:
        status = 400
    else:
        status = 410
    return keep_link_private(
        render(request, "partners/link_problem.html", {"problem": str(problem)}, status=status)
    )


@never_cache
def link_answer(request):
    """GET shows the minimum and the two choices; POST answers. No login: the token is the key."""
    source = request.POST if request.method == "POST" else request.GET
    token = source.get(TOKEN_FIELD, "")
    try:
        referral = services.referral_from_token(token=token)
    except services.LinkProblem as problem:
        return _problem(request, token, problem)
    referral = selectors.referrals_minimal(Referral.objects).get(pk=referral.pk)
    form = AnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_answer_by_link(
                token=token,
                accept=form.cleaned_data["decision"] == "accept",
                reason=form.cleaned_data["reason"],
            )
        except services.LinkProblem as problem:  # answered in another tab meanwhile
            return _problem(request, token, problem)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            accepted = form.cleaned_data["decision"] == "accept"
            messages.success(
                request,
                _("Vous avez accepté cette orientation. Merci !")
                if accepted
                else _("Vous avez refusé cette orientation ; votre motif est transmis. Merci !"),
            )
            return keep_link_private(redirect("partners:link_done"))
    context = {"referral": referral, "form": form, "token": token, "token_field": TOKEN_FIELD}
    return keep_link_private(render(request, "partners/link_answer.html", context))


@never_cache
def link_done(request):
    return keep_link_private(render(request, "partners/link_done.html"))


@role_required(Role.COUNSELLOR, Role.DIRECTION)
@require_POST
def link_resend(request, pk):
    """Send the answer link again (a new one: the previous link stops working)."""
    referral = get_scoped_or_404(
        request,
        Referral.objects.select_related("service", "to_organization"),
        via="from_organization",
        pk=pk,
    )
    address = selectors.referral_link_address(referral)
    if not address:
        messages.error(
            request,
            _(
                "Ce partenaire n'a pas d'adresse e-mail pour les orientations : "
                "ajoutez-la à son service ou à sa fiche."
            ),
        )
        return redirect("participants:detail", pk=referral.participant_id)
    try:
        queued = services.referral_link_resend(referral=referral)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        if queued:
            message = _("Un nouveau lien part à %(address)s ; le précédent ne fonctionne plus.")
        else:
            message = _(
                "Un lien vient de partir à %(address)s : il n'est pas renvoyé une deuxième fois."
            )
        messages.success(request, message % {"address": address})
    return redirect("participants:detail", pk=referral.participant_id)
