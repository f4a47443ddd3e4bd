"""The second step of log-in, enrolment, backup codes, and an administrator's reset
(accounts.two_factor holds the rules)."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import two_factor
from accounts.access import get_scoped_or_404, role_required
from accounts.forms import TwoFactorCodeForm
from accounts.models import Membership, Role


def _next_url(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    # A path of this site only: anything else (another host, a bare word Django's redirect()
    # would take for a view name) goes to the home page.
    if wanted.startswith("/") and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return resolve_url("dashboard:home")


def _locked_out(request):
    """django-axes answers (its lock-out page) once the request is marked; the half-open
    session is closed so that the password is asked again after the cool-off."""
    request.axes_locked_out = True
    logout(request)
    return render(request, "accounts/locked_out.html", status=429)


@login_required
def two_factor_verify(request):
    if request.user.is_verified() or not two_factor.two_factor_required(
        user=request.user, memberships=request.memberships
    ):
        return redirect(_next_url(request))
    if not two_factor.is_enrolled(request.user):
        return redirect(f"{resolve_url('accounts:two_factor_setup')}?{request.GET.urlencode()}")
    form = TwoFactorCodeForm(request.POST or None, backup_allowed=True)
    if request.method == "POST" and form.is_valid():
        from axes.handlers.proxy import AxesProxyHandler
        from axes.utils import reset

        credentials = two_factor.code_credentials(request.user)
        if not AxesProxyHandler.is_allowed(request, credentials):
            return _locked_out(request)
        verified, codes_left = two_factor.two_factor_verify(
            request=request, token=form.cleaned_data["code"]
        )
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request)
        if verified:
            reset(username=credentials["username"])
            if codes_left is not None:
                messages.warning(
                    request,
                    ngettext(
                        "Code de secours utilisé : il vous en reste %(count)s. Pensez à en "
                        "créer de nouveaux.",
                        "Code de secours utilisé : il vous en reste %(count)s. Pensez à en "
                        "créer de nouveaux.",
                        codes_left,
                    )
                    % {"count": codes_left},
                )
            return redirect(_next_url(request))
        form.add_error(
            "code",
            _(
                "Ce code n'est pas valable. Tapez le code affiché maintenant par l'application "
                "(il change toutes les 30 secondes), ou un code de secours pas encore utilisé."
            ),
        )
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@login_required
def two_factor_setup(request):
    """Enrolment when the account has no device yet; afterwards, the account's security page
    (status, backup codes left, new backup codes)."""
    if two_factor.is_enrolled(request.user):
        if not request.user.is_verified():
            return redirect(
                f"{resolve_url('accounts:two_factor_verify')}?{request.GET.urlencode()}"
            )
        return render(
            request,
            "accounts/two_factor_status.html",
            {"codes_left": two_factor.backup_codes_left(user=request.user)},
        )
    required = two_factor.two_factor_required(user=request.user, memberships=request.memberships)
    if not required:
        return render(request, "accounts/two_factor_status.html", {"not_required": True})
    device = two_factor.totp_device_pending(request=request)
    form = TwoFactorCodeForm(request.POST or None, backup_allowed=False)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.two_factor_enrol(
                request=request, device=device, token=form.cleaned_data["code"]
            )
        except ValidationError as error:
            form.add_error("code", error)
        else:
            return render(
                request,
                "accounts/two_factor_codes.html",
                {"codes": codes, "next": _next_url(request), "enrolled": True},
            )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "next": _next_url(request),
            "qr_code": two_factor.qr_code_svg(device),
            "key": two_factor.key_for_typing(device),
        },
    )


@login_required
@require_POST
def backup_codes_renew(request):
    if not request.user.is_verified():
        return redirect("accounts:two_factor_setup")
    codes = two_factor.backup_codes_renew(user=request.user)
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": codes, "next": resolve_url("accounts:two_factor_setup"), "enrolled": False},
    )


@role_required(Role.ADMIN)
@require_POST
def member_two_factor_reset(request, pk):
    # A member who accepted and is still in the team: never someone only invited (an account
    # of another organization) nor someone who left.
    memberships = Membership.objects.active().select_related("user")
    membership = get_scoped_or_404(request, memberships, pk=pk)
    try:
        two_factor.two_factor_reset(
            user=membership.user, by=request.user, organization=request.organization
        )
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(
            request,
            _(
                "La double authentification de %(name)s est réinitialisée : à sa prochaine "
                "connexion, la personne scannera un nouveau code avec son téléphone."
            )
            % {"name": membership.display_name},
        )
    return redirect("accounts:member_edit", pk=membership.pk)
