"""Reads on chantiers, scoped by organization and, for coordinators, by their own chantiers."""

import datetime as dt

from django.db.models import Count, Max, Q, QuerySet, Sum

from accounts.models import Role
from chantiers.indemnities import ZERO, YearBalance
from chantiers.models import (
    Attendance,
    Chantier,
    Enrolment,
    IndemnityCeiling,
    VolunteerAgreement,
    WorkSession,
)


def chantiers_for(*, organization, user, role) -> QuerySet[Chantier]:
    """A coordinator sees the chantiers they coordinate; direction sees all of the operator's."""
    chantiers = Chantier.objects.filter(organization=organization)
    if role == Role.COORDINATOR:
        chantiers = chantiers.filter(coordinators=user)
    return chantiers


def sessions_on(*, chantiers: QuerySet[Chantier], day: dt.date) -> QuerySet[WorkSession]:
    return (
        WorkSession.objects.filter(chantier__in=chantiers, date=day)
        .select_related("chantier")
        .annotate(marked=Count("attendances"))
        .order_by("starts_at", "chantier__name")
    )


def group_on(*, session: WorkSession) -> list[Enrolment]:
    """The active members of the chantier's group on the session's day."""
    day = session.date
    return list(
        Enrolment.objects.filter(chantier=session.chantier_id, status__in=Enrolment.IN_GROUP)
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day))
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=day))
        .select_related("participant")
        .order_by("participant__last_name", "participant__first_name")
    )


def year_balances(*, participant_ids: list[int], organization, year: int) -> dict[int, YearBalance]:
    """The year's balance of several people in three queries (the engine writes the amounts)."""
    ceiling = IndemnityCeiling.objects.filter(year=year).first()
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    paid = dict(
        Attendance.objects.filter(
            participant__in=participant_ids,
            session__date__range=(first, last),
            session__chantier__organization=organization,
        )
        .values_list("participant")
        .annotate(total=Sum("indemnity"))
    )
    declared = dict(
        VolunteerAgreement.objects.filter(
            participant__in=participant_ids, organization=organization, starts_on__lte=last
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .values_list("participant")
        .annotate(most=Max("amount_from_others"))
    )
    return {
        pk: YearBalance(
            year=year,
            annual_ceiling=ceiling.annual if ceiling else None,
            declared_elsewhere=declared.get(pk) or ZERO,
            paid=paid.get(pk) or ZERO,
        )
        for pk in participant_ids
    }
