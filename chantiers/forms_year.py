"""Forms of what changes a volunteer's year after the fact (``chantiers.year_changes``): a
declaration of what they received elsewhere, a correction of a validated month, direction's
answer to a ceiling exceeded, a correction settled outside a batch."""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.forms_input import TextRuleMixin
from chantiers.forms import _not_in_future
from chantiers.models import ZERO, CeilingExcess, ElsewhereDeclaration, RealCost, Vehicle
from participants.forms import DateInput

# Years a declaration may be for: the last few (a declaration comes late) up to the next.
YEARS_BACK = 5


class DeclarationForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = ElsewhereDeclaration
        fields = ["year", "amount", "km", "declared_on", "source", "proof", "proof_file"]
        widgets = {"declared_on": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].widget = forms.Select(
            choices=[(year, year) for year in range(this_year + 1, this_year - YEARS_BACK, -1)]
        )
        self.fields["year"].validators += [
            MinValueValidator(this_year - YEARS_BACK + 1),
            MaxValueValidator(this_year + 1),
        ]
        self.fields["amount"].validators.append(MinValueValidator(ZERO))
        self.fields["amount"].widget.attrs.update({"min": "0", "step": "0.01"})
        self.fields["amount"].help_text = gettext_lazy(
            "Le forfait de bénévolat reçu ou promis ailleurs pour cette année civile."
        )
        self.fields["km"].widget.attrs.update({"min": "0"})
        self.fields["proof_file"].widget = forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf"}
        )
        self.fields["proof_file"].help_text = gettext_lazy(
            "Facultative : une photo ou un PDF de 10 Mo au plus."
        )
        self.fields["km"].validators.append(MaxValueValidator(100_000))

    def clean_declared_on(self):
        return _not_in_future(self.cleaned_data["declared_on"])

    def clean(self):
        data = super().clean()
        if data.get("amount") == ZERO and data.get("km") == 0:
            raise forms.ValidationError(
                gettext_lazy("Indiquez un montant ou des kilomètres reçus ailleurs.")
            )
        return data


class CorrectionForm(TextRuleMixin, forms.Form):
    amount = forms.DecimalField(
        label=gettext_lazy("Forfait à ajouter ou retirer (€)"),
        max_digits=9,
        decimal_places=2,
        initial=ZERO,
        localize=True,  # "-22,01" as a French user types it
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
        help_text=gettext_lazy("Négatif pour un trop-payé : -12,50 reprend 12,50 €."),
    )
    km = forms.IntegerField(
        label=gettext_lazy("Kilomètres à ajouter ou retirer"),
        initial=0,
        min_value=-10_000,
        max_value=10_000,
    )
    vehicle = forms.ChoiceField(
        label=gettext_lazy("Véhicule de ces kilomètres"),
        choices=[("", "—"), *Vehicle.choices],
        required=False,
    )
    reason = forms.CharField(
        label=gettext_lazy("Motif de la correction"), widget=forms.Textarea(attrs={"rows": 2})
    )


class CorrectionSettleForm(TextRuleMixin, forms.Form):
    settled_on = forms.DateField(label=gettext_lazy("Réglée le"), widget=DateInput())
    settled_note = forms.CharField(
        label=gettext_lazy("Réglée comment"),
        max_length=200,
        help_text=gettext_lazy("Par exemple : remboursée par virement de la personne."),
    )


class ExcessResolveForm(TextRuleMixin, forms.Form):
    outcome = forms.ChoiceField(
        label=gettext_lazy("Suite donnée"),
        choices=[
            (CeilingExcess.Outcome.RECOVERED, CeilingExcess.Outcome.RECOVERED.label),
            (CeilingExcess.Outcome.TAXABLE, CeilingExcess.Outcome.TAXABLE.label),
        ],
        widget=forms.RadioSelect,
    )
    recovered_amount = forms.DecimalField(
        label=gettext_lazy("Montant récupéré (€)"),
        max_digits=9,
        decimal_places=2,
        required=False,
        min_value=ZERO,
    )
    told_on = forms.DateField(label=gettext_lazy("Personne informée le"), widget=DateInput())
    # The amount over the page showed: the service refuses if it changed meanwhile.
    seen = forms.DecimalField(max_digits=9, decimal_places=2, widget=forms.HiddenInput)
    note = forms.CharField(
        label=gettext_lazy("Commentaire"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RealCostForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = RealCost
        fields = ["date", "amount", "description", "receipt"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amount"].validators.append(MinValueValidator(Decimal("0.01")))
        self.fields["amount"].widget.attrs.update({"min": "0.01", "step": "0.01"})
        # On a phone, "take a photo" is offered with the files.
        self.fields["receipt"].widget = forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,application/pdf"}
        )
        self.fields["receipt"].help_text = gettext_lazy("Une photo ou un PDF de 10 Mo au plus.")

    def clean_date(self):
        return _not_in_future(self.cleaned_data["date"])
