"""get_FOO_display() read from a dict made once per field and language says exactly what
Django's own says: every choice field of the project's models, every value, three languages."""

from django.apps import apps
from django.db import models
from django.utils import translation

from accounts.choices import ChoiceLabels

APPS = ("accounts", "participants", "chantiers", "partners", "reporting")


def _choice_fields():
    for app in APPS:
        for model in apps.get_app_config(app).get_models():
            for field in model._meta.concrete_fields:
                if field.choices:
                    yield model, field


def test_every_model_with_choices_uses_it():
    missing = {model.__name__ for model, _field in _choice_fields()} - {
        model.__name__ for model, _field in _choice_fields() if issubclass(model, ChoiceLabels)
    }
    assert not missing


def test_it_says_what_djangos_own_says_in_each_language():
    checked = 0
    for language in ("fr", "nl", "en"):
        with translation.override(language):
            for model, field in _choice_fields():
                instance = model()
                values = [value for value, _label in field.flatchoices]
                for value in [*values, "not-a-choice", None]:
                    setattr(instance, field.attname, value)
                    ours = getattr(instance, f"get_{field.name}_display")()
                    django = models.Model._get_FIELD_display(instance, field)
                    assert ours == django, (model.__name__, field.name, value, language)
                    assert type(ours) is type(django)
                    checked += 1
    assert checked > 300


def test_the_label_follows_the_language_of_the_moment():
    from participants.models import PathwayEvent

    event = PathwayEvent(kind=PathwayEvent._meta.get_field("kind").choices[0][0])
    with translation.override("fr"):
        french = event.get_kind_display()
    with translation.override("nl"):
        dutch = event.get_kind_display()
    assert french != dutch
