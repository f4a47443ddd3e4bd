"""How a raw value of a ``Document`` reads in the PDF (French formats), and which number format
its XLSX cell gets. One function per direction, keyed by the ``kind`` of the column or figure, so
the two files cannot format a figure two ways.

Thousands are grouped with the locale's separator (a no-break space in French, as the ``euros``
filter of the other printed documents), so "1 234,56 €" never breaks across two lines.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.formats import number_format

from accounts.templatetags.formatting import euros

NBSP = "\u00a0"
NONE = "—"

# The same kinds as Excel number formats: the cell stays a number, the reader sees the unit.
XLSX_FORMATS = {
    "int": "#,##0",
    "decimal": "#,##0.00",
    "money": '#,##0.00 "€"',
    "hours": "#,##0.0",
    "percent": "0.0%",
    "date": "dd/mm/yyyy",
}
XLSX_DATETIME = "dd/mm/yyyy hh:mm"

NUMERIC_KINDS = frozenset({"int", "decimal", "money", "hours", "percent"})


def as_decimal(value) -> Decimal:
    """Floats (chart series) go through ``str`` so 0.1 stays 0.1, not 0.1000000000000000055."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value))


def _rounded(value, places: int) -> Decimal:
    # Half up, like ``indicators.common.rate``: 32,45 % reads 32,5 %, not the banker's 32,4 %.
    return as_decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _number(value, places: int) -> str:
    return number_format(_rounded(value, places), places, use_l10n=True, force_grouping=True)


def decimal_places(value) -> int:
    if isinstance(value, Decimal):
        exponent = value.normalize().as_tuple().exponent
        return min(max(-exponent, 0), 2) if isinstance(exponent, int) else 0
    return 0 if isinstance(value, int) else 2


def format_value(value, kind: str = "text") -> str:
    """``1234.56`` money → "1 234,56 €", ``Decimal("0.325")`` percent → "32,5 %", None → "—"."""
    if value is None or value == "":
        return NONE
    if kind == "money":
        return euros(_rounded(value, 2))
    if kind == "hours":
        return f"{_number(value, 1)}{NBSP}h"
    if kind == "percent":
        return f"{_number(as_decimal(value) * 100, 1)}{NBSP}%"
    if kind == "int":
        return _number(value, 0)
    if kind == "decimal":
        return _number(value, decimal_places(value))
    if isinstance(value, datetime):
        return f"{timezone.localtime(value) if timezone.is_aware(value) else value:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    return str(value)


def is_numeric(kind: str) -> bool:
    return kind in NUMERIC_KINDS
