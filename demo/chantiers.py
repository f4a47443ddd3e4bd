"""Demo chantiers for ``seed_demo``: two running chantiers at the housing company's buildings,
their groups and candidates, agreements, sessions since January, the attendance of the year so
far, the statements of the past months (validated), one paid SEPA batch and a few incidents; and
last year's chantier, closed, so that last year's activity report has its chantier."""

import datetime as dt
from decimal import Decimal

from django.db.models import Max, Q
from django.utils import timezone

from accounts.dates import add_months
from chantiers.indemnities import DECLARATION_REQUIRED, indemnities_recompute
from chantiers.models import (
    Attendance,
    Chantier,
    ElsewhereDeclaration,
    Enrolment,
    Incident,
    MonthlyStatement,
    Vehicle,
    VolunteerAgreement,
    WorkSession,
)
from chantiers.payments import batch_candidates, batch_create, batch_mark_exported, batch_mark_paid
from chantiers.services import sessions_create_weekly, statement_validate
from demo.accounts import belgian_account
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
LAST_YEAR = {
    "code": "buda-renovation",
    "name": "Rénovation des caves — Cité Buda",
    "site_address": "Rue de Buda 31, 1130 Haren",
    "trade": Chantier.Trade.RENOVATION,
    "weekdays": {1, 3},
    "protective_equipment": "Chaussures de sécurité, masque, gants",
}
LAST_YEAR_GROUP = 10
GROUP_SIZE = 12
# Sessions are half days: 12.50 € keeps three sessions a week under the annual ceiling.
HALF_DAY_RATE = Decimal("12.50")

# A return trip across Brussels by car (Anderlecht ↔ Schaerbeek), per session.
DRIVER_KM = 24


