"""``{{ form.field|as_field }}`` and ``{{ form|as_fields }}``: crispy-bootstrap5's markup, drawn in
Python (accounts.forms_rendering)."""

from django import template

from accounts.forms_rendering import render_field, render_form

register = template.Library()


@register.filter
def as_field(field):
    return render_field(field)


@register.filter
def as_fields(form):
    return render_form(form)
