"""``{{ amount|euros }}``: amounts as people read them (1 234,56 € in French)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def euros(value) -> str:
    if value in (None, ""):
        return "—"
    text = number_format(Decimal(value), 2, use_l10n=True, force_grouping=True)
    return f"€{text}" if get_language() == "en" else f"{text}\u00a0€"


@register.filter
def css_string(value) -> str:
    """Text for a CSS string, e.g. a running header in @page rules of print templates."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return " ".join(text.split())
