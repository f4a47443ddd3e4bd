"""The rota's forms (issue 21, point 4): the week asked in the address, a shift as the
coordination plans it, the person it assigns, and the shift whose hours a volunteer declares.
The rules are ``volunteers.rota``'s; these forms read what was typed and give it back."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import IdChoiceField, TextRuleMixin, parse_id
from chantiers.forms import plausible_date
from participants.forms import DateInput, TimeInput
from volunteers.models import ContactPoint, Shift
from volunteers.outreach import contact_points_offered
from volunteers.rota import MOST_WEEKS


class RotaWeekForm(TextRuleMixin, forms.Form):
    """The address's ``?semaine=`` (any day of the week asked; this week without) and
    ``?a_pourvoir=1`` (only the shifts that still need someone)."""

    semaine = forms.DateField(required=False)
    a_pourvoir = forms.BooleanField(required=False)

    def clean_semaine(self):
        return plausible_date(self.cleaned_data["semaine"])

    def monday(self) -> dt.date:
        day = self.cleaned_data.get("semaine") or timezone.localdate()
        return day - dt.timedelta(days=day.weekday())


class ShiftForm(TextRuleMixin, forms.Form):
    """A shift: what, where, the day, from when to when (an end before the start is the next
    day: a night shift), how many people."""

    role = forms.CharField(
        label=_("Rôle"),
        max_length=80,
        help_text=_("Par exemple « Accueil », « Veille de nuit », « Maraude »."),
    )
    contact_point = IdChoiceField(
        label=_("Point de contact"),
        queryset=ContactPoint.objects.none(),
        required=False,
        empty_label=_("— Aucun : autre lieu —"),
    )
    place = forms.CharField(
        label=_("Autre lieu"),
        max_length=120,
        required=False,
        help_text=_(
            "Seulement sans point de contact : par exemple « Maison d'accueil, rue Haute »."
        ),
    )
    date = forms.DateField(label=_("Jour"), widget=DateInput())
    starts = forms.TimeField(label=_("Début"), widget=TimeInput())
    ends = forms.TimeField(
        label=_("Fin"),
        widget=TimeInput(),
        help_text=_("Avant le début : le lendemain (une nuit). 24 heures au plus."),
    )
    needed = forms.IntegerField(
        label=_("Personnes nécessaires"),
        min_value=1,
        max_value=99,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    note = forms.CharField(
        label=_("Remarque"),
        max_length=300,
        required=False,
        help_text=_(
            "Visible de toutes les personnes qui voient le planning, bénévoles compris : "
            "aucune donnée personnelle (pas de nom, pas de situation)."
        ),
    )
    repeat_weeks = forms.IntegerField(
        label=_("Répéter les semaines suivantes"),
        min_value=0,
        max_value=MOST_WEEKS,
        required=False,
        help_text=_("Le même créneau, le même jour, pendant ce nombre de semaines (0 : non)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(self, *args, shift: Shift, **kwargs):
        """``shift``: a new one, or the one changed — its stored values shown until something
        is typed (``request.POST or None`` gives ``None`` on a GET: unbound, not absent)."""
        self.shift = shift
        super().__init__(*args, **kwargs)
        if shift.pk is not None and not self.is_bound:
            start, end = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
            self.initial.update(
                {
                    "role": shift.role,
                    "contact_point": shift.contact_point_id,
                    "place": shift.place,
                    "date": start.date(),
                    "starts": start.time(),
                    "ends": end.time(),
                    "needed": shift.needed,
                    "note": shift.note,
                }
            )
        self.fields["contact_point"].queryset = contact_points_offered(
            organization=shift.organization_id, kept_id=shift.contact_point_id
        )
        if shift.pk is not None:
            del self.fields["repeat_weeks"]

    def clean_date(self):
        return plausible_date(self.cleaned_data["date"])

    def apply(self) -> int:
        """The typed values on the shift; the weeks to repeat it."""
        data, shift = self.cleaned_data, self.shift
        shift.role = data["role"]
        shift.contact_point = data["contact_point"]
        shift.place = data["place"]
        shift.needed = data["needed"]
        shift.note = data["note"]
        starts_at = timezone.make_aware(dt.datetime.combine(data["date"], data["starts"]))
        end_day = data["date"] + dt.timedelta(days=1 if data["ends"] <= data["starts"] else 0)
        shift.starts_at = starts_at
        shift.ends_at = timezone.make_aware(dt.datetime.combine(end_day, data["ends"]))
        return data.get("repeat_weeks") or 0


class AssignForm(TextRuleMixin, forms.Form):
    """Someone to put on the shift: a member of the staff (``u<id>``) or a volunteer
    (``v<id>``), in one list."""

    person = forms.ChoiceField(
        label=_("Personne"),
        error_messages={"invalid_choice": _("Choisissez une personne de la liste.")},
    )

    def __init__(self, *args, staff, volunteers, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {user.pk: user for user in staff}
        self.volunteers = {volunteer.pk: volunteer for volunteer in volunteers}
        self.fields["person"].choices = [
            ("", "—"),
            (
                _("Équipe"),
                [(f"u{pk}", user.get_full_name() or user.email) for pk, user in self.staff.items()],
            ),
            (
                _("Bénévoles"),
                [(f"v{pk}", str(volunteer)) for pk, volunteer in self.volunteers.items()],
            ),
        ]

    def clean_person(self):
        value = self.cleaned_data["person"]
        pk = parse_id(value[1:]) if value[:1] in ("u", "v") else None
        chosen = (self.staff if value[:1] == "u" else self.volunteers).get(pk)
        if chosen is None:
            raise forms.ValidationError(_("Choisissez une personne de la liste."))
        return ("user", chosen) if value[:1] == "u" else ("volunteer", chosen)


class DeclareShiftForm(TextRuleMixin, forms.Form):
    """The address's ``?creneau=``: one of the volunteer's shifts (its id) whose hours are to
    declare; the volunteer's line on it is what the form gives."""

    creneau = IdChoiceField(queryset=None, to_field_name="shift")

    def __init__(self, *args, assignments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["creneau"].queryset = assignments
