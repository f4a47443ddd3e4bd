from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import TextRuleMixin
from accounts.models import Membership, Organization, Role
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
    still be able to ask for a new one, as long as an organization's invitation is open. An
    account whose address was made up (``User.has_mail_address``) is never written to."""

    def get_users(self, email):
        from accounts.models import User

        return (
            user
            for user in User.objects.filter(email__iexact=email, is_active=True)
            if user.has_mail_address
            and (user.has_usable_password() or user.memberships.open().exists())
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
        self.fields["role"].choices = roles_for(organization=organization)


class MembershipForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "is_active", "can_read_restricted_notes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A volunteer's access (issue 21) stays a volunteer's: it may be closed here, not
        # turned into a staff role, nor a staff member into a volunteer.
        if self.instance.role == Role.VOLUNTEER:
            self.fields["role"].choices = [(Role.VOLUNTEER.value, Role.VOLUNTEER.label)]
        else:
            self.fields["role"].choices = roles_for(organization=self.instance.organization)


class OrganizationSettingsForm(TextRuleMixin, forms.ModelForm):
    # Stored comma-separated (Organization.confidential_address_roles); never a partner nor a
    # volunteer (who sees their own sheets only).
    confidential_address_roles = forms.MultipleChoiceField(
        label=_("Rôles qui voient une adresse confidentielle"),
        choices=[
            (value, label)
            for value, label in Role.choices
            if value not in (Role.PARTNER, Role.VOLUNTEER)
        ],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_(
            "Pour une personne qui se protège de violences, seuls ces rôles voient son adresse "
            "et sa commune sur sa fiche, après avoir indiqué pourquoi (chaque consultation est "
            "enregistrée). Jamais dans les listes, exports, documents imprimés ni chez les "
            "partenaires, quel que soit le rôle."
        ),
    )

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
            "retention_years",
            "two_factor_for_all",
            "confidential_address_roles",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["confidential_address_roles"] = sorted(self.instance.address_roles)

    def clean_confidential_address_roles(self) -> str:
        return ",".join(self.cleaned_data["confidential_address_roles"])


def forms_still_shown(request, forms_refused: dict, shown: dict) -> dict:
    """The refused forms a page still shows, by name, to show with what was typed; a form the
    page no longer shows (``shown[name]`` false: the record changed meanwhile, here or
    elsewhere) has its reasons said as messages instead."""
    kept = {}
    for name, form in forms_refused.items():
        if shown[name]:
            kept[name] = form
            continue
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return kept


def add_service_errors(
    form: forms.Form,
    error: ValidationError,
    *,
    renames: dict[str, str] | None = None,
    unnamed: str | None = None,
) -> None:
    """A rule refused by a service, shown on the form next to the field it concerns.

    A service names its own arguments (``ended_on``); ``renames`` maps them to the form's
    fields (``on``). An error of no field of the form goes to ``unnamed`` (None: above it).
    """
    if not hasattr(error, "error_dict"):
        form.add_error(unnamed, error)
        return
    for name, errors in error.error_dict.items():
        name = (renames or {}).get(name, name)
        form.add_error(name if name in form.fields else None, errors)


def apply_form(form: forms.Form, action) -> bool:
    """Run ``action`` with the cleaned data if the form is valid; False if anything refused (the
    service's refusals shown on the form, beside their fields)."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error)
        return False
    return True


class TwoFactorCodeForm(TextRuleMixin, forms.Form):
    """The second step: a code of the phone's app, or (``backup``) one of the backup codes."""

    code = forms.CharField(label=_("Code"), max_length=20, strip=True)

    def __init__(self, *args, backup_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["code"]
        field.widget.attrs.update(
            {"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        )
        if backup_allowed:
            field.label = _("Code de l'application, ou un code de secours")
            field.help_text = _("Six chiffres, renouvelés toutes les 30 secondes.")
        else:
            field.label = _("Code affiché par l'application")
            field.help_text = _("Six chiffres, renouvelés toutes les 30 secondes.")
            field.widget.attrs["inputmode"] = "numeric"
