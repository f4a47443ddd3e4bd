"""The signals' forms (issue 21, point 3): a situation raised by a relay on their phone, or by
the team (who may name a person followed here), and what a counsellor did about it. Their rules
are ``volunteers.signals``'s, said beside their fields; the forms only read what was typed."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import IdChoiceField, TextRuleMixin
from chantiers.forms import plausible_date
from participants.forms import DateInput
from participants.models import NeedCategory, Participant
from volunteers.models import ContactPoint, Signal


class PersonChoiceField(IdChoiceField):
    """A person followed here, told apart from a namesake by their birth date."""

    def label_from_instance(self, obj):
        return f"{obj.last_name.upper()} {obj.first_name} ({obj.birth_date:%d/%m/%Y})"


class SignalForm(TextRuleMixin, forms.ModelForm):
    """A relay's signal: always anonymous."""

    contact_point = IdChoiceField(
        label=_("Point de contact"),
        queryset=ContactPoint.objects.none(),
        required=False,
        empty_label="—",
        help_text=_("Où la situation vous a été confiée, si c'était à un point de contact."),
    )

    class Meta:
        model = Signal
        fields = ["raised_on", "contact_point", "need_category", "urgency", "description"]
        widgets = {
            "raised_on": DateInput(),
            "urgency": forms.RadioSelect,
            "description": forms.Textarea(attrs={"rows": 5}),
        }

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        fields = self.fields
        if self.initial.get("raised_on") is None:  # a new signal: today
            self.initial["raised_on"] = timezone.localdate()
        fields["raised_on"].help_text = _("Le jour où vous avez appris la situation.")
        fields["contact_point"].queryset = ContactPoint.objects.filter(
            organization=organization, is_active=True
        ).order_by("name")
        fields["need_category"].choices = [("", "—"), *NeedCategory.choices]
        fields["need_category"].help_text = _("Le besoin principal ; l'équipe précisera.")
        fields["need_category"].error_messages["required"] = _("Choisissez le besoin.")
        fields["description"].error_messages["required"] = _(
            "Décrivez la situation en quelques mots."
        )

    def clean_raised_on(self):
        # The service refuses a future day too; said here, it comes with the form's other
        # refusals at once.
        day = plausible_date(self.cleaned_data["raised_on"])
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("Une date future n'est pas acceptée ici."))
        return day


class StaffSignalForm(SignalForm):
    """The team's signal: about a person followed here, if they agreed to be named."""

    participant = PersonChoiceField(
        label=_("Personne suivie"),
        queryset=Participant.objects.none(),
        required=False,
        empty_label=_("Personne anonyme"),
        help_text=_(
            "Seulement si la personne est suivie ici et d'accord d'être nommée ; sinon le "
            "signalement reste anonyme."
        ),
    )

    class Meta(SignalForm.Meta):
        fields = [
            "raised_on",
            "contact_point",
            "participant",
            "need_category",
            "urgency",
            "description",
        ]

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants


class SignalCloseForm(TextRuleMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=_("Suite donnée"),
        choices=Signal.Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez la suite donnée au signalement.")},
    )
    participant = PersonChoiceField(
        label=_("Personne accompagnée"),
        queryset=Participant.objects.none(),
        required=False,
        empty_label="—",
        help_text=_(
            "Obligatoire pour un besoin noté dans un accompagnement. Pour un accueil, choisissez "
            "la personne dont vous venez de créer la fiche."
        ),
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
