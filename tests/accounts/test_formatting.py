"""The formatting filters every template may use."""

from decimal import Decimal

import pytest

from accounts.templatetags import formatting
from accounts.templatetags.formatting import css_string, whole_percent


@pytest.mark.parametrize(
    "rate, shown",
    [
        (Decimal("0.125"), "13"),  # half up; widthratio's float gave 12
        (Decimal("0.665"), "67"),  # half up; widthratio gave 66
        (Decimal("0.667"), "67"),
        (Decimal("1.000"), "100"),
        (Decimal("0"), "0"),
        (None, "—"),
    ],
)
def test_whole_percent_rounds_a_rate_half_up_in_decimal(rate, shown):
    assert whole_percent(rate) == shown


def test_css_string_escapes_what_a_css_string_or_html_cares_about():
    assert css_string("D'Hondt") == "D\\27 Hondt"
    assert "</style>" not in css_string("</style>")


@pytest.mark.parametrize(
    ("value", "said"), [("3", "3"), ("3.5", "3,5"), ("3.50", "3,5"), ("3.25", "3,25"), (None, "")]
)
def test_hours_are_said_without_trailing_zeros(value, said):
    assert formatting.hours(None if value is None else Decimal(value)) == said
