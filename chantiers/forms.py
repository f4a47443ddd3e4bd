"""Forms of the group page (select, start, leave, safety) and of the volunteer agreement.

The agreement form holds the rules a coordinator must not get wrong on paper (DESIGN §3, §4):
the declaration the income source requires, never both schemes in one calendar year, a daily
rate within the year's legal ceiling.
"""

import datetime as dt

from django import forms
from django.core.validators import MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms_input import IdListField, TextRuleMixin
from accounts.templatetags.formatting import euros
from chantiers.indemnities import DECLARATION_REQUIRED, ZERO
from chantiers.models import (
    Enrolment,
    IndemnityCeiling,
    MonthlyStatement,
    RealCost,
    VolunteerAgreement,
)
from participants.forms import DateInput
from participants.models import IncomeSource

# Dates of chantiers, sessions and agreements: a year outside these is a typing mistake (0026 for
# 2026), and it would make the pages compute dates out of the calendar.
FIRST_PLAUSIBLE_YEAR = 2000
PLAUSIBLE_YEARS_AHEAD = 10


def plausible_date(day: dt.date | None) -> dt.date | None:
    if day and not (
        FIRST_PLAUSIBLE_YEAR <= day.year <= timezone.localdate().year + PLAUSIBLE_YEARS_AHEAD
    ):
        raise forms.ValidationError(
            _("Année improbable (%(year)s) : vérifiez la date.") % {"year": day.year}
        )
    return day


def _not_in_future(day: dt.date | None) -> dt.date | None:
    if day and day > timezone.localdate():
        raise forms.ValidationError(_("Une date future n'est pas acceptée ici."))
    return day


class EnrolmentSelectForm(TextRuleMixin, forms.Form):
    justification = forms.CharField(
        label=gettext_lazy("Justification de la dérogation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy(
            "Obligatoire quand une condition n'est pas remplie ; elle est gardée."
        ),
    )


class CandidatesForm(TextRuleMixin, forms.Form):
    """The people ticked on the page that adds candidates to the group."""

    participant = IdListField(required=False)


class EnrolmentActivateForm(TextRuleMixin, forms.Form):
    joined_on = forms.DateField(label=gettext_lazy("Arrivée le"), widget=DateInput())


