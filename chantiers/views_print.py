"""The paper side of a chantier: the monthly statements printed for signing, the sign-in sheet for
days without a phone, and the page where the coordinator copies that sheet afterwards."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import get_scoped_or_404, role_required
from accounts.models import AccessLog, Role
from accounts.services import access_log_record_many
from chantiers import selectors, services
from chantiers.models import (
    Attendance,
    Chantier,
    Enrolment,
    IndemnityCeiling,
    MonthlyStatement,
    WorkSession,
)
from chantiers.pdf import render_pdf
from chantiers.views import CHANTIER_ROLES, SHORT_LABELS, _chantiers, _session
from chantiers.views_statements import STATEMENT_ROLES, _group_ids, _month

# A landscape A4 page holds five sessions side by side (arrival, departure, signature each);
# a longer week continues on the next page, with the names again.
SESSIONS_PER_SHEET = 5
BLANK_ROWS = 2  # for the people who arrive without being on the list
CENTS = Decimal("0.01")


def _pdf(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slugify(name)}.pdf"'
    return response


def _log_print(request, people) -> None:
    access_log_record_many(
        user=request.user,
        organization=request.organization,
        objects=list(people),
        action=AccessLog.Action.PRINT,
    )


# Monthly statements ("fiches de suivi des prestations et des défraiements")


def _month_last(month: dt.date) -> dt.date:
    return services.add_months(month, 1) - dt.timedelta(days=1)


def _statements():
    return MonthlyStatement.objects.select_related(
        "participant", "organization", "validated_by", "batch"
    )


def _printable_statement(request, pk) -> MonthlyStatement:
    """Scoped as ``views_statements._statement`` (the current organization); a coordinator,
    like for the agreements, prints only the statements of people marked on their chantiers."""
    statement = get_scoped_or_404(request, _statements(), pk=pk)
    if request.membership.role == Role.COORDINATOR:
        month = statement.month
        marked_here = Attendance.objects.filter(
            participant=statement.participant_id,
            session__chantier__in=_chantiers(request),
            session__date__range=(month, _month_last(month)),
        )
        if not marked_here.exists():
            raise Http404
    return statement


def _statement_pages(statements: list[MonthlyStatement], month: dt.date) -> list[dict]:
    """Each statement with the month's marks (every chantier of the operator) and their totals,
    in one query whatever the number of statements."""
    marks: dict[int, list[Attendance]] = {}
    for attendance in (
        Attendance.objects.filter(
            participant__in=[s.participant_id for s in statements],
            session__date__range=(month, _month_last(month)),
            session__chantier__organization__in={s.organization_id for s in statements},
        )
        .select_related("session__chantier")
        .order_by("session__date", "session__starts_at", "pk")
    ):
        marks.setdefault(attendance.participant_id, []).append(attendance)
    pages = []
    for statement in statements:
        rows = marks.get(statement.participant_id, [])
        present = [a for a in rows if a.is_present]
        totals = (
            len({a.session.date for a in present}),
            sum((a.hours for a in present), Decimal("0.00")),
            sum((a.indemnity for a in rows), Decimal("0.00")),
        )
        iban = statement.participant.iban
        pages.append(
            {
                "statement": statement,
                "participant": statement.participant,
                "rows": rows,
                # The marks changed since the statement was prepared: say so rather than print
                # a sheet whose lines and totals disagree.
                "stale": totals != (statement.days, statement.hours, statement.amount),
                "iban_tail": f"•••• {iban[-4:]}" if iban else "",
            }
        )
    return pages


def _render_statements(statements, *, month, organization, running_title) -> bytes:
    return render_pdf(
        "pdf/statement.html",
        {
            "pages": _statement_pages(statements, month),
            "organization": organization,
            "month": month,
            "ceiling": IndemnityCeiling.objects.filter(year=month.year).first(),
            "running_title": running_title,
        },
    )


@role_required(*STATEMENT_ROLES)
def statement_pdf(request, pk):
    """One person's month, to sign; the printing is logged."""
    statement = _printable_statement(request, pk)
    participant = statement.participant
    _log_print(request, [participant])
    pdf = _render_statements(
        [statement],
        month=statement.month,
        organization=statement.organization,
        running_title=f"{participant.first_name} {participant.last_name.upper()}",
    )
    return _pdf(pdf, f"fiche-{participant.last_name}-{statement.month:%Y-%m}")


@role_required(*STATEMENT_ROLES)
def month_statements_pdf(request, pk, year, month):
    """Every statement of the chantier's month, one per page, to have them signed in one go."""
    chantier = get_scoped_or_404(request, _chantiers(request), pk=pk)
    if not dt.MINYEAR < year < dt.MAXYEAR:
        raise Http404  # the month after must exist
    first = _month(year, month)
    statements = list(
        _statements()
        .filter(
            participant__in=_group_ids(chantier, first),
            month=first,
            organization=request.organization,
        )
        .order_by("participant__last_name", "participant__first_name")
    )
    if not statements:
        messages.info(request, _("Pas encore de fiche pour ce mois : préparez-les d'abord."))
        return redirect("chantiers:month_statements", pk=chantier.pk, year=year, month=month)
    _log_print(request, [s.participant for s in statements])
    pdf = _render_statements(
        statements,
        month=first,
        organization=request.organization,
        running_title=f"{chantier.name} · {formats.date_format(first, 'F Y')}",
    )
    return _pdf(pdf, f"fiches-{chantier.code}-{first:%Y-%m}")


