"""The coordinators' and direction's forms about volunteers (issue 21): a new volunteer, their
details, their log-in, the answer to a service sheet and a paper sheet typed for them. The
rules are the services' (volunteers.services, chantiers.sheets); these forms only read
what was typed and give it back on a refusal."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import IdChoiceField, TextRuleMixin
from chantiers.forms import plausible_date
from participants.forms import DateInput, ParticipantForm
from participants.models import IncomeKind, Participant
from participants.selectors import participant_duplicates
from volunteers.forms import ServiceSheetForm


class VolunteerCreateForm(TextRuleMixin, forms.ModelForm):
    """The minimal identity of a volunteer (what their agreement, the indemnity rules and the
    payment need), and what they do for the organisation since when."""

    income_kind = forms.ChoiceField(label=_("Source de revenus"), choices=IncomeKind.choices)
    income_since = forms.DateField(label=_("depuis le"), widget=DateInput(), required=False)
    since = forms.DateField(label=_("Bénévole depuis le"), widget=DateInput())
    activity = forms.CharField(
        label=_("Activité"),
        max_length=200,
        help_text=_("Ce que fait la personne, par exemple « relais de quartier »."),
    )
    # Offered only after a possible duplicate was found (the page shows the records found).
    existing = IdChoiceField(
        label=_("La même personne ?"),
        queryset=Participant.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )
    not_a_duplicate = forms.BooleanField(
        label=_("J'ai vérifié : c'est une autre personne"), required=False
    )

    class Meta:
        model = Participant
        # nationality_group: the person record requires it (Participant.nationality_group).
        fields = [
            "last_name",
            "first_name",
            "birth_date",
            "gender",
            "nationality_group",
            "email",
            "phone",
            "iban",
        ]
        widgets = {"birth_date": DateInput()}

    def __init__(self, *args, organization, may_choose_existing: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        self.fields["since"].initial = timezone.localdate
        if may_choose_existing:
            # A known person who is not a volunteer yet: one record carries both (one year's
            # ceilings, once).
            self.fields["existing"].queryset = Participant.objects.filter(
                organization=organization, volunteer__isnull=True, anonymised_at__isnull=True
            )
        else:
            # Only the direction may make a known person a volunteer: the volunteer's page
            # would show a coordinator that person's money and income. An id posted all the
            # same is not read.
            del self.fields["existing"]
        self.fields["iban"].help_text = _("Pour le virement des défraiements ; peut attendre.")

    def offer(self, duplicates: list[Participant]) -> None:
        """After a possible duplicate: the records found that may become this volunteer."""
        if "existing" not in self.fields:
            return
        choices = self.fields["existing"].queryset.filter(pk__in=[d.pk for d in duplicates])
        self.fields["existing"].choices = [
            ("", _("Non : une nouvelle fiche")),
            *(
                (
                    person.pk,
                    _("Oui : %(name)s, né·e le %(birth)s — l'inscrire comme bénévole")
                    % {"name": person, "birth": person.birth_date.strftime("%d/%m/%Y")},
                )
                for person in choices.order_by("last_name", "first_name", "pk")
            ),
        ]

    def clean(self):
        data = super().clean()
        existing = data.get("existing")
        if existing is not None and existing not in participant_duplicates(
            organization=self.instance.organization,
            last_name=data.get("last_name", ""),
            first_name=data.get("first_name", ""),
            birth_date=data.get("birth_date"),
        ):
            # Only a record of the same name and birth date, as the page offered it.
            self.add_error(
                "existing",
                _("Cette fiche ne correspond pas au nom et à la date de naissance indiqués."),
            )
        return data

    def clean_since(self):
        return plausible_date(self.cleaned_data["since"])

    def clean_income_since(self):
        return plausible_date(self.cleaned_data["income_since"])

    def registration(self) -> dict:
        """What ``volunteer_register`` takes: the volunteering, and the person or the record
        chosen among the possible duplicates."""
        data = dict(self.cleaned_data)
        volunteering = {name: data.pop(name) for name in ("since", "activity")}
        existing = data.pop("existing", None)
        if existing is not None:
            return volunteering | {"participant": existing}
        return volunteering | data


class VolunteerInviteForm(TextRuleMixin, forms.Form):
    email = forms.EmailField(
        label=_("Adresse e-mail de la personne"),
        help_text=_("Elle y reçoit un lien pour choisir son mot de passe."),
    )
    language = forms.ChoiceField(
        label=_("Langue de l'interface et des e-mails"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
    )


class VolunteerEndForm(TextRuleMixin, forms.Form):
    """The end of the volunteering (the rules are ``volunteer_end``'s)."""

    ended_on = forms.DateField(label=_("Date de fin"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ended_on"].initial = timezone.localdate

    def clean_ended_on(self):
        return plausible_date(self.cleaned_data["ended_on"])


class SheetReviewForm(TextRuleMixin, forms.Form):
    """Validate a service sheet, or send it back with what to correct."""

    action = forms.ChoiceField(
        choices=[("validate", _("Valider")), ("return", _("Renvoyer"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Motif du renvoi"),
        required=False,  # required to send back: the service says so, beside the field
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ce que la personne doit corriger ; elle le lit sur sa fiche."),
    )

    def __init__(self, *args, sheet_pk: int, **kwargs):
        # The ids of the sheet's own line: several sheets, each with its form, on a page.
        super().__init__(*args, auto_id=f"id_sheet{sheet_pk}_%s", **kwargs)


class PaperSheetForm(ServiceSheetForm):
    """A paper sheet the volunteer filled and signed, typed by the team: the volunteer's own
    form (its rules are ``chantiers.sheets.sheet_enter_signed``'s), said to the staff, and the
    signature it rests on."""

    signed = forms.BooleanField(
        label=_("La fiche papier est signée par la personne"),
        error_messages={
            "required": _(
                "Une fiche papier se saisit signée : elle est validée à l'enregistrement."
            )
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["activity"].help_text = _("Ce que la personne a fait, en quelques mots.")
        fields["km"].help_text = _("Les trajets notés sur la fiche, aller et retour.")
        fields["expense_amount"].help_text = _(
            "Seulement sous une convention au régime des frais réels."
        )
        fields["receipt"].help_text = _(
            "Le scan ou la photo du ticket papier : un fichier image ou PDF de 10 Mo au plus."
        )
        fields["signed"].widget.attrs.pop("class", None)  # a box, not a big text input
        fields["signed"].help_text = _(
            "La signature sur le papier vaut la demande de la personne : la prestation est "
            "validée à votre nom dès l'enregistrement. Gardez la feuille avec les pièces du mois."
        )


class VolunteerDetailsForm(TextRuleMixin, forms.ModelForm):
    """A volunteer's contact details, address, IBAN (validated as on the participant's record:
    the model's validator) and a new income source (``income_source_change``'s rules)."""

    kind = forms.ChoiceField(label=_("Nouvelle source de revenus"), required=False)
    starts_on = forms.DateField(label=_("depuis le"), widget=DateInput(), required=False)

    ADDRESS_FIELDS = ParticipantForm.ADDRESS_FIELDS

    class Meta:
        model = Participant
        fields = ["phone", "email", "street", "postcode", "commune", "iban"]

    def __init__(self, *args, with_address: bool, current_kind: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        fields = self.fields
        if not with_address:
            # A confidential address the person may not see: neither shown nor overwritten.
            for name in self.ADDRESS_FIELDS:
                del fields[name]
        fields["email"].help_text = _(
            "Pour joindre la personne ; l'adresse de connexion ne change pas ici."
        )
        fields["iban"].help_text = _("Le compte où les défraiements sont virés.")
        fields["kind"].choices = [
            ("", _("— inchangée —")),
            *((value, label) for value, label in IncomeKind.choices if value != current_kind),
        ]
        fields["kind"].help_text = _(
            "Seulement si elle a changé : les jours depuis cette date sont recalculés."
        )

    def clean_starts_on(self):
        return plausible_date(self.cleaned_data["starts_on"])

    def clean(self):
        data = super().clean()
        if data.get("kind") and not data.get("starts_on") and not self.has_error("starts_on"):
            self.add_error("starts_on", _("Indiquez depuis quand."))
        return data

    def contact(self) -> dict:
        """What ``participant_update`` takes: the fields of the record the form holds."""
        return {name: self.cleaned_data[name] for name in self._meta.fields if name in self.fields}

    def income(self) -> dict | None:
        """What ``income_source_change`` takes, if a new source was chosen."""
        if not self.cleaned_data.get("kind"):
            return None
        return {"kind": self.cleaned_data["kind"], "starts_on": self.cleaned_data["starts_on"]}
