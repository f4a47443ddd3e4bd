"""What every chantier screen starts with: the roles, and the chantiers, sessions, volunteers and
documents a person may reach — another organization's, or a chantier not theirs, answers 404."""

import datetime as dt

from django.db.models import Q
from django.http import Http404, HttpResponse
from django.utils.text import slugify

from accounts.access import get_scoped_or_404
from accounts.dates import month_bounds
from accounts.models import AccessLog, Role
from accounts.services import access_log_record_many
from chantiers import selectors
from chantiers.models import Attendance, Chantier, MonthlyStatement, WorkSession
from participants.models import Participant

CHANTIER_ROLES = (Role.COORDINATOR, Role.DIRECTION)


# The administration reopens validated months: it reads the chantiers, it does not mark them.
READ_ROLES = (*CHANTIER_ROLES, Role.ADMIN)

# Payment batches are READ_ROLES without the coordinators: they hold every volunteer's IBAN.
PAYMENT_READ_ROLES = (Role.DIRECTION, Role.ADMIN)


def visible_chantiers(request):
    return selectors.chantiers_for(
        organization=request.organization, user=request.user, role=request.membership.role
    )


def chantier_or_404(request, pk) -> Chantier:
    return get_scoped_or_404(request, visible_chantiers(request), pk=pk)


def session_or_404(request, pk) -> WorkSession:
    sessions = WorkSession.objects.filter(chantier__in=visible_chantiers(request)).select_related(
        "chantier"
    )
    return get_scoped_or_404(request, sessions, via="chantier__organization", pk=pk)


def volunteer_or_404(request, pk) -> Participant:
    """Someone of the organization; for a coordinator, someone of one of their chantiers' groups."""
    people = Participant.objects.all()
    if request.membership.role == Role.COORDINATOR:
        # The volunteers of the organisation (issue 21: ``volunteers.Volunteer``, named by its
        # relation only, the app being above this one) are coordinated by its coordinators.
        people = people.filter(
            Q(enrolments__chantier__in=visible_chantiers(request))
            | Q(volunteer__organization=request.organization)
        ).distinct()
    return get_scoped_or_404(request, people, pk=pk)


def pdf_response(pdf: bytes, name: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slugify(name)}.pdf"'
    return response


def printed(request, people) -> None:
    access_log_record_many(
        user=request.user,
        organization=request.organization,
        objects=list(people),
        action=AccessLog.Action.PRINT,
    )


def statement_or_404(request, pk) -> MonthlyStatement:
    """A statement of the current organization; a coordinator's only if the person was marked on
    one of their chantiers that month, or is a volunteer of the organisation (to validate it as
    to print it, like the agreements)."""
    statements = MonthlyStatement.objects.select_related(
        "participant", "organization", "validated_by", "batch"
    )
    statement = get_scoped_or_404(request, statements, pk=pk)
    if request.membership.role == Role.COORDINATOR:
        marked_here = Attendance.objects.filter(
            participant=statement.participant_id,
            session__chantier__in=visible_chantiers(request),
            session__date__range=month_bounds(statement.month),
        )
        volunteer_here = Participant.objects.filter(  # issue 21, as in ``volunteer_or_404``
            pk=statement.participant_id, volunteer__organization=request.organization
        )
        if not (marked_here.exists() or volunteer_here.exists()):
            raise Http404
    return statement


def month_or_404(year: int, month: int) -> dt.date:
    """The first day of a month in the address; 404 for a month that does not exist, or whose
    previous or next month does not (the pages link to both)."""
    if not dt.MINYEAR < year < dt.MAXYEAR:
        raise Http404
    try:
        return dt.date(year, month, 1)
    # OverflowError: a number too large for C's int (nineteen 9s), not only out of range.
    except (ValueError, OverflowError):
        raise Http404 from None


def week_monday_or_404(year: int, month: int, day: int) -> dt.date:
    """The Monday of the week of a date in the address; 404 for a date that does not exist."""
    # Not the first or the last year a date can hold: the week and its neighbours must exist.
    if not dt.MINYEAR < year < dt.MAXYEAR:
        raise Http404
    try:
        date = dt.date(year, month, day)
    except (ValueError, OverflowError):
        raise Http404 from None
    return date - dt.timedelta(days=date.weekday())
