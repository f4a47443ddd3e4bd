"""The demo's volunteers (issue 21): people who serve the Mission Locale outside a chantier — a
neighbourhood relay, the office's reception, shopping with elderly people — with their agreement
without chantier, their IBAN and their service sheets of this year.

At Bruxelles-Midi: six new person records without a pathway, one of them the demo account
``benevole@demo.local``; a participant who volunteers too, and one of a running chantier's group,
whose volunteering days share the year's ceilings with their chantier marks (one person, one
year). At Forest: one volunteer at the public digital space.

Each has a signed agreement without chantier: the flat rate (never above the year's daily
ceiling), the organisation note given, the declaration their income source requires; one is
under the real-costs scheme and advanced a couple of expenses, each with the photo of its
ticket. Sheets are entered by the volunteer who has a log-in, by the coordination from the paper
sheet for the others, and validated — but the last ones, still waiting, and one of the demo
account's, sent back with its reason. The sheets still open and those with a receipt go through
the sheets' services; the ones validated before are written in one go, their amounts computed
by the engine (the seed stays fast: each service call recomputes the person's year). The months
before this one are validated by the statements' service (ready to pay, in the next batch), but
the last one of a volunteer, left for the coordination to do, and the months where a sheet
still waits. Then the dates are set back to when it happened.

Everything is decided from the rng and today's date: the same seed, the same volunteers.
"""

import datetime as dt
import io
from dataclasses import dataclass
from decimal import Decimal

import holidays
from django.core.files.base import ContentFile
from django.db.models import Q, Sum
from django.utils import timezone

from accounts.dates import add_months
from accounts.models import Organization, Role, User
from chantiers.indemnities import DECLARATION_REQUIRED, indemnities_recompute
from chantiers.models import (
    Attendance,
    CeilingExcess,
    Chantier,
    ElsewhereDeclaration,
    Enrolment,
    IndemnityCeiling,
    MonthlyStatement,
    ServiceSheet,
    Vehicle,
    VolunteerAgreement,
    WorkSession,
)
from chantiers.services import statement_validate
from chantiers.sheets import sheet_return, sheet_submit, sheet_validate
from demo.accounts import belgian_account
from demo.participants import STREETS, demo_email
from participants.models import IncomeKind, IncomeSource, NeedCategory, Participant
from volunteers.models import (
    ContactPoint,
    OutreachActivity,
    Shift,
    ShiftAssignment,
    Signal,
    Volunteer,
)
from volunteers.outreach import TEAM_ROLES, contact_point_save, outreach_save
from volunteers.services import volunteer_register
from volunteers.signals import signal_close, signal_raise, signal_take_up

INSURANCE = "Ethias RC bénévoles 45.123.456"
# A week's slot is served this often (holidays, illness, a week away).
SHARE = 0.85
RETURN_REASON = (
    "Le local était fermé ce jour-là (réunion d'équipe) : vérifiez la date, n'était-ce pas la "
    "veille ? Corrigez-la puis renvoyez la fiche."
)


@dataclass(frozen=True)
class Spec:
    """A new volunteer: the person, the activity, and how they serve."""

    first_name: str
    last_name: str
    gender: str
    activity: str
    income: str  # IncomeKind: the declaration their agreement needs follows from it
    weekdays: tuple[int, ...]  # the days of their weekly slots (0: Monday)
    hours: tuple[str, ...]  # a day's hours, drawn
    rate: str | None  # the daily flat rate; None: the real-costs scheme
    months: int  # volunteering since so many months before this one (this year at most)
    vehicle: str = ""
    km: int = 0  # a return trip, on ``km_share`` of the days
    km_share: float = 0.0
    waiting: bool = False  # the last sheet waits for the coordination
    last_month_open: bool = False  # last month's statement is left to validate
    expenses: tuple[tuple[str, str, str], ...] = ()  # (amount, what, shop) on receipts
    account: bool = False  # the demo account benevole@demo.local