class EnrolmentLeaveForm(TextRuleMixin, forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Type de départ"),
        choices=[
            (Enrolment.Status.COMPLETED, Enrolment.Status.COMPLETED.label),
            (Enrolment.Status.WITHDRAWN, Enrolment.Status.WITHDRAWN.label),
        ],
        widget=forms.RadioSelect,
    )
    left_on = forms.DateField(label=gettext_lazy("Départ le"), widget=DateInput())
    # Named as in the service, which answers {"leave_reason": ...} when it is missing.
    leave_reason = forms.CharField(
        label=gettext_lazy("Motif du départ"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("Obligatoire pour une sortie en cours de route."),
    )


class StatementUnlockForm(TextRuleMixin, forms.Form):
    """The reason a validated month is reopened (the service requires one and keeps it)."""

    reason = forms.CharField(label=gettext_lazy("Motif de la réouverture"), required=False)


class EnrolmentSafetyForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Enrolment
        fields = ["safety_briefing_on", "protective_equipment_on"]
        widgets = {"safety_briefing_on": DateInput(), "protective_equipment_on": DateInput()}

    def clean_safety_briefing_on(self):
        return _not_in_future(self.cleaned_data["safety_briefing_on"])

    def clean_protective_equipment_on(self):
        return _not_in_future(self.cleaned_data["protective_equipment_on"])


def income_on(incomes: list[IncomeSource], day: dt.date) -> IncomeSource | None:
    for income in incomes:
        if income.starts_on <= day and (income.ends_on is None or day <= income.ends_on):
            return income
    return None


def _years(agreement_starts: dt.date, agreement_ends: dt.date | None) -> tuple[int, int]:
    """The calendar years an agreement touches; an open end runs on."""
    return agreement_starts.year, agreement_ends.year if agreement_ends else 9999


class AgreementForm(TextRuleMixin, forms.ModelForm):
    """The instance comes with its participant, organization and chantier already set."""

    DECLARATIONS_WITH_DATE = frozenset(VolunteerAgreement.Declaration) - {
        VolunteerAgreement.Declaration.NONE
    }

    class Meta:
        model = VolunteerAgreement
        fields = [
            "starts_on",
            "ends_on",
            "scheme",
            "daily_rate",
            "signed_on",
            "organisation_note_given_on",
            "insurance_policy",
            "declaration",
            "declaration_on",
        ]
        widgets = {
            name: DateInput()
            for name in (
                "starts_on",
                "ends_on",
                "signed_on",
                "organisation_note_given_on",
                "declaration_on",
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        participant = self.instance.participant
        self.incomes = list(IncomeSource.objects.filter(participant=participant))
        self.current_income = income_on(self.incomes, timezone.localdate())
        self.required_declaration = (
            VolunteerAgreement.Declaration(DECLARATION_REQUIRED[self.current_income.kind])
            if self.current_income
            else None
        )
        self.others = list(
            VolunteerAgreement.objects.filter(
                participant=participant, organization=self.instance.organization
            )
            .exclude(pk=self.instance.pk)
            .select_related("chantier")
            .order_by("-starts_on")
        )
        self.fields["declaration"].choices = [
            ("", _("Pas encore faite")),
            *VolunteerAgreement.Declaration.choices,
        ]
        self.fields["daily_rate"].validators.append(MinValueValidator(ZERO))
        self.fields["daily_rate"].widget.attrs.update({"min": "0", "step": "0.01"})
        self.fields["ends_on"].help_text = _("Laisser vide si la convention n'a pas de fin prévue.")
        if self.current_income is not None:
            self.fields["declaration"].help_text = _(
                "Source de revenus actuelle : %(income)s ; déclaration requise : %(required)s."
            ) % {
                "income": self.current_income.get_kind_display(),
                "required": self.required_declaration.label,
            }
        # The legal ceilings of the year the agreement starts (shown beside the rate).
        first_day = self.instance.starts_on or self.initial.get("starts_on")
        self.year = (first_day or timezone.localdate()).year
        self.ceiling = IndemnityCeiling.objects.filter(year=self.year).first()
        if self.ceiling is not None:
            self.fields["daily_rate"].help_text = _(
                "Plafond légal %(year)s : %(ceiling)s par jour."
            ) % {"year": self.year, "ceiling": euros(self.ceiling.daily)}

    unchecked_year: int | None = None  # a future year whose ceilings are not published yet

    def clean_starts_on(self):
        return plausible_date(self.cleaned_data["starts_on"])

    def clean_ends_on(self):
        return plausible_date(self.cleaned_data["ends_on"])

    def clean_signed_on(self):
        return _not_in_future(self.cleaned_data["signed_on"])

    def clean_organisation_note_given_on(self):
        return _not_in_future(self.cleaned_data["organisation_note_given_on"])

    def clean_declaration_on(self):
        return _not_in_future(self.cleaned_data["declaration_on"])

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("La fin précède le début."))
            ends_on = None
        if starts_on:
            self._check_declaration(data, starts_on)
            self._check_scheme(data.get("scheme"), starts_on, ends_on)
            self._check_ceiling(data.get("scheme"), data.get("daily_rate"), starts_on, ends_on)
        return data

    def _check_declaration(self, data, starts_on: dt.date) -> None:
        declaration = data.get("declaration")
        if not declaration:
            return  # not done yet: the days stay unpaid, with their reason, until it is
        # The income of the agreement's first day (the current one if none was known then).
        income = income_on(self.incomes, starts_on) or self.current_income
        if income is not None:
            required = VolunteerAgreement.Declaration(DECLARATION_REQUIRED[income.kind])
            if declaration != required:
                self.add_error(
                    "declaration",
                    _(
                        "La source de revenus de la personne (%(income)s) demande : "
                        "« %(required)s »."
                    )
                    % {"income": income.get_kind_display(), "required": required.label},
                )
                return
        if declaration in self.DECLARATIONS_WITH_DATE and not data.get("declaration_on"):
            self.add_error("declaration_on", _("Indiquez la date de la déclaration."))

    def _check_scheme(self, scheme: str | None, starts_on, ends_on) -> None:
        """Never both the flat rate and real costs in one calendar year (law of 3 July 2005)."""
        if not scheme:
            return
        first, last = _years(starts_on, ends_on)
        if self.instance.pk and scheme != self.instance.scheme and self._scheme_used(first, last):
            self.add_error(
                "scheme",
                _(
                    "Des défraiements ou des fiches de ces années existent déjà sous l'autre "
                    "régime : une même année ne peut pas mêler forfait et frais réels. Le "
                    "changement de régime se fait par une nouvelle convention, l'année suivante."
                ),
            )
            return
        for other in self.others:
            other_first, other_last = _years(other.starts_on, other.ends_on)
            if other.scheme != scheme and max(first, other_first) <= min(last, other_last):
                self.add_error(
                    "scheme",
                    _(
                        "La convention du %(date)s est au régime « %(scheme)s » la même année : "
                        "une même année ne peut pas mêler forfait et frais réels."
                    )
                    % {
                        "date": other.starts_on.strftime("%d/%m/%Y"),
                        "scheme": other.get_scheme_display(),
                    },
                )
                return

    def _scheme_used(self, first: int, last: int) -> bool:
        """Something of these years is already validated or paid (a statement), or repaid on
        receipts: the scheme it was under stays. Amounts still open are simply recomputed."""
        person, organization = self.instance.participant_id, self.instance.organization_id
        years = {"month__year__range": (first, min(last, 9998))}
        return (
            MonthlyStatement.objects.filter(participant=person, organization=organization, **years)
            .exclude(status=MonthlyStatement.Status.DRAFT)
            .exists()
            or RealCost.objects.filter(
                participant=person, organization=organization, date__year__range=(first, last)
            ).exists()
        )

    def _check_ceiling(self, scheme, daily_rate, starts_on, ends_on) -> None:
        if scheme != VolunteerAgreement.Scheme.FLAT_RATE or daily_rate is None:
            return
        last = ends_on.year if ends_on else starts_on.year
        ceilings = list(
            IndemnityCeiling.objects.filter(year__range=(starts_on.year, last)).order_by("year")
        )
        if not any(ceiling.year == starts_on.year for ceiling in ceilings):
            if starts_on.year > timezone.localdate().year:
                # Next year's amounts are published in January: the agreement may be prepared,
                # its rate is checked — and capped by the engine — once they are configured.
                self.unchecked_year = starts_on.year
                return
            # Rule 4: the rate cannot be checked, and no day of that year could be paid.
            self.add_error(
                "daily_rate",
                _(
                    "Aucun plafond de défraiement n'est configuré pour %(year)s : le forfait ne "
                    "peut pas être vérifié. L'administration doit l'ajouter (Administration "
                    "technique → Plafonds de défraiement) dès sa publication."
                )
                % {"year": starts_on.year},
            )
            return
        for ceiling in ceilings:
            if daily_rate > ceiling.daily:
                self.add_error(
                    "daily_rate",
                    _("Au-dessus du plafond journalier légal de %(year)s : %(ceiling)s.")
                    % {"year": ceiling.year, "ceiling": euros(ceiling.daily)},
                )
                return
