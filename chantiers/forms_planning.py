"""Forms of the chantier itself, its sessions and its incidents."""

import datetime as dt

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import IdMultipleChoiceField, TextRuleMixin
from accounts.models import Organization, Role, User
from chantiers.forms import plausible_date
from chantiers.models import Chantier, Incident, IndemnityCeiling, WorkSession
from participants.forms import DateInput, TimeInput
from participants.models import Programme


class ChantierForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Chantier
        fields = [
            "code",
            "name",
            "trade",
            "status",
            "host",
            "programme",
            "site_address",
            "starts_on",
            "ends_on",
            "capacity",
            "min_jobseeking_months",
            "daily_indemnity",
            "coordinators",
            "description",
            "safety_notes",
            "protective_equipment",
        ]
        field_classes = {"coordinators": IdMultipleChoiceField}  # ids read before a query
        widgets = {
            "starts_on": DateInput(),
            "ends_on": DateInput(),
            "coordinators": forms.CheckboxSelectMultiple(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "safety_notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "code": _("Court, sans espace ni accent, unique pour l'organisation : ex. wayez-2026."),
            "host": _("La société de logement ou le partenaire au pied duquel le chantier a lieu."),
        }

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.instance.organization = organization
        self.fields["host"].queryset = Organization.objects.exclude(pk=organization.pk).exclude(
            kind__in=[Organization.Kind.OPERATOR, Organization.Kind.FUNDER]
        )
        self.fields["programme"].queryset = Programme.objects.filter(
            organization=organization, is_active=True
        )
        self.fields["coordinators"].queryset = User.objects.filter(
            memberships__organization=organization,
            memberships__role=Role.COORDINATOR,
            memberships__is_active=True,
            memberships__accepted_at__isnull=False,  # an invitation not answered gives no role
        ).order_by("last_name", "first_name")
        self.fields["coordinators"].label_from_instance = lambda user: user.get_full_name()
        self.fields["coordinators"].label = _("Coordinateur·rices")
        self.fields["daily_indemnity"].validators.append(MinValueValidator(0))
        self.fields["daily_indemnity"].widget.attrs.update({"min": "0", "step": "0.01"})
        # 50 years: more is a typing mistake, and the eligibility date would leave the calendar.
        self.fields["min_jobseeking_months"].validators.append(MaxValueValidator(600))

    def clean_starts_on(self):
        return plausible_date(self.cleaned_data["starts_on"])

    def clean_ends_on(self):
        return plausible_date(self.cleaned_data["ends_on"])

    def clean_code(self):
        code = self.cleaned_data["code"]
        others = Chantier.objects.filter(organization=self.organization, code=code)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Un autre chantier porte déjà ce code."))
        return code

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("La fin précède le début."))
        rate = cleaned.get("daily_indemnity")
        if starts_on and rate is not None:
            ceiling = IndemnityCeiling.objects.filter(year=starts_on.year).first()
            if ceiling and rate > ceiling.daily:
                self.add_error(
                    "daily_indemnity",
                    _("Au-dessus du plafond journalier légal de %(year)s (%(daily)s €).")
                    % {"year": starts_on.year, "daily": ceiling.daily},
                )
        return cleaned


class SessionForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = WorkSession
        fields = ["date", "starts_at", "ends_at"]
        widgets = {"date": DateInput(), "starts_at": TimeInput(), "ends_at": TimeInput()}

    def __init__(self, *args, chantier: Chantier, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.chantier = chantier

    def clean_date(self):
        return plausible_date(self.cleaned_data["date"])

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("La séance doit finir après avoir commencé."))
        return cleaned


WEEKDAYS = [
    (0, _("lundi")),
    (1, _("mardi")),
    (2, _("mercredi")),
    (3, _("jeudi")),
    (4, _("vendredi")),
    (5, _("samedi")),
    (6, _("dimanche")),
]


class WeeklyPlanForm(TextRuleMixin, forms.Form):
    first_day = forms.DateField(label=_("Du"), widget=DateInput())
    last_day = forms.DateField(label=_("Au"), widget=DateInput())
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Les jours"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    starts_at = forms.TimeField(label=_("De"), widget=TimeInput(), initial=dt.time(9, 0))
    ends_at = forms.TimeField(label=_("À"), widget=TimeInput(), initial=dt.time(12, 30))

    def clean_first_day(self):
        return plausible_date(self.cleaned_data["first_day"])

    def clean_last_day(self):
        return plausible_date(self.cleaned_data["last_day"])


class CancelForm(TextRuleMixin, forms.Form):
    reason = forms.CharField(
        label=_("Motif de l'annulation"),
        max_length=200,
        help_text=_("Ex. : intempéries, encadrant·e malade, accès au site impossible."),
    )


class IncidentForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Incident
        fields = [
            "date",
            "session",
            "kind",
            "people_involved",
            "description",
            "action_taken",
            "declared_to_insurer_on",
            "closed_on",
        ]
        widgets = {
            "date": DateInput(),
            "declared_to_insurer_on": DateInput(),
            "closed_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "action_taken": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "people_involved": _("Prénoms suffisent ; pas de données de santé ici."),
            "session": _("Facultatif : la séance pendant laquelle c'est arrivé."),
        }

    def __init__(self, *args, chantier: Chantier, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.chantier = chantier
        # The latest sessions up to today (an incident is never in the future), and the one
        # already chosen. Not a sliced queryset: a choice is checked by filtering it again.
        recent = (
            chantier.sessions.exclude(status=WorkSession.Status.CANCELLED)
            .filter(date__lte=timezone.localdate())
            .order_by("-date", "-starts_at")
            .values("pk")[:60]
        )
        self.fields["session"].queryset = chantier.sessions.filter(
            Q(pk__in=recent) | Q(pk=self.instance.session_id)
        ).order_by("-date", "-starts_at")

    def clean(self):
        cleaned = super().clean()
        day, today = cleaned.get("date"), timezone.localdate()
        if day and day > today:
            self.add_error("date", _("Un incident ne peut pas être daté dans le futur."))
        for name in ("declared_to_insurer_on", "closed_on"):
            later = cleaned.get(name)
            if later and day and later < day:
                self.add_error(name, _("Cette date précède celle de l'incident."))
            if later and later > today:
                self.add_error(name, _("Cette date est dans le futur."))
        session = cleaned.get("session")
        if session and day and session.date != day:
            self.add_error("session", _("Cette séance n'a pas eu lieu à la date de l'incident."))
        if (
            cleaned.get("kind") == Incident.Kind.ACCIDENT
            and cleaned.get("closed_on")
            and not cleaned.get("declared_to_insurer_on")
        ):
            self.add_error(
                "closed_on",
                _("Un accident se clôture après sa déclaration à l'assureur (date à indiquer)."),
            )
        return cleaned