MIDI = (
    Spec(
        "Bérénice",
        "Mahieu",
        "F",
        "Relais de quartier (Cureghem) : visites aux personnes isolées",
        IncomeKind.UNEMPLOYMENT,
        (1,),
        ("2.50", "3.00", "3.00", "3.50"),
        "25.00",
        5,
        vehicle=Vehicle.BIKE,
        km=6,
        km_share=0.5,
        waiting=True,
        account=True,
    ),
    Spec(
        "Jean-Pierre",
        "Vanderlinden",
        "M",
        "Permanence du local : accueil et téléphone",
        IncomeKind.OTHER,  # a pension: no declaration is due
        (3,),
        ("3.00", "3.50", "4.00"),
        "30.00",
        5,
    ),
    Spec(
        "Malika",
        "Aït Ouarab",
        "F",
        "Accompagnement aux courses de personnes âgées",
        IncomeKind.RIS,
        (2,),
        ("2.00", "2.50", "3.00"),
        "20.00",
        4,
        vehicle=Vehicle.CAR,
        km=12,
        km_share=0.8,
        waiting=True,
    ),
    Spec(
        "Gérard",
        "Stoffels",
        "M",
        "Atelier de réparation de vélos",
        IncomeKind.DISABILITY,
        (4,),
        ("3.00", "4.00"),
        "15.00",
        3,
        last_month_open=True,
    ),
    Spec(
        "Aminata",
        "Sow",
        "F",
        "Aide aux devoirs à l'école de devoirs du quartier",
        IncomeKind.NONE,
        (0, 2),
        ("1.50", "2.00"),
        "12.50",
        2,
        waiting=True,
    ),
    Spec(
        "Christiane",
        "Delvaux",
        "F",
        "Atelier couture et retouches",
        IncomeKind.OTHER,
        (1,),
        ("2.50", "3.00"),
        None,
        4,
        waiting=True,
        expenses=(
            ("18.40", "Fil, aiguilles et fermetures éclair pour l'atelier", "Mercerie du Midi"),
            ("9.75", "Tissu pour les ourlets", "Tissus Clemenceau"),
        ),
    ),
)
FOREST = (
    Spec(
        "Luc",
        "Hermans",
        "M",
        "Accueil à l'espace public numérique",
        IncomeKind.UNEMPLOYMENT,
        (0, 3),
        ("3.00",),
        "20.00",
        1,
        waiting=True,
    ),
)
# The two participants of the demo who volunteer too.
PARTICIPANT_ACTIVITY = ("Accueil au Repair Café du samedi", (5,), ("3.00", "4.00"), "20.00", 3)
CHANTIER_ACTIVITY = "Distribution des colis alimentaires, hors des séances du chantier"
# The chantier's volunteer has room left in the year for so many days more, at least.
ROOM_DAYS = 15


@dataclass
class Planned:
    date: dt.date
    hours: Decimal
    km: int = 0
    vehicle: str = ""
    expense: tuple[str, str, str] | None = None
    outcome: str = ServiceSheet.Status.VALIDATED
    sheet: ServiceSheet | None = None


def seed_volunteers(*, rng, organizations, account: User) -> dict:
    """The volunteers of both operators (``organizations``: the main one first), their
    agreements and sheets; ``account`` is the demo volunteer's log-in."""
    today = timezone.localdate()
    ceiling = IndemnityCeiling.objects.filter(year=today.year).first()
    closed = holidays.country_holidays("BE", years=[today.year - 1, today.year])
    stats = {"volunteer_statements": 0}
    operator, second = organizations
    for organization, specs in ((operator, MIDI), (second, FOREST)):
        coordinator = _coordinator(organization)
        for spec in specs:
            since = _since(rng, spec.months, today)
            person = _person(rng, spec, organization, since, account if spec.account else None)
            volunteer = volunteer_register(
                organization=organization,
                by=coordinator,
                since=since,
                activity=spec.activity,
                **person,
            )
            if spec.account:
                volunteer.user = account
                volunteer.save(update_fields=["user"])
            participant = volunteer.participant
            rate = _rate(spec.rate, ceiling)
            _agreement(rng, participant, organization, since, rate)
            plan = _plan(rng, spec, since, today, closed, ceiling)
            stats["volunteer_statements"] += _serve(
                participant=participant,
                activity=spec.activity,
                plan=plan,
                entered_by=account if spec.account else coordinator,
                coordinator=coordinator,
                today=today,
                months=_months_to_validate(plan, today, spec.last_month_open, ceiling),
            )
    coordinator = _coordinator(operator)
    stats["volunteer_statements"] += _participant_volunteer(
        rng, operator, coordinator, today, closed, ceiling
    )
    _chantier_volunteer(rng, operator, coordinator, today, closed, ceiling)
    stats |= _outreach_and_signals(rng, operator, coordinator, today, closed)
    stats |= _rota(rng, operator, coordinator, account)
    stats["volunteers"] = Volunteer.objects.count()
    sheets = ServiceSheet.objects.all()
    stats["service_sheets"] = sheets.count()
    for status in ServiceSheet.Status:
        stats[f"service_sheets_{status}"] = sheets.filter(status=status).count()
    return stats


