from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.forms_input import IdChoiceField, TextRuleMixin
from accounts.models import Organization
from participants.forms import DateInput, TimeInput, training_providers
from workshops.models import DropInVisit, Module, ModuleSession


def co_runners(organization):
    """The organizations a module may be co-run with: those a training may be given by (the
    app's partners, neither employers prospected nor funders), the organization aside."""
    return training_providers().exclude(pk=organization.pk).order_by("name")


class ModuleForm(TextRuleMixin, forms.ModelForm):
    partner = IdChoiceField(
        label=_("Partenaire co-organisateur"), queryset=Organization.objects.none(), required=False
    )

    class Meta:
        model = Module
        fields = ["title", "kind", "description", "duration_minutes", "facilitator", "partner"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = co_runners(organization)
        self.fields["partner"].label_from_instance = lambda org: org.name
        if self.instance.pk:
            self.fields["active"] = forms.BooleanField(
                label=Module._meta.get_field("active").verbose_name,
                help_text=Module._meta.get_field("active").help_text,
                required=False,
                initial=self.instance.active,
            )


class SessionForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = ModuleSession
        fields = ["date", "starts_at", "duration_minutes", "room", "capacity"]
        widgets = {"date": DateInput(), "starts_at": TimeInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duration_minutes"].required = False
        self.fields["duration_minutes"].help_text = _("Vide : la durée du module.")
        self.fields["starts_at"].widget.attrs["step"] = 300


class CancelForm(TextRuleMixin, forms.Form):
    reason = forms.CharField(
        label=_("Raison de l'annulation"),
        max_length=300,
        help_text=_("Par exemple : animateur·rice malade, salle indisponible."),
    )


class EnrolForm(TextRuleMixin, forms.Form):
    """A person enrolled in a session: from the session (their open pathway chosen among the
    organization's), or from their page (a session chosen among those to come)."""

    pathway = IdChoiceField(label=_("Personne"), queryset=None)

    def __init__(self, *args, pathways, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pathway"].queryset = pathways
        self.fields["pathway"].label_from_instance = lambda p: (
            f"{p.participant.last_name.upper()} {p.participant.first_name} — {p.programme}"
        )


class SessionChoiceForm(TextRuleMixin, forms.Form):
    session = IdChoiceField(label=_("Séance"), queryset=None)
    pathway = IdChoiceField(label=_("Parcours"), queryset=None)

    def __init__(self, *args, sessions, pathways, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = sessions
        self.fields["session"].label_from_instance = lambda s: (
            f"{s.date:%d/%m/%Y} {s.starts_at:%H:%M} — {s.module.title}"
        )
        self.fields["pathway"].queryset = pathways
        self.fields["pathway"].label_from_instance = lambda p: str(p.programme)
        self.pathway_choices = list(pathways)
        if len(self.pathway_choices) == 1:
            self.fields["pathway"].initial = self.pathway_choices[0].pk
            self.fields["pathway"].widget = forms.HiddenInput()


class VisitForm(TextRuleMixin, forms.ModelForm):
    class Meta:
        model = DropInVisit
        fields = ["people", "need", "age_band", "gender"]
