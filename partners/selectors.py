"""Reads for the counsellor's side of referrals: the partner directory, the organization's
referrals and the reminders of those left without an answer."""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from accounts.models import Organization, User
from chantiers.models import Chantier, Enrolment, Incident, WorkSession
from chantiers.selectors import attendance_rates
from partners.models import PartnerService, Referral


def service_directory(
    *, organization: Organization, category: str = "", place: str = ""
) -> QuerySet[PartnerService]:
    """Active services of the other organizations, by need category and commune or postcode."""
    services = PartnerService.objects.filter(is_active=True, organization__is_active=True).exclude(
        organization=organization
    )
    if category:
        services = services.filter(need_category=category)
    place = place.strip()
    if place:
        services = services.filter(
            Q(postcode__startswith=place)
            | Q(commune__icontains=place)
            | Q(organization__postcode__startswith=place)
            | Q(organization__city__icontains=place)
        )
    return services.select_related("organization", "contact").order_by(
        "organization__name", "name", "pk"
    )


def referral_list(
    *, organization: Organization, sent_by: User | None = None, status: str = ""
) -> QuerySet[Referral]:
    """The referrals an organization sent, the most recent first, with the columns the list
    shows (the joined rows are wide: a whole participant file, organization and account)."""
    referrals = Referral.objects.filter(from_organization=organization)
    if sent_by is not None:
        referrals = referrals.filter(sent_by=sent_by)
    if status:
        referrals = referrals.filter(status=status)
    return referrals.select_related("participant", "to_organization", "service", "sent_by").only(
        "participant_id",
        "to_organization_id",
        "service_id",
        "sent_by_id",
        "status",
        "sent_on",
        "status_changed_at",
        "participant__first_name",
        "participant__last_name",
        "to_organization__name",
        "service__name",
        "sent_by__first_name",
        "sent_by__last_name",
        "sent_by__email",
    )


def referrals_awaiting_answer(
    *, organization: Organization, sent_by: User | None = None, today: dt.date | None = None
) -> QuerySet[Referral]:
    """Sent more than ``REFERRAL_REMINDER_DAYS`` ago and still without an answer: the oldest
    first, so the one to chase comes at the top."""
    today = today or timezone.localdate()
    limit = today - dt.timedelta(days=settings.REFERRAL_REMINDER_DAYS)
    referrals = Referral.objects.filter(
        from_organization=organization, status=Referral.Status.SENT, sent_on__lt=limit
    )
    if sent_by is not None:
        referrals = referrals.filter(sent_by=sent_by)
    return referrals.select_related("participant", "to_organization").order_by("sent_on", "pk")


def employers() -> QuerySet[Organization]:
    """Active employer organizations (shared across operators, like every organization)."""
    return Organization.objects.filter(kind=Organization.Kind.EMPLOYER, is_active=True)


def employer_list(*, organization: Organization, query: str = "") -> QuerySet[Organization]:
    """The shared directory of employers, each with what this organization's prospection says
    of it (how many contacts, the last one), by name or commune."""
    mine = Q(prospections__organization=organization)
    found = employers().annotate(
        prospection_count=Count("prospections", filter=mine),
        last_prospection=Max("prospections__date", filter=mine),
    )
    if query:
        found = found.filter(Q(name__icontains=query) | Q(city__icontains=query))
    return found.order_by("name")


# --- The hosting partner's view (views_hosting): figures, never a surname -----------------------


def hosting_figures(*, chantier_ids: list[int]) -> dict:
    """Group size, attendance and open incidents of each chantier, in three grouped queries."""
    rates = attendance_rates(chantier_ids=chantier_ids)
    figures = {pk: {"group": 0, "open_incidents": 0} for pk in chantier_ids}
    for row in (
        Enrolment.objects.filter(chantier__in=chantier_ids, status__in=Enrolment.IN_GROUP)
        .values("chantier")
        .annotate(n=Count("pk"))
    ):
        figures[row["chantier"]]["group"] = row["n"]
    for row in (
        Incident.objects.filter(chantier__in=chantier_ids, closed_on__isnull=True)
        .values("chantier")
        .annotate(n=Count("pk"))
    ):
        figures[row["chantier"]]["open_incidents"] = row["n"]
    for pk, values in figures.items():
        values["rate"] = rates[pk]  # the chantier page's rate, shown by ``whole_percent``
    return figures


def hosting_next_sessions(*, chantier_ids: list[int], per_chantier: int) -> dict:
    """The next planned sessions of each chantier, at most ``per_chantier``, in one query."""
    upcoming = WorkSession.objects.filter(
        chantier__in=chantier_ids,
        date__gte=timezone.localdate(),
        status=WorkSession.Status.PLANNED,
    ).order_by("chantier", "date", "starts_at")
    sessions = {pk: [] for pk in chantier_ids}
    for session in upcoming:
        if len(sessions[session.chantier_id]) < per_chantier:
            sessions[session.chantier_id].append(session)
    return sessions


def hosting_first_names(*, chantier: Chantier) -> list[str]:
    """First names only: the partner never receives the surname or anything else of a person."""
    return list(
        Enrolment.objects.filter(chantier=chantier, status__in=Enrolment.IN_GROUP)
        .order_by("participant__first_name")
        .values_list("participant__first_name", flat=True)
    )


def hosting_incidents(*, chantier: Chantier) -> QuerySet[Incident]:
    """Kind, date, open or closed: no description, no people involved (they carry names)."""
    return Incident.objects.filter(chantier=chantier).only("pk", "kind", "date", "closed_on")
