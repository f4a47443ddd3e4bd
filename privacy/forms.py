from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.forms_input import TextRuleMixin
from participants.forms import DateInput
from privacy.models import Document


class DocumentForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = Document
        fields = ["kind", "description", "dated_on", "consent_on", "keep_until", "file"]
        widgets = {
            "dated_on": DateInput(),
            "consent_on": DateInput(),
            "keep_until": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consent_on"].initial = timezone.localdate()
        keep_until = self.fields["keep_until"]
        keep_until.required = False
        keep_until.help_text = gettext_lazy(
            "Le document est supprimé à cette date. Vide : la durée la plus longue de son type "
            "(copie de la pièce d'identité 1 an, attestation 3 ans, diplôme ou convention "
            "5 ans, autre document 2 ans) ; plus court si possible."
        )
        self.fields["description"].help_text = gettext_lazy(
            "Facultatif, par exemple « attestation de fréquentation du CPAS » : pas de détail de "
            "santé ni de situation personnelle."
        )
        file = self.fields["file"]
        file.required = True
        # On a phone, "take a photo" is offered with the files.
        file.widget = forms.FileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})
        file.help_text = gettext_lazy("Une photo ou un PDF de 10 Mo au plus.")
