"""One form per report kind. The page and ``manage.py generate_report`` validate with the same
forms, and ``parameters()`` gives the JSON stored on the run (DESIGN §3, the builders' keys)."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import TextRuleMixin
from chantiers.models import Chantier
from participants.models import Programme
from reporting.models import ReportRun
from reporting.reports import ReportParameterError
from reporting.reports.common import FIRST_YEAR, period_param

Kind = ReportRun.Kind


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _last_year() -> int:
    return timezone.localdate().year - 1


def _year_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("Année"),
        min_value=FIRST_YEAR,
        error_messages={"invalid": _("Indiquez une année en chiffres, par exemple 2025.")},
        **kwargs,
    )


def _check_year_started(year: int | None) -> int | None:
    if year is not None and year > timezone.localdate().year:
        raise forms.ValidationError(
            _("L'année %(year)s n'a pas encore commencé."), params={"year": year}
        )
    return year


class ProgrammeChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Programme.objects.none(),
            to_field_name="code",
            label=_("Programme"),
            empty_label=_("Choisir un programme"),
            error_messages={
                "invalid_choice": _("Aucun programme « %(value)s » dans cette organisation.")
            },
            **kwargs,
        )

    def label_from_instance(self, obj):
        return obj.name


class ChantierChoiceField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Chantier.objects.none(),
            to_field_name="code",
            label=_("Chantier"),
            empty_label=_("Choisir un chantier"),
            error_messages={
                "invalid_choice": _("Aucun chantier « %(value)s » parmi ceux que vous pouvez voir.")
            },
            **kwargs,
        )

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.code})"


class ReportForm(TextRuleMixin, forms.Form):
    """``organization`` scopes the programmes; ``chantiers`` is the queryset the person may
    choose from (a coordinator: their own chantiers); ``names_allowed``: whether participants
    may be named (``reporting.selectors.names_allowed_for``; the command, an operator's tool,
    passes True)."""

    kind: str = ""

    def __init__(self, data=None, *, organization, chantiers, names_allowed=False, **kwargs):
        kwargs.setdefault("prefix", self.kind)
        super().__init__(data, **kwargs)
        self.organization = organization
        self.names_allowed = names_allowed
        if "programme" in self.fields:
            self.fields["programme"].queryset = Programme.objects.filter(
                organization=organization
            ).order_by("name")
        if "chantier" in self.fields:
            self.fields["chantier"].queryset = chantiers.order_by("-starts_on", "name")

    @property
    def title(self):
        return Kind(self.kind).label

    def parameters(self) -> dict:
        raise NotImplementedError


class ActivityReportForm(ReportForm):
    kind = Kind.ACTIVITY
    year = _year_field(initial=_last_year)

    def clean_year(self):
        return _check_year_started(self.cleaned_data["year"])

    def parameters(self) -> dict:
        return {"year": self.cleaned_data["year"]}


class SubsidyReportForm(ReportForm):
    kind = Kind.SUBSIDY
    IDENTIFY_CHOICES = [
        ("pseudonyms", _("Identifiants pseudonymes (P000123…)")),
        ("names", _("Noms et prénoms")),
    ]

    programme = ProgrammeChoiceField()
    start = forms.DateField(
        label=_("Du"), widget=DateInput(), initial=lambda: dt.date(_last_year(), 1, 1)
    )
    end = forms.DateField(
        label=_("Au"), widget=DateInput(), initial=lambda: dt.date(_last_year(), 12, 31)
    )
    identify = forms.ChoiceField(
        label=_("Participant·es identifié·es par"),
        choices=IDENTIFY_CHOICES,
        initial="pseudonyms",
        widget=forms.RadioSelect,
        help_text=_("Ne choisissez les noms que si le pouvoir subsidiant les exige."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.names_allowed:
            # Not offered, and refused if posted anyway: the administration's listing has
            # pseudonyms only (the service checks the requester's role again).
            field = self.fields["identify"]
            field.choices = [c for c in self.IDENTIFY_CHOICES if c[0] != "names"]
            field.help_text = _("Les noms des participant·es sont réservés à la direction.")
            field.error_messages["invalid_choice"] = _(
                "Seule la direction peut demander les noms des participant·es ; le rapport "
                "les identifie par des pseudonymes."
            )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", _("La fin de la période précède son début."))
        elif start and end:
            # The report's own rules (at most three years, plausible years), told here next to
            # what was typed rather than later as a failed run.
            try:
                period_param(
                    parameters={"start": start.isoformat(), "end": end.isoformat()},
                    today=timezone.localdate(),
                )
            except ReportParameterError as error:
                self.add_error("end", str(error))
        return cleaned

    def parameters(self) -> dict:
        data = self.cleaned_data
        return {
            "programme": data["programme"].code,
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "identify": data["identify"],
        }


class ImpactReportForm(ReportForm):
    """A programme's cohort for a year, or one chantier's cohort."""

    kind = Kind.IMPACT
    programme = ProgrammeChoiceField(required=False)
    year = _year_field(required=False, initial=_last_year)
    chantier = ChantierChoiceField(required=False)

    def clean_year(self):
        return _check_year_started(self.cleaned_data["year"])

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        programme, year, chantier = (cleaned.get(k) for k in ("programme", "year", "chantier"))
        if chantier and programme:
            raise forms.ValidationError(
                _("Choisissez soit un programme et une année, soit un chantier, pas les deux.")
            )
        if not chantier and not programme:
            raise forms.ValidationError(_("Choisissez un programme et une année, ou un chantier."))
        if programme and not year:
            self.add_error("year", _("Indiquez l'année de la cohorte du programme."))
        return cleaned

    def parameters(self) -> dict:
        data = self.cleaned_data
        if data["chantier"]:
            return {"chantier": data["chantier"].code}
        return {"programme": data["programme"].code, "year": data["year"]}


class ChantierSummaryForm(ReportForm):
    kind = Kind.CHANTIER_SUMMARY
    chantier = ChantierChoiceField()

    def parameters(self) -> dict:
        return {"chantier": self.cleaned_data["chantier"].code}


FORMS: dict[str, type[ReportForm]] = {
    form.kind: form
    for form in (ActivityReportForm, SubsidyReportForm, ImpactReportForm, ChantierSummaryForm)
}