def _coordinator(organization: Organization) -> User:
    return (
        User.objects.filter(
            memberships__organization=organization, memberships__role=Role.COORDINATOR
        )
        .order_by("pk")
        .first()
    )


def _since(rng, months: int, today: dt.date) -> dt.date:
    """Some day of the month so many months back, in this year and not after today."""
    month = add_months(today.replace(day=1), -months)
    day = month + dt.timedelta(days=rng.randint(0, 20))
    return min(today, max(day, dt.date(today.year, 1, 1)))


def _rate(rate: str | None, ceiling: IndemnityCeiling | None) -> Decimal | None:
    if rate is None:
        return None
    return min(Decimal(rate), ceiling.daily) if ceiling else Decimal(rate)


def _person(rng, spec: Spec, organization, since: dt.date, account: User | None) -> dict:
    """The fields of a new record (as participant_register takes them)."""
    birth = dt.date(rng.randint(1956, 1998), rng.randint(1, 12), rng.randint(1, 28))
    number = 900 + rng.randint(0, 99)
    return {
        "first_name": account.first_name if account else spec.first_name,
        "last_name": account.last_name if account else spec.last_name,
        "birth_date": birth,
        "gender": spec.gender,
        "email": account.email if account else demo_email(spec.first_name, spec.last_name, number),
        "phone": f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)}",
        "street": f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
        "postcode": organization.postcode or "1070",
        "nationality_group": rng.choices(["BE", "EU", "non_EU"], weights=[60, 20, 20])[0],
        "languages": "français",
        "iban": belgian_account(rng)[0],
        "gdpr_consent_on": since,
        "jobseeker_since": (
            since - dt.timedelta(days=rng.randint(200, 900))
            if spec.income == IncomeKind.UNEMPLOYMENT
            else None
        ),
        "income_kind": spec.income,
        "income_since": since - dt.timedelta(days=rng.randint(120, 2000)),
    }


