"""The one rule for text from every way in (accounts/text.py), checked on every form class of
the app: each text field refuses a control character with the French message (a textarea
keeps tab and line breaks), and each field that chooses a row by its id answers a malformed id
with an error, never an exception. A form added later is walked too: the test fails until it
knows how to build it."""

import datetime as dt
import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.core.exceptions import ValidationError

from accounts.forms_input import TextRuleMixin, text_rule_applies
from accounts.models import Membership, User
from accounts.text import control_character, printable, validate_multi_line, validate_single_line
from chantiers.forms_attendance import Cell
from chantiers.models import VolunteerAgreement
from participants.models import Need, Pathway
from partners.models import Matching
from tests.chantiers.helpers import _member
from tests.factories import (
    ChantierFactory,
    OrganizationFactory,
    ParticipantFactory,
    PathwayFactory,
    WorkSessionFactory,
)
from volunteers.models import Shift, ShiftAssignment, Volunteer
from workshops.models import ModuleSession

APPS = (
    *("accounts", "participants", "chantiers", "partners", "agenda", "workshops", "volunteers"),
    *("reporting", "dashboard"),
)
# The Django admin's forms are the admin's (a technical tool, DESIGN §6), not the app's pages.
NOT_WALKED = ("admin", "migrations", "management")
MALFORMED_IDS = ["9" * 19, "9" * 30, "²", "-1", "abc", "1.5", "١٢", "\x00", "0"]


def _project_form_classes() -> list[type]:
    found = {}
    for app in APPS:
        package = importlib.import_module(app)
        for module_info in pkgutil.walk_packages(package.__path__, prefix=f"{app}."):
            if any(part in NOT_WALKED for part in module_info.name.split(".")):
                continue
            module = importlib.import_module(module_info.name)
            for _name, value in inspect.getmembers(module, inspect.isclass):
                if (
                    issubclass(value, forms.BaseForm)
                    and value.__module__.split(".")[0] in APPS
                    and not any(part in NOT_WALKED for part in value.__module__.split("."))
                ):
                    found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


FORM_CLASSES = _project_form_classes()
# The forms of Django's own the app's pages use (password reset, password change): passwords
# only, which the rule leaves alone; walked all the same, should a text field appear.
DJANGO_FORMS = [SetPasswordForm, PasswordChangeForm]


def test_the_walk_finds_the_forms_of_every_app():
    modules = {cls.__module__ for cls in FORM_CLASSES}
    assert {"participants.forms", "chantiers.forms", "partners.forms", "accounts.forms"} <= modules
    assert len(FORM_CLASSES) > 30


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: cls.__qualname__)
def test_every_form_of_the_app_follows_the_text_rule(form_class):
    assert issubclass(form_class, TextRuleMixin)


@pytest.fixture
def world(operator, housing, counsellor, coordinator):
    participant = ParticipantFactory(organization=operator)
    pathway = PathwayFactory(participant=participant)
    chantier = ChantierFactory(organization=operator, host=housing)
    session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
    member, agreement = _member(chantier)
    employer = OrganizationFactory(kind="employer")
    matching = Matching.objects.create(
        participant=participant,
        pathway=pathway,
        employer=employer,
        position="Peintre",
        proposed_on=dt.date(2026, 1, 5),
        status_on=dt.date(2026, 1, 5),
        by=counsellor,
    )
    need = Need.objects.create(
        participant=participant, category="housing", identified_on=dt.date(2026, 1, 5)
    )
    return {
        "organization": operator,
        "participant": participant,
        "need": need,
        "chantier": chantier,
        "chantiers": type(chantier).objects.filter(organization=operator),
        "matching": matching,
        "cells": [Cell(str(member.pk), str(member), session, member.pk, None)],
        "user": counsellor,
        "backup_allowed": True,
        # The agenda's, the modules' and the volunteers' forms (issues 20 and 21).
        "pathways": Pathway.objects.filter(participant__organization=operator),
        "team": User.objects.filter(memberships__organization=operator),
        "sessions": ModuleSession.objects.filter(module__organization=operator),
        "sheet_pk": 1,
        "participants": type(participant).objects.filter(organization=operator),
        "may_choose_existing": True,
        "with_address": True,
        # The rota's (issue 21, point 4).
        "shift": Shift(organization=operator),
        "staff": User.objects.filter(memberships__organization=operator),
        "volunteers": Volunteer.objects.filter(organization=operator),
        "assignments": ShiftAssignment.objects.filter(shift__organization=operator),
        "instances": {
            Membership: Membership.objects.get(user=coordinator),
            VolunteerAgreement: agreement,
        },
    }


