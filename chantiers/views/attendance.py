"""Taking attendance: the day's sessions, the grid of a session on a phone (one tap per person, one
save for the group), and the paper sign-in sheet of a week copied in one form."""

import datetime as dt
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from accounts.access import role_required
from chantiers import selectors, services
from chantiers.forms_attendance import AttendanceForm, Cell
from chantiers.models import Attendance, Vehicle
from chantiers.views.access import (
    CHANTIER_ROLES,
    chantier_or_404,
    session_or_404,
    visible_chantiers,
    week_monday_or_404,
)

# Short labels for the buttons of the grid: one tap each, readable on a phone.
SHORT_LABELS = [
    (Attendance.Status.PRESENT, gettext_lazy("Présent"), "success"),
    (Attendance.Status.LATE, gettext_lazy("Retard"), "warning"),
    (Attendance.Status.LEFT_EARLY, gettext_lazy("Parti tôt"), "warning"),
    (Attendance.Status.EXCUSED, gettext_lazy("Excusé"), "secondary"),
    (Attendance.Status.UNEXCUSED, gettext_lazy("Absent"), "danger"),
]


@role_required(*CHANTIER_ROLES)
def today(request):
    day = timezone.localdate()
    sessions = selectors.sessions_on(chantiers=visible_chantiers(request), day=day)
    return render(request, "chantiers/today.html", {"sessions": sessions, "day": day})


@role_required(*CHANTIER_ROLES)
def session_attendance(request, pk):
    """The attendance grid of a session: one tap per person, one save for the whole group."""
    session = session_or_404(request, pk)
    group = selectors.group_on(session=session)
    attendances = {a.participant_id: a for a in session.attendances.all()}
    typed, errors = None, {}  # a refused save comes back as typed, its bad inputs marked
    conflicts_key = f"attendance-conflicts-{session.pk}"
    if request.method == "POST":
        typed = request.POST
        cells = [
            Cell(
                key=str(e.participant_id),
                label=str(e.participant),
                session=session,
                participant_id=e.participant_id,
                recorded=attendances.get(e.participant_id),
            )
            for e in group
        ]
        form = AttendanceForm(
            request.POST, cells=cells, everyone_present="all_present" in request.POST
        )
        if not form.is_valid():
            messages.error(request, form.problems())
            errors = form.input_errors()  # by input name: hours-12, note-12
        else:
            marks = form.marks()
            try:
                conflicts = _save(request, marks, name_the_day=False)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                # Shown on the rows once, after the redirect: both values and who changed it.
                chosen = {m.participant_id: m.status for m in marks.get(session, [])}
                if conflicts:
                    request.session[conflicts_key] = {
                        str(a.participant_id): {
                            "chosen": chosen[a.participant_id],
                            "by": str(a.recorded_by),
                        }
                        for _session, a in conflicts
                    }
                return redirect("chantiers:session_attendance", pk=session.pk)
    conflicts = request.session.pop(conflicts_key, {}) if request.method == "GET" else {}
    balances = selectors.year_balances(
        participant_ids=[e.participant_id for e in group],
        organization=request.organization,
        year=session.date.year,
    )
    labels = {value: str(label) for value, label, _color in SHORT_LABELS}
    rows, summary = [], []
    for enrolment in group:
        attendance = attendances.get(enrolment.participant_id)
        pk = str(enrolment.participant_id)  # a string: no number formatting per use
        shown = {
            "status": attendance.status if attendance else "",
            "hours": formats.localize_input(attendance.hours) if attendance else "",
            "note": attendance.note if attendance else "",
            "version": str(attendance.version) if attendance else "",
            "km": str(attendance.km) if attendance and attendance.km else "",
            "vehicle": attendance.vehicle if attendance else "",
        }
        if typed is not None:
            # The version the grid was first shown with: a change made meanwhile stays detected.
            shown = {name: typed.get(f"{name}-{pk}", value) for name, value in shown.items()}
            if not shown["status"] and attendance is None and "all_present" in typed:
                shown["status"] = Attendance.Status.PRESENT  # as "Tout le monde présent" asked
        row_errors = {
            kind: errors[f"{kind}-{pk}"]
            for kind in ("status", "hours", "note", "km", "vehicle")
            if f"{kind}-{pk}" in errors
        }
        for kind, message in row_errors.items():
            target = {
                "status": f"s-{pk}-present",
                "hours": f"h-{pk}",
                "note": f"n-{pk}",
                "km": f"k-{pk}",
                "vehicle": f"v-{pk}",
            }[kind]
            summary.append({"target": target, "text": f"{enrolment.participant} — {message}"})
        conflict = conflicts.get(pk)
        if conflict and attendance:
            conflict = {
                "by": conflict["by"],
                "chosen": labels.get(conflict["chosen"], conflict["chosen"]),
                "recorded": labels.get(attendance.status, attendance.status),
            }
        rows.append(
            {
                "participant": enrolment.participant,
                "pk": pk,
                "attendance": attendance,
                "balance": balances[enrolment.participant_id],
                "open": bool(row_errors.keys() - {"status"}),
                "errors": row_errors,
                "conflict": conflict,
                **shown,
            }
        )
    context = {
        "session": session,
        "rows": rows,
        "error_summary": summary,
        "statuses": [(value, str(label), color) for value, label, color in SHORT_LABELS],
        "vehicles": Vehicle.choices,
        "total": sum((a.indemnity for a in attendances.values()), Decimal("0.00")),
        "no_ceiling": bool(rows) and rows[0]["balance"].annual_ceiling is None,
        # Said at the top too: a coordinator does not scroll twelve rows to find them.
        "exceeded": [row for row in rows if row["balance"].exceeded],
    }
    return render(request, "chantiers/session_attendance.html", context)