def _agreement(rng, person, organization, starts_on: dt.date, rate: Decimal | None) -> None:
    """Signed, the organisation note given and the declaration of the person's income done,
    shortly before the first day; open-ended. ``rate`` None: the real-costs scheme."""
    income = (
        IncomeSource.objects.filter(participant=person, starts_on__lte=starts_on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
        .order_by("-starts_on")
        .first()
    )
    required = DECLARATION_REQUIRED[income.kind] if income else VolunteerAgreement.Declaration.NONE
    signed = starts_on - dt.timedelta(days=rng.randint(3, 10))
    VolunteerAgreement.objects.create(
        participant=person,
        organization=organization,
        starts_on=starts_on,
        scheme=(
            VolunteerAgreement.Scheme.FLAT_RATE
            if rate is not None
            else VolunteerAgreement.Scheme.REAL_COSTS
        ),
        daily_rate=rate if rate is not None else Decimal("0.00"),
        organisation_note_given_on=signed,
        insurance_policy=INSURANCE,
        declaration=required,
        declaration_on=(
            None
            if required == VolunteerAgreement.Declaration.NONE
            else signed - dt.timedelta(days=3)
        ),
        signed_on=signed,
    )


def _plan(rng, spec: Spec, since: dt.date, today: dt.date, closed, ceiling) -> list[Planned]:
    """The days served since ``since`` (before today), most weeks on the volunteer's slots.
    The demo account's last two working days are always there: one sent back, one waiting."""
    days, day = [], since
    while day < today:
        if day.weekday() in spec.weekdays and day not in closed and rng.random() < SHARE:
            days.append(day)
        day += dt.timedelta(days=1)
    if spec.account:
        recent = [d for d in _working_days_before(today, closed, count=2) if d >= since]
        days = sorted({*days, *recent})
    km_rate = ceiling.km_rate(spec.vehicle) if ceiling and spec.vehicle else None
    plan = []
    for day in days:
        drives = km_rate is not None and rng.random() < spec.km_share
        plan.append(
            Planned(
                date=day,
                hours=Decimal(rng.choice(spec.hours)),
                km=spec.km if drives else 0,
                vehicle=spec.vehicle if drives else "",
            )
        )
    if plan and spec.waiting:
        plan[-1].outcome = ServiceSheet.Status.SUBMITTED
    if spec.account and len(plan) > 1:
        plan[-2].outcome = ServiceSheet.Status.RETURNED
    if spec.expenses and plan:
        # The first on a day of a month before last (validated and in its statement), the
        # second on the last day (waiting, the coordinator sees the ticket).
        before = add_months(today.replace(day=1), -1)
        earlier = [p for p in plan if p.date < before]
        if earlier:
            earlier[len(earlier) // 2].expense = spec.expenses[0]
        plan[-1].expense = spec.expenses[-1]
    return plan


def _working_days_before(today: dt.date, closed, *, count: int) -> list[dt.date]:
    days, day = [], today
    while len(days) < count:
        day -= dt.timedelta(days=1)
        if day.weekday() < 5 and day not in closed:
            days.append(day)
    return sorted(days)


def _months_to_validate(
    plan: list[Planned], today: dt.date, last_month_open: bool, ceiling
) -> list[dt.date]:
    """The months before this one whose sheets are all answered — but last month when it is
    left to do (and none when the year has no ceiling: no statement could be validated)."""
    if ceiling is None:
        return []
    this_month = today.replace(day=1)
    until = add_months(this_month, -1) if last_month_open else this_month
    months = {p.date.replace(day=1) for p in plan}
    waiting = {p.date.replace(day=1) for p in plan if p.outcome == ServiceSheet.Status.SUBMITTED}
    return sorted(month for month in months - waiting if month < until)


def _serve(*, participant, activity, plan, entered_by, coordinator, today, months) -> int:
    """The sheets entered and answered, the months validated; then the dates set back to when
    it happened. Returns the statements validated.

    The sheets still open (waiting, sent back) and those with a receipt go through the sheets'
    services, one by one, as the app makes them. The others, validated before, are written in
    one go — the engine computing their amounts, as the chantiers' marks of the demo are — for
    the seed's speed (each service call recomputes the person's year). Each month is validated
    by the statements' service, which computes its figures and checks every rule first."""
    one_go = [p for p in plan if p.outcome == ServiceSheet.Status.VALIDATED and not p.expense]
    for planned in one_go:
        planned.sheet = ServiceSheet(
            participant=participant,
            organization_id=participant.organization_id,
            date=planned.date,
            hours=planned.hours,
            activity=activity,
            km=planned.km,
            vehicle=planned.vehicle,
            status=ServiceSheet.Status.VALIDATED,
            entered_by=entered_by,
            validated_by=coordinator,
            validated_at=timezone.now(),
        )
    ServiceSheet.objects.bulk_create([planned.sheet for planned in one_go])
    for year in sorted({planned.date.year for planned in one_go}):
        indemnities_recompute(participant=participant, year=year)
    # What sheet_validate confirms with the day: the reason it is not paid, if any.
    ServiceSheet.objects.filter(pk__in=[p.sheet.pk for p in one_go]).exclude(not_payable="").update(
        not_payable_acknowledged=True
    )
    for planned in plan:
        if planned.sheet is not None:
            continue
        sheet = ServiceSheet(
            participant=participant,
            date=planned.date,
            hours=planned.hours,
            activity=activity,
            km=planned.km,
            vehicle=planned.vehicle,
        )
        if planned.expense:
            amount, what, shop = planned.expense
            sheet.expense_amount, sheet.expense_description = Decimal(amount), what
            sheet.receipt = ContentFile(
                _receipt_jpeg(shop, what, amount, planned.date), name="ticket.jpg"
            )
        planned.sheet = sheet_submit(sheet=sheet, by=entered_by)
        if planned.outcome == ServiceSheet.Status.VALIDATED:
            planned.sheet = sheet_validate(sheet=planned.sheet, by=coordinator)
        elif planned.outcome == ServiceSheet.Status.RETURNED:
            planned.sheet = sheet_return(sheet=planned.sheet, by=coordinator, reason=RETURN_REASON)
    for month in months:
        statement = MonthlyStatement.objects.create(
            participant=participant, organization_id=participant.organization_id, month=month
        )
        statement_validate(statement=statement, by=coordinator)  # prepares it, checks, locks
    _backdate(participant, plan, months, by_volunteer=entered_by != coordinator)
    return len(months)


def _backdate(participant, plan: list[Planned], months: list[dt.date], *, by_volunteer) -> None:
    """A volunteer with a log-in enters the sheet the same evening; the coordination types the
    paper sheets in the next morning, and answers them a few days later."""
    now = timezone.now()

    def at(day: dt.date, hour: int, minute: int) -> dt.datetime:
        return min(now, timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute))))

    sheets = []
    for number, planned in enumerate(plan):
        sheet = planned.sheet
        minute = (number * 7) % 60
        if by_volunteer:
            sheet.entered_at = at(planned.date, 19, minute)
        else:
            sheet.entered_at = at(planned.date + dt.timedelta(days=1), 9, minute)
        if sheet.validated_at is not None:
            answered = planned.date + dt.timedelta(days=2 + number % 4)
            sheet.validated_at = max(sheet.entered_at, at(answered, 11, minute))
        sheets.append(sheet)
    ServiceSheet.objects.bulk_update(sheets, ["entered_at", "validated_at"])
    for month in months:  # early in the next month, once its last sheet was answered
        answered = [
            s.validated_at for s in sheets if s.validated_at and s.date.replace(day=1) == month
        ]
        validated_at = at(add_months(month, 1) + dt.timedelta(days=3), 14, 30)
        MonthlyStatement.objects.filter(participant=participant, month=month).update(
            validated_at=min(now, max([validated_at, *answered]))
        )


