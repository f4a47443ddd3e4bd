"""``{{ amount|euros }}``: amounts as people read them (1 234,56 € in French)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
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
    """Text inside a double-quoted CSS string of a <style> element (the running header of print
    templates): quotes, backslashes and what HTML cares about become CSS hex escapes, so that
    "D'Hondt" prints as written, not as "D&#x27;Hondt", and a name with "</style>" is inert."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in "\\\"'<>&" or ord(char) < 32 else char
        for char in " ".join(str(value).split())
    )
    return mark_safe(escaped)
