from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import SEARCH_LENGTH, IdChoiceField, TextRuleMixin
from accounts.models import Organization
from participants.importing import MAX_BYTES
from participants.models import (
    Certification,
    ExitOutcome,
    FollowUp,
    Goal,
    IncomeKind,
    Need,
    Participant,
    Pathway,
    PathwayEvent,
    Phase,
    Programme,
    Training,
)
from participants.validators import clean_typed_national_number, national_number_birth_date


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


class ParticipantForm(TextRuleMixin, forms.ModelForm):
    # Typed as on the identity card (85.07.30-033.28); stored as 11 digits.
    national_number = forms.CharField(
        label=_("Numéro de registre national ou BIS"),
        max_length=20,
        required=False,
        help_text=_("Facultatif. Ex. : 85.07.30-033.28"),
    )

    class Meta:
        model = Participant
        fields = [
            "last_name",
            "first_name",
            "birth_date",
            "gender",
            "national_number",
            "email",
            "phone",
            "street",
            "postcode",
            "commune",
            "nationality_group",
            "languages",
            "education_level",
            "foreign_diploma_unrecognised",
            "jobseeker_since",
            "actiris_registered",
            "iban",
            "emergency_contact",
            "address_confidential",
            "gdpr_consent_on",
            "counsellor",
        ]
        widgets = {
            "birth_date": DateInput(),
            "jobseeker_since": DateInput(),
            "gdpr_consent_on": DateInput(),
        }

    # Not there at all (neither shown nor overwritten) without ``with_address``: a confidential
    # address, for a role that may not see it or that has not just shown it with a reason
    # (participants.confidential, participants.views.participant.participant_edit).
    ADDRESS_FIELDS = ("street", "postcode", "commune")

    def __init__(
        self,
        *args,
        organization,
        may_see_address: bool = True,
        with_address: bool = True,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        if not with_address:
            for name in self.ADDRESS_FIELDS:
                del self.fields[name]
        if not may_see_address:
            # Lifting the flag would show the address: only a role that may see it lifts it.
            flag = self.fields["address_confidential"]
            flag.disabled = True
            flag.help_text = _(
                "Seuls les rôles qui voient l'adresse peuvent lever la confidentialité."
            )
        from accounts.models import Role, User

        self.fields["counsellor"].queryset = User.objects.filter(
            memberships__organization=organization,
            memberships__role__in=[Role.COUNSELLOR, Role.DIRECTION],
            memberships__is_active=True,
            memberships__accepted_at__isnull=False,  # an invitation not answered gives no role
        ).order_by("last_name", "first_name")

    def clean_national_number(self):
        return clean_typed_national_number(self.cleaned_data["national_number"])

    def clean(self):
        cleaned = super().clean()
        number, birth = cleaned.get("national_number"), cleaned.get("birth_date")
        if number and birth and not self.has_error("national_number"):
            encoded = national_number_birth_date(number)
            if encoded and encoded != birth:
                self.add_error(
                    "national_number",
                    _("Ce numéro correspond à une naissance le %(date)s, pas à la date indiquée.")
                    % {"date": encoded.strftime("%d/%m/%Y")},
                )
        return cleaned


class ParticipantCreateForm(ParticipantForm):
    income_kind = forms.ChoiceField(label=_("Source de revenus"), choices=IncomeKind.choices)
    income_since = forms.DateField(label=_("depuis le"), widget=DateInput(), required=False)
    programme = forms.ModelChoiceField(
        label=_("Ouvrir un parcours dans le programme"),
        queryset=Programme.objects.none(),
        required=False,
    )
    pathway_started_on = forms.DateField(
        label=_("Début du parcours"), widget=DateInput(), required=False
    )
    not_a_duplicate = forms.BooleanField(
        label=_("J'ai vérifié : c'est une autre personne"), required=False
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(
            organization=organization, is_active=True
        )
        self.fields["pathway_started_on"].initial = timezone.localdate()

    def clean(self):
        data = super().clean()
        if data.get("programme") and not data.get("pathway_started_on"):
            self.add_error("pathway_started_on", _("Indiquez le début du parcours."))
        return data


class AddressRevealForm(TextRuleMixin, forms.Form):
    """Why a confidential address is shown: written down with who asked (AddressReveal)."""

    reason = forms.CharField(
        label=_("Pourquoi avez-vous besoin de l'adresse ?"),
        max_length=300,
        help_text=_("Ex. : envoi d'un courrier recommandé. La consultation est enregistrée."),
        error_messages={
            "required": _(
                "Indiquez pourquoi vous avez besoin de l'adresse : elle n'est montrée qu'avec "
                "une raison, enregistrée."
            )
        },
    )


class IncomeSourceForm(TextRuleMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Nouvelle source de revenus"), choices=IncomeKind.choices)
    starts_on = forms.DateField(label=_("depuis le"), widget=DateInput())


class NeedForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Need
        fields = ["category", "identified_on", "note"]
        widgets = {"identified_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identified_on"].initial = timezone.localdate()


class NeedResolveForm(TextRuleMixin, forms.Form):
    """The day a need was lifted: today unless the counsellor says when (a need noted late)."""

    resolved_on = forms.DateField(label=_("Levé le"), widget=DateInput())

    def __init__(self, *args, need: Need, **kwargs):
        super().__init__(*args, prefix=f"need-{need.pk}", **kwargs)
        field = self.fields["resolved_on"]
        field.initial = timezone.localdate()
        field.label = _("%(need)s : levé le") % {"need": need.get_category_display()}


class PathwayOpenForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Pathway
        fields = ["programme", "started_on", "referred_by"]
        widgets = {"started_on": DateInput()}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(
            organization=organization, is_active=True
        )
        self.fields["started_on"].initial = timezone.localdate()
        # Who sent the person: a partner (CPAS, Actiris, a social service…), never an operator,
        # an employer or a funder — the employers prospected would otherwise fill the list.
        self.fields["referred_by"].queryset = Organization.objects.exclude(
            kind__in=[
                Organization.Kind.OPERATOR,
                Organization.Kind.EMPLOYER,
                Organization.Kind.FUNDER,
            ]
        ).filter(is_active=True)


class EventForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = PathwayEvent
        fields = ["date", "kind", "duration_minutes", "text", "confidentiality"]
        widgets = {"date": DateInput(), "text": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class GoalForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Goal
        fields = ["text", "due_on"]
        widgets = {"due_on": DateInput()}


class PhaseForm(TextRuleMixin, forms.Form):
    phase = forms.ChoiceField(label=_("Nouvelle phase"), choices=Phase.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PathwayCloseForm(TextRuleMixin, forms.Form):
    ended_on = forms.DateField(label=_("Date de fin"), widget=DateInput())
    exit_outcome = forms.ChoiceField(
        label=_("Situation à la sortie"), choices=[("", "—"), *ExitOutcome.choices]
    )
    qualification_obtained = forms.BooleanField(label=_("Qualification obtenue"), required=False)
    job_searching_at_exit = forms.NullBooleanField(label=_("En recherche d'emploi à la sortie"))
    note = forms.CharField(label=_("Note"), required=False, max_length=500)


class PathwayReopenForm(TextRuleMixin, forms.Form):
    note = forms.CharField(label=_("Pourquoi rouvrir ce parcours ?"), max_length=500)


class FollowUpForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["done_on", "situation", "improved", "note"]
        widgets = {"done_on": DateInput()}  # "improved": Django's NullBooleanSelect

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].required = True
        self.fields["situation"].required = True
        if self.instance.done_on is None:
            # The instance's empty date would win over a field initial: set the form's own.
            self.initial["done_on"] = timezone.localdate()


class ParticipantFilterForm(TextRuleMixin, forms.Form):
    """The list's filters, as posted by its search form and as kept in the session: read by the
    same form both times, so that a value the form refuses is never stored nor used (a filter
    kept from an older version of the page, or typed by hand, is dropped)."""

    q = forms.CharField(required=False)
    status = forms.ChoiceField(
        choices=[("", ""), ("open", _("En cours")), ("closed", _("Clôturés"))], required=False
    )
    programme = IdChoiceField(queryset=Programme.objects.none(), required=False)
    mine = forms.BooleanField(required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = Programme.objects.filter(organization=organization)

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:SEARCH_LENGTH]

    def filters(self) -> dict:
        """The filters that can be used, as the session keeps them and the page shows them:
        strings, empty for a value refused."""
        self.is_valid()
        data = self.cleaned_data
        programme = data.get("programme")
        return {
            "q": data.get("q", ""),
            "status": data.get("status", ""),
            "programme": str(programme.pk) if programme else "",
            "mine": "1" if data.get("mine") else "",
        }

    def problems(self) -> str:
        return " ".join(message for errors in self.errors.values() for message in errors)


class ImportForm(TextRuleMixin, forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_("Une ligne par personne et par parcours ; 5 Mo au plus."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(_("Le fichier dépasse 5 Mo : découpez-le."))
        if not upload.name.lower().endswith((".csv", ".xlsx", ".txt")):
            raise forms.ValidationError(_("Envoyez un fichier .csv ou .xlsx."))
        return upload


# --- Trainings and certifications (issue 20, point 3) ---------------------------------------
# Plain forms, not model forms: a model form would check the table's constraints itself and
# say "constraint … violated" above the form; the service says each refusal beside its field.


def _hours_field(label, **kwargs) -> forms.DecimalField:
    """Hours as a French user types them ("12,5"); their bounds are the service's rule."""
    return forms.DecimalField(
        label=label,
        max_digits=6,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        **kwargs,
    )


def training_providers():
    """The organizations a training may be given by, among the app's: neither the employers
    prospected (they would fill the list: the provider's name is typed instead) nor funders."""
    return Organization.objects.filter(is_active=True).exclude(
        kind__in=[Organization.Kind.EMPLOYER, Organization.Kind.FUNDER]
    )


class TrainingForm(TextRuleMixin, forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    provider = forms.CharField(
        label=_("Organisme de formation"),
        max_length=200,
        required=False,
        help_text=_("Laissé vide : le nom du partenaire choisi ci-dessous."),
    )
    provider_organization = IdChoiceField(
        label=_("Partenaire qui la donne"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("Si l'organisme est un partenaire connu de l'application."),
    )
    starts_on = forms.DateField(label=_("Début"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Fin"),
        widget=DateInput(),
        required=False,
        help_text=_("Obligatoire pour une formation terminée."),
    )
    hours_planned = _hours_field(_("Heures prévues"), initial=0)
    hours_done = _hours_field(_("Heures suivies"), initial=0)
    status = forms.ChoiceField(label=_("État"), choices=Training.Status.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "provider_organization" in self.fields:
            self.fields["provider_organization"].queryset = training_providers()
            self.fields["provider_organization"].empty_label = "—"


class TrainingUpdateForm(TextRuleMixin, forms.Form):
    """A training's news (hours done, state, end): one per training on the page, each with its
    prefix (``training-<pk>``) and the training's values as initial ones."""

    hours_done = _hours_field(_("Heures suivies"))
    status = forms.ChoiceField(label=_("État"), choices=Training.Status.choices)
    ends_on = forms.DateField(label=_("Fin"), widget=DateInput(), required=False)

    @classmethod
    def of(cls, training: Training) -> "TrainingUpdateForm":
        return cls(
            prefix=f"training-{training.pk}",
            initial={
                "hours_done": training.hours_done,
                "status": training.status,
                "ends_on": training.ends_on,
            },
        )


class CertificationForm(TextRuleMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Certification.Kind.choices)
    title = forms.CharField(label=_("Intitulé"), max_length=200)
    obtained_on = forms.DateField(label=_("Obtenu le"), widget=DateInput())
    issuing_body = forms.CharField(
        label=_("Délivré par"),
        max_length=200,
        required=False,
        help_text=_("Laissé vide : l'organisme de la formation choisie ci-dessous."),
    )
    training = IdChoiceField(
        label=_("À l'issue de la formation"),
        queryset=Training.objects.none(),
        required=False,
    )

    def __init__(self, *args, participant: Participant, trainings: list | None = None, **kwargs):
        """``trainings``: those offered, already read by the page (their choices cost no query),
        else all of the person's."""
        super().__init__(*args, **kwargs)
        field = self.fields["training"]
        field.empty_label = _("Aucune en particulier")
        if trainings is None:
            field.queryset = participant.trainings.all()
            return
        field.queryset = Training.objects.filter(
            participant=participant, pk__in=[t.pk for t in trainings]
        )
        field.choices = [
            ("", field.empty_label),
            *((t.pk, f"{t.title} ({t.starts_on:%d/%m/%Y})") for t in trainings),
        ]