def _participant_volunteer(rng, organization, coordinator, today, closed, ceiling) -> int:
    """A participant in a pathway, on no chantier, who volunteers too: the same record."""
    people = list(
        Participant.objects.filter(
            organization=organization,
            anonymised_at__isnull=True,
            pathways__ended_on__isnull=True,
            # Their income known since the year began: their days are payable from the first.
            income_sources__starts_on__lte=dt.date(today.year, 1, 1),
        )
        .exclude(enrolments__isnull=False)
        .exclude(agreements__isnull=False)
        .exclude(volunteer__isnull=False)
        .distinct()
        .order_by("pk")
    )
    if not people:
        return 0
    person = rng.choice(people)
    activity, weekdays, hours, rate, months = PARTICIPANT_ACTIVITY
    since = _since(rng, months, today)
    volunteer_register(
        organization=organization,
        by=coordinator,
        since=since,
        activity=activity,
        participant=person,
    )
    if not person.iban:
        person.iban = belgian_account(rng)[0]
        person.save(update_fields=["iban"])
    _agreement(rng, person, organization, since, _rate(rate, ceiling))
    spec = Spec(
        first_name=person.first_name,
        last_name=person.last_name,
        gender=person.gender,
        activity=activity,
        income="",
        weekdays=weekdays,
        hours=hours,
        rate=rate,
        months=months,
    )
    plan = _plan(rng, spec, since, today, closed, ceiling)
    months_done = _months_to_validate(plan, today, False, ceiling)
    return _serve(
        participant=person,
        activity=activity,
        plan=plan,
        entered_by=coordinator,
        coordinator=coordinator,
        today=today,
        months=months_done,
    )


