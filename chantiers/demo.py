"""Demo chantiers for ``seed_demo``: two running chantiers at the housing company's buildings,
their groups, agreements, sessions since January and the attendance of the year so far."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from chantiers.indemnities import DECLARATION_REQUIRED, indemnities_recompute
from chantiers.models import Attendance, Chantier, Enrolment, VolunteerAgreement, WorkSession
from chantiers.services import sessions_create_weekly
from participants.models import IncomeSource, Participant

CHANTIERS = [
    {
        "code": "wayez-peinture",
        "name": "Peinture des halls — Cité Wayez",
        "site_address": "Rue Wayez 110, 1070 Anderlecht",
        "trade": Chantier.Trade.PAINTING,
        "weekdays": {0, 1, 3},
        "protective_equipment": "Chaussures de sécurité, lunettes, gants",
    },
    {
        "code": "potager-albert",
        "name": "Potager partagé — Square Albert",
        "site_address": "Square Albert 4, 1070 Anderlecht",
        "trade": Chantier.Trade.GARDENING,
        "weekdays": {2, 4},
        "protective_equipment": "Gants, chaussures fermées",
    },
]
GROUP_SIZE = 12
# Sessions are half days: 12.50 € keeps three sessions a week under the annual ceiling.
HALF_DAY_RATE = Decimal("12.50")


def seed_chantiers(*, rng, organization, host, programme, coordinators) -> dict:
    today = timezone.localdate()
    start = dt.date(today.year, 1, 12)
    stats = {"chantiers": 0, "sessions": 0, "attendances": 0}
    taken: set[int] = set()
    candidates = list(
        Participant.objects.filter(
            organization=organization,
            pathways__ended_on__isnull=True,
            jobseeker_since__isnull=False,
        )
        .distinct()
        .order_by("pk")
    )
    rng.shuffle(candidates)
    for number, spec in enumerate(CHANTIERS):
        chantier = Chantier.objects.create(
            organization=organization,
            host=host,
            programme=programme,
            code=spec["code"],
            name=spec["name"],
            site_address=spec["site_address"],
            trade=spec["trade"],
            starts_on=start,
            ends_on=dt.date(today.year, 12, 18),
            status=Chantier.Status.RUNNING,
            capacity=GROUP_SIZE,
            daily_indemnity=HALF_DAY_RATE,
            protective_equipment=spec["protective_equipment"],
            safety_notes="Consignes le premier jour ; trousse de secours dans la camionnette",
        )
        chantier.coordinators.set(coordinators[number % len(coordinators) :] or coordinators)
        group = [p for p in candidates if p.pk not in taken][:GROUP_SIZE]
        taken.update(p.pk for p in group)
        for index, person in enumerate(group):
            Enrolment.objects.create(
                chantier=chantier,
                participant=person,
                status=Enrolment.Status.ACTIVE,
                joined_on=start,
                safety_briefing_on=start,
                protective_equipment_on=start,
            )
            _agreement(rng, person, organization, chantier, start, missing_declaration=index == 5)
        plan = sessions_create_weekly(
            chantier=chantier,
            first_day=start,
            last_day=chantier.ends_on,
            weekdays=spec["weekdays"],
            starts_at=dt.time(8, 30),
            ends_at=dt.time(12, 30),
        )
        if number == 0 and not chantier.sessions.filter(date=today).exists():
            # The demo always has a session today, for the coordinator's phone.
            WorkSession.objects.create(
                chantier=chantier, date=today, starts_at=dt.time(8, 30), ends_at=dt.time(12, 30)
            )
        past = list(chantier.sessions.filter(date__lt=today))
        marks = []
        for session in past:
            for person in group:
                status = rng.choices(
                    ["present", "late", "left_early", "excused", "unexcused"],
                    weights=[82, 6, 3, 5, 4],
                )[0]
                marks.append(
                    Attendance(
                        session=session,
                        participant=person,
                        status=status,
                        hours=session.hours,
                        recorded_by=coordinators[0],
                    )
                )
        Attendance.objects.bulk_create(marks, batch_size=1000)
        WorkSession.objects.filter(pk__in=[s.pk for s in past]).update(
            status=WorkSession.Status.HELD
        )
        for person in group:
            indemnities_recompute(participant=person, year=today.year)
        stats["chantiers"] += 1
        stats["sessions"] += len(plan.created)
        stats["attendances"] += len(marks)
    return stats


def _agreement(rng, person, organization, chantier, start, *, missing_declaration):
    income = (
        IncomeSource.objects.filter(participant=person, starts_on__lte=start)
        .order_by("-starts_on")
        .first()
    )
    required = DECLARATION_REQUIRED[income.kind] if income else ""
    VolunteerAgreement.objects.create(
        participant=person,
        organization=organization,
        chantier=chantier,
        starts_on=start,
        ends_on=chantier.ends_on,
        daily_rate=HALF_DAY_RATE,
        organisation_note_given_on=start - dt.timedelta(days=7),
        insurance_policy="Ethias RC bénévoles 45.123.456",
        declaration="" if missing_declaration else required,
        declaration_on=None if missing_declaration else start - dt.timedelta(days=5),
        signed_on=start - dt.timedelta(days=7),
        # Some volunteers also help elsewhere: their annual balance is smaller.
        amount_from_others=Decimal(rng.choice(["0.00"] * 8 + ["450.00", "1100.00"])),
    )
