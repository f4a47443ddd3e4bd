"""Reads on participants, every one scoped by organization."""

import datetime as dt
from collections.abc import Callable

from django.db.models import Exists, F, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Concat
from django.utils import timezone

from accounts.models import Organization
from participants.models import (
    FollowUp,
    IncomeSource,
    Participant,
    Pathway,
    PathwayEvent,
    normalize,
)

STALE_AFTER_DAYS = 30


def participant_list(
    *,
    organization: Organization,
    query: str = "",
    counsellor=None,
    programme=None,
    status: str = "",
    with_volunteers: bool = False,
) -> QuerySet[Participant]:
    """The searchable list: by name, national number or phone, without case or accents. A
    volunteer without a pathway is not a participant (issue 21: their record is only what
    volunteering needs; ``volunteer`` is the volunteers app's relation): listed only
    ``with_volunteers`` (a request for access, which is about every record)."""
    participants = Participant.objects.filter(organization=organization, anonymised_at__isnull=True)
    if not with_volunteers:
        participants = participants.exclude(
            Q(volunteer__isnull=False) & ~Exists(Pathway.objects.filter(participant=OuterRef("pk")))
        )
    searched = False
    for word in normalize(query).split():
        if not any(c.isalpha() for c in word):
            # A number typed with its separators (85.07.30-033.28, 0470/12.34.56): digits only.
            word = "".join(c for c in word if c.isdigit())
        if word:
            participants = participants.filter(search_text__contains=word)
            searched = True
    if counsellor is not None:
        participants = participants.filter(counsellor=counsellor)
    if programme is not None:
        participants = participants.filter(pathways__programme=programme).distinct()
    if status == "open":
        # Not ``pathways__ended_on__isnull``: its outer join also lets in people without any.
        participants = participants.filter(
            Exists(Pathway.objects.open().filter(participant=OuterRef("pk")))
        )
    elif status == "closed":
        participants = (
            participants.filter(pathways__isnull=False)
            .exclude(pathways__ended_on__isnull=True)
            .distinct()
        )
    last_event = PathwayEvent.objects.filter(pathway__participant=OuterRef("pk")).order_by("-date")
    return (
        participants.select_related("counsellor")
        .annotate(last_event_on=Subquery(last_event.values("date")[:1]))
        .prefetch_related(
            Prefetch(
                "pathways",
                queryset=Pathway.objects.open().select_related("programme"),
                to_attr="open_pathways",
            )
        )
        .order_by(*(SEARCH_ORDER if searched else LIST_ORDER))
    )


LIST_ORDER = ("last_name", "first_name", "pk")
# While searching, the same order through expressions no index provides. Otherwise PostgreSQL
# walks the name index hoping to meet the page's 25 matches early, and reads nearly the whole
# list when they are late in the alphabet ("Vand…": 7 600 rows read for 35, benchmark of issue 7);
# this way the trigram index finds the few hundred matches, then they are sorted.
SEARCH_ORDER = (Concat("last_name", Value("")), Concat("first_name", Value("")), "pk")


def participant_duplicates(
    *,
    organization: Organization,
    national_number: str = "",
    last_name: str = "",
    first_name: str = "",
    birth_date: dt.date | None = None,
    exclude_pk: int | None = None,
) -> QuerySet[Participant]:
    """Same national number, or same name and birth date (accents and case ignored)."""
    match = Q(pk__in=[])
    if national_number:
        match |= Q(national_number=national_number)
    if last_name and first_name and birth_date:
        name = normalize(f"{last_name} {first_name}")
        match |= Q(birth_date=birth_date, search_text__startswith=name)
    found = Participant.objects.filter(match, organization=organization)
    return found.exclude(pk=exclude_pk) if exclude_pk else found


def pathways_for_page(*, participant: Participant, user, membership) -> list[Pathway]:
    """Pathways with their timeline (visible events, transitions), goals and follow-ups."""
    events = PathwayEvent.objects.visible_to(user, membership).select_related("author")
    return list(
        participant.pathways.select_related("programme", "counsellor", "referred_by")
        .prefetch_related(
            Prefetch("events", queryset=events),
            Prefetch("transitions__by"),
            "goals",
            "follow_ups",
        )
        .order_by(F("ended_on").desc(nulls_first=True), "-started_on")  # open ones first
    )


def current_income_source(*, participant: Participant, on: dt.date | None = None):
    on = on or timezone.localdate()
    return (
        IncomeSource.objects.filter(participant=participant, starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .first()
    )


def follow_ups_due(*, organization: Organization, counsellor=None, within_days: int = 14):
    """Follow-ups not done whose date is past or within ``within_days``, oldest first."""
    horizon = timezone.localdate() + dt.timedelta(days=within_days)
    follow_ups = FollowUp.objects.filter(
        pathway__participant__organization=organization,
        pathway__participant__anonymised_at__isnull=True,
        done_on__isnull=True,
        due_on__lte=horizon,
    )
    if counsellor is not None:
        follow_ups = follow_ups.filter(pathway__participant__counsellor=counsellor)
    return follow_ups.select_related("pathway__participant", "pathway__programme").order_by(
        "due_on"
    )


def stale_pathways(*, organization: Organization, counsellor=None):
    """Open pathways without any event for 30 days (or since they started 30 days ago)."""
    limit = timezone.localdate() - dt.timedelta(days=STALE_AFTER_DAYS)
    pathways = (
        Pathway.objects.open()
        .filter(participant__organization=organization, started_on__lte=limit)
        .annotate(last_event_on=Max("events__date"))
        .filter(Q(last_event_on__isnull=True) | Q(last_event_on__lt=limit))
    )
    if counsellor is not None:
        pathways = pathways.filter(participant__counsellor=counsellor)
    return pathways.select_related("participant", "programme").order_by("last_event_on")


# Sections that apps above add to a participant's page (participants may not import them: the
# arrows go one way). Each is called with ``participant`` and ``organization`` and returns the
# context of its section — with the ``template`` that draws it — or None when it has nothing to
# say of this person. chantiers registers the year's indemnity balance (DESIGN §4 rule 2).
PAGE_SECTIONS: list[Callable[..., dict | None]] = []


def page_sections(*, participant: Participant, organization: Organization) -> list[dict]:
    """The sections the apps above have for this person's page, in their order of registration."""
    found = (
        section(participant=participant, organization=organization) for section in PAGE_SECTIONS
    )
    return [section for section in found if section]


def participant_referrals(*, participant: Participant) -> QuerySet:
    """The person's referrals, for the partners app's section of their page: through the reverse
    relation, participants imports nothing of partners (the arrows go one way)."""
    return participant.referrals.select_related("to_organization", "service")
