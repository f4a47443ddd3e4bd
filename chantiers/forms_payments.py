"""The form of a new payment batch: the execution date and the statements ticked."""

from django import forms
from django.utils.translation import gettext_lazy

from accounts.forms_input import IdListField, TextRuleMixin
from participants.forms import DateInput


class BatchForm(TextRuleMixin, forms.Form):
    execution_date = forms.DateField(
        label=gettext_lazy("Date d'exécution souhaitée"),
        widget=DateInput(),
        help_text=gettext_lazy("Le jour où la banque exécute les virements."),
    )
    # The validated statements ticked; the service refuses any that is not one of the batch's
    # candidates (``payments.batch_create``).
    statements = IdListField(required=False)