def seed_chantiers(*, rng, organization, host, programme, coordinators, director) -> dict:
    today = timezone.localdate()
    start = dt.date(today.year, 1, 12)
    stats = {"chantiers": 0, "sessions": 0, "attendances": 0}
    taken: set[int] = set()
    # The groups are drawn from the people in a pathway of the chantiers' programme; someone
    # whose pathway started after the chantiers did joins on that day (hours count for the
    # programme's subsidy only while its pathway is open).
    pathway_start = dict(
        Participant.objects.filter(
            organization=organization,
            pathways__programme=programme,
            pathways__ended_on__isnull=True,
            pathways__started_on__lte=today,
            jobseeker_since__isnull=False,
        )
        .annotate(since=Max("pathways__started_on"))
        .values_list("pk", "since")
    )
    candidates = list(Participant.objects.filter(pk__in=pathway_start).order_by("pk"))
    rng.shuffle(candidates)
    joins = {pk: max(start, since) for pk, since in pathway_start.items()}
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
            joined = joins[person.pk]
            Enrolment.objects.create(
                chantier=chantier,
                participant=person,
                status=Enrolment.Status.ACTIVE,
                joined_on=joined,
                safety_briefing_on=joined,
                protective_equipment_on=joined,
            )
            _agreement(rng, person, organization, chantier, joined, missing_declaration=index == 5)
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
        # One volunteer of each group comes by car from across town: mileage (DESIGN §4 rule 8).
        driver = group[2] if len(group) > 2 else None
        for session in past:
            for person in group:
                if session.date < joins[person.pk]:
                    continue
                status = rng.choices(
                    ["present", "late", "left_early", "excused", "unexcused"],
                    weights=[82, 6, 3, 5, 4],
                )[0]
                drives = person is driver and status in Attendance.PRESENT_LIKE
                marks.append(
                    Attendance(
                        session=session,
                        participant=person,
                        status=status,
                        hours=session.hours,
                        km=DRIVER_KM if drives else 0,
                        vehicle=Vehicle.CAR if drives else "",
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
    last_year = _seed_last_year(
        rng=rng,
        organization=organization,
        host=host,
        programme=programme,
        coordinators=coordinators,
        today=today,
    )
    for name in ("chantiers", "sessions", "attendances"):
        stats[name] += last_year[name]
    stats["statements"] = _validated_months(
        members, coordinators[0], today, since=dt.date(today.year, 1, 1)
    ) + _validated_months(
        last_year["group"],
        coordinators[0],
        today,
        since=dt.date(today.year - 1, 1, 1),
        until=dt.date(today.year, 1, 1),
    )
    stats["paid_batches"] = _paid_batch(organization, director, today)
    return stats


def _seed_last_year(*, rng, organization, host, programme, coordinators, today) -> dict:
    """A chantier from March to November of last year, closed: its group completed it, two
    people left on the way; every session held and marked, the months validated and paid."""
    start, end = dt.date(today.year - 1, 3, 3), dt.date(today.year - 1, 11, 27)
    spec = LAST_YEAR
    chantier = Chantier.objects.create(
        organization=organization,
        host=host,
        programme=programme,
        code=spec["code"],
        name=spec["name"],
        site_address=spec["site_address"],
        trade=spec["trade"],
        starts_on=start,
        ends_on=end,
        status=Chantier.Status.CLOSED,
        capacity=LAST_YEAR_GROUP,
        daily_indemnity=HALF_DAY_RATE,
        protective_equipment=spec["protective_equipment"],
    )
    chantier.coordinators.set(coordinators[:1])
    # People whose pathway was open over the whole chantier (one join: the same pathway).
    group = list(
        Participant.objects.filter(
            Q(pathways__ended_on__isnull=True) | Q(pathways__ended_on__gte=end),
            organization=organization,
            pathways__started_on__lte=start,
            jobseeker_since__lte=start,
        )
        .distinct()
        .order_by("pk")
    )
    rng.shuffle(group)
    group = group[:LAST_YEAR_GROUP]
    left = {  # two people left on the way, with their reasons
        group[2].pk: (dt.date(today.year - 1, 6, 12), "A trouvé un emploi"),
        group[6].pk: (dt.date(today.year - 1, 9, 4), "Déménagement"),
    }
    for person in group:
        left_on, reason = left.get(person.pk, (end, ""))
        Enrolment.objects.create(
            chantier=chantier,
            participant=person,
            status=Enrolment.Status.WITHDRAWN if reason else Enrolment.Status.COMPLETED,
            joined_on=start,
            left_on=left_on,
            leave_reason=reason,
            safety_briefing_on=start,
            protective_equipment_on=start,
        )
        _agreement(rng, person, organization, chantier, start, missing_declaration=False)
    plan = sessions_create_weekly(
        chantier=chantier,
        first_day=start,
        last_day=end,
        weekdays=spec["weekdays"],
        starts_at=dt.time(13, 0),
        ends_at=dt.time(16, 30),
    )
    sessions = list(chantier.sessions.order_by("date"))
    marks = [
        Attendance(
            session=session,
            participant=person,
            status=rng.choices(
                ["present", "late", "left_early", "excused", "unexcused"],
                weights=[78, 7, 4, 6, 5],
            )[0],
            hours=session.hours,
            recorded_by=coordinators[0],
        )
        for session in sessions
        for person in group
        if session.date <= left.get(person.pk, (end, ""))[0]
    ]
    Attendance.objects.bulk_create(marks, batch_size=1000)
    WorkSession.objects.filter(chantier=chantier).update(status=WorkSession.Status.HELD)
    for person in group:
        if not person.iban:
            person.iban, _bic = belgian_account(rng)
            person.save(update_fields=["iban"])
        indemnities_recompute(participant=person, year=start.year)
    _incidents(chantier, sessions, group, coordinators[0], today)
    # The chantier is over: its incidents were dealt with (the accident declared, then closed).
    Incident.objects.filter(chantier=chantier, closed_on__isnull=True).update(
        closed_on=end, action_taken="Déclaré à l'assureur ; dossier clôturé."
    )
    return {
        "chantiers": 1,
        "sessions": len(plan.created),
        "attendances": len(marks),
        "group": group,
    }


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


def _validated_months(members, by, today, *, since, until=None) -> int:
    """The statements of every month from ``since`` to before this one (or ``until``), checked
    and validated by a coordinator (the days not paid confirmed as they are)."""
    until = until or today.replace(day=1)
    before = Attendance.objects.filter(
        participant__in=members, session__date__gte=since, session__date__lt=until
    )
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
    )
    # Some volunteers also help elsewhere: their annual balance is smaller (DESIGN §4 rule 6:
    # declared for a calendar year, the one the agreement starts in).
    elsewhere = Decimal(rng.choice(["0.00"] * 8 + ["450.00", "1100.00"]))
    if (
        elsewhere
        and not ElsewhereDeclaration.objects.filter(participant=person, year=start.year).exists()
    ):
        ElsewhereDeclaration.objects.create(
            participant=person,
            organization=organization,
            year=start.year,
            amount=elsewhere,
            declared_on=start - dt.timedelta(days=7),
            source="ASBL du quartier",
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
