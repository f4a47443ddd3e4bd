"""The one attendance form: the marks typed for a set of cells — a session's group on the grid,
a week's sessions × the group on the paper sheet's entry — read and checked by the same rules.
What a mark may be (a known status, 0 to 24 hours, a month not locked, a colleague's change
not overwritten) is the service's to enforce (``services.attendance_record``); this reads what
was typed and names the cells it cannot read."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from accounts.forms_input import TextRuleMixin
from chantiers.indemnities import money
from chantiers.models import Attendance, Vehicle, WorkSession
from chantiers.services import KM_PER_SESSION, Mark

NOTE_LENGTH = 300


@dataclass(frozen=True)
class Cell:
    """One person at one session, as the page shows it."""

    key: str  # the suffix of the cell's inputs: "12" on the grid, "34-12" on the week's sheet
    label: str  # how a message names it: the person, and the day when the page has several
    session: WorkSession
    participant_id: int
    recorded: Attendance | None


class HoursField(forms.CharField):
    """Hours as typed, with a comma or a point: empty for the session's length, else 0 to 24,
    rounded half up to the cent. The form's ``problems`` says what is wrong, cell by cell."""

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
        return money(hours)


class KmField(forms.CharField):
    """Whole kilometres as typed: empty for none, else 0 to the most a session's trip can be."""

    def to_python(self, value) -> int | None:
        text = super().to_python(value).strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or int(text) > KM_PER_SESSION:
            raise ValidationError(_("Kilomètres illisibles."), code="invalid")
        return int(text)


class AttendanceForm(TextRuleMixin, forms.Form):
    """``everyone_present``: the rows left unset (and never marked) are marked present — the
    grid's "Tout le monde présent". A cell whose note input is not on the page keeps the
    recorded note (the week's sheet has none)."""

    def __init__(self, data, *, cells: list[Cell], everyone_present: bool = False):
        super().__init__(data)
        self.cells = cells
        self.everyone_present = everyone_present
        statuses = [("", ""), *Attendance.Status.choices]
        for cell in cells:
            self.fields[f"status-{cell.key}"] = forms.ChoiceField(choices=statuses, required=False)
            self.fields[f"hours-{cell.key}"] = HoursField(required=False)
            self.fields[f"note-{cell.key}"] = forms.CharField(
                required=False, max_length=NOTE_LENGTH
            )
            self.fields[f"km-{cell.key}"] = KmField(required=False)
            self.fields[f"vehicle-{cell.key}"] = forms.ChoiceField(
                choices=[("", ""), *Vehicle.choices], required=False
            )
            # The version the page was shown with; anything else counts as none (a new mark).
            self.fields[f"version-{cell.key}"] = forms.CharField(required=False)

    def clean(self):
        data = super().clean()
        for cell in self.cells:
            if data.get(f"km-{cell.key}") and not data.get(f"vehicle-{cell.key}"):
                self.add_error(
                    f"vehicle-{cell.key}",
                    ValidationError(_("Choisissez voiture ou vélo."), code="required"),
                )
        return data

    def marks(self) -> dict[WorkSession, list[Mark]]:
        """The marks to save, per session (once the form is valid)."""
        per_session: dict[WorkSession, list[Mark]] = {}
        for cell in self.cells:
            data = {name: self.cleaned_data[f"{name}-{cell.key}"] for name in FIELDS}
            status = data["status"]
            if not status and self.everyone_present and cell.recorded is None:
                status = Attendance.Status.PRESENT
            if not status:
                continue  # not entered (or a locked month, whose inputs are disabled)
            note = data["note"].strip()
            if f"note-{cell.key}" not in self.data:
                note = cell.recorded.note if cell.recorded else ""
            version = data["version"]
            km, vehicle = None, None  # as recorded, when the page has no such inputs
            if f"km-{cell.key}" in self.data:
                km, vehicle = data["km"] or 0, data["vehicle"]
            per_session.setdefault(cell.session, []).append(
                Mark(
                    participant_id=cell.participant_id,
                    status=status,
                    hours=data["hours"],
                    note=note,
                    version=int(version) if version.isascii() and version.isdigit() else None,
                    km=km,
                    vehicle=vehicle,
                )
            )
        return per_session

    def bad_keys(self) -> set[str]:
        """The cells with an input that cannot be read, to show them in error."""
        return {name.split("-", 1)[1] for name in self.errors}

    def input_errors(self) -> dict[str, str]:
        """What is wrong with each unreadable input, in a few words, to show beside it (a
        control character says so in its own words, whichever input it is in)."""
        said = {
            "hours": _("Entre 0 et 24 heures, avec une virgule : ex. 7,5."),
            "status": _("Présence inconnue : choisissez un des boutons."),
            "note": _("%(length)s caractères au plus.") % {"length": NOTE_LENGTH},
            "km": _("Un nombre entier de 0 à %(most)s.") % {"most": KM_PER_SESSION},
            "vehicle": _("Choisissez voiture ou vélo."),
        }
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
        by_kind: dict[str, list[str]] = {}
        for name, errors in self.errors.as_data().items():
            kind, key = name.split("-", 1)
            if any(error.code == "control_character" for error in errors):
                kind = "control_character"  # accounts.text: whichever input it is in
            elif kind not in ("hours", "status", "note", "km", "vehicle"):
                kind = "other"
            by_kind.setdefault(kind, []).append(
                _("%(cell)s : « %(value)s »")
                % {"cell": labels[key], "value": self.data.get(name, "")[:40]}
            )
        sentences = {
            "hours": _("Heures illisibles ou impossibles (entre 0 et 24) : %(cells)s."),
            "status": _("Présence inconnue : %(cells)s."),
            "note": _("Note de plus de %(length)s caractères : %(cells)s."),
            "km": _("Kilomètres illisibles ou impossibles (0 à %(most)s) : %(cells)s."),
            "vehicle": _("Véhicule à indiquer pour les kilomètres : %(cells)s."),
            "control_character": _(
                "Caractère de contrôle invisible (souvent venu d'un copier-coller) : %(cells)s."
            ),
            "other": _("Valeur illisible : rechargez la page (%(cells)s)."),
        }
        return " ".join(
            sentences[kind]
            % {"cells": " ; ".join(cells), "length": NOTE_LENGTH, "most": KM_PER_SESSION}
            for kind, cells in by_kind.items()
        )


FIELDS = ("status", "hours", "note", "version", "km", "vehicle")
