"""Which models are personal records: the ones the Django admin site never shows (DESIGN §6,
"the Django admin is a technical tool").

A personal record is a participant, or any record that points at one, directly or through
another personal record (a pathway, its transitions, a mark, a statement, a referral…), plus
the few records that speak of people in their text without pointing at a participant. The set
is computed from the models themselves, so a new model that points at a participant is a
personal record without anyone having to remember to say so.
"""

from functools import cache

from django.apps import apps
from django.db.models import Model

# Named by label: accounts is the bottom of the dependency graph and imports no app above it.
ROOT = "participants.Participant"
# Incidents name the people involved and describe what happened to them, in their text.
ALSO = ("chantiers.Incident",)


def _points_at(model: type[Model]) -> set[type[Model]]:
    return {
        field.related_model
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is not None
    }


@cache
def personal_record_models() -> frozenset[type[Model]]:
    """Every installed model that is a personal record (computed once, after start-up)."""
    personal = {apps.get_model(ROOT), *(apps.get_model(label) for label in ALSO)}
    grown = True
    while grown:
        grown = False
        for model in apps.get_models():
            if model not in personal and _points_at(model) & personal:
                personal.add(model)
                grown = True
    return frozenset(personal)


def is_personal_record(model: type[Model]) -> bool:
    return model in personal_record_models()
