"""Form markup written in Python, for speed: the widgets every form uses and the Bootstrap 5 field
around them.

Django draws each widget through templates (an input is three template files, a select one more
per option) and crispy-forms wraps each field in a dozen more. Kept for what it wins, measured by
``make bench`` on the large data (06/12/2026, the same run with this module switched off for
Django's renderer and crispy's filters): participant page 36.0 ms with it, 53.2 ms without
(× 6.2 → × 8.3 the minimal view); reports page 40.0 → 58.6 ms (× 6.9 → × 9.2). The markup below
is the same as theirs — the tests render every kind of field both ways and compare — and
whatever it does not know (radio buttons, files, multi-widgets, horizontal layouts) still goes
through the templates.
"""

from django import forms
from django.forms.formsets import BaseFormSet
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import escape, format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import ngettext

WIDGETS = "django/forms/widgets/"


def _text(value) -> str:
    """A value as the template language prints it: localized, then escaped unless safe."""
    value = localize(value)
    return value if isinstance(value, SafeData) else escape(str(value))


def _as_s(value) -> str:
    """``{{ value|stringformat:'s' }}``: no localization, escaped unless safe."""
    return value if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: dict) -> str:
    """``django/forms/widgets/attrs.html``."""
    out = []
    for name, value in attrs.items():
        if value is False:
            continue
        out.append(f" {escape(name)}" if value is True else f' {escape(name)}="{_as_s(value)}"')
    return "".join(out)


def _input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_as_s(widget["value"])}"'
    return (
        f'<input type="{_text(widget["type"])}" name="{_text(widget["name"])}"'
        f"{value}{_attrs(widget['attrs'])}>"
    )


