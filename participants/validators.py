from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.be import bis, nn
from stdnum.exceptions import ValidationError as StdnumError


def compact_national_number(value: str) -> str:
    return "".join(c for c in value or "" if c.isdigit())


def clean_typed_national_number(value: str) -> str:
    """Digits with the usual separators (85.07.30-033.28); anything else is refused, not dropped."""
    text = (value or "").strip()
    if any(not (c.isdigit() or c in " .-/") for c in text):
        raise ValidationError(
            _("Le numéro ne peut contenir que des chiffres (et . - / comme séparateurs)."),
            code="invalid_characters",
        )
    number = compact_national_number(text)
    if number:
        validate_national_number(number)
    return number


def validate_national_number(value: str) -> None:
    """A Belgian national register number (NISS) or a BIS number, check digits included."""
    if not value:
        return
    number = compact_national_number(value)
    if len(number) != 11:
        raise ValidationError(
            _("Le numéro de registre national compte 11 chiffres (ex. 85.07.30-033.28)."),
            code="invalid_length",
        )
    for module in (nn, bis):
        try:
            module.validate(number)
        except StdnumError:
            continue
        return
    raise ValidationError(
        _("Ce numéro de registre national ou BIS n'est pas valide : vérifiez les chiffres."),
        code="invalid_checksum",
    )


def national_number_birth_date(value: str):
    """The birth date the number encodes, or None when it does not say (unknown day or month)."""
    number = compact_national_number(value)
    for module in (nn, bis):
        try:
            return module.get_birth_date(number)
        except (StdnumError, ValueError, AttributeError):
            continue
    return None
