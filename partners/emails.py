"""The e-mails about referrals: the answer link for a partner without members, and the daily
digest (one e-mail per person per day, never one per event).

Only the minimum of the person referred travels: first and last name, phone, e-mail and the
referral's reason. Never notes, needs details, other referrals, national number or address.
"""

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Membership, Role, User
from partners import services
from partners.models import Referral, ReferralDigest, ReferralTransition

Status = Referral.Status
logger = logging.getLogger(__name__)


def reminder_days() -> int:
    """The same delay as the dashboard's reminders (``selectors`` of the counsellor's side)."""
    return settings.REFERRAL_REMINDER_DAYS


def referrals_minimal(queryset):
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
        "sent_by__first_name",
        "sent_by__last_name",
        "sent_by__email",
    )


def partner_has_members(organization) -> bool:
    """A partner with active members answers in the app; one without, through the link."""
    return Membership.objects.active().filter(organization=organization, role=Role.PARTNER).exists()


def referral_link_address(referral: Referral) -> str:
    """Where the answer link goes: the service's referral address, else the organization's."""
    if referral.service_id and referral.service.email:
        return referral.service.email
    return referral.to_organization.email


def referral_link_send_if_no_members(*, referral: Referral) -> bool:
    """A partner without members answers through a link e-mailed to the service's address, else
    the organization's (``referral_link_address``, as the "send again" button does; the same
    test of "members" as the partner's side: ``partner_has_members``).

    False when the partner can be reached neither way: the counsellor must call it."""
    if partner_has_members(referral.to_organization):
        return True
    if not referral_link_address(referral):
        return False
    referral_link_send_later(referral=referral)
    return True


# The periodic check leaves a link this long to the queued task before it sends it itself.
LINK_QUEUE_GRACE = dt.timedelta(minutes=10)


def referral_link_send_later(*, referral: Referral) -> None:
    """Queue the link e-mail once the current transaction is committed (a re-send too). With the
    broker unreachable, the referral is left without ``link_sent_at``: the periodic check
    (``referral_links_send_due``) sends it once the broker is back."""
    from accounts.queueing import MAIL_LATER, enqueue_on_commit
    from partners.tasks import referral_send_link

    def owed() -> None:
        # A re-send stamped the time it was asked for (``services.referral_link_resend``).
        Referral.objects.filter(pk=referral.pk).update(link_sent_at=None)

    enqueue_on_commit(
        referral_send_link,
        referral.pk,
        on_broker_down=owed,
        notice=MAIL_LATER,
    )


def referrals_due_link(*, now: dt.datetime | None = None):
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


def referral_links_send_due(*, now: dt.datetime | None = None) -> int:
    """Periodic (celery beat): send the answer links owed; how many were sent. One that fails
    (the mail server) is logged and tried again by the next check."""
    sent = 0
    for referral in referrals_due_link(now=now).order_by("pk"):
        try:
            sent += referral_link_send(referral=referral)
        except Exception:
            logger.exception(
                "Answer link of referral %s: not sent, tried again later.", referral.pk
            )
    return sent


def referral_link_send(*, referral: Referral) -> bool:
    """E-mail a new answer link (the previous one stops working). False when there is no
    address to send it to, or the referral was answered meanwhile."""
    referral = referrals_minimal(Referral.objects).get(pk=referral.pk)
    address = referral_link_address(referral)
    if not address or referral.status != Status.SENT:
        return False
    token = services.referral_link_token(referral=referral)
    # The token rides in the query string: the access log keeps the path only (Dockerfile).
    link = f"{settings.SITE_URL}{reverse('partners:link_answer')}?t={token}"
    with translation.override(settings.LANGUAGE_CODE):  # no account, so no language chosen
        subject = _("Orientation de %(from)s : merci de répondre") % {
            "from": referral.from_organization.name
        }
        body = render_to_string(
            "partners/email/referral_link.txt",
            {
                "referral": referral,
                "link": link,
                "days": services.referral_link_days(referral=referral),
            },
        )
    send_mail(subject, body, None, [address])
    return True


# --- The daily digest -----------------------------------------------------------------------


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


def referrals_digest_send(*, now: dt.datetime | None = None) -> int:
    """One e-mail per person with something to read, at most once a day; how many were sent.

    Each e-mail is recorded (``ReferralDigest``) in the transaction that sends it: a second run
    the same day skips who already had theirs, and an e-mail that failed is sent by the next."""
    now = now or timezone.now()
    day = timezone.localdate(digest_window(now)[1])
    already = set(ReferralDigest.objects.filter(day=day).values_list("user_id", flat=True))
    sent = 0
    for digest in referrals_digests(now=now):
        user = digest.user
        if user.pk in already:
            continue
        with transaction.atomic():
            created = ReferralDigest.objects.get_or_create(user=user, day=day)[1]
            if not created:  # another run got there first
                continue
            with translation.override(user.language or settings.LANGUAGE_CODE):
                body = render_to_string(
                    "partners/email/digest.txt",
                    {
                        "user": user,
                        "digest": digest,
                        "days": reminder_days(),
                        "site_url": settings.SITE_URL,
                        "inbox_url": settings.SITE_URL + reverse("partners:inbox"),
                    },
                )
                subject = _("Chantiers & Parcours : vos orientations du jour")
            send_mail(subject, body, None, [user.email])
        sent += 1
    return sent
