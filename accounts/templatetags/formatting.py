"""``{{ amount|euros }}``: amounts as people read them (1 234,56 € in French)."""

from decimal import ROUND_HALF_UP, Decimal

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
def whole_percent(value) -> str:
    """A rate (a fraction, as the selectors give it) as a whole percentage rounded half up,
    in Decimal: 0.125 → "13", 0.665 → "67" (``{% widthratio %}`` works in float and rounds half
    to even: 12 and 66). No rate: "—"."""
    if value in (None, ""):
        return "—"
    return str(int((100 * Decimal(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


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


@register.filter
def hours(value) -> str:
    """A number of hours as said: 3, 3,5, 3,25 (never 3,50), in the page's language."""
    if value in (None, ""):
        return ""
    amount = Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    places = next(p for p in (0, 1, 2) if amount == amount.quantize(Decimal(1).scaleb(-p)))
    return number_format(amount, decimal_pos=places)
