from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts import selectors, services, two_factor
from accounts.access import get_scoped_or_404, role_required
from accounts.forms import (
    EmailAuthenticationForm,
    InvitationAwarePasswordResetForm,
    MemberInviteForm,
    MembershipForm,
    OrganizationSettingsForm,
)
from accounts.models import Membership, Role

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        # The interface follows the person's preferred language from the first page on.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.get_user().language, samesite="Lax")
        return response


@require_POST
def language_set(request):
    """Django's set_language, and the choice is remembered on the account for next time."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response


@login_required
def no_organization(request):
    if request.membership is not None:
        return redirect("dashboard:home")
    return render(request, "accounts/no_organization.html", status=403)


@login_required
@require_POST
def organization_switch(request):
    wanted = request.POST.get("organization")
    membership = next((m for m in request.memberships if str(m.organization_id) == wanted), None)
    if membership is None:
        raise Http404
    request.user.current_organization = membership.organization
    request.user.save(update_fields=["current_organization"])
    messages.info(
        request, _("Vous travaillez maintenant pour %(org)s.") % {"org": membership.organization}
    )
    return redirect("dashboard:home")


@login_required
def invitation_list(request):
    """The invitations waiting for this person's answer (the banner on every page leads here)."""
    return render(
        request, "accounts/invitation_list.html", {"invitations": request.pending_memberships}
    )


def _pending_or_404(request, pk) -> Membership:
    """One of the person's own invitations still waiting, or 404."""
    membership = next((m for m in request.pending_memberships if m.pk == pk), None)
    if membership is None:
        raise Http404
    return membership


@login_required
@require_POST
def invitation_accept(request, pk):
    membership = services.membership_accept(membership=_pending_or_404(request, pk))
    messages.success(
        request,
        _("Vous faites maintenant partie de l'équipe de %(org)s, avec le rôle « %(role)s ».")
        % {"org": membership.organization, "role": membership.get_role_display()},
    )
    if request.membership is not None:
        messages.info(request, _("Le sélecteur d'organisation, en haut de la page, y mène."))
    return redirect("dashboard:home")


@login_required
@require_POST
def invitation_decline(request, pk):
    membership = _pending_or_404(request, pk)
    services.membership_decline(membership=membership)
    messages.info(
        request,
        _("L'invitation de %(org)s est refusée.") % {"org": membership.organization},
    )
    return redirect("dashboard:home")


@role_required(Role.ADMIN, Role.DIRECTION)
def member_list(request):
    memberships = selectors.membership_list(organization=request.organization)
    page = Paginator(memberships, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/member_list.html", {"page": page})


@role_required(Role.ADMIN)
def member_invite(request):
    form = MemberInviteForm(request.POST or None, organization=request.organization)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_invite(organization=request.organization, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            typed = f"{form.cleaned_data['first_name']} {form.cleaned_data['last_name']}"
            messages.success(
                request,
                _(
                    "%(name)s est invité·e : un e-mail lui est envoyé, et son accès s'ouvrira "
                    "quand l'invitation sera acceptée."
                )
                % {"name": typed},
            )
            return redirect("accounts:member_list")
    return render(request, "accounts/member_invite.html", {"form": form})


@role_required(Role.ADMIN)
def member_edit(request, pk):
    membership = get_scoped_or_404(request, Membership.objects.select_related("user"), pk=pk)
    form = MembershipForm(request.POST or None, instance=membership)
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_update(membership=membership, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Les droits de %(name)s sont enregistrés.") % {"name": membership.display_name},
            )
            return redirect("accounts:member_list")
    return render(
        request,
        "accounts/member_edit.html",
        {
            "form": form,
            "membership": membership,
            "two_factor_enrolled": two_factor.is_enrolled(membership.user),
            "two_factor_events": two_factor.two_factor_events(
                user=membership.user, organization=request.organization
            ),
        },
    )


@role_required(Role.ADMIN)
@require_POST
def member_resend_invitation(request, pk):
    membership = get_scoped_or_404(request, Membership.objects.select_related("user"), pk=pk)
    # Whether the person has an account elsewhere is not this team's business: a waiting
    # invitation is re-sent either way (the e-mail itself differs, only its reader sees it).
    if not membership.is_pending:
        messages.info(
            request,
            _("%(name)s a déjà accepté l'invitation.") % {"name": membership.display_name},
        )
    else:
        services.membership_send_invitation_later(membership=membership)
        messages.success(
            request, _("L'invitation est renvoyée à %(email)s.") % {"email": membership.user.email}
        )
    return redirect("accounts:member_list")


@role_required(Role.ADMIN)
def organization_settings(request):
    form = OrganizationSettingsForm(request.POST or None, instance=request.organization)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Les paramètres de l'organisation sont enregistrés."))
        return redirect("accounts:organization_settings")
    return render(request, "accounts/organization_settings.html", {"form": form})


@role_required(Role.ADMIN, Role.DIRECTION)
def access_log(request):
    entries = selectors.access_log_list(organization=request.organization)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "accounts/access_log.html", {"page": page})


class PasswordResetView(auth_views.PasswordResetView):
    form_class = InvitationAwarePasswordResetForm
    template_name = "accounts/password_reset_form.html"
    email_template_name = "accounts/email/password_reset.txt"
    subject_template_name = "accounts/email/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Also the invitation's link: a new account's first password accepts the invitations
    that made it. A forgotten password of an existing account accepts nothing."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        first_password = not self.user.has_usable_password()
        response = super().form_valid(form)
        if first_password:
            services.memberships_accept_on_first_password(user=self.user)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("dashboard:home")

    def form_valid(self, form):
        messages.success(self.request, _("Votre mot de passe est changé."))
        return super().form_valid(form)
