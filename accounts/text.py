"""The one rule for text that comes in (DESIGN §6 "Privacy"): no control characters, whichever
way it comes — a form of the app, the partner's answer link, the participant import.

Why: a control character is never something a person meant to type. It comes from a paste or
a file exported by another program, and it breaks what is built from the text later: openpyxl
refuses it in a spreadsheet (the whole export would fail for everyone), XML cannot hold it,
PostgreSQL refuses a NUL byte outright.

What is refused: the C0 controls (U+0000–U+001F), DEL (U+007F) and the C1 controls
(U+0080–U+009F). A multi-line field (a textarea: notes, descriptions, reasons) keeps tab, line
feed and carriage return, which Enter and a paste put there; a single-line field refuses them
too (a browser's single-line input cannot show them: they only come from a paste). Passwords
are left alone: they are hashed, never shown nor exported, and Django already refuses a NUL.

And what is already stored (written before this rule, or by hand) must not break an export:
``printable`` drops the characters a spreadsheet or XML cannot hold, for every export.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SINGLE_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f]")
MULTI_LINE_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# What XML 1.0 (so XLSX) cannot hold at all: the C0 controls but tab, line feed, carriage
# return; and the two non-characters U+FFFE, U+FFFF.
NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

MESSAGE = _(
    "Ce texte contient un caractère de contrôle invisible (%(code)s), souvent venu d'un "
    "copier-coller : retapez ce passage sans lui."
)


def control_character(value: str, *, multi_line: bool = False) -> str | None:
    """The first forbidden character of ``value``, or None."""
    found = (MULTI_LINE_FORBIDDEN if multi_line else SINGLE_LINE_FORBIDDEN).search(value)
    return found.group() if found else None


def _check(value, *, multi_line: bool) -> None:
    if not isinstance(value, str):
        return
    character = control_character(value, multi_line=multi_line)
    if character is not None:
        raise ValidationError(
            MESSAGE, code="control_character", params={"code": f"U+{ord(character):04X}"}
        )


def validate_single_line(value) -> None:
    _check(value, multi_line=False)


def validate_multi_line(value) -> None:
    _check(value, multi_line=True)


def printable(value) -> str:
    """``value`` as text an export can hold (XLSX, XML): what it cannot hold is dropped."""
    return NOT_IN_XML.sub("", str(value))
