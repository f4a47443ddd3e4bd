"""What the attendance pages show (chantiers/views/attendance.py): the grid of a session (a
person per row) and the paper sheet of a week copied at the office (a person per row, a session
per column). Each cell as recorded, or as typed when a refused save comes back, its unreadable
inputs marked beside them and listed above the page, each a link to its input."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from chantiers import selectors
from chantiers.forms_attendance import AttendanceForm, Cell
from chantiers.models import Attendance, Chantier, Enrolment, Vehicle, WorkSession
from participants import grid

# The inputs of a row whose errors are shown, and the id of the input the summary links to.
ROW_INPUTS = {**grid.ROW_INPUTS, "km": "k-{key}", "vehicle": "v-{key}"}
SHEET_INPUTS = {"status": "st-{key}", "hours": "h-{key}"}


def ymd(day: dt.date) -> dict:
    """A day as the arguments of a week's address."""
    return {"year": day.year, "month": day.month, "day": day.day}


def short_day(day: dt.date) -> str:
    return formats.date_format(day, "D d/m")


@dataclass
class SessionGrid:
    """A session's group on its day and their marks, by person."""

    session: WorkSession
    group: list[Enrolment]
    recorded: dict[int, Attendance]

    @classmethod
    def of(cls, session: WorkSession) -> "SessionGrid":
        group = selectors.group_on(session=session)
        return cls(session, group, {a.participant_id: a for a in session.attendances.all()})

    def cells(self) -> list[Cell]:
        """The cells of the attendance form: a person each."""
        return [
            Cell(
                key=str(e.participant_id),
                label=str(e.participant),
                session=self.session,
                participant_id=e.participant_id,
                recorded=self.recorded.get(e.participant_id),
            )
            for e in self.group
        ]

    def conflicts_noted(self, form: AttendanceForm, conflicts: list) -> dict:
        """The marks a colleague changed meanwhile (``conflicts``: the saved form's), to show on
        their rows once, after the redirect: both values and who changed it."""
        return grid.conflicts_noted(form, [attendance for _session, attendance in conflicts])

    def context(
        self, *, organization, form: AttendanceForm | None = None, conflicts: dict | None = None
    ) -> dict:
        """The page's data. ``form``: a refused save, shown as typed; ``conflicts``: as noted by
        ``conflicts_noted`` before the redirect."""
        balances = selectors.year_balances(
            participant_ids=[e.participant_id for e in self.group],
            organization=organization,
            year=self.session.date.year,
        )
        rows, summary = grid.grid_rows(
            people=[e.participant for e in self.group],
            recorded=self.recorded,
            form=form,
            conflicts=conflicts,
            inputs=ROW_INPUTS,
            recorded_of=self._recorded_inputs,
        )
        for row in rows:
            row["balance"] = balances[row["participant"].pk]
        return {
            "session": self.session,
            "hours_placeholder": self.session.hours,
            "rows": rows,
            "error_summary": summary,
            "statuses": grid.statuses(),
            "vehicles": Vehicle.choices,
            "total": sum((a.indemnity for a in self.recorded.values()), Decimal("0.00")),
            "no_ceiling": bool(rows) and rows[0]["balance"].annual_ceiling is None,
            # Said at the top too: a coordinator does not scroll twelve rows to find them.
            "exceeded": [row for row in rows if row["balance"].exceeded],
        }

    @staticmethod
    def _recorded_inputs(attendance: Attendance | None) -> dict:
        return {
            **grid.recorded_inputs(attendance),
            "km": str(attendance.km) if attendance and attendance.km else "",
            "vehicle": attendance.vehicle if attendance else "",
        }


@dataclass
class WeekSheet:
    """A chantier's week: its sessions held or planned, the group of the week, their marks and
    the months whose statement is validated (read-only)."""

    chantier: Chantier
    monday: dt.date
    sessions: list[WorkSession]
    group: list[Enrolment]
    marks: dict[tuple[int, int], Attendance]
    locked: set[tuple[int, dt.date]]

    @classmethod
    def of(cls, *, chantier: Chantier, monday: dt.date) -> "WeekSheet":
        sessions = selectors.week_sessions(chantier=chantier, monday=monday)
        sunday = monday + dt.timedelta(days=6)
        group = selectors.group_during(chantier=chantier, first=monday, last=sunday)
        ids = [e.participant_id for e in group]
        return cls(
            chantier=chantier,
            monday=monday,
            sessions=sessions,
            group=group,
            marks=selectors.marks_of(sessions=sessions, participant_ids=ids),
            locked=selectors.locked_months(
                participant_ids=ids, months={s.date.replace(day=1) for s in sessions}
            ),
        )

    def cells(self) -> list[Cell]:
        """The cells of the attendance form: a person at a session of the week, when in the
        group that day."""
        return [
            Cell(
                key=f"{session.pk}-{enrolment.participant_id}",
                label=_("%(name)s le %(day)s")
                % {"name": enrolment.participant, "day": short_day(session.date)},
                session=session,
                participant_id=enrolment.participant_id,
                recorded=self.marks.get((session.pk, enrolment.participant_id)),
            )
            for session in self.sessions
            for enrolment in self.group
            if enrolment.in_group_on(session.date)
        ]

    def context(self, *, form: AttendanceForm | None = None) -> dict:
        """The page's data. ``form``: a refused save, shown as typed."""
        typed, errors = grid.refused(form)
        rows, summary = [], []  # the summary in the sheet's reading order
        for number, enrolment in enumerate(self.group, start=1):
            cells = []
            for session in self.sessions:
                cell, lines = self._cell(session, enrolment, typed, errors)
                cells.append(cell)
                summary += lines
            rows.append({"number": number, "participant": enrolment.participant, "cells": cells})
        return {
            "chantier": self.chantier,
            "monday": self.monday,
            "sunday": self.monday + dt.timedelta(days=6),
            "previous": ymd(self.monday - dt.timedelta(days=7)),
            "next": ymd(self.monday + dt.timedelta(days=7)),
            "this_week": ymd(self.monday),
            "sessions": self.sessions,
            "rows": rows,
            "error_summary": summary,
            "statuses": grid.statuses(),
        }

    def _cell(self, session, enrolment, typed, errors) -> tuple[dict, list[dict]]:
        """One box of the sheet (``error``: what is wrong with it by input: status, hours), and
        the summary's lines about it."""
        key = f"{session.pk}-{enrolment.participant_id}"
        mark = self.marks.get((session.pk, enrolment.participant_id))
        is_locked = (enrolment.participant_id, session.date.replace(day=1)) in self.locked
        recorded = {
            "status": mark.status if mark else "",
            "hours": formats.localize_input(mark.hours if mark else session.hours),
            "version": str(mark.version) if mark else "",
        }
        shown = grid.as_typed(key, recorded, None if is_locked else typed)
        name = f"{enrolment.participant}, {short_day(session.date)}"
        found, lines = grid.cell_errors(key, errors, SHEET_INPUTS, name)
        cell = {
            "key": key,
            "session": session,
            "in_group": enrolment.in_group_on(session.date),
            "locked": is_locked,
            "mark": mark,
            **shown,
            "error": found,
        }
        return cell, lines
