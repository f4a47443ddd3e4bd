"""Demo chantiers for ``seed_demo``: two running chantiers at the housing company's buildings,
their groups and candidates, agreements, sessions since January, the attendance of the year so
far, the statements of the past months (validated), one paid SEPA batch and a few incidents."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.demo import belgian_account
from chantiers.indemnities import DECLARATION_REQUIRED, indemnities_recompute
from chantiers.models import (
    Attendance,
    Chantier,
    Enrolment,
    Incident,
    MonthlyStatement,
    VolunteerAgreement,
    WorkSession,
)
from chantiers.payments import batch_candidates, batch_create, batch_mark_exported, batch_mark_paid
from chantiers.services import sessions_create_weekly, statement_validate
from participants.models import IncomeSource, Participant
from participants.services import add_months

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


def seed_chantiers(*, rng, organization, host, programme, coordinators, director) -> dict:
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
    members = []
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
        # Two people proposed by their counsellors, not selected yet (the group page shows why).
        for person in [p for p in candidates if p.pk not in taken][:2]:
            taken.add(person.pk)
            Enrolment.objects.create(chantier=chantier, participant=person)
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
        for index, person in enumerate(group):
            if index != 7:  # one volunteer has not given an account yet: listed at payment time
                person.iban, _bic = belgian_account(rng)
                person.save(update_fields=["iban"])
            indemnities_recompute(participant=person, year=today.year)
        members.extend(group)
        _incidents(chantier, past, group, coordinators[0], today)
        stats["chantiers"] += 1
        stats["sessions"] += len(plan.created)
        stats["attendances"] += len(marks)
    stats["statements"] = _validated_months(members, coordinators[0], today)
    stats["paid_batches"] = _paid_batch(organization, director, today)
    return stats


def _paid_batch(organization, director, today) -> int:
    """The months before last paid by one SEPA batch; last month waits for the direction."""
    last_month = add_months(today.replace(day=1), -1)
    payable = batch_candidates(organization=organization).payable
    ids = [statement.pk for statement in payable if statement.month < last_month]
    if not ids:
        return 0
    batch = batch_create(
        organization=organization, statement_ids=ids, execution_date=today, by=director
    )
    batch_mark_exported(batch=batch, by=director)
    batch_mark_paid(batch=batch, by=director)
    return 1


def _validated_months(members, by, today) -> int:
    """The statements of every month before this one, checked and validated by a coordinator
    (the days not paid confirmed as they are); this month stays open."""
    this_month = today.replace(day=1)
    before = Attendance.objects.filter(
        participant__in=members, session__date__gte=dt.date(today.year, 1, 1)
    ).filter(session__date__lt=this_month)
    # The coordinator looked at the days not paid and confirmed them as they are.
    before.exclude(not_payable="").exclude(not_payable__in=Attendance.INFORMATIVE).update(
        not_payable_acknowledged=True
    )
    months = sorted(
        {
            (participant, day.replace(day=1))
            for participant, day in before.values_list("participant", "session__date")
        }
    )
    people = {person.pk: person for person in members}
    for participant, month in months:
        statement = MonthlyStatement.objects.create(
            participant=people[participant],
            organization=people[participant].organization,
            month=month,
        )
        statement_validate(statement=statement, by=by)  # computes the figures, then locks
    return len(months)


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


def _incidents(chantier, past, group, by, today):
    if len(past) < 10:
        return
    first, recent = past[3], past[-4]
    Incident.objects.create(
        chantier=chantier,
        session=first,
        date=first.date,
        kind=Incident.Kind.NEAR_MISS,
        people_involved=group[0].first_name,
        description="Escabeau instable sur le palier du 2e étage, rattrapé à temps.",
        action_taken="Escabeau remplacé ; rappel des consignes au groupe.",
        closed_on=first.date + dt.timedelta(days=2),
        recorded_by=by,
    )
    Incident.objects.create(
        chantier=chantier,
        session=recent,
        date=recent.date,
        kind=Incident.Kind.ACCIDENT,
        people_involved=group[1].first_name,
        description="Coupure à la main en ouvrant un pot de peinture ; premiers soins sur place.",
        declared_to_insurer_on=min(recent.date + dt.timedelta(days=1), today),
        recorded_by=by,
    )
