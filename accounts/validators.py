from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import bic, iban


def validate_iban(value: str) -> None:
    if value and not iban.is_valid(value):
        raise ValidationError(
            _("« %(value)s » n'est pas un IBAN valide (vérifiez le code pays et les chiffres)."),
            code="invalid_iban",
            params={"value": value},
        )


def validate_bic(value: str) -> None:
    if value and not bic.is_valid(value):
        raise ValidationError(
            _("« %(value)s » n'est pas un BIC valide (8 ou 11 caractères, ex. GEBABEBB)."),
            code="invalid_bic",
            params={"value": value},
        )