def _chantier_volunteer(rng, organization, coordinator, today, closed, ceiling) -> None:
    """Someone of a running chantier's group who volunteers too since this month began: their
    sheets and their chantier marks share the year's ceilings. The one the chantier already
    paid the most (the balance shows it), with the paperwork done and room left for a few days.
    Their months before this one are validated (the chantier's statements): their sheets are of
    this month, on days without a session of their chantier; the last one waits."""
    year = today.year
    enrolments = (
        Enrolment.objects.filter(
            chantier__organization=organization,
            chantier__status=Chantier.Status.RUNNING,
            status=Enrolment.Status.ACTIVE,
        )
        .exclude(participant__iban="")
        .exclude(participant__volunteer__isnull=False)
        .exclude(participant__in=ElsewhereDeclaration.objects.values("participant"))
        .exclude(participant__in=CeilingExcess.objects.values("participant"))
        .select_related("participant", "chantier")
        .order_by("participant_id", "pk")
    )
    paid = dict(
        Attendance.objects.filter(
            participant__in=[e.participant_id for e in enrolments], session__date__year=year
        )
        .values("participant")
        .annotate(total=Sum("indemnity"))
        .values_list("participant", "total")
    )
    best = None
    for enrolment in enrolments:
        agreement = (
            VolunteerAgreement.objects.filter(
                participant=enrolment.participant_id, chantier=enrolment.chantier_id
            )
            .exclude(declaration="")
            .first()
        )
        if agreement is None:
            continue  # the paperwork is not done: their days are not paid yet
        total = paid.get(enrolment.participant_id) or Decimal("0.00")
        room = ceiling.annual - total if ceiling else Decimal("Infinity")
        if room >= ROOM_DAYS * agreement.daily_rate and (best is None or total > best[0]):
            best = (total, enrolment, agreement)
    if best is None:
        return
    _total, enrolment, chantier_agreement = best
    person = enrolment.participant
    since = today.replace(day=1)
    volunteer_register(
        organization=organization,
        by=coordinator,
        since=since,
        activity=CHANTIER_ACTIVITY,
        participant=person,
    )
    # The rate of their chantier: the engine pays a day the rate of the latest agreement
    # covering it, whichever activity the day was.
    _agreement(rng, person, organization, since, chantier_agreement.daily_rate)
    session_days = set(
        WorkSession.objects.filter(
            chantier__enrolments__participant=person, date__gte=since
        ).values_list("date", flat=True)
    )
    days = [
        day
        for day in (since + dt.timedelta(days=n) for n in range((today - since).days))
        if day.weekday() < 5 and day not in closed and day not in session_days
    ][-3:]
    plan = [Planned(date=day, hours=Decimal(rng.choice(["2.50", "3.00"]))) for day in days]
    if plan:
        plan[-1].outcome = ServiceSheet.Status.SUBMITTED
    _serve(
        participant=person,
        activity=CHANTIER_ACTIVITY,
        plan=plan,
        entered_by=coordinator,
        coordinator=coordinator,
        today=today,
        months=[],
    )


