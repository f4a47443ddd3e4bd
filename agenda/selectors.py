"""What the agenda pages read: one organization's appointments between two times, a person's
coming ones (the section of their page), the team that holds them."""

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import Membership, Organization, User
from agenda.models import Appointment, ReminderConsent
from agenda.services import HOLDER_ROLES


def appointments_between(
    *, organization: Organization, start: dt.date, end: dt.date, counsellor: User | None = None
) -> QuerySet[Appointment]:
    """The appointments from ``start`` to ``end`` (days, included) in the organization's time,
    of one counsellor or of the whole team; anonymised people's aside."""
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    found = Appointment.objects.filter(
        pathway__participant__organization=organization,
        pathway__participant__anonymised_at__isnull=True,
        starts_at__gte=since,
        starts_at__lt=until,
    )
    if counsellor is not None:
        found = found.filter(counsellor=counsellor)
    return found.select_related("pathway__participant", "counsellor")


def team(*, organization: Organization) -> QuerySet[User]:
    """The members who hold appointments, by name."""
    members = Membership.objects.active().filter(organization=organization, role__in=HOLDER_ROLES)
    return User.objects.filter(pk__in=members.values("user")).order_by("last_name", "first_name")


def participant_appointments(*, participant) -> tuple[list, list]:
    """The person's planned appointments (those past included, their outcome still to say), and
    the last five others, in one query."""
    found = Appointment.objects.filter(pathway__participant=participant)
    done = found.exclude(status=Appointment.Status.PLANNED).order_by("-starts_at", "-pk")
    both = found.filter(
        Q(status=Appointment.Status.PLANNED) | Q(pk__in=done.values("pk")[:5])
    ).select_related("counsellor")
    coming = [a for a in both if a.status == Appointment.Status.PLANNED]
    past = sorted(
        (a for a in both if a.status != Appointment.Status.PLANNED),
        key=lambda a: a.starts_at,
        reverse=True,
    )
    return coming, past


def participant_appointments_section(*, participant, organization) -> dict:
    """The participant page's section (registered in ``participants.selectors.PAGE_SECTIONS``)."""
    coming, past = participant_appointments(participant=participant)
    return {
        "template": "agenda/_participant_section.html",
        "participant": participant,
        "coming": coming,
        "past": past,
        "consent": ReminderConsent.objects.filter(participant=participant).first(),
        "now": timezone.now(),
    }
