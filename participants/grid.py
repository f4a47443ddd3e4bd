"""The attendance grid: one component for every group marked at a session — a chantier's group
on its worksite day (chantiers), the people enrolled in a collective module's session
(workshops). A person per row, one tap per person, "Tout le monde présent", one save for the
group; a refused save comes back as typed with its unreadable inputs marked beside them and
listed above the page; a mark changed meanwhile by a colleague is not overwritten but shown on
its row.

Here: the presences (the same five everywhere), the form that reads what was typed cell by cell
(an app adds its own inputs: a chantier's kilometres), and the rows the page shows. The page is
``templates/components/attendance_grid.html``, which an app's grid extends; its behaviour
("Tout le monde présent", the sticky bar) is ``static/js/app.js``'s."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.forms_input import TextRuleMixin

NOTE_LENGTH = 300


class Presence(models.TextChoices):
    """How a person was at a session: the values of every attendance model."""

    PRESENT = "present", gettext_lazy("Présent·e")
    LATE = "late", gettext_lazy("En retard")
    LEFT_EARLY = "left_early", gettext_lazy("Parti·e plus tôt")
    EXCUSED = "excused", gettext_lazy("Absence justifiée")
    UNEXCUSED = "unexcused", gettext_lazy("Absence non justifiée")


# Was there, even late or leaving early: counts for hours, indemnities and participation.
PRESENT_LIKE = frozenset({Presence.PRESENT, Presence.LATE, Presence.LEFT_EARLY})

# Short labels for the buttons of the grid: one tap each, readable on a phone.
SHORT_LABELS = [
    (Presence.PRESENT, gettext_lazy("Présent"), "success"),
    (Presence.LATE, gettext_lazy("Retard"), "warning"),
    (Presence.LEFT_EARLY, gettext_lazy("Parti tôt"), "warning"),
    (Presence.EXCUSED, gettext_lazy("Excusé"), "secondary"),
    (Presence.UNEXCUSED, gettext_lazy("Absent"), "danger"),
]

# The inputs of a row whose errors are shown, and the id of the input the summary links to.
ROW_INPUTS = {"status": "s-{key}-present", "hours": "h-{key}", "note": "n-{key}"}


def statuses() -> list[tuple[str, str, str]]:
    """The buttons of a row: value, short label, colour."""
    return [(value, str(label), color) for value, label, color in SHORT_LABELS]


@dataclass(frozen=True)
class Cell:
    """One person at one session, as the page shows it."""

    key: str  # the suffix of the cell's inputs: "12" on a grid, "34-12" on a week's sheet
    label: str  # how a message names it: the person, and the day when the page has several
    session: Any  # the app's session
    participant_id: int
    recorded: Any  # the app's mark (status, hours, note, version), None when there is none


class HoursField(forms.CharField):
    """Hours as typed, with a comma or a point: empty for the session's length, else 0 to 24,
    rounded half up to the cent."""

    default_error_messages = {"invalid": forms.DecimalField.default_error_messages["invalid"]}

    def to_python(self, value) -> Decimal | None:
        text = super().to_python(value).replace(",", ".")
        if not text:
            return None
        try:
            hours = Decimal(text)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None
        if not hours.is_finite() or not 0 <= hours <= 24:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return hours.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Typed:
    """A cell's mark as read from the form: to be saved by the app's service."""

    cell: Cell
    status: str
    hours: Decimal | None  # None: the session's length
    note: str
    version: int | None  # the version the page was shown with; None for a new mark
    data: dict  # every input of the cell, cleaned, by name (an app's own ones too)


class GridForm(TextRuleMixin, forms.Form):
    """What was typed for a set of cells, read and checked input by input. ``everyone_present``:
    the rows left unset (and never marked) are marked present — "Tout le monde présent". A cell
    whose note input is not on the page keeps the recorded note (a week's sheet has none).

    An app adds its inputs with ``cell_fields`` and says what is wrong with them in ``SAID`` and
    ``SENTENCES`` (by input name)."""

    INPUTS = ("status", "hours", "note", "version")

    def __init__(self, data, *, cells: list[Cell], everyone_present: bool = False):
        super().__init__(data)
        self.cells = cells
        self.everyone_present = everyone_present
        for cell in cells:
            for name, field in self.cell_fields().items():
                self.fields[f"{name}-{cell.key}"] = field

    def cell_fields(self) -> dict[str, forms.Field]:
        """A cell's inputs, by name, fresh for each cell."""
        return {
            "status": forms.ChoiceField(choices=[("", ""), *Presence.choices], required=False),
            "hours": HoursField(required=False),
            "note": forms.CharField(required=False, max_length=NOTE_LENGTH),
            # The version the page was shown with; anything else counts as none (a new mark).
            "version": forms.CharField(required=False),
        }

    def typed(self) -> list[Typed]:
        """The cells with a mark to save (once the form is valid), in the page's order."""
        found = []
        for cell in self.cells:
            data = {name: self.cleaned_data.get(f"{name}-{cell.key}") for name in self.INPUTS}
            status = data["status"]
            if not status and self.everyone_present and cell.recorded is None:
                status = Presence.PRESENT
            if not status:
                continue  # not entered (or a locked month, whose inputs are disabled)
            note = (data["note"] or "").strip()
            if f"note-{cell.key}" not in self.data:
                note = cell.recorded.note if cell.recorded else ""
            version = data["version"] or ""
            found.append(
                Typed(
                    cell=cell,
                    status=status,
                    hours=data["hours"],
                    note=note,
                    version=int(version) if version.isascii() and version.isdigit() else None,
                    data=data,
                )
            )
        return found

    def bad_keys(self) -> set[str]:
        """The cells with an input that cannot be read, to show them in error."""
        return {name.split("-", 1)[1] for name in self.errors}

    def said(self) -> dict[str, str]:
        """What is wrong with an input, in a few words, by input name."""
        return {
            "hours": _("Entre 0 et 24 heures, avec une virgule : ex. 7,5."),
            "status": _("Présence inconnue : choisissez un des boutons."),
            "note": _("%(length)s caractères au plus.") % {"length": NOTE_LENGTH},
        }

    def sentences(self) -> dict[str, str]:
        """The message naming the cells with a bad input, by input name (``%(cells)s``, and
        the ``sentence_values``)."""
        return {
            "hours": _("Heures illisibles ou impossibles (entre 0 et 24) : %(cells)s."),
            "status": _("Présence inconnue : %(cells)s."),
            "note": _("Note de plus de %(length)s caractères : %(cells)s."),
        }

    def sentence_values(self) -> dict:
        """The figures the sentences name, besides the cells."""
        return {"length": NOTE_LENGTH}

    def input_errors(self) -> dict[str, str]:
        """What is wrong with each unreadable input, in a few words, to show beside it (a
        control character says so in its own words, whichever input it is in)."""
        said = self.said()
        found = {}
        for name, errors in self.errors.as_data().items():
            kind = name.split("-", 1)[0]
            own = next((e for e in errors if e.code == "control_character"), None)
            if own is not None or kind not in said:
                found[name] = " ".join((own or errors[0]).messages)
            else:
                found[name] = said[kind]
        return found

    def problems(self) -> str:
        """One message naming every cell that cannot be read, and what was typed."""
        labels = {cell.key: cell.label for cell in self.cells}
        sentences = {
            **self.sentences(),
            "control_character": _(
                "Caractère de contrôle invisible (souvent venu d'un copier-coller) : %(cells)s."
            ),
            "other": _("Valeur illisible : rechargez la page (%(cells)s)."),
        }
        by_kind: dict[str, list[str]] = {}
        for name, errors in self.errors.as_data().items():
            kind, key = name.split("-", 1)
            if any(error.code == "control_character" for error in errors):
                kind = "control_character"  # accounts.text: whichever input it is in
            elif kind not in sentences:
                kind = "other"
            by_kind.setdefault(kind, []).append(
                _("%(cell)s : « %(value)s »")
                % {"cell": labels[key], "value": self.data.get(name, "")[:40]}
            )
        values = self.sentence_values()
        return " ".join(
            sentences[kind] % {"cells": " ; ".join(cells), **values}
            for kind, cells in by_kind.items()
        )


def refused(form: GridForm | None) -> tuple[Any, dict]:
    """What a refused save typed (None when there is none) and what is wrong, by input name:
    hours-12 on a grid, hours-34-12 on a sheet."""
    if form is None:
        return None, {}
    return form.data, form.input_errors()


def as_typed(key: str, recorded: dict, typed) -> dict:
    """The values a cell's inputs show: as recorded, or as typed when a refused save comes back —
    the version the page was first shown with too, so that a change made meanwhile stays
    detected."""
    if typed is None:
        return recorded
    return {name: typed.get(f"{name}-{key}", value) for name, value in recorded.items()}


def cell_errors(key: str, errors: dict, inputs: dict, name: str) -> tuple[dict, list[dict]]:
    """What is wrong with a cell's inputs, by kind, and the lines saying it above the page
    (``name``: the person, and the day when the page has several), each a link to its input."""
    found = {kind: errors[f"{kind}-{key}"] for kind in inputs if f"{kind}-{key}" in errors}
    summary = [
        {"target": inputs[kind].format(key=key), "text": f"{name} — {message}"}
        for kind, message in found.items()
    ]
    return found, summary


def recorded_inputs(mark) -> dict:
    """The inputs of a row as recorded (empty when there is no mark)."""
    if mark is None:
        return dict.fromkeys(("status", "hours", "note", "version"), "")
    return {
        "status": mark.status,
        "hours": formats.localize_input(mark.hours),
        "note": mark.note,
        "version": str(mark.version),
    }


def conflicts_noted(form: GridForm, conflicts: list) -> dict:
    """The marks a colleague changed meanwhile (``conflicts``: the saved marks that were kept),
    to show on their rows once, after the redirect: the value chosen and who changed it."""
    chosen = {t.cell.participant_id: t.status for t in form.typed()}
    return {
        str(mark.participant_id): {
            "chosen": chosen[mark.participant_id],
            "by": str(mark.recorded_by),
        }
        for mark in conflicts
    }


def grid_rows(
    *,
    people: list,
    recorded: dict,
    form: GridForm | None,
    conflicts: dict | None,
    inputs: dict = ROW_INPUTS,
    recorded_of=recorded_inputs,
) -> tuple[list[dict], list[dict]]:
    """The rows of a session's grid, a person each (``people``: participants, in the page's
    order; ``recorded``: their marks by participant id), and the error summary's lines.

    Each row: the participant, ``pk``, the ``mark``, its inputs as shown (recorded or as typed),
    ``errors`` by input, ``open`` (the details hold an error) and a ``conflict`` to say."""
    typed, errors = refused(form)
    labels = {value: label for value, label, _color in statuses()}
    everyone = form is not None and form.everyone_present  # "Tout le monde présent"
    rows, summary = [], []
    for person in people:
        mark = recorded.get(person.pk)
        pk = str(person.pk)  # a string: no number formatting per use
        shown = as_typed(pk, recorded_of(mark), typed)
        if everyone and mark is None and not shown["status"]:
            shown["status"] = Presence.PRESENT
        found, lines = cell_errors(pk, errors, inputs, str(person))
        summary += lines
        conflict = (conflicts or {}).get(pk)
        if conflict and mark:
            conflict = {
                "by": conflict["by"],
                "chosen": labels.get(conflict["chosen"], conflict["chosen"]),
                "recorded": labels.get(mark.status, mark.status),
            }
        rows.append(
            {
                "participant": person,
                "pk": pk,
                "mark": mark,
                "open": bool(found.keys() - {"status"}),
                "errors": found,
                "conflict": conflict,
                **shown,
            }
        )
    return rows, summary