def _receipt_jpeg(shop: str, what: str, amount: str, day: dt.date) -> bytes:
    """The photo of a till receipt, small and legible, saying it is a demo document."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (260, 230), 250)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=13)
    lines = [
        shop.upper(),
        f"{day:%d/%m/%Y}",
        "",
        *_wrapped(what, 32),
        "",
        f"TOTAL   {amount.replace('.', ',')} EUR",
        "",
        "Ticket de démonstration",
        "aucune donnée réelle",
    ]
    for row, text in enumerate(lines):
        draw.text((14, 12 + 17 * row), text, fill=20, font=font)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def _wrapped(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line] if line else lines


# Outreach (issue 21, point 3): the relays' two contact points, their actions this year, and
# the situations they signalled, each where the team's answer stands.
CONTACT_POINTS = (
    (
        "Local des relais",
        ContactPoint.Kind.FIXED,
        "Rue Wayez 12, 1070 Anderlecht",
        "Mardi et jeudi, 14 h – 17 h",
    ),
    (
        "Stand du marché Lemmens",
        ContactPoint.Kind.MOBILE,
        "Place Lemmens, le samedi matin",
        "Samedi, 9 h – 12 h",
    ),
)
THEMES = (
    NeedCategory.HOUSING,
    NeedCategory.HEALTH,
    NeedCategory.ADMINISTRATIVE,
    NeedCategory.FINANCIAL,
    NeedCategory.DIGITAL,
    NeedCategory.LANGUAGE,
)
SIGNALS = (  # need, urgency, what the relay wrote, what became of it
    (
        NeedCategory.HOUSING,
        Signal.Urgency.URGENT,
        "Une voisine âgée sans chauffage depuis une semaine, le propriétaire ne répond pas.",
        Signal.Outcome.REFERRED,
    ),
    (
        NeedCategory.HEALTH,
        Signal.Urgency.NORMAL,
        "Un monsieur seul qui ne sort plus depuis son opération.",
        Signal.Outcome.INTAKE,
    ),
    (
        NeedCategory.ADMINISTRATIVE,
        Signal.Urgency.NORMAL,
        "Une famille qui a reçu un courrier du CPAS qu'elle ne comprend pas.",
        Signal.Outcome.NOT_REACHED,
    ),
    (
        NeedCategory.FINANCIAL,
        Signal.Urgency.LOW,
        "Des factures d'énergie en retard, la personne veut de l'aide pour un plan.",
        Signal.Outcome.NOTHING,
    ),
    (
        NeedCategory.DIGITAL,
        Signal.Urgency.LOW,
        "Un jeune qui cherche un ordinateur pour ses démarches.",
        "taken_up",
    ),
    (
        NeedCategory.HOUSING,
        Signal.Urgency.URGENT,
        "Une expulsion annoncée pour la fin du mois dans l'immeuble du 14.",
        "open",
    ),
    (
        NeedCategory.LANGUAGE,
        Signal.Urgency.NORMAL,
        "Une maman qui voudrait des cours de français près de l'école.",
        "open",
    ),
)


def _outreach_and_signals(rng, operator, coordinator, today, closed) -> dict:
    points = [
        contact_point_save(
            point=ContactPoint(
                organization=operator, name=name, kind=kind, place=place, opening_hours=hours
            )
        )
        for name, kind, place, hours in CONTACT_POINTS
    ]
    relays = list(
        Volunteer.objects.filter(organization=operator, participant__pathways__isnull=True)
        .select_related("participant", "user")
        .order_by("pk")
    )
    days = [
        today - dt.timedelta(days=offset)
        for offset in range((today - dt.date(today.year, 1, 1)).days + 1)
    ]
    days = [day for day in days if day.weekday() in (1, 3, 5) and day not in closed]
    actions = 0
    for day in sorted(rng.sample(days, min(len(days), 24))):
        point = points[1] if day.weekday() == 5 else points[0]
        met = rng.randint(4, 22)
        women = rng.randint(met // 3, met - 1)
        men = rng.randint(0, met - women)
        under_25 = rng.randint(0, met // 3)
        from_55 = rng.randint(0, (met - under_25) // 2)
        from_25_to_54 = rng.randint(0, met - under_25 - from_55)
        outreach_save(
            activity=OutreachActivity(
                organization=operator,
                date=day,
                contact_point=point,
                people_met=met,
                women=women,
                men=men,
                under_25=under_25,
                from_25_to_54=from_25_to_54,
                from_55=from_55,
                themes=sorted(rng.sample(THEMES, rng.randint(1, 3))),
            ),
            volunteers=rng.sample(relays, min(len(relays), rng.randint(1, 3))),
            staff=[coordinator],
            by=coordinator,
        )
        actions += 1
    counsellor = (
        User.objects.filter(memberships__organization=operator, memberships__role=Role.COUNSELLOR)
        .order_by("pk")
        .first()
    )
    relay = next((v for v in relays if v.user_id), None)
    signals = 0
    for index, (need, urgency, text, outcome) in enumerate(SIGNALS):
        raised_on = max(dt.date(today.year, 1, 1), today - dt.timedelta(days=70 - 10 * index))
        by_relay = relay is not None and index % 3 != 2  # a few raised by the coordinator
        signal = signal_raise(
            signal=Signal(
                organization=operator,
                raised_by=relay if by_relay else None,
                raised_on=raised_on,
                contact_point=points[index % 2],
                need_category=need,
                urgency=urgency,
                description=text,
            ),
            by=relay.user if by_relay else coordinator,
        )
        if outcome != "open":
            signal = signal_take_up(signal=signal, by=counsellor)
        if outcome not in ("open", "taken_up"):
            signal = signal_close(signal=signal, by=counsellor, outcome=outcome)
        # As it happened: taken up two days later, closed a week after.
        Signal.objects.filter(pk=signal.pk, taken_up_at__isnull=False).update(
            taken_up_at=_at(raised_on + dt.timedelta(days=2))
        )
        Signal.objects.filter(pk=signal.pk, closed_at__isnull=False).update(
            closed_at=_at(raised_on + dt.timedelta(days=9))
        )
        signals += 1
    return {"outreach_actions": actions, "signals": signals}


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(min(day, timezone.localdate()), dt.time(10)))


# The rota (issue 21, point 4): the shifts of a week at the Mission Locale's reception house —
# (weekdays, role, start, end, people needed, place). The night watch ends the next morning.
WEEK_OF_SHIFTS = (
    ((0, 1, 2, 3, 4), "Accueil", dt.time(9), dt.time(13), 2, "Maison d'accueil, rue Haute"),
    ((1, 3), "Maraude", dt.time(19), dt.time(22, 30), 3, "Départ gare du Midi"),
    ((2, 5), "Veille de nuit", dt.time(21), dt.time(7), 1, "Maison d'accueil, rue Haute"),
)


def _rota(rng, operator, coordinator, account: User) -> dict:
    """Last week's shifts, this week's and the next two: some full, some with gaps, one
    cancelled, night watches; staff and volunteers on them. The demo volunteer has a shift done
    whose hours are still to declare, and one to come. Written directly (a past shift takes no
    sign-up any more); no person is on two shifts at the same time (the hours never cross)."""
    now = timezone.now()
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=1)
    staff = list(
        User.objects.filter(
            memberships__organization=operator,
            memberships__role__in=TEAM_ROLES,
            memberships__is_active=True,
        )
        .exclude(memberships__role=Role.ADMIN)
        .distinct()
        .order_by("pk")
    )
    mine = Volunteer.objects.filter(organization=operator, user=account).first()
    volunteers = list(
        Volunteer.objects.filter(organization=operator, ended_on__isnull=True)
        .exclude(pk=mine.pk if mine else None)
        .order_by("pk")
    )
    sheet_days = set(
        ServiceSheet.objects.filter(participant=mine.participant_id).values_list("date", flat=True)
        if mine
        else ()
    )
    shifts = []
    for week in range(4):
        for weekdays, role, starts, ends, needed, place in WEEK_OF_SHIFTS:
            for weekday in weekdays:
                day = monday + dt.timedelta(weeks=week, days=weekday)
                end_day = day + dt.timedelta(days=1 if ends <= starts else 0)
                shifts.append(
                    Shift.objects.create(
                        organization=operator,
                        place=place,
                        role=role,
                        starts_at=timezone.make_aware(dt.datetime.combine(day, starts)),
                        ends_at=timezone.make_aware(dt.datetime.combine(end_day, ends)),
                        needed=needed,
                        note="Clés au bureau d'accueil." if role == "Veille de nuit" else "",
                        created_by=coordinator,
                    )
                )
    # One cancelled: next week's first street round.
    cancelled = next(s for s in shifts if s.role == "Maraude" and s.starts_at > now)
    Shift.objects.filter(pk=cancelled.pk).update(cancelled_at=now)
    # The demo volunteer: a shift done without a sheet that day (this month if it can be: the
    # months before are validated), and one to come.
    done = [
        s for s in shifts if s.ends_at < now and s.role != "Veille de nuit" and s.pk != cancelled.pk
    ]
    free = [s for s in done if timezone.localdate(s.starts_at) not in sheet_days]
    this_month = [s for s in free if timezone.localdate(s.starts_at).month == today.month]
    theirs = []
    if mine is not None:
        if this_month or free or done:
            theirs.append((this_month or free or done)[-1])
        theirs.append(
            next(
                s
                for s in shifts
                if s.role == "Maraude" and s.starts_at > now and s.pk != cancelled.pk
            )
        )
    people = [("user", user) for user in staff] + [("volunteer", v) for v in volunteers]
    assignments = 0
    for shift in shifts:
        if shift.pk == cancelled.pk:
            on = rng.sample(people, min(len(people), 2))
        elif shift.ends_at < now:
            on = rng.sample(people, min(len(people), shift.needed - (rng.random() < 0.2)))
        else:
            on = rng.sample(people, min(len(people), rng.randint(0, shift.needed)))
        if shift in theirs:
            on = [*on[: shift.needed - 1], ("volunteer", mine)]
        for kind, person in on:
            ShiftAssignment.objects.create(
                shift=shift,
                how=ShiftAssignment.How.SELF
                if rng.random() < 0.6
                else ShiftAssignment.How.ASSIGNED,
                assigned_by=person if kind == "user" else coordinator,
                **{kind: person},
            )
            assignments += 1
    return {"shifts": len(shifts), "shift_assignments": assignments}
