"""The paper side of a chantier: the monthly statements printed for signing (one person's month,
or a chantier's month in one PDF) and the sign-in sheet of a session or a week, for days
without a phone. Every print is in the access log."""

import datetime as dt

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import formats
from django.utils.translation import gettext as _

from accounts.access import role_required
from chantiers import selectors
from chantiers.models import (
    Enrolment,
    IndemnityCeiling,
    ServiceSheet,
    WorkSession,
)
from chantiers.pdf import render_pdf
from chantiers.views.access import (
    CHANTIER_ROLES,
    READ_ROLES,
    chantier_or_404,
    month_or_404,
    pdf_response,
    printed,
    session_or_404,
    statement_or_404,
    week_monday_or_404,
)

# A landscape A4 page holds five sessions side by side (arrival, departure, signature each);
# a longer week continues on the next page, with the names again.
SESSIONS_PER_SHEET = 5
BLANK_ROWS = 2  # for the people who arrive without being on the list


def _render_statements(statements, *, month, organization, running_title) -> bytes:
    pages = selectors.statement_pages(statements=statements, month=month)
    for page in pages:
        # A volunteer's service sheet (issue 21) is a day outside a chantier: its line names
        # the activity where a chantier day names the chantier, and the column says both.
        page["with_sheets"] = any(isinstance(row, ServiceSheet) for row in page["rows"])
    return render_pdf(
        "pdf/statement.html",
        {
            "pages": pages,
            "organization": organization,
            "month": month,
            "ceiling": IndemnityCeiling.objects.filter(year=month.year).first(),
            "running_title": running_title,
        },
    )


@role_required(*READ_ROLES)
def statement_pdf(request, pk):
    """One person's month, to sign; the printing is logged."""
    statement = statement_or_404(request, pk)
    participant = statement.participant
    printed(request, [participant])
    pdf = _render_statements(
        [statement],
        month=statement.month,
        organization=statement.organization,
        running_title=f"{participant.first_name} {participant.last_name.upper()}",
    )
    return pdf_response(pdf, f"fiche-{participant.last_name}-{statement.month:%Y-%m}")


@role_required(*READ_ROLES)
def month_statements_pdf(request, pk, year, month):
    """Every statement of the chantier's month, one per page, to have them signed in one go."""
    chantier = chantier_or_404(request, pk)
    first = month_or_404(year, month)
    statements = selectors.month_statements_to_print(
        organization=request.organization,
        participant_ids=selectors.month_group_ids(chantier=chantier, month=first),
        month=first,
    )
    if not statements:
        messages.info(request, _("Pas encore de fiche pour ce mois : préparez-les d'abord."))
        return redirect("chantiers:month_statements", pk=chantier.pk, year=year, month=month)
    printed(request, [s.participant for s in statements])
    pdf = _render_statements(
        statements,
        month=first,
        organization=request.organization,
        running_title=f"{chantier.name} · {formats.date_format(first, 'F Y')}",
    )
    return pdf_response(pdf, f"fiches-{chantier.code}-{first:%Y-%m}")


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
                "cells": [enrolment.in_group_on(s.date) for s in block],
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
    printed(request, [e.participant for e in group])
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
    return pdf_response(pdf, name)


@role_required(*CHANTIER_ROLES)
def signin_sheet_session(request, pk):
    """The paper sheet of one session, for a day without a phone."""
    session = session_or_404(request, pk)
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
    chantier = chantier_or_404(request, pk)
    monday = week_monday_or_404(year, month, day)
    sessions = selectors.week_sessions(chantier=chantier, monday=monday)
    if not sessions:
        messages.info(request, _("Aucune séance prévue cette semaine sur ce chantier."))
        return redirect("chantiers:detail", pk=chantier.pk)
    return _signin_sheet(
        request,
        chantier=chantier,
        sessions=sessions,
        group=selectors.group_during(
            chantier=chantier, first=monday, last=monday + dt.timedelta(days=6)
        ),
        week=(monday, monday + dt.timedelta(days=6)),
        name=f"presences-{chantier.code}-semaine-{monday:%Y-%m-%d}",
    )
