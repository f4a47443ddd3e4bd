"""What every form of the app does with what comes in: text follows the one rule of
``accounts.text`` (no control characters), and ids are read by the fields below — an id that
is not one (``²``, ``-1``, nineteen 9s that overflow the database's integer) is a choice that
does not exist, shown as such next to its field, never a 500.

The tests walk every form class of the app (``tests/accounts/test_text_rule.py``) and every
address with malformed parameters (``tests/test_malformed_input.py``).
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.text import validate_multi_line, validate_single_line

# The largest primary key (BigAutoField): a bigger number is no row, and SQLite cannot even
# compare it (OverflowError), so it never reaches a query.
ID_MAX = 2**63 - 1
SEARCH_LENGTH = 100


def parse_id(value) -> int | None:
    """An id as typed in a form or an address: ASCII digits, 1 to ``ID_MAX``; else None.

    ASCII only: ``"²".isdigit()`` and ``"١٢".isdigit()`` are true, and ``int("١٢")`` is 12."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        number = int(value)
    else:
        return None
    return number if 1 <= number <= ID_MAX else None


def text_rule_applies(field: forms.Field) -> bool:
    """Every text field but a password (hashed, never shown nor exported)."""
    return isinstance(field, forms.CharField) and not isinstance(field.widget, forms.PasswordInput)


def text_validator_for(field: forms.Field):
    return validate_multi_line if isinstance(field.widget, forms.Textarea) else validate_single_line


class TextRuleMixin:
    """For every form of the app: every text field follows ``accounts.text``'s rule.

    Applied when the form is cleaned, not when it is built, so that the fields a form adds in
    its own ``__init__`` (one per row of a grid) follow it too."""

    def full_clean(self):
        for field in self.fields.values():
            if text_rule_applies(field):
                validator = text_validator_for(field)
                if validator not in field.validators:  # each form has its own copy of a field
                    field.validators.append(validator)
        super().full_clean()


class IdChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField that reads only ids (``parse_id``) before it asks the database."""

    def to_python(self, value):
        if value in self.empty_values or isinstance(value, self.queryset.model):
            return super().to_python(value)
        if parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that reads only ids (``parse_id``): Django's own passes a
    number too large for the database to an ``IN`` query, which SQLite cannot run."""

    def _check_values(self, value):
        try:
            values = frozenset(value)
        except TypeError:
            raise ValidationError(
                self.error_messages["invalid_list"], code="invalid_list"
            ) from None
        for item in values:
            if not isinstance(item, self.queryset.model) and parse_id(item) is None:
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": item},
                )
        return super()._check_values(values)


class IdListField(forms.Field):
    """The ids of the boxes ticked in a list (inputs of one name), for a list that is not a
    queryset the form knows: the view keeps only the rows it may use among them, so a value
    that is no id (``parse_id``) is dropped like the id of a row it may not use."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value) -> list[int]:
        if not isinstance(value, list | tuple):
            value = [] if value in self.empty_values else [value]
        return [number for number in map(parse_id, value) if number is not None]


class SearchForm(TextRuleMixin, forms.Form):
    """A list's search box (kept in the session by the list's view, never in the address)."""

    q = forms.CharField(label=_("Rechercher"), required=False)

    def clean_q(self) -> str:
        return self.cleaned_data["q"][:SEARCH_LENGTH]

    def query(self) -> str:
        """The search if it can be used, else none."""
        return self.cleaned_data["q"] if self.is_valid() else ""

    def problem(self) -> str:
        return " ".join(self.errors.get("q", []))
