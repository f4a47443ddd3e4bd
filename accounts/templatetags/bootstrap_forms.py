"""``{{ form.field|as_field }}`` and ``{{ form|as_fields }}``: crispy-bootstrap5's markup, drawn in
Python (accounts.forms_rendering); ``{% form_errors form %}``: the error summary of a refused
form, for the templates that place its fields one by one (``as_fields`` draws it itself)."""

from django import template

from accounts.forms_rendering import render_error_summary, render_field, render_form

register = template.Library()


@register.filter
def as_field(field):
    return render_field(field)


@register.filter
def as_fields(form):
    return render_form(form, summary=True)


@register.simple_tag
def form_errors(form):
    return render_error_summary(form)
