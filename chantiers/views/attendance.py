"""Taking attendance: the day's sessions, the grid of a session on a phone (one tap per person, one
save for the group), and the paper sign-in sheet of a week copied in one form."""

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import role_required
from accounts.offline import keep_offline
from chantiers import selectors, services
from chantiers.forms_attendance import AttendanceForm
from chantiers.grid import SessionGrid, WeekSheet, short_day, ymd
from chantiers.views.access import (
    CHANTIER_ROLES,
    chantier_or_404,
    session_or_404,
    visible_chantiers,
    week_monday_or_404,
)


@keep_offline
@role_required(*CHANTIER_ROLES)
def today(request):
    """Today's sessions, then the rest of the week's: the coordinator opens this page online in
    the morning, and the phone keeps their grids and groups for the worksite without network."""
    day = timezone.localdate()
    sunday = day + dt.timedelta(days=6 - day.weekday())
    sessions = list(
        selectors.sessions_during(chantiers=visible_chantiers(request), first=day, last=sunday)
    )
    context = {
        "day": day,
        "sessions": [s for s in sessions if s.date == day],
        "week": [s for s in sessions if s.date > day and s.status != s.Status.CANCELLED],
    }
    return render(request, "chantiers/today.html", context)


@keep_offline
@role_required(*CHANTIER_ROLES)
def session_attendance(request, pk):
    """The attendance grid of a session: one tap per person, one save for the whole group."""
    session = session_or_404(request, pk)
    grid = SessionGrid.of(session)
    conflicts_key = f"attendance-conflicts-{session.pk}"
    form = None  # a refused save comes back as typed, its bad inputs marked
    if request.method == "POST":
        everyone = "all_present" in request.POST
        form = AttendanceForm(request.POST, cells=grid.cells(), everyone_present=everyone)
        conflicts = _save(request, form, name_the_day=False)
        if conflicts is not None:
            if conflicts:  # shown on their rows once, after the redirect
                request.session[conflicts_key] = grid.conflicts_noted(form, conflicts)
            return redirect("chantiers:session_attendance", pk=session.pk)
    conflicts = request.session.pop(conflicts_key, {}) if request.method == "GET" else {}
    context = grid.context(organization=request.organization, form=form, conflicts=conflicts)
    return render(request, "chantiers/session_attendance.html", context)


def _save(request, form: AttendanceForm, *, name_the_day: bool) -> list | None:
    """The form's marks saved, all or nothing (a refused session cancels the whole entry, which
    comes back as typed), and what happened said; the (session, mark) changed meanwhile by
    someone else, which were not overwritten. None when refused (said in a message)."""
    if not form.is_valid():
        messages.error(request, form.problems())
        return None
    try:
        results = services.attendance_record_many(marks_by_session=form.marks(), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
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
                "day": short_day(session.date),
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
    sheet = WeekSheet.of(chantier=chantier, monday=monday)
    form = None  # a refused save comes back as typed, its bad inputs marked
    if request.method == "POST":
        form = AttendanceForm(request.POST, cells=sheet.cells())
        if _save(request, form, name_the_day=True) is not None:
            return redirect("chantiers:week_entry", pk=chantier.pk, **ymd(monday))
    return render(request, "chantiers/week_entry.html", sheet.context(form=form))
