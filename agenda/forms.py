import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import IdChoiceField, TextRuleMixin
from agenda.models import Appointment, ReminderConsent
from participants.forms import DateInput, TimeInput
from participants.models import Confidentiality, Pathway


class AppointmentForm(TextRuleMixin, forms.Form):
    """A time to come, its holder, form and place; the pathway asked only when the person has
    several open ones. ``starts_at`` (aware) is in the cleaned data."""

    day = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Heure"), widget=TimeInput())
    duration_minutes = forms.IntegerField(
        label=_("Durée (minutes)"),
        initial=60,
        validators=Appointment._meta.get_field("duration_minutes").validators,
    )
    counsellor = IdChoiceField(label=_("Avec"), queryset=None)
    mode = forms.ChoiceField(label=_("Forme"), choices=Appointment.Mode.choices)
    place = forms.CharField(
        label=_("Lieu ou lien"),
        max_length=200,
        required=False,
        help_text=Appointment._meta.get_field("place").help_text,
    )
    purpose = forms.CharField(
        label=_("Objet"),
        max_length=200,
        required=False,
        help_text=Appointment._meta.get_field("purpose").help_text,
    )
    pathway = IdChoiceField(label=_("Parcours"), queryset=None)

    def __init__(self, *args, team, pathways, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["counsellor"].queryset = team
        self.fields["counsellor"].label_from_instance = lambda user: user.get_full_name()
        self.fields["pathway"].queryset = pathways
        self.fields["pathway"].label_from_instance = lambda pathway: str(pathway.programme)
        self.pathway_choices = list(pathways)  # read once: the page asks if there are any
        if len(self.pathway_choices) == 1:
            self.fields["pathway"].initial = self.pathway_choices[0].pk
            self.fields["pathway"].widget = forms.HiddenInput()
        self.fields["time"].widget.attrs["step"] = 300

    def clean(self):
        data = super().clean()
        if data.get("day") and data.get("time"):
            data["starts_at"] = timezone.make_aware(dt.datetime.combine(data["day"], data["time"]))
        return data

    @classmethod
    def initial_for(cls, appointment: Appointment) -> dict:
        local = timezone.localtime(appointment.starts_at)
        return {
            "day": local.date(),
            "time": local.time(),
            "duration_minutes": appointment.duration_minutes,
            "counsellor": appointment.counsellor_id,
            "mode": appointment.mode,
            "place": appointment.place,
            "purpose": appointment.purpose,
            "pathway": appointment.pathway_id,
        }


def open_pathways(participant):
    return (
        Pathway.objects.filter(participant=participant, ended_on__isnull=True)
        .select_related("programme")
        .order_by("started_on", "pk")
    )


class OutcomeForm(TextRuleMixin, forms.Form):
    """What became of the appointment: held (with the interview's note) or missed."""

    outcome = forms.ChoiceField(
        label=_("Le rendez-vous"),
        choices=[
            (Appointment.Status.HELD, _("a eu lieu")),
            (Appointment.Status.NO_SHOW, _("n'a pas eu lieu : la personne n'est pas venue")),
        ],
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Note de l'entretien"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Elle rejoint le journal du parcours, à la date du rendez-vous."),
    )
    duration_minutes = forms.IntegerField(
        label=_("Durée réelle (minutes)"),
        required=False,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    confidentiality = forms.ChoiceField(
        label=_("Confidentialité"),
        choices=Confidentiality.choices,
        initial=Confidentiality.NORMAL,
        required=False,
    )

    def clean(self):
        data = super().clean()
        data["confidentiality"] = data.get("confidentiality") or Confidentiality.NORMAL
        if data.get("outcome") == Appointment.Status.HELD and not data.get("text"):
            self.add_error("text", _("Écrivez la note de l'entretien."))
        return data


class CancelForm(TextRuleMixin, forms.Form):
    reason = forms.CharField(
        label=_("Raison de l'annulation"),
        max_length=300,
        help_text=_("Par exemple : excusé·e par téléphone, malade, empêchement de l'équipe."),
    )


class ReminderConsentForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = ReminderConsent
        fields = ["by_email", "by_sms", "given_on"]
        widgets = {"given_on": DateInput()}
        help_texts = {
            "given_on": _("Le jour où la personne a donné (ou retiré) son accord."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["given_on"] = timezone.localdate()


class AgendaViewForm(TextRuleMixin, forms.Form):
    """The agenda's address: a day or a week, around a date, of one counsellor or the team.
    Anything unreadable falls back to this week of the person asking."""

    VIEWS = [("semaine", _("Semaine")), ("jour", _("Jour"))]
    vue = forms.ChoiceField(choices=VIEWS, required=False)
    date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    conseiller = forms.CharField(required=False, max_length=20)

    def clean_date(self):
        day = self.cleaned_data["date"]
        if day is not None and not 2000 <= day.year <= 2100:
            raise forms.ValidationError("out of range")  # the page falls back to today
        return day
