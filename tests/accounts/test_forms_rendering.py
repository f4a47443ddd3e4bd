"""Form markup drawn in Python (accounts.forms_rendering) is the markup Django's widget templates
and crispy-bootstrap5 draw: every kind of widget and field the project uses, both ways, compared."""

import datetime
from decimal import Decimal

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.test.html import parse_html
from django.utils.functional import lazy
from django.utils.safestring import mark_safe

from accounts.forms_rendering import FormRenderer, render_field, render_form

CHOICES = [("", "Choisir"), ("a", "Peinture & caves"), ("b", "Jardin <partagé>")]
BRUSSELS = [("1000", "Bruxelles"), ("1070", "Anderlecht")]
GROUPED = [("", "—"), ("Bruxelles", BRUSSELS), ("x", "Autre")]


class Everything(forms.Form):
    required_css_class = "required"
    error_css_class = "has-error"

    name = forms.CharField(
        label="Nom « complet »", help_text="Comme sur la <b>carte</b>", max_length=40
    )
    nickname = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "w-50"}))
    email = forms.EmailField(required=False)
    count = forms.IntegerField(min_value=0, required=False)
    amount = forms.DecimalField(max_digits=8, decimal_places=2, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), required=False)
    at = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    place = forms.ChoiceField(choices=CHOICES)
    commune = forms.ChoiceField(choices=GROUPED, required=False)
    year = forms.TypedChoiceField(choices=[(2024, 2024), (2025, 2025)], coerce=int, required=False)
    tags = forms.MultipleChoiceField(choices=CHOICES[1:], required=False)
    known = forms.NullBooleanField(required=False)
    agree = forms.BooleanField(label="J'accepte", help_text="Obligatoire")
    optional_flag = forms.BooleanField(required=False, label=lazy(str, str)("Facultatif"))
    kind = forms.ChoiceField(choices=CHOICES[1:], widget=forms.RadioSelect, required=False)
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    password = forms.CharField(widget=forms.PasswordInput(render_value=True), required=False)

    def clean(self):
        if self.cleaned_data.get("nickname") == "bad":
            raise forms.ValidationError("Deux <erreurs> du formulaire.")
        return self.cleaned_data


DATA = [
    None,
    {"name": 'A "B" <c>', "count": "x", "amount": "12.5", "day": "2026-02-30", "place": "b"},
    {
        "name": "Ok",
        "nickname": "bad",
        "email": "a@b.be",
        "count": "3",
        "amount": "1250.75",
        "day": "2026-11-22",
        "at": "08:30",
        "notes": "Ligne 1\n<script>alert(1)</script>",
        "place": "a",
        "commune": "1070",
        "year": "2025",
        "tags": ["a", "b"],
        "known": "true",
        "agree": "on",
        "optional_flag": "on",
        "kind": "b",
        "secret": "s3&cr3t",
        "password": "pw",
    },
]


def _initial():
    return Everything(initial={"day": datetime.date(2026, 1, 5), "amount": Decimal("3.10")})


def _forms(renderer_class):
    """The same forms (unbound with initial values, bound with errors, bound and valid)."""
    made = [_initial()] + [Everything(data) for data in DATA[1:]]
    for form in made:
        form.renderer = renderer_class()
        form.is_bound and form.is_valid()
    return made


def test_every_widget_is_the_same_string_as_djangos_templates():
    for python, templates in zip(_forms(FormRenderer), _forms(DjangoTemplates), strict=True):
        for name in python.fields:
            assert str(python[name]) == str(templates[name]), name


@pytest.mark.parametrize(
    "widget, value",
    [
        (
            forms.TextInput(attrs={"data-x": mark_safe("<x>"), "disabled": True, "hidden": False}),
            "'",
        ),
        (forms.NumberInput(), 1234567),
        (forms.Textarea(), mark_safe("<p>déjà sûr</p>")),
        (forms.Select(choices=[(1, 1500), (Decimal("2.5"), "b")]), Decimal("2.5")),
        (forms.SelectMultiple(choices=CHOICES), ["a", "b"]),
        (forms.CheckboxInput(), True),
    ],
)
def test_edge_values_are_escaped_and_localized_as_the_templates_do(widget, value, settings):
    settings.USE_THOUSAND_SEPARATOR = True
    python = widget.render("f", value, attrs={"id": "id_f"}, renderer=FormRenderer())
    templates = widget.render("f", value, attrs={"id": "id_f"}, renderer=DjangoTemplates())
    assert python == templates


def test_a_custom_option_template_still_goes_through_the_templates():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Custom(choices=CHOICES)
    python = widget.render("f", "a", renderer=FormRenderer())
    assert python == widget.render("f", "a", renderer=DjangoTemplates())
    assert "<option" not in python


def test_each_field_is_drawn_as_crispy_draws_it():
    # crispy adds its classes to the widget itself: each side gets forms of its own
    for python, crispy in zip(_forms(FormRenderer), _forms(FormRenderer), strict=True):
        for name in python.fields:
            ours, theirs = render_field(python[name]), as_crispy_field(crispy[name])
            assert parse_html(ours) == parse_html(theirs), (name, ours, theirs)
    bound = _forms(FormRenderer)[1]
    html = render_field(bound["count"])
    assert 'class="numberinput form-control is-invalid"' in html
    assert 'aria-invalid="true"' in html and 'class="invalid-feedback"' in html
    html = render_field(bound["name"])
    assert 'value="A &quot;B&quot; &lt;c&gt;"' in html and "<c>" not in html


def test_whole_forms_are_drawn_as_crispy_draws_them_non_field_errors_included():
    for python, crispy in zip(_forms(FormRenderer), _forms(FormRenderer), strict=True):
        ours, theirs = render_form(python), as_crispy_form(crispy)
        assert parse_html(ours) == parse_html(theirs)
    assert "Deux &lt;erreurs&gt; du formulaire." in render_form(_forms(FormRenderer)[2])


def test_the_template_filters_draw_the_same_as_the_functions():
    form = _forms(FormRenderer)[1]
    template = Template("{% load bootstrap_forms %}{{ form.name|as_field }}|{{ form|as_fields }}")
    field, whole = template.render(Context({"form": form})).split("|", 1)
    assert field == render_field(form["name"])
    # ``as_fields`` puts the error summary (tests/accounts/test_error_summary.py) above them.
    assert whole == render_form(form, summary=True)
    assert whole.startswith('<div class="alert alert-danger error-summary"')


def test_the_project_uses_this_renderer(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "accounts.forms_rendering.FormRenderer"
    get_default_renderer.cache_clear()
    assert isinstance(Everything().renderer, FormRenderer)


def test_a_prefix_or_css_class_cannot_break_out_of_the_markup():
    def hostile():
        form = Everything(prefix='p"<1>')
        form.required_css_class = 'r"<x>'
        form.renderer = FormRenderer()
        return form

    for name in ("name", "agree", "place"):
        html = render_field(hostile()[name])
        assert '"<' not in html and "<1>" not in html and "<x>" not in html
        assert parse_html(html) == parse_html(as_crispy_field(hostile()[name]))
