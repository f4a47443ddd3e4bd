"""Reads for the counsellor's side of referrals: the partner directory, the organization's
referrals and the reminders of those left without an answer."""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from accounts.models import Organization, User
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
