"""The signals' forms (issue 21, point 3): a situation raised by a relay on their phone, or by
the team (who may name a person followed here), and what a counsellor did about it. Their rules
are ``volunteers.signals``'s, said beside their fields; the forms only read what was typed."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import SEARCH_LENGTH, IdChoiceField, TextRuleMixin, parse_id
from chantiers.forms import plausible_date
from participants.forms import DateInput
from participants.models import NeedCategory, Participant
from volunteers.models import ContactPoint, Signal


class PersonChoiceField(IdChoiceField):
    """A person followed here, told apart from a namesake by their birth date. Any of the
    queryset's people is accepted; only those found by a search are offered (``PersonSearch``)."""

    widget = forms.RadioSelect

    def label_from_instance(self, obj):
        return f"{obj.last_name.upper()} {obj.first_name} ({obj.birth_date:%d/%m/%Y})"


class PersonSearch:
    """A person found by name rather than picked in a list of everyone: ``person_query`` is the
    name typed (found by the view with the participants list's search, the button "Chercher"
    posting the form back with everything typed), ``participant`` the person chosen among the
    people found. A name typed and nobody chosen is said, never taken for an anonymous signal."""

    person_query = forms.CharField(
        label=_("Chercher la personne par son nom"),
        required=False,
        max_length=SEARCH_LENGTH,
        help_text=_("Une partie du nom ou du prénom, puis « Chercher »."),
    )

    def offer(self, found) -> None:
        """The people to choose from: those ``found``, and the one chosen already (kept through
        a new search and a refusal)."""
        field = self.fields["participant"]
        people = list(found)
        chosen = parse_id(self["participant"].value())
        if chosen is not None and chosen not in {person.pk for person in people}:
            people = [*field.queryset.filter(pk=chosen), *people]
        field.choices = [
            ("", field.empty_label),
            *((person.pk, field.label_from_instance(person)) for person in people),
        ]

    def clean(self):
        data = super().clean()
        if (data.get("person_query") or "").strip() and not data.get("participant"):
            self.add_error(
                "person_query",
                _(
                    "Choisissez la personne parmi celles trouvées, ou videz la recherche pour "
                    "ne nommer personne."
                ),
            )
        return data


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


class StaffSignalForm(PersonSearch, SignalForm):
    """The team's signal: about a person followed here, if they agreed to be named."""

    person_query = PersonSearch.person_query
    participant = PersonChoiceField(
        label=_("Personne nommée"),
        queryset=Participant.objects.none(),
        required=False,
        empty_label=_("Personne anonyme"),
        blank=True,
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

    field_order = ["raised_on", "contact_point", "person_query", "participant"]

    def __init__(self, *args, participants, found=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
        self.offer(found)


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
        widget=forms.Select,
        help_text=_(
            "Obligatoire pour un besoin noté dans un accompagnement. Pour un accueil, choisissez "
            "la personne dont vous venez de créer la fiche."
        ),
    )

    def __init__(self, *args, participants, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = participants
