import secrets

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import TextRuleMixin
from accounts.models import Organization
from participants.forms import CertificationForm, DateInput, TrainingForm
from participants.models import EMPLOYMENT_OUTCOMES, ExitOutcome, NeedCategory
from partners import selectors, services
from partners.models import EmployerContact, Matching, PartnerService, Referral


class DirectoryForm(TextRuleMixin, forms.Form):
    """The directory's search: no personal data, so a plain GET form."""

    category = forms.ChoiceField(
        label=_("Besoin"),
        choices=[("", _("Tous les besoins")), *NeedCategory.choices],
        required=False,
    )
    place = forms.CharField(
        label=_("Commune ou code postal"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Ex. : 1070 ou Anderlecht")}),
    )


class ReferralForm(TextRuleMixin, forms.ModelForm):
    """A referral of one participant: to which service, for which of their open needs, why."""

    class Meta:
        model = Referral
        fields = ["service", "need", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organization, participant, **kwargs):
        super().__init__(*args, **kwargs)
        service = self.fields["service"]
        service.required = True
        service.queryset = (
            PartnerService.objects.filter(is_active=True, organization__is_active=True)
            .exclude(organization=organization)
            .select_related("organization")
            .order_by("organization__name", "name")
        )
        service.empty_label = _("Choisissez un service")
        need = self.fields["need"]
        need.queryset = participant.needs.filter(resolved_on__isnull=True)
        need.empty_label = _("Aucun besoin en particulier")
        need.label_from_instance = lambda n: n.get_category_display()


class AnswerForm(TextRuleMixin, forms.Form):
    """Accept, or refuse with a reason: the same form in the app and behind the e-mailed link."""

    decision = forms.ChoiceField(
        label=gettext_lazy("Votre réponse"),
        choices=[
            ("accept", gettext_lazy("J'accepte cette orientation")),
            ("refuse", gettext_lazy("Je refuse cette orientation")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choisissez d'accepter ou de refuser.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif du refus"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Obligatoire en cas de refus ; la personne qui oriente le lira."),
    )

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("reason", "").strip():
            self.add_error("reason", _("Indiquez le motif du refus."))
        return data


# --- Employers and matchings ------------------------------------------------------------------


class EmployerForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "street", "postcode", "city", "email", "phone"]

    def save(self, commit=True):
        employer = super().save(commit=False)
        employer.kind = Organization.Kind.EMPLOYER
        # The slug is only an identifier: the name, and a random tail so two "Colruyt" can exist.
        employer.slug = f"{slugify(employer.name)[:40] or 'employeur'}-{secrets.token_hex(3)}"
        if commit:
            employer.save()
        return employer


class EmployerContactForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = EmployerContact
        fields = ["date", "person_met", "outcome", "note"]
        widgets = {"date": DateInput(), "note": forms.Textarea(attrs={"rows": 3})}

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise ValidationError(_("Une prospection ne peut pas être datée dans le futur."))
        return date


class MatchingForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Matching
        fields = ["employer", "position", "proposed_on"]
        widgets = {"proposed_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = selectors.employers()
        self.fields["employer"].empty_label = "—"
        self.initial.setdefault("proposed_on", timezone.localdate())

    def clean_proposed_on(self):
        day = self.cleaned_data["proposed_on"]
        if day > timezone.localdate():
            raise ValidationError(_("La date de proposition ne peut pas être future."))
        return day


EMPLOYMENT_CHOICES = [(o.value, o.label) for o in ExitOutcome if o in EMPLOYMENT_OUTCOMES]


class MatchingUpdateForm(TextRuleMixin, forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("Nouvel état"))
    on = forms.DateField(label=gettext_lazy("Depuis le"), widget=DateInput())
    close_pathway = forms.BooleanField(
        label=gettext_lazy("Engagé·e : clôturer aussi le parcours à cette date"), required=False
    )
    exit_outcome = forms.ChoiceField(
        label=gettext_lazy("Situation à la sortie"),
        choices=[("", "—"), *EMPLOYMENT_CHOICES],
        required=False,
    )

    def __init__(self, *args, matching: Matching, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = services.MATCHING_NEXT.get(matching.status, set())
        self.fields["status"].choices = [
            (s.value, s.label) for s in Matching.Status if s in allowed
        ]
        self.initial.setdefault("on", timezone.localdate())

    def clean(self):
        data = super().clean()
        if data.get("close_pathway"):
            if data.get("status") != Matching.Status.HIRED:
                self.add_error(
                    "close_pathway", _("Seule une embauche peut clôturer le parcours ici.")
                )
            elif not data.get("exit_outcome"):
                self.add_error("exit_outcome", _("Indiquez la situation à la sortie."))
        return data


# --- What the partner notes on a referral it accepted (issue 20) -----------------------------


class PartnerTrainingForm(TrainingForm):
    """A training the partner gives: the provider is the partner itself, not asked."""

    provider = None
    provider_organization = None


class PartnerCertificationForm(CertificationForm):
    """A certification the partner issued; another body may be named (a diploma of the
    Fédération Wallonie-Bruxelles, a licence of the SPF Mobilité)."""

    issuing_body = forms.CharField(
        label=_("Délivré par"),
        max_length=200,
        required=False,
        help_text=_("Laissé vide : votre organisation."),
    )
