from django import forms
from django.utils.translation import gettext_lazy as _

from participants.models import NeedCategory
from partners.models import PartnerService, Referral


class DirectoryForm(forms.Form):
    """The directory's search: no personal data, so a plain GET form."""

    category = forms.ChoiceField(
        label=_("Besoin"),
        choices=[("", _("Tous les besoins")), *NeedCategory.choices],
        required=False,
    )
    place = forms.CharField(
        label=_("Commune ou code postal"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Ex. : 1070 ou Anderlecht")}),
    )


class ReferralForm(forms.ModelForm):
    """A referral of one participant: to which service, for which of their open needs, why."""

    class Meta:
        model = Referral
        fields = ["service", "need", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, organization, participant, **kwargs):
        super().__init__(*args, **kwargs)
        service = self.fields["service"]
        service.required = True
        service.queryset = (
            PartnerService.objects.filter(is_active=True, organization__is_active=True)
            .exclude(organization=organization)
            .select_related("organization")
            .order_by("organization__name", "name")
        )
        service.empty_label = _("Choisissez un service")
        need = self.fields["need"]
        need.queryset = participant.needs.filter(resolved_on__isnull=True)
        need.empty_label = _("Aucun besoin en particulier")
        need.label_from_instance = lambda n: n.get_category_display()