def _textarea(widget: dict) -> str:
    value = _text(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


def _option(option: dict) -> str:
    return (
        f'<option value="{_as_s(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_text(option['label'])}</option>"
    )


def _select(widget: dict) -> str | None:
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        for option in options:
            if option["template_name"] != WIDGETS + "select_option.html":
                return None  # a custom option template: let the templates draw it
            parts.append(f"\n  {_option(option)}\n")  # the option's template ends a line
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


INPUTS = ("input", "text", "number", "email", "url", "password", "hidden", "date", "time")
INPUTS += ("datetime", "search", "tel", "color", "checkbox")
PYTHON_WIDGETS = {
    **{f"{WIDGETS}{name}.html": _input for name in INPUTS},
    WIDGETS + "textarea.html": _textarea,
    WIDGETS + "select.html": _select,
}


class FormRenderer(DjangoTemplates):
    """Django's default form renderer, with the common widget templates written in Python."""

    def render(self, template_name, context, request=None):
        draw = PYTHON_WIDGETS.get(template_name)
        html = draw(context["widget"]) if draw is not None else None
        return html if html is not None else super().render(template_name, context, request)


# ---------------------------------------------------------------------------------------------
# The Bootstrap 5 field around the widget: crispy-bootstrap5's ``field.html`` in its default
# layout (labels shown, errors as blocks, help text after the errors).


def _falls_back(field) -> bool:
    widget = field.field.widget
    special = forms.RadioSelect | forms.CheckboxSelectMultiple | forms.FileInput | forms.MultiWidget
    return (
        isinstance(widget, special)
        or getattr(widget, "use_fieldset", False)
        or field.field.show_hidden_initial
    )


def _widget_class(field, bootstrap: str) -> str:
    """The classes crispy gives the widget: its own, the widget's name, Bootstrap's."""
    widget = field.field.widget
    name = type(widget).__name__.lower()
    classes = widget.attrs.get("class", "")
    if not classes:
        classes = name
    elif name not in classes:
        classes = f"{classes} {name}"
    extra = f"{bootstrap} is-invalid" if field.errors else bootstrap
    for css in extra.split():
        if css not in classes.split():
            classes = f"{classes} {css}"
    return classes


def _help_and_errors(field) -> str:
    parts = []
    if field.errors:
        feedback = '<div id="{}_error" class="invalid-feedback">'
        parts.append(format_html(feedback, field.errors.field_id))
        for number, error in enumerate(field.errors, start=1):
            parts.append(
                format_html(
                    '<p id="error_{}_{}"><strong>{}</strong></p>', number, field.auto_id, error
                )
            )
        parts.append("</div>")
    if field.help_text:
        target = format_html('id="{}_helptext" ', field.auto_id) if field.auto_id else ""
        parts.append(f'<div {target}class="form-text">{field.help_text}</div>')
    return "".join(parts)


def _required(field) -> tuple[str, str]:
    if field.field.required:
        return " requiredField", '<span class="asteriskField">*</span>'
    return "", ""


def render_field(field) -> str:
    """One bound field as ``{{ field|as_crispy_field }}`` draws it."""
    if field.is_hidden:
        return str(field)
    if _falls_back(field):
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

        return as_crispy_field(field)
    required_class, asterisk = _required(field)
    classes = field.css_classes()
    wrapper = escape(f"mb-3 {classes}" if classes else "mb-3")
    wrapper_id = escape(f"div_{field.auto_id}")
    if isinstance(field.field.widget, forms.CheckboxInput):
        widget = field.as_widget(attrs={"class": _widget_class(field, "form-check-input")})
        label = format_html(
            '<label for="{}" class="form-check-label{}">{}{}</label>',
            field.id_for_label,
            required_class,
            field.label,
            mark_safe(asterisk),
        )
        css = "form-check" + wrapper.removeprefix("mb-3")
        return mark_safe(
            f'<div class="mb-3"><div id="{wrapper_id}" class="{css}">'
            f"{widget}{label}{_help_and_errors(field)}</div></div>"
        )
    label = ""
    if field.label:
        target = format_html('for="{}" ', field.id_for_label) if field.id_for_label else ""
        label = format_html(
            '<label {}class="form-label{}">{}{}</label>',
            target,
            required_class,
            field.label,
            mark_safe(asterisk),
        )
    bootstrap = "form-select" if isinstance(field.field.widget, forms.Select) else "form-control"
    widget = field.as_widget(attrs={"class": _widget_class(field, bootstrap)})
    return mark_safe(
        f'<div id="{wrapper_id}" class="{wrapper}">{label}{widget}{_help_and_errors(field)}</div>'
    )


def _focus_target(field) -> str:
    """The id a link to the field leads to: its input, or the first of a list of radio buttons
    or checkboxes (which has no single input, and an empty ``id_for_label``)."""
    if field.id_for_label:
        return field.id_for_label
    subwidgets = field.subwidgets if field.auto_id else []
    return subwidgets[0].id_for_label if subwidgets else ""


def render_error_summary(form) -> str:
    """What to correct in a refused form, above it: how many errors, then each one, a field's
    as a link to the field (GOV.UK's error summary). ``app.js`` moves the focus to it when the
    page or the htmx fragment arrives, so a screen reader reads it at once and a keyboard user
    jumps from it to the field; without JavaScript it is still the first thing in the form.

    Empty for a form without errors (or not bound)."""
    if not form.is_bound or not form.errors:
        return ""
    items = [format_html("<li>{}</li>", error) for error in form.non_field_errors()]
    for field in form:
        for error in field.errors:
            label = field.label or field.name
            text = format_html("{} : {}", label, error)
            target = "" if field.is_hidden else _focus_target(field)
            if target:
                items.append(format_html('<li><a href="#{}">{}</a></li>', target, text))
            else:
                items.append(format_html("<li>{}</li>", text))
    title_id = f"{form.prefix or 'form'}-error-summary"
    title = ngettext(
        "Le formulaire contient %(count)s erreur.",
        "Le formulaire contient %(count)s erreurs.",
        len(items),
    ) % {"count": len(items)}
    return format_html(
        '<div class="alert alert-danger error-summary" role="alert" tabindex="-1"'
        ' aria-labelledby="{}" data-error-summary>'
        '<h2 class="h6 mb-1" id="{}">{}</h2><ul class="mb-0">{}</ul></div>',
        title_id,
        title_id,
        title,
        mark_safe("".join(items)),
    )


def render_form(form, *, summary: bool = False) -> str:
    """A whole form as ``{{ form|crispy }}`` draws it: its own errors, then each field.
    ``summary``: the error summary above it instead, its own errors included."""
    if isinstance(form, BaseFormSet) or form.media._css or form.media._js:
        from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

        return as_crispy_form(form)
    if summary:
        fields = "".join(render_field(field) for field in form)
        return mark_safe(render_error_summary(form) + fields)
    parts = []
    errors = form.non_field_errors()
    if errors:
        items = "".join(format_html("<li>{}</li>", error) for error in errors)
        alert = f'<div class="alert alert-block alert-danger"><ul class="m-0">{items}</ul></div>'
        parts.append(alert)
    parts.extend(render_field(field) for field in form)
    return mark_safe("".join(parts))
