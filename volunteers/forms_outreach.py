"""The outreach log's forms (issue 21, point 3): a contact point, and an outreach action as it is
noted on a phone after the round. The rules are ``volunteers.outreach``'s, said beside their
fields; these forms only read what was typed and give it back on a refusal."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import IdChoiceField, IdMultipleChoiceField, TextRuleMixin
from accounts.models import Membership, Organization, User
from chantiers.forms import plausible_date
from participants.forms import DateInput
from participants.models import NeedCategory
from volunteers.models import ContactPoint, OutreachActivity, Volunteer
from volunteers.outreach import TEAM_ROLES, contact_points_offered

# More is a typing mistake (and the table's integer has an end).
MOST_PEOPLE = 100_000
# The model's fields the action form fills as they are (the rest: the people who went).
ACTIVITY_FIELDS = (
    *("date", "contact_point", "place", "people_met", "women", "men"),
    *("under_25", "from_25_to_54", "from_55", "themes", "note"),
)


class ContactPointForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = ContactPoint
        fields = ["name", "kind", "place", "opening_hours", "is_active"]
        widgets = {"kind": forms.RadioSelect}

    def __init__(self, *args, organization: Organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        self.fields["name"].help_text = _("Par exemple « Marché du Midi », « Tournée Peterbos ».")
        if self.instance.pk is None:
            del self.fields["is_active"]  # a new point is in activity
        else:
            self.fields["is_active"].help_text = _(
                "Décochez quand l'équipe n'y va plus : le point reste sur les actions passées."
            )


def _count(label) -> forms.IntegerField:
    """A number of people, typed on the phone's number pad; left empty, none."""
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=MOST_PEOPLE,
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )


class OutreachForm(TextRuleMixin, forms.Form):
    """An outreach action: where and when, who went, how many people were met (by gender and
    by age band, as far as they were counted) and what they talked about."""

    date = forms.DateField(label=_("Date"), widget=DateInput())
    contact_point = IdChoiceField(
        label=_("Point de contact"),
        queryset=ContactPoint.objects.none(),
        required=False,
        empty_label=_("— Aucun : autre lieu —"),
    )
    place = forms.CharField(
        label=_("Autre lieu"),
        max_length=200,
        required=False,
        help_text=_("Seulement sans point de contact : une rue, un événement…"),
    )
    people_met = forms.IntegerField(
        label=_("Personnes rencontrées"),
        min_value=0,
        max_value=MOST_PEOPLE,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    women = _count(_("Femmes"))
    men = _count(_("Hommes"))
    under_25 = _count(_("Moins de 25 ans"))
    from_25_to_54 = _count(_("25 à 54 ans"))
    from_55 = _count(_("55 ans et plus"))
    themes = forms.MultipleChoiceField(
        label=_("Thèmes abordés"),
        choices=NeedCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    volunteers = IdMultipleChoiceField(
        label=_("Bénévoles présent·es"),
        queryset=Volunteer.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    staff = IdMultipleChoiceField(
        label=_("Équipe présente"),
        queryset=User.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = forms.CharField(
        label=_("Remarques"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, organization: Organization, activity=None, **kwargs):
        """``activity``: the action corrected. Its point, volunteers and team stay offered
        after they closed, ended or left; a new action is offered only those of now."""
        activity = activity if activity is not None else OutreachActivity()
        if activity.pk is None:
            kwargs.setdefault("initial", {"date": timezone.localdate()})
        else:
            kwargs.setdefault("initial", _initial_of(activity))
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["contact_point"].queryset = contact_points_offered(
            organization=organization, kept_id=activity.contact_point_id
        )
        went = self.initial.get("volunteers", [])
        fields["volunteers"].queryset = (
            Volunteer.objects.filter(organization=organization)
            .filter(
                Q(ended_on__isnull=True, participant__anonymised_at__isnull=True) | Q(pk__in=went)
            )
            .select_related("participant")
            .order_by("participant__first_name", "participant__last_name", "pk")
        )
        fields["volunteers"].label_from_instance = _person
        team = Membership.objects.active().filter(organization=organization, role__in=TEAM_ROLES)
        fields["staff"].queryset = User.objects.filter(
            Q(pk__in=team.values("user")) | Q(pk__in=self.initial.get("staff", []))
        ).order_by("first_name", "last_name", "pk")
        fields["staff"].label_from_instance = lambda user: user.get_full_name() or user.email
        fields["people_met"].help_text = _(
            "Tout le monde, compté ou non ci-dessous : femmes et hommes, et les tranches d'âge, "
            "n'en comptent pas plus."
        )

    def clean_date(self):
        return plausible_date(self.cleaned_data["date"])

    def activity_values(self) -> dict:
        """The action's own fields as typed, a number left empty as none."""
        data = self.cleaned_data
        values = {name: data[name] for name in ACTIVITY_FIELDS}
        for name in ("women", "men", "under_25", "from_25_to_54", "from_55"):
            values[name] = values[name] or 0
        return values


def _initial_of(activity: OutreachActivity) -> dict:
    initial = {name: getattr(activity, name) for name in ACTIVITY_FIELDS}
    initial["contact_point"] = activity.contact_point_id
    initial["volunteers"] = [v.pk for v in activity.volunteers.all()]
    initial["staff"] = [u.pk for u in activity.staff.all()]
    return initial


def _person(volunteer: Volunteer) -> str:
    person = volunteer.participant
    return f"{person.first_name} {person.last_name.upper()}"
