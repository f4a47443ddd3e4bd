"""The volunteer's own form (issue 21): the service sheet they fill on their phone. Its rules —
not tomorrow, kilometres with their vehicle, expenses with their receipt and only under a
real-costs agreement, one sheet a day — are ``chantiers.sheets.sheet_submit``'s, said beside
their fields; the form only reads what was typed."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import TextRuleMixin
from chantiers.forms import plausible_date
from chantiers.models import ZERO, ServiceSheet, Vehicle
from participants.forms import DateInput


def _decimal_input() -> forms.TextInput:
    """A number as a French user types it ("3,5"), with the phone's decimal keyboard."""
    return forms.TextInput(attrs={"inputmode": "decimal"})


class ServiceSheetForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = ServiceSheet
        fields = [
            "date",
            "hours",
            "activity",
            "km",
            "vehicle",
            "expense_amount",
            "expense_description",
            "receipt",
        ]
        widgets = {"date": DateInput()}
        localized_fields = ["hours", "expense_amount"]

    def __init__(self, *args, activity: str = "", **kwargs):
        instance = kwargs.get("instance")
        if instance is None or instance.pk is None:  # a new sheet: today, their usual activity
            # Kilometres and expenses empty, not 0: nothing to delete before typing.
            kwargs["initial"] = {
                "date": timezone.localdate(),
                "activity": activity,
                "km": None,
                "expense_amount": None,
            }
        super().__init__(*args, **kwargs)
        fields = self.fields
        fields["date"].help_text = _(
            "Une seule fiche par jour : plusieurs activités se notent ensemble."
        )
        # Bounded here rather than by the table's constraint, whose refusal would say
        # "constraint violated" above the form instead of a sentence beside the field; in the
        # service's words (Django's would write 0.25 the English way).
        hours = _("Indiquez un nombre d'heures entre 0,25 et 24.")
        fields["hours"].validators += [
            MinValueValidator(Decimal("0.25"), message=hours),
            MaxValueValidator(Decimal("24"), message=hours),
        ]
        fields["hours"].widget = _decimal_input()
        fields["hours"].help_text = _("Par exemple 3,5 pour trois heures et demie.")
        fields["activity"].help_text = _("Ce que vous avez fait, en quelques mots.")
        # Left empty: none (no trip, no expense), not a field to fill.
        fields["km"].required = fields["expense_amount"].required = False
        fields["km"].widget.attrs.update({"min": "0", "inputmode": "numeric"})
        fields["km"].help_text = _(
            "Les trajets faits pour l'organisation ce jour-là, aller et retour."
        )
        fields["vehicle"].choices = [("", "—"), *Vehicle.choices]
        fields["expense_amount"].validators.append(MinValueValidator(ZERO))
        fields["expense_amount"].widget = _decimal_input()
        fields["expense_amount"].help_text = _(
            "Seulement si votre convention prévoit le remboursement des frais réels."
        )
        # On a phone, "take a photo" is offered with the files. A plain input, not Django's
        # "currently: <link>" one: a receipt has no public address.
        fields["receipt"].widget = forms.FileInput(attrs={"accept": "image/*,application/pdf"})
        fields["receipt"].help_text = _("Une photo ou un PDF de 10 Mo au plus.")
        for field in fields.values():  # big targets: the form is filled on a phone
            select = isinstance(field.widget, forms.Select)
            field.widget.attrs["class"] = "form-select-lg" if select else "form-control-lg"

    def clean_date(self):
        return plausible_date(self.cleaned_data["date"])

    def clean_km(self):
        return self.cleaned_data["km"] or 0

    def clean_expense_amount(self):
        return self.cleaned_data["expense_amount"] or ZERO
