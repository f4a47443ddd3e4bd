"""Reads on referrals and employers: the partner directory, the organization's referrals and
the reminders of those left without an answer; what leaves the sending organization of a
referral (the minimum), the answer links owed and the daily digests."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, Organization, Role, User
from participants.models import Certification, Training
from partners.models import (
    EmployerContact,
    Matching,
    PartnerService,
    Referral,
    ReferralDigest,
    ReferralTransition,
)

Status = Referral.Status


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


def prospection_list(
    *, organization: Organization, employer: Organization
) -> QuerySet[EmployerContact]:
    """This organization's contacts with ``employer`` (another operator's are its own)."""
    return EmployerContact.objects.filter(
        organization=organization, employer=employer
    ).select_related("by")


def employer_matchings(*, organization: Organization, employer: Organization) -> QuerySet[Matching]:
    """This organization's participants proposed to ``employer``."""
    return Matching.objects.filter(
        participant__organization=organization, employer=employer
    ).select_related("participant")


def matching_list(*, organization: Organization, status: str = "") -> QuerySet[Matching]:
    """The matchings of this organization's participants, of one status or, with ``open``, those
    not closed yet; any other value: all of them."""
    matchings = Matching.objects.filter(participant__organization=organization).select_related(
        "participant", "employer"
    )
    if status in Matching.Status.values:
        matchings = matchings.filter(status=status)
    elif status == "open":
        matchings = matchings.exclude(status__in=Matching.CLOSED)
    return matchings


# --- The partner's side: the minimum, the answer link, the daily digest -------------------


def referrals_minimal(queryset: QuerySet[Referral]) -> QuerySet[Referral]:
    """The only columns of a referral that leave the sending organization."""
    return queryset.select_related(
        "participant", "from_organization", "to_organization", "service", "sent_by"
    ).only(
        "pk",
        "reason",
        "sent_on",
        "status",
        "refusal_reason",
        "participant__first_name",
        "participant__last_name",
        "participant__phone",
        "participant__email",
        "from_organization__name",
        "to_organization__name",
        "to_organization__email",
        "service__name",
        "service__email",
        "service__need_category",
        "sent_by__first_name",
        "sent_by__last_name",
        "sent_by__email",
    )


def trainings_noted_by_partner(*, referral: Referral) -> QuerySet[Training]:
    """The trainings of the person referred that the receiving partner noted itself: all it
    sees of them (not the other trainings, nor anything else of the person's record)."""
    return Training.objects.filter(
        participant_id=referral.participant_id,
        recorded_by_organization_id=referral.to_organization_id,
    )


def certifications_noted_by_partner(*, referral: Referral) -> QuerySet[Certification]:
    """The same for certifications, with the training each followed (the partner's own)."""
    return Certification.objects.filter(
        participant_id=referral.participant_id,
        recorded_by_organization_id=referral.to_organization_id,
    ).select_related("training")


def partner_has_members(organization: Organization) -> bool:
    """A partner with active members answers in the app; one without, through the link."""
    return Membership.objects.active().filter(organization=organization, role=Role.PARTNER).exists()


def referral_link_address(referral: Referral) -> str:
    """Where the answer link goes: the service's referral address, else the organization's."""
    if referral.service_id and referral.service.email:
        return referral.service.email
    return referral.to_organization.email


# The periodic check leaves a link this long to the queued task before it sends it itself.
LINK_QUEUE_GRACE = dt.timedelta(minutes=10)


def referrals_due_link(*, now: dt.datetime | None = None) -> QuerySet[Referral]:
    """Referrals waiting for an answer link that was never sent: still open, to a partner
    without members that has an address, past the grace left to the queued task."""
    now = now or timezone.now()
    partner_members = Membership.objects.active().filter(
        organization=OuterRef("to_organization"), role=Role.PARTNER
    )
    return (
        Referral.objects.filter(
            status=Status.SENT,
            link_sent_at=None,
            status_changed_at__lt=now - LINK_QUEUE_GRACE,
        )
        .exclude(Exists(partner_members))
        .filter(Q(service__email__gt="") | Q(to_organization__email__gt=""))
    )


def reminder_days() -> int:
    """The same delay as the dashboard's reminders (``referrals_awaiting_answer``)."""
    return settings.REFERRAL_REMINDER_DAYS


@dataclass
class Digest:
    user: User
    answers: list = field(default_factory=list)  # transitions of their referrals
    overdue: list = field(default_factory=list)  # their referrals still unanswered
    received: list = field(default_factory=list)  # referrals addressed to their organization

    def __bool__(self):
        return bool(self.answers or self.overdue or self.received)


def digest_window(now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The 24 hours ending at the current hour, o'clock.

    What was sent is not stored: each run covers the events whose transition ``at`` falls in
    [yesterday same hour, this hour). Runs a day apart (celery beat) therefore cover every event
    once, and a run a few minutes late covers the same window as one on time.
    """
    end = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    return end - dt.timedelta(days=1), end


def _sender_still_member(prefix: str):
    """The sender still belongs to the sending organization: someone who left it (or whose
    account is closed) no longer receives the names of its participants."""
    return Membership.objects.active().filter(
        user=OuterRef(f"{prefix}sent_by"), organization=OuterRef(f"{prefix}from_organization")
    )


def referrals_digests(*, now: dt.datetime | None = None) -> list[Digest]:
    """What each person should read this morning, gathered in a fixed number of queries."""
    start, end = digest_window(now or timezone.now())
    digests: dict[int, Digest] = {}

    def digest_of(user):
        return digests.setdefault(user.pk, Digest(user=user))

    answered = (
        ReferralTransition.objects.filter(
            at__gte=start,
            at__lt=end,
            to_status__in=[Status.ACCEPTED, Status.REFUSED, Status.EXPIRED],
        )
        .select_related(
            "referral__participant",
            "referral__to_organization",
            "referral__service",
            "referral__sent_by",
        )
        .filter(Exists(_sender_still_member("referral__")))
        .order_by("at", "pk")
    )
    for transition in answered:
        digest_of(transition.referral.sent_by).answers.append(transition)

    limit = timezone.localdate(end) - dt.timedelta(days=reminder_days())
    overdue = referrals_minimal(
        Referral.objects.filter(
            Exists(_sender_still_member("")), status=Status.SENT, sent_on__lt=limit
        ).order_by("sent_on", "pk")
    )
    for referral in overdue:
        digest_of(referral.sent_by).overdue.append(referral)

    new = list(
        referrals_minimal(
            Referral.objects.filter(
                transitions__to_status=Status.SENT,
                transitions__at__gte=start,
                transitions__at__lt=end,
            ).order_by("sent_on", "pk")
        ).distinct()
    )
    by_organization = defaultdict(list)
    for referral in new:
        by_organization[referral.to_organization_id].append(referral)
    members = (
        Membership.objects.active()
        .filter(role=Role.PARTNER, organization__in=by_organization.keys())
        .select_related("user")
        .order_by("pk")
    )
    for membership in members:
        digest_of(membership.user).received += by_organization[membership.organization_id]

    return [digest for digest in digests.values() if digest]


def referral_digest_recipients(*, day: dt.date) -> set[int]:
    """The users (their keys) who already had the digest of ``day``."""
    return set(ReferralDigest.objects.filter(day=day).values_list("user_id", flat=True))