def _build(form_class, world, data=None):
    """The form, bound to ``data`` (keys without the form's prefix), given what its
    constructor asks for."""
    kwargs = {}
    for klass in form_class.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        for parameter in inspect.signature(init).parameters.values():
            if (
                parameter.kind == parameter.KEYWORD_ONLY
                and parameter.default is parameter.empty
                and parameter.name not in kwargs
            ):
                assert parameter.name in world, (
                    f"{form_class.__qualname__} asks for {parameter.name!r}: teach this test"
                )
                kwargs[parameter.name] = world[parameter.name]
    if issubclass(form_class, forms.BaseModelForm):
        model = form_class._meta.model
        kwargs["instance"] = world["instances"].get(model) or model()
        if hasattr(kwargs["instance"], "organization_id") and not kwargs["instance"].pk:
            kwargs["instance"].organization = world["organization"]
    if issubclass(form_class, SetPasswordForm | PasswordChangeForm):
        kwargs["user"] = world["user"]
    unbound = form_class(data=None, **kwargs)
    if data is None:
        return unbound
    data = {unbound.add_prefix(name): value for name, value in data.items()}
    return form_class(data=data, **kwargs)


def _text_fields(form) -> dict[str, forms.Field]:
    return {name: field for name, field in form.fields.items() if text_rule_applies(field)}


@pytest.mark.parametrize(
    "form_class", FORM_CLASSES + DJANGO_FORMS, ids=lambda cls: cls.__qualname__
)
def test_every_text_field_of_every_form_refuses_a_control_character(form_class, world):
    fields = _text_fields(_build(form_class, world))
    for character in ("\x07", "\x00", "\x1b", "\x7f", "\x85", "\x0b"):
        form = _build(form_class, world, dict.fromkeys(fields, f"Dupont{character}x"))
        form.is_valid()
        for name, field in fields.items():
            messages = form.errors.get(name, [])
            # A field that reads a number out of the text (hours) says it is no number.
            reads_text = isinstance(field.to_python("1"), str)
            assert messages and (
                not reads_text or any("caractère de contrôle invisible" in m for m in messages)
            ), f"{form_class.__qualname__}.{name} took {character!r}: {messages}"


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: cls.__qualname__)
def test_a_textarea_keeps_its_line_breaks_and_tabs_a_single_line_field_does_not(form_class, world):
    fields = _text_fields(_build(form_class, world))
    form = _build(form_class, world, dict.fromkeys(fields, "Première\r\nseconde\tligne"))
    form.is_valid()
    for name, field in fields.items():
        if not isinstance(field.to_python("1"), str):
            continue  # a number read out of the text: its own message
        refused = any("caractère de contrôle" in m for m in form.errors.get(name, []))
        multi_line = isinstance(field.widget, forms.Textarea)
        assert refused != multi_line, f"{form_class.__qualname__}.{name}: {refused}"


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: cls.__qualname__)
def test_every_choice_of_a_row_answers_a_malformed_id_with_an_error(form_class, world):
    """Django's ModelMultipleChoiceField sends nineteen 9s to an ``IN`` query SQLite cannot
    run (OverflowError): every field choosing rows reads ids first."""
    unbound = _build(form_class, world)
    chooser = (forms.ModelChoiceField, forms.ModelMultipleChoiceField)
    fields = {
        name: field
        for name, field in unbound.fields.items()
        if isinstance(field, chooser) and field.to_field_name is None
    }
    for value in MALFORMED_IDS:
        data = {
            name: [value] if isinstance(field, forms.ModelMultipleChoiceField) else value
            for name, field in fields.items()
        }
        form = _build(form_class, world, data)
        form.is_valid()  # never raises
        for name in fields:
            assert name in form.errors, f"{form_class.__qualname__}.{name} took {value!r}"


class TestTheRule:
    @pytest.mark.parametrize(
        "character", [chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]]
    )
    def test_a_single_line_refuses_every_control_character(self, character):
        with pytest.raises(ValidationError) as refused:
            validate_single_line(f"Marie{character}")
        assert f"U+{ord(character):04X}" in refused.value.messages[0]

    def test_several_lines_keep_tab_line_feed_and_carriage_return(self):
        validate_multi_line("Un\tdeux\r\ntrois\n")
        assert control_character("Un\x0bdeux", multi_line=True) == "\x0b"

    def test_letters_of_every_language_and_their_spaces_are_text(self):
        validate_single_line("Ñuñez-Öztürk  محمد 李 l’été\u00a0100 € 🙂")

    def test_an_export_drops_what_a_spreadsheet_cannot_hold(self):
        assert printable("Du\x00pont\x07\x1b\ufffe, note\ttab\nligne") == "Dupont, note\ttab\nligne"