def _save(request, per_session, *, name_the_day: bool) -> list:
    """The marks saved, all or nothing (a refused session cancels the whole entry, which comes
    back as typed), and what happened said; the (session, mark) changed meanwhile by someone
    else, which were not overwritten."""
    results = services.attendance_record_many(marks_by_session=per_session, by=request.user)
    saved = sum(len(result.saved) for _session, result in results)
    conflicts = [(session, a) for session, result in results for a in result.conflicts]
    if saved:
        messages.success(
            request,
            ngettext("%(count)s présence enregistrée.", "%(count)s présences enregistrées.", saved)
            % {"count": saved},
        )
    elif not conflicts:
        messages.info(request, _("Rien n'a changé."))
    for session, attendance in conflicts:
        if name_the_day:
            message = _(
                "%(name)s, %(day)s : modifié entre-temps par %(by)s ; votre choix n'a pas été "
                "enregistré, vérifiez la case."
            )
        else:
            message = _(
                "%(name)s : modifié entre-temps par %(by)s ; votre choix n'a pas été "
                "enregistré, vérifiez la ligne."
            )
        messages.warning(
            request,
            message
            % {
                "name": attendance.participant,
                "day": formats.date_format(session.date, "D d/m"),
                "by": attendance.recorded_by,
            },
        )
    return conflicts


@role_required(*CHANTIER_ROLES)
def week_entry(request, pk, year, month, day):
    """The paper sheet of a week copied at the office: a person per row, a session per column,
    saved in one go."""
    chantier = chantier_or_404(request, pk)
    monday = week_monday_or_404(year, month, day)
    sunday = monday + dt.timedelta(days=6)
    sessions = selectors.week_sessions(chantier=chantier, monday=monday)
    group = selectors.group_during(chantier=chantier, first=monday, last=sunday)
    ids = [e.participant_id for e in group]
    marks = selectors.marks_of(sessions=sessions, participant_ids=ids)
    locked = selectors.locked_months(
        participant_ids=ids, months={s.date.replace(day=1) for s in sessions}
    )
    errors: dict[str, str] = {}  # by input name: hours-34-12, status-34-12
    if request.method == "POST":
        cells = [
            Cell(
                key=f"{session.pk}-{enrolment.participant_id}",
                label=_("%(name)s le %(day)s")
                % {
                    "name": enrolment.participant,
                    "day": formats.date_format(session.date, "D d/m"),
                },
                session=session,
                participant_id=enrolment.participant_id,
                recorded=marks.get((session.pk, enrolment.participant_id)),
            )
            for session in sessions
            for enrolment in group
            if enrolment.in_group_on(session.date)
        ]
        form = AttendanceForm(request.POST, cells=cells)
        if not form.is_valid():
            messages.error(request, form.problems())
            errors = form.input_errors()
        else:
            try:
                _save(request, form.marks(), name_the_day=True)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                return redirect("chantiers:week_entry", pk=chantier.pk, **_ymd(monday))
    typed = request.POST if request.method == "POST" else None
    rows = [
        {
            "number": number,
            "participant": enrolment.participant,
            "cells": [
                _cell(session, enrolment, marks, locked, typed, errors) for session in sessions
            ],
        }
        for number, enrolment in enumerate(group, start=1)
    ]
    # The refused cells above the sheet, in its reading order, each a link to its input.
    summary = []
    for row in rows:
        for cell in row["cells"]:
            for kind, message in cell["error"].items():
                day = formats.date_format(cell["session"].date, "D d/m")
                target = f"h-{cell['key']}" if kind == "hours" else f"st-{cell['key']}"
                text = f"{row['participant']}, {day} — {message}"
                summary.append({"target": target, "text": text})
    context = {
        "chantier": chantier,
        "monday": monday,
        "sunday": sunday,
        "previous": _ymd(monday - dt.timedelta(days=7)),
        "next": _ymd(monday + dt.timedelta(days=7)),
        "this_week": _ymd(monday),
        "sessions": sessions,
        "rows": rows,
        "error_summary": summary,
        "statuses": SHORT_LABELS,
    }
    return render(request, "chantiers/week_entry.html", context)


def _ymd(day: dt.date) -> dict:
    return {"year": day.year, "month": day.month, "day": day.day}


def _cell(session, enrolment, marks, locked, typed, errors) -> dict:
    """One box of the grid: what is recorded, or what was typed when the sheet comes back (and
    ``error``, what is wrong with it by input: status, hours)."""
    key = f"{session.pk}-{enrolment.participant_id}"
    mark = marks.get((session.pk, enrolment.participant_id))
    is_locked = (enrolment.participant_id, session.date.replace(day=1)) in locked
    status = mark.status if mark else ""
    hours = formats.localize_input(mark.hours if mark else session.hours)
    version = str(mark.version) if mark else ""
    if typed is not None and not is_locked:
        status = typed.get(f"status-{key}", status)
        hours = typed.get(f"hours-{key}", hours)
        # The version the sheet was first shown with: a change made meanwhile stays detected.
        version = typed.get(f"version-{key}", version)
    return {
        "key": key,
        "session": session,
        "in_group": enrolment.in_group_on(session.date),
        "locked": is_locked,
        "mark": mark,
        "status": status,
        "hours": hours,
        "version": version,
        "error": {
            kind: errors[f"{kind}-{key}"]
            for kind in ("status", "hours")
            if f"{kind}-{key}" in errors
        },
    }
