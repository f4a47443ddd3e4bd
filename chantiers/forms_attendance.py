"""The one attendance form of the chantiers: the marks typed for a set of cells — a session's
group on the grid, a week's sessions × the group on the paper sheet's entry — read and checked
by the same rules, those of the grid every session shares (``participants.grid``) and the
kilometres of a volunteer's own vehicle. What a mark may be (a known status, 0 to 24 hours, a
month not locked, a colleague's change not overwritten) is the service's to enforce
(``services.attendance_record``); this reads what was typed and names the cells it cannot
read."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from chantiers.models import Vehicle, WorkSession
from chantiers.services import KM_PER_SESSION, Mark
from participants.grid import Cell, GridForm

__all__ = ["AttendanceForm", "Cell", "KmField"]


class KmField(forms.CharField):
    """Whole kilometres as typed: empty for none, else 0 to the most a session's trip can be."""

    def to_python(self, value) -> int | None:
        text = super().to_python(value).strip()
        if not text:
            return None
        if not (text.isascii() and text.isdigit()) or int(text) > KM_PER_SESSION:
            raise ValidationError(_("Kilomètres illisibles."), code="invalid")
        return int(text)


class AttendanceForm(GridForm):
    """The grid's inputs and a chantier's own: kilometres and vehicle. A cell whose kilometres
    are not on the page keeps the recorded ones (the week's sheet has none)."""

    INPUTS = (*GridForm.INPUTS, "km", "vehicle")

    def cell_fields(self) -> dict[str, forms.Field]:
        return {
            **super().cell_fields(),
            "km": KmField(required=False),
            "vehicle": forms.ChoiceField(choices=[("", ""), *Vehicle.choices], required=False),
        }

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
        for typed in self.typed():
            km, vehicle = None, None  # as recorded, when the page has no such inputs
            if f"km-{typed.cell.key}" in self.data:
                km, vehicle = typed.data["km"] or 0, typed.data["vehicle"]
            per_session.setdefault(typed.cell.session, []).append(
                Mark(
                    participant_id=typed.cell.participant_id,
                    status=typed.status,
                    hours=typed.hours,
                    note=typed.note,
                    version=typed.version,
                    km=km,
                    vehicle=vehicle,
                )
            )
        return per_session

    def said(self) -> dict[str, str]:
        return {
            **super().said(),
            "km": _("Un nombre entier de 0 à %(most)s.") % {"most": KM_PER_SESSION},
            "vehicle": _("Choisissez voiture ou vélo."),
        }

    def sentences(self) -> dict[str, str]:
        return {
            **super().sentences(),
            "km": _("Kilomètres illisibles ou impossibles (0 à %(most)s) : %(cells)s."),
            "vehicle": _("Véhicule à indiquer pour les kilomètres : %(cells)s."),
        }

    def sentence_values(self) -> dict:
        return {**super().sentence_values(), "most": KM_PER_SESSION}