# The week: the sign-in sheet and its entry afterwards


def _monday(year: int, month: int, day: int) -> dt.date:
    # Not the first or the last year a date can hold: the week and its neighbours must exist.
    if not dt.MINYEAR < year < dt.MAXYEAR:
        raise Http404
    try:
        date = dt.date(year, month, day)
    except ValueError:
        raise Http404 from None
    return date - dt.timedelta(days=date.weekday())


def _week_sessions(chantier: Chantier, monday: dt.date) -> list[WorkSession]:
    return list(
        chantier.sessions.filter(date__range=(monday, monday + dt.timedelta(days=6)))
        .exclude(status=WorkSession.Status.CANCELLED)
        .order_by("date", "starts_at")
    )


def _in_group(enrolment: Enrolment, day: dt.date) -> bool:
    return (enrolment.joined_on is None or enrolment.joined_on <= day) and (
        enrolment.left_on is None or day <= enrolment.left_on
    )


def _sheet_blocks(sessions: list[WorkSession], group: list[Enrolment]) -> list[dict]:
    """The sheet's pages: at most SESSIONS_PER_SHEET sessions each, every name on every page."""
    pages = -(-len(sessions) // SESSIONS_PER_SHEET)
    size = -(-len(sessions) // pages) if pages else 1  # six sessions: two pages of three
    blocks = []
    for start in range(0, len(sessions), size):
        block = sessions[start : start + size]
        rows = [
            {
                "number": number,
                "participant": enrolment.participant,
                "cells": [_in_group(enrolment, s.date) for s in block],
            }
            for number, enrolment in enumerate(group, start=1)
        ]
        rows += [
            {"number": len(group) + extra, "participant": None, "cells": [True] * len(block)}
            for extra in range(1, BLANK_ROWS + 1)
        ]
        # Landscape: 219 mm for the sessions; arrival and departure take 25 mm of each.
        blocks.append({"sessions": block, "rows": rows, "sign_mm": min(45, 219 // len(block) - 25)})
    return blocks


def _signin_sheet(request, *, chantier, sessions, group, week, name) -> HttpResponse:
    """The sheet of a session (portrait) or of a week (``week`` = Monday and Sunday, landscape)."""
    _log_print(request, [e.participant for e in group])
    pdf = render_pdf(
        "pdf/signin_sheet.html",
        {
            "chantier": chantier,
            "organization": request.organization,
            "sessions": sessions,
            "blocks": _sheet_blocks(sessions, group),
            "coordinators": [u.get_full_name() for u in chantier.coordinators.order_by("pk")],
            "week": week,
        },
    )
    return _pdf(pdf, name)


@role_required(*CHANTIER_ROLES)
def signin_sheet_session(request, pk):
    """The paper sheet of one session, for a day without a phone."""
    session = _session(request, pk)
    if session.status == WorkSession.Status.CANCELLED:
        messages.error(request, _("Cette séance est annulée : pas de feuille de présence."))
        return redirect("chantiers:detail", pk=session.chantier_id)
    return _signin_sheet(
        request,
        chantier=session.chantier,
        sessions=[session],
        group=selectors.group_on(session=session),
        week=None,
        name=f"presences-{session.chantier.code}-{session.date:%Y-%m-%d}",
    )


@role_required(*CHANTIER_ROLES)
def signin_sheet_week(request, pk, year, month, day):
    """The paper sheet of the week (Monday to Sunday) holding the given day."""
    chantier = get_scoped_or_404(request, _chantiers(request), pk=pk)
    monday = _monday(year, month, day)
    sessions = _week_sessions(chantier, monday)
    if not sessions:
        messages.info(request, _("Aucune séance prévue cette semaine sur ce chantier."))
        return redirect("chantiers:detail", pk=chantier.pk)
    return _signin_sheet(
        request,
        chantier=chantier,
        sessions=sessions,
        group=selectors.group_during(chantier, monday, monday + dt.timedelta(days=6)),
        week=(monday, monday + dt.timedelta(days=6)),
        name=f"presences-{chantier.code}-semaine-{monday:%Y-%m-%d}",
    )


def _hours(text: str) -> Decimal | None:
    """The hours typed in a cell: None when empty (the session's length), ValueError if wrong."""
    if not text.strip():
        return None
    try:
        hours = Decimal(text.replace(",", ".").strip())
    except InvalidOperation:
        raise ValueError(text) from None
    if not hours.is_finite() or not 0 <= hours <= 24:
        raise ValueError(text)
    return hours.quantize(CENTS, rounding=ROUND_HALF_UP)


def _week_marks(data, *, sessions, group, marks) -> tuple[dict, list[str], set[str]]:
    """The marks to save per session — only the cells that differ from what is recorded — and
    the cells whose hours cannot be read."""
    per_session: dict[WorkSession, list[services.Mark]] = {}
    problems, bad = [], set()
    for session in sessions:
        for enrolment in group:
            if not _in_group(enrolment, session.date):
                continue
            key = f"{session.pk}-{enrolment.participant_id}"
            status = data.get(f"status-{key}", "")
            if not status:
                continue  # not entered (or a validated month, whose inputs are disabled)
            try:
                hours = _hours(data.get(f"hours-{key}", ""))
            except ValueError as error:
                bad.add(key)
                problems.append(
                    _("%(name)s le %(day)s : « %(value)s »")
                    % {
                        "name": enrolment.participant,
                        "day": formats.date_format(session.date, "D d/m"),
                        "value": error.args[0],
                    }
                )
                continue
            existing = marks.get((session.pk, enrolment.participant_id))
            if existing is not None and (existing.status, existing.hours) == (
                status,
                session.hours if hours is None else hours,
            ):
                continue
            version = data.get(f"version-{key}", "")
            per_session.setdefault(session, []).append(
                services.Mark(
                    participant_id=enrolment.participant_id,
                    status=status,
                    hours=hours,
                    note=existing.note if existing is not None else "",  # kept as it is
                    version=int(version) if version.isascii() and version.isdigit() else None,
                )
            )
    return per_session, problems, bad


def _week_save(request, per_session) -> None:
    """One call of the service per session, all or nothing: a refused session (a validated
    month) cancels the whole sheet, which comes back as typed."""
    saved, conflicts = 0, []
    with transaction.atomic():
        for session, marks in per_session.items():
            result = services.attendance_record(session=session, marks=marks, by=request.user)
            saved += len(result.saved)
            conflicts += [(session, attendance) for attendance in result.conflicts]
    if saved:
        messages.success(
            request,
            ngettext("%(count)s présence enregistrée.", "%(count)s présences enregistrées.", saved)
            % {"count": saved},
        )
    elif not conflicts:
        messages.info(request, _("Rien n'a changé."))
    for session, attendance in conflicts:
        messages.warning(
            request,
            _(
                "%(name)s, %(day)s : modifié entre-temps par %(by)s ; votre choix n'a pas été "
                "enregistré, vérifiez la case."
            )
            % {
                "name": attendance.participant,
                "day": formats.date_format(session.date, "D d/m"),
                "by": attendance.recorded_by,
            },
        )


@role_required(*CHANTIER_ROLES)
def week_entry(request, pk, year, month, day):
    """The paper sheet of a week copied at the office: a person per row, a session per column,
    saved in one go."""
    chantier = get_scoped_or_404(request, _chantiers(request), pk=pk)
    monday = _monday(year, month, day)
    sunday = monday + dt.timedelta(days=6)
    sessions = _week_sessions(chantier, monday)
    group = selectors.group_during(chantier, monday, sunday)
    ids = [e.participant_id for e in group]
    marks = {
        (a.session_id, a.participant_id): a
        for a in Attendance.objects.filter(session__in=sessions, participant__in=ids)
    }
    locked = set(
        MonthlyStatement.objects.filter(
            participant__in=ids, month__in={s.date.replace(day=1) for s in sessions}
        )
        .exclude(status=MonthlyStatement.Status.DRAFT)
        .values_list("participant", "month")
    )
    bad: set[str] = set()
    if request.method == "POST":
        per_session, problems, bad = _week_marks(
            request.POST, sessions=sessions, group=group, marks=marks
        )
        if problems:
            messages.error(
                request,
                _("Heures illisibles ou impossibles (entre 0 et 24) : %(cells)s.")
                % {"cells": " ; ".join(problems)},
            )
        else:
            try:
                _week_save(request, per_session)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
            else:
                return redirect("chantiers:week_entry", pk=chantier.pk, **_ymd(monday))
    typed = request.POST if request.method == "POST" else None
    rows = [
        {
            "number": number,
            "participant": enrolment.participant,
            "cells": [_cell(session, enrolment, marks, locked, typed, bad) for session in sessions],
        }
        for number, enrolment in enumerate(group, start=1)
    ]
    context = {
        "chantier": chantier,
        "monday": monday,
        "sunday": sunday,
        "previous": _ymd(monday - dt.timedelta(days=7)),
        "next": _ymd(monday + dt.timedelta(days=7)),
        "this_week": _ymd(monday),
        "sessions": sessions,
        "rows": rows,
        "statuses": SHORT_LABELS,
    }
    return render(request, "chantiers/week_entry.html", context)


def _ymd(day: dt.date) -> dict:
    return {"year": day.year, "month": day.month, "day": day.day}


def _cell(session, enrolment, marks, locked, typed, bad) -> dict:
    """One box of the grid: what is recorded, or what was typed when the sheet comes back."""
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
        "in_group": _in_group(enrolment, session.date),
        "locked": is_locked,
        "mark": mark,
        "status": status,
        "hours": hours,
        "version": version,
        "error": key in bad,
    }
