"""What the module pages read, scoped to one organization: the catalogue, the sessions, a
session's group and marks, a person's sessions (the section of their page)."""

import datetime as dt

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from participants.grid import Presence
from participants.models import Participant, Pathway
from workshops.models import Module, ModuleAttendance, ModuleEnrolment, ModuleSession


def modules_of(*, organization) -> QuerySet[Module]:
    """The catalogue, the modules still offered first, with their coming sessions counted."""
    today = timezone.localdate()
    return (
        Module.objects.filter(organization=organization)
        .select_related("partner")
        .annotate(
            coming=Count(
                "sessions",
                filter=Q(sessions__date__gte=today)
                & ~Q(sessions__status=ModuleSession.Status.CANCELLED),
            )
        )
        .order_by("-active", "title")
    )


def sessions_of(*, module: Module) -> QuerySet[ModuleSession]:
    """A module's sessions with how many are enrolled and marked present."""
    return module.sessions.annotate(
        enrolled=Count("enrolments", distinct=True),
        present=Count(
            "attendances",
            filter=Q(attendances__status__in=ModuleAttendance.PRESENT_LIKE),
            distinct=True,
        ),
    ).order_by("-date", "-starts_at")


def sessions_between(*, organization, first: dt.date, last: dt.date) -> QuerySet[ModuleSession]:
    return (
        ModuleSession.objects.filter(
            module__organization=organization, date__gte=first, date__lte=last
        )
        .select_related("module")
        .annotate(enrolled=Count("enrolments"))
        .order_by("date", "starts_at", "pk")
    )


def group_of(session: ModuleSession) -> list[Participant]:
    """The people enrolled in a session, by name; anonymised people's rows aside."""
    return list(
        Participant.objects.filter(
            module_enrolments__session=session, anonymised_at__isnull=True
        ).order_by("last_name", "first_name", "pk")
    )


def enrolments_of(session: ModuleSession) -> list[ModuleEnrolment]:
    return list(
        session.enrolments.filter(participant__anonymised_at__isnull=True)
        .select_related("participant", "pathway__programme")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def enrollable_pathways(*, session: ModuleSession) -> QuerySet[Pathway]:
    """The open pathways of the organization whose person is not yet enrolled in the session."""
    return (
        Pathway.objects.filter(
            participant__organization=session.module.organization_id,
            participant__anonymised_at__isnull=True,
            ended_on__isnull=True,
        )
        .exclude(participant__module_enrolments__session=session)
        .select_related("participant", "programme")
        .order_by("participant__last_name", "participant__first_name", "pk")
    )


def open_sessions(*, organization, participant: Participant) -> QuerySet[ModuleSession]:
    """The sessions to come, not cancelled, the person is not enrolled in: where they may go."""
    return (
        ModuleSession.objects.filter(
            module__organization=organization,
            module__active=True,
            date__gte=timezone.localdate(),
            status=ModuleSession.Status.PLANNED,
        )
        .exclude(enrolments__participant=participant)
        .select_related("module")
        .order_by("date", "starts_at", "pk")
    )


def participant_modules_section(*, participant, organization) -> dict:
    """The participant page's section (registered in ``participants.selectors.PAGE_SECTIONS``):
    their sessions, the coming ones first, the past ones with their presence; two queries."""
    mark = ModuleAttendance.objects.filter(
        session=OuterRef("session"), participant=participant
    ).values("status")[:1]
    enrolments = list(
        ModuleEnrolment.objects.filter(participant=participant)
        .select_related("session__module")
        .annotate(mark=Subquery(mark))
        .order_by("-session__date", "-session__starts_at")
    )
    for enrolment in enrolments:
        enrolment.mark_label = Presence(enrolment.mark).label if enrolment.mark else ""
    today = timezone.localdate()
    return {
        "template": "workshops/_participant_section.html",
        "participant": participant,
        "coming": [e for e in reversed(enrolments) if e.session.date >= today],
        "past": [e for e in enrolments if e.session.date < today],
        "can_enrol": participant.pathways.filter(ended_on__isnull=True).exists(),
    }
