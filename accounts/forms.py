from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import TextRuleMixin
from accounts.models import Membership, Organization
from accounts.services import roles_for


class EmailAuthenticationForm(TextRuleMixin, AuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": _(
            "Adresse e-mail ou mot de passe incorrect. Attention : les majuscules comptent dans "
            "le mot de passe."
        ),
        "inactive": _("Ce compte est désactivé. Adressez-vous à l'administration."),
    }


class InvitationAwarePasswordResetForm(TextRuleMixin, PasswordResetForm):
    """Django skips accounts without a password; an invited colleague whose link expired must
    still be able to ask for a new one, as long as they belong to an organization."""

    def get_users(self, email):
        from accounts.models import User

        return (
            user
            for user in User.objects.filter(email__iexact=email, is_active=True)
            if user.has_usable_password() or user.memberships.active().exists()
        )


class MemberInviteForm(TextRuleMixin, forms.Form):
    email = forms.EmailField(label=_("Adresse e-mail"))
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    role = forms.ChoiceField(label=_("Rôle"))
    language = forms.ChoiceField(
        label=_("Langue de l'interface et des e-mails"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
    )

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles_for(organization)


class MembershipForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "is_active", "can_read_restricted_notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = roles_for(self.instance.organization)


class OrganizationSettingsForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "street",
            "postcode",
            "city",
            "email",
            "phone",
            "annual_target",
            "iban",
            "bic",
            "sepa_creditor_name",
        ]
