"""``seed_demo``: the demo organizations and the five accounts, the same data from the same seed,
a database with data left alone, a year of statements that add up, an agenda that follows the
agenda's rules, trainings and certifications that follow theirs, collective modules that follow
the workshops' rules."""

import datetime as dt
import itertools
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership, Organization, Role, User
from tests.factories import ceilings_seed_again

DEMO_ROLES = {
    "admin@demo.local": Role.ADMIN,
    "direction@demo.local": Role.DIRECTION,
    "conseil@demo.local": Role.COUNSELLOR,
    "chantier@demo.local": Role.COORDINATOR,
    "partenaire@demo.local": Role.PARTNER,
}


def _seed(**options) -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def _snapshot():
    return sorted(
        Membership.objects.values_list(
            "user__email", "user__first_name", "organization__slug", "role"
        )
    )


def test_it_creates_the_demo_organizations_and_the_five_accounts(db):
    output = _seed()
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert {"operator", "housing", "cpas", "training", "funder"} <= kinds
    for email, role in DEMO_ROLES.items():
        user = User.objects.get(email=email)
        assert user.check_password("demo")
        assert user.memberships.filter(role=role).exists()
        assert email in output
    partner = Membership.objects.get(user__email="partenaire@demo.local")
    assert partner.organization.kind == Organization.Kind.HOUSING
    operator = Membership.objects.get(user__email="conseil@demo.local").organization
    assert operator.kind == Organization.Kind.OPERATOR
    operator.full_clean()  # its generated IBAN and BIC pass the real validators


def test_the_same_seed_gives_the_same_data(transactional_db, legal_ceilings):
    from agenda.models import Appointment
    from chantiers.models import ServiceSheet, VolunteerAgreement
    from participants.models import Certification, Participant, Pathway, Training
    from volunteers.models import Volunteer
    from workshops.models import DropInVisit, ModuleAttendance, ModuleSession

    def people():
        participants = Participant.objects.values_list(
            "last_name", "first_name", "birth_date", "postcode", "email"
        )
        pathways = Pathway.objects.values_list("started_on", "ended_on", "exit_outcome", "phase")
        appointments = Appointment.objects.values_list(
            "pathway__participant__last_name", "counsellor__email", "starts_at", "status", "mode"
        )
        trainings = Training.objects.values_list(
            "participant__last_name", "title", "provider", "starts_on", "ends_on", "status",
            "hours_planned", "hours_done", "recorded_by__email", "created_at",
        )  # fmt: skip
        certifications = Certification.objects.values_list(
            "participant__last_name", "kind", "title", "obtained_on", "training__title"
        )
        sessions = ModuleSession.objects.values_list(
            "module__title", "module__organization__slug", "date", "starts_at", "room",
            "status", "cancel_reason", "created_by__email", "created_at",
        )  # fmt: skip
        marks = ModuleAttendance.objects.values_list(
            "session__module__title", "session__date", "participant__last_name", "status",
            "hours", "note", "recorded_at", "event__date",
        )  # fmt: skip
        visits = DropInVisit.objects.values_list(
            "session__date", "people", "age_band", "gender", "need", "recorded_at"
        )
        volunteers = Volunteer.objects.values_list(
            "participant__last_name", "participant__iban", "organization__slug", "since",
            "activity", "user__email",
        )  # fmt: skip
        agreements = VolunteerAgreement.objects.filter(chantier__isnull=True).values_list(
            "participant__last_name", "starts_on", "scheme", "daily_rate", "declaration",
            "signed_on",
        )  # fmt: skip
        sheets = ServiceSheet.objects.values_list(
            "participant__last_name", "date", "hours", "km", "vehicle", "status", "indemnity",
            "mileage", "expense_amount", "return_reason", "entered_by__email",
        )  # fmt: skip
        return (
            sorted(map(str, participants)),
            sorted(map(str, pathways)),
            sorted(map(str, appointments)),
            sorted(map(str, trainings)),
            sorted(map(str, certifications)),
            sorted(map(str, sessions)),
            sorted(map(str, marks)),
            sorted(map(str, visits)),
            sorted(map(str, volunteers)),
            sorted(map(str, agreements)),
            sorted(map(str, sheets)),
        )

    _seed(seed=7)
    first = _snapshot(), people()
    call_command("flush", interactive=False, verbosity=0)
    ceilings_seed_again()  # a flush empties the table the migrations seeded
    _seed(seed=7)
    assert (_snapshot(), people()) == first


def test_it_leaves_a_database_with_data_alone(db):
    _seed()
    before = _snapshot()
    output = _seed(seed=99)
    assert "nothing seeded" in output
    assert _snapshot() == before


def test_an_unknown_scale_is_refused(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", "--scale", "huge")
    assert not Organization.objects.exists()


def test_the_chantiers_have_a_year_of_validated_statements_that_add_up(db):
    """Every month before this one is validated, and each statement is the sum of its days."""
    from django.utils import timezone

    from accounts.dates import add_months
    from chantiers.models import (
        Attendance,
        Enrolment,
        Incident,
        MonthlyStatement,
        PaymentBatch,
        ServiceSheet,
    )

    _seed()
    this_month = timezone.localdate().replace(day=1)
    statements = MonthlyStatement.objects.select_related("participant")
    assert not statements.filter(status="draft", month__lt=this_month).exists()
    for statement in statements:
        marks = Attendance.objects.filter(
            participant=statement.participant,
            session__date__gte=statement.month,
            session__date__lt=add_months(statement.month, 1),
        )
        # A volunteer's service sheets are days of the month too (issue 21).
        sheets = ServiceSheet.objects.filter(
            participant=statement.participant,
            date__gte=statement.month,
            date__lt=add_months(statement.month, 1),
        )
        assert statement.amount == sum(
            [
                *marks.values_list("indemnity", flat=True),
                *sheets.values_list("indemnity", flat=True),
            ]
        )
        present = marks.filter(status__in=Attendance.PRESENT_LIKE)
        assert statement.days == len(
            {
                *present.values_list("session__date", flat=True),
                *sheets.exclude(status="returned").values_list("date", flat=True),
            }
        )
    # Candidates waiting for selection, an open incident, a volunteer without an IBAN.
    assert Enrolment.objects.filter(status="candidate").count() == 4
    assert Incident.objects.filter(closed_on__isnull=True).count() == 2
    # One paid batch: every statement before last month with an IBAN, and nothing else.
    if this_month.month > 2:
        batch = PaymentBatch.objects.get(status="paid")
        paid = statements.filter(status="paid")
        assert set(paid) == set(batch.statements.all())
        # The flat rate and the mileage: what the SEPA file pays.
        assert batch.total == sum(statement.to_pay for statement in paid)
        assert not paid.filter(month__gte=add_months(this_month, -1)).exists()
        # The volunteers' months, validated after the batch, wait for the next one.
        waiting = statements.filter(
            status="validated",
            month__lt=add_months(this_month, -1),
            participant__volunteer__isnull=True,
        )
        assert not waiting.exclude(participant__iban="").exclude(amount=0).exists()
        assert statements.filter(status="validated", participant__iban="").exists()
    members = Enrolment.objects.filter(status="active").values("participant")
    assert statements.filter(participant__in=members, participant__iban="").exists() == (
        this_month.month > 1
    )


def assert_the_agenda_follows_the_rules(today: dt.date) -> None:
    """What the demo's agenda must hold, at either scale: appointments only in open pathways, in
    office hours, one at a time for a counsellor; each held one an interview of its pathway, on
    its day, within the pathway and not in the future; those planned to come, this week or
    next, but for two or three of the demo counsellor's, passed on the last two working days
    with their outcome not said ("to complete"); a consent only with the contact it names; a
    reminder only by a channel agreed to."""
    import holidays
    from django.utils import timezone

    from agenda import sms
    from agenda.models import Appointment, Reminder, ReminderConsent

    appointments = list(
        Appointment.objects.select_related("pathway", "event").order_by("counsellor", "starts_at")
    )
    assert appointments
    assert not Appointment.objects.filter(pathway__ended_on__isnull=False).exists()
    now = timezone.now()
    closed = holidays.country_holidays("BE", years=[today.year - 1, today.year])
    working = [
        day
        for day in (today - dt.timedelta(days=n) for n in range(1, 12))
        if day.weekday() < 5 and day not in closed
    ][:2]
    to_complete = []
    for appointment in appointments:
        start = timezone.localtime(appointment.starts_at)
        end = timezone.localtime(appointment.ends_at)
        assert appointment.duration_minutes in (45, 60)
        assert dt.time(9, 0) <= start.time() and end.time() <= dt.time(16, 30), start
        assert start.date() != today  # past or to come whatever the hour of the run
        assert appointment.created_at <= now
        if appointment.status == Appointment.Status.PLANNED and appointment.starts_at <= now:
            to_complete.append(appointment)
            assert start.date() in working, start
            assert appointment.created_at < appointment.starts_at
            assert appointment.pathway.started_on < start.date()
        if appointment.status == Appointment.Status.PLANNED:
            assert appointment.event is None and appointment.outcome_by_id is None
            assert start.date() <= today + dt.timedelta(days=11 - today.weekday())
            assert appointment.outcome_at is None and appointment.cancel_reason == ""
        else:
            assert start.date() < today and appointment.outcome_by_id is not None
            assert appointment.created_at <= appointment.outcome_at <= now
        if appointment.status == Appointment.Status.HELD:
            event = appointment.event
            assert (event.pathway_id, event.kind) == (appointment.pathway_id, "interview")
            assert event.date == start.date() and event.text
            assert appointment.pathway.started_on <= event.date < today
        if appointment.status == Appointment.Status.CANCELLED:
            assert appointment.cancel_reason and appointment.outcome_at <= appointment.starts_at
    # The demo counsellor's, for the director's "to complete" and provisional no-show rate.
    assert 2 <= len(to_complete) <= 3
    assert {a.counsellor.email for a in to_complete} == {"conseil@demo.local"}
    # One at a time: each counsellor's next appointment starts after the last one ended.
    for before, after in itertools.pairwise(appointments):
        if before.counsellor_id == after.counsellor_id:
            assert after.starts_at >= before.ends_at, (before.pk, after.pk)
    consents = ReminderConsent.objects.select_related("participant")
    assert consents.filter(by_email=True).exists() and consents.filter(by_sms=True).exists()
    for consent in consents:
        assert consent.by_email or consent.by_sms
        assert consent.participant.email or not consent.by_email
        assert sms.mobile_number(consent.participant.phone) or not consent.by_sms
        assert consent.given_on <= today
    for reminder in Reminder.objects.select_related(
        "appointment__pathway__participant__reminder_consent"
    ):
        consent = reminder.appointment.participant.reminder_consent
        assert getattr(consent, f"by_{reminder.channel}")
        assert reminder.status == Reminder.Status.SENT
        assert reminder.for_starts_at == reminder.appointment.starts_at
        assert consent.given_on < timezone.localdate(reminder.at)
        assert reminder.appointment.created_at <= reminder.at < reminder.appointment.starts_at


def test_the_demo_counsellors_have_an_agenda_and_tomorrow_some_reminders_to_send(db, settings):
    from django.core import mail
    from django.utils import timezone

    from agenda import services as agenda_services
    from agenda import sms
    from agenda.models import Appointment, Reminder, ReminderConsent

    output = _seed()
    today = timezone.localdate()
    assert_the_agenda_follows_the_rules(today)
    mine = Appointment.objects.filter(counsellor__email="conseil@demo.local")
    statuses = set(mine.values_list("status", flat=True))
    assert statuses == {"planned", "held", "no_show", "cancelled"}
    # The colleagues of both operators have theirs too.
    holders = Appointment.objects.values("counsellor").distinct().count()
    assert holders == Membership.objects.filter(role=Role.COUNSELLOR).count()
    past = Appointment.objects.exclude(status="planned")
    assert 0.08 <= past.filter(status="no_show").count() / past.count() <= 0.18
    assert 0.05 <= past.filter(status="cancelled").count() / past.count() <= 0.18
    tomorrow = today + dt.timedelta(days=1)
    reminded = mine.filter(
        starts_at__date=tomorrow, pathway__participant__reminder_consent__isnull=False
    )
    assert reminded.exists()
    # The summary says what was written.
    said = re.search(
        r"(\d+) appointments \((\d+) held, (\d+) no-shows, (\d+) cancelled, (\d+) to complete, "
        r"(\d+) planned of which (\d+) tomorrow\), (\d+) consents to reminders, "
        r"(\d+) reminders sent[.,]",
        output,
    )
    assert said, output
    now = timezone.now()
    assert [int(n) for n in said.groups()] == [
        Appointment.objects.count(),
        Appointment.objects.filter(status="held").count(),
        Appointment.objects.filter(status="no_show").count(),
        Appointment.objects.filter(status="cancelled").count(),
        Appointment.objects.filter(status="planned", starts_at__lte=now).count(),
        Appointment.objects.filter(status="planned", starts_at__gt=now).count(),
        Appointment.objects.filter(
            starts_at__gte=timezone.make_aware(dt.datetime.combine(tomorrow, dt.time.min)),
            starts_at__lt=timezone.make_aware(
                dt.datetime.combine(today + dt.timedelta(2), dt.time.min)
            ),
        ).count(),
        ReminderConsent.objects.count(),
        Reminder.objects.count(),
    ]
    # The director sees them to complete, and the no-show rate as provisional.
    from reporting.indicators.appointments import appointment_figures

    figures = appointment_figures(
        organization=Organization.objects.get(slug="ml-bruxelles-midi"), year=today.year
    )
    if today.month > 1 or today.day > 10:  # the last two working days are of this year
        assert 2 <= figures.to_complete <= 3 and figures.provisional
    # What the demo's worker does first: tomorrow's reminders, by e-mail and by text, once.
    settings.SMS_BACKEND = "agenda.sms.LocmemBackend"
    sms.outbox.clear()
    sent = agenda_services.reminders_send_due()
    assert sent["sent"] == len(mail.outbox) + len(sms.outbox) and sent["failed"] == 0
    assert mail.outbox and sms.outbox
    assert all(m.to[0].endswith("@exemple.demo.local") for m in mail.outbox)
    assert all(re.fullmatch(r"\+324\d{8}", m.to) for m in sms.outbox)
    assert agenda_services.reminders_send_due()["sent"] == 0
    sms.outbox.clear()


def assert_the_trainings_follow_the_rules(today: dt.date) -> None:
    """What the demo's trainings and certifications must hold, at either scale (the services'
    rules and the demo's plan): about a third of the people followed in the last three years
    have some, within or after their pathway, in every state; their hours and dates follow the
    state; a certification of the kind its training gives, obtained on or after its end, never
    in the future; noted by the person's operator, or a handful by the training centre that
    gives them; a pathway closed with the qualification obtained has its certificate."""
    from django.db.models import F, Min, Q
    from django.utils import timezone

    from demo.trainings import COURSES, RECENT_DAYS
    from participants.models import Certification, Participant, Pathway, Training

    trainings = Training.objects.select_related(
        "participant", "recorded_by", "recorded_by_organization"
    )
    assert set(trainings.values_list("status", flat=True)) == set(Training.Status.values)
    assert Certification.objects.exists()
    since = today - dt.timedelta(days=RECENT_DAYS)
    followed = Participant.objects.filter(
        Q(pathways__ended_on__isnull=True) | Q(pathways__ended_on__gte=since)
    ).distinct()
    trained = followed.filter(trainings__isnull=False).distinct()
    assert 0.25 <= trained.count() / followed.count() <= 0.45
    assert not Training.objects.exclude(participant__in=followed).exists()
    # Within or after the pathway: never before the person's first one started.
    assert not Training.objects.annotate(first=Min("participant__pathways__started_on")).filter(
        starts_on__lt=F("first")
    )
    assert not Training.objects.filter(ends_on__lt=F("starts_on")).exists()
    assert not Training.objects.filter(status="completed", ends_on__isnull=True).exists()
    begun = Training.objects.exclude(status="planned")
    assert not begun.filter(starts_on__gt=today).exists()
    assert not begun.filter(status__in=["completed", "abandoned"], ends_on__gt=today).exists()
    planned = Training.objects.filter(status="planned")
    assert not planned.filter(Q(starts_on__lte=today) | ~Q(hours_done=0)).exists()
    now = timezone.now()
    centre = Organization.objects.get(kind=Organization.Kind.TRAINING)
    courses = {course.title: course for course in COURSES}
    for training in trainings:
        planned_hours, done = training.hours_planned, training.hours_done
        assert 20 <= planned_hours <= 600, training.pk
        if training.status == "completed":  # ±10 %, to the half hour
            assert abs(done - planned_hours) <= planned_hours / 10 + Decimal("0.25"), training.pk
        elif training.status in ("abandoned", "ongoing"):
            assert done < planned_hours, training.pk
        assert training.created_at <= now
        organization = training.recorded_by_organization
        if organization == centre:
            assert training.provider_organization == centre
            assert training.recorded_by.memberships.filter(
                organization=centre, role=Role.PARTNER
            ).exists()
        else:
            assert organization == training.participant.organization
            assert training.recorded_by.memberships.filter(
                organization=organization, role=Role.COUNSELLOR
            ).exists()
        assert training.provider  # the partner's name when it is the partner
        assert training.title in courses
    assert trainings.filter(recorded_by_organization=centre).exists()
    assert (
        trainings.filter(provider_organization=centre)
        .exclude(recorded_by_organization=centre)
        .exists()
    )
    assert trainings.filter(provider_organization__isnull=True).exists()
    # Certifications: never in the future; after a completed training, on or after its end.
    certifications = Certification.objects.select_related("training")
    assert not certifications.filter(obtained_on__gt=today).exists()
    kinds = set(certifications.values_list("kind", flat=True))
    assert {"certificate", "licence", "skill_attestation"} <= kinds  # diplomas: a few, or none
    assert certifications.filter(kind="diploma").count() <= 0.1 * certifications.count()
    for certification in certifications:
        training = certification.training
        assert training is not None and training.status == "completed"
        assert training.participant_id == certification.participant_id
        assert certification.obtained_on >= training.ends_on
        assert certification.kind == courses[training.title].certification[0]
        assert certification.recorded_by_organization_id == training.recorded_by_organization_id
        assert certification.issuing_body and certification.created_at <= now
    completed = Training.objects.filter(status="completed")
    assert certifications.count() >= 0.6 * completed.count()
    # A pathway closed on a qualification obtained, the person's last: its certificate by then.
    qualified = Pathway.objects.filter(qualification_obtained=True, ended_on__gte=since)
    for pathway in qualified.exclude(
        participant__pathways__started_on__gt=F("started_on")
    ).distinct():
        assert certifications.filter(
            participant=pathway.participant_id,
            kind="certificate",
            obtained_on__lte=pathway.ended_on,
        ).exists(), pathway.pk


def test_a_third_of_the_people_followed_have_trainings_and_certifications(db):
    from django.utils import timezone

    from participants.models import Certification, Training

    output = _seed()
    assert_the_trainings_follow_the_rules(timezone.localdate())
    said = re.search(
        r"(\d+) trainings \((\d+) completed, (\d+) ongoing, (\d+) abandoned, (\d+) planned; "
        r"(\d+) noted by the training centre\), (\d+) certifications,",
        output,
    )
    assert said, output
    centre = Organization.objects.get(kind=Organization.Kind.TRAINING)
    assert [int(n) for n in said.groups()] == [
        Training.objects.count(),
        *(
            Training.objects.filter(status=status).count()
            for status in ("completed", "ongoing", "abandoned", "planned")
        ),
        Training.objects.filter(recorded_by_organization=centre).count(),
        Certification.objects.count(),
    ]
    # The centre's, on referrals to its training services it accepted.
    from partners.models import Referral

    for training in Training.objects.filter(recorded_by_organization=centre):
        assert Referral.objects.filter(
            participant=training.participant,
            to_organization=centre,
            status__in=Referral.TRAINING_STATUSES,
            sent_on__lte=training.starts_on,
        ).exists()


def assert_the_workshops_follow_the_rules(today: dt.date) -> None:
    """What the demo's collective modules must hold, at either scale: each operator's catalogue
    (every kind, an information session co-run with the training centre, a module withdrawn);
    sessions of the last four months and of the next three weeks, none today, run by a
    counsellor of the organization; people enrolled for an open pathway of the module's
    organization begun by then, within the places; marks only on sessions that took place, one
    for each person enrolled there, each presence an event "Atelier collectif" of the
    enrolment's pathway on the session's day for the hours attended, an absence none; the EPN's
    anonymous visitors only at its sessions that took place."""
    from django.db.models import Count, Exists, F, OuterRef, Q
    from django.utils import timezone

    from participants.grid import PRESENT_LIKE
    from participants.models import PathwayEvent
    from workshops.models import (
        DropInVisit,
        Module,
        ModuleAttendance,
        ModuleEnrolment,
        ModuleSession,
    )

    now = timezone.now()
    operators = Organization.objects.filter(kind=Organization.Kind.OPERATOR)
    assert set(Module.objects.values_list("organization", flat=True)) == set(
        operators.values_list("pk", flat=True)
    )
    assert set(Module.objects.values_list("kind", flat=True)) == {
        "workshop",
        "information",
        "epn",
        "other",
    }
    co_run = Module.objects.filter(kind="information", partner__isnull=False).get()
    assert co_run.partner.kind == Organization.Kind.TRAINING
    withdrawn = Module.objects.get(active=False)
    assert withdrawn.sessions.exists()
    assert not withdrawn.sessions.filter(date__gte=today - dt.timedelta(weeks=8)).exists()
    # Sessions: four months back, three weeks ahead, none today; a room, 8 to 15 places.
    sessions = ModuleSession.objects.all()
    assert not sessions.filter(date=today).exists()
    assert not sessions.filter(
        Q(date__lt=today - dt.timedelta(weeks=17)) | Q(date__gt=today + dt.timedelta(days=21))
    ).exists()
    assert sessions.filter(date__gt=today).exists()
    assert not sessions.filter(Q(capacity__lt=8) | Q(capacity__gt=15) | Q(room="")).exists()
    assert not sessions.filter(created_at__gt=now).exists()
    runs = Membership.objects.filter(
        user=OuterRef("created_by"),
        organization=OuterRef("module__organization"),
        role="counsellor",
    )
    assert not sessions.filter(~Exists(runs)).exists()
    cancelled = sessions.filter(status="cancelled")
    assert cancelled.exists()
    assert not cancelled.filter(Q(cancel_reason="") | Q(date__gte=today)).exists()
    assert not sessions.filter(status="planned").exclude(cancel_reason="").exists()
    full = sessions.annotate(n=Count("enrolments")).filter(n__gt=F("capacity"))
    assert not full.exists()
    # Enrolments: the person's open pathway, of the module's organization, begun by then.
    enrolments = ModuleEnrolment.objects.all()
    assert enrolments.filter(session__date__gt=today).exists()
    assert not enrolments.exclude(pathway__participant=F("participant")).exists()
    assert not enrolments.exclude(
        participant__organization=F("session__module__organization")
    ).exists()
    assert not enrolments.filter(
        Q(pathway__ended_on__isnull=False)
        | Q(pathway__started_on__gt=F("session__date"))
        | Q(participant__anonymised_at__isnull=False)
        | Q(enrolled_at__gt=now)
    ).exists()
    # Marks: only on the sessions that took place, and there for everyone enrolled.
    marks = ModuleAttendance.objects.select_related("session", "event")
    assert not marks.filter(Q(session__date__gte=today) | Q(session__status="cancelled")).exists()
    enrolled = enrolments.filter(session=OuterRef("session"), participant=OuterRef("participant"))
    assert not marks.filter(~Exists(enrolled)).exists()
    marked = marks.filter(session=OuterRef("session"), participant=OuterRef("participant"))
    assert (
        not enrolments.filter(session__date__lt=today, session__status="planned")
        .filter(~Exists(marked))
        .exists()
    )
    assert not marks.exclude(recorded_by=F("session__created_by")).exists()
    pathway_of = {
        (e.session_id, e.participant_id): e.pathway for e in enrolments.select_related("pathway")
    }
    statuses = []
    for mark in marks:
        session, event = mark.session, mark.event
        statuses.append(mark.status)
        assert mark.recorded_at <= now
        assert timezone.localtime(mark.recorded_at).date() == session.date
        if mark.status in PRESENT_LIKE:
            pathway = pathway_of[session.pk, mark.participant_id]
            assert pathway.is_open and pathway.started_on <= session.date
            assert (event.pathway_id, event.kind, event.date) == (
                pathway.pk,
                PathwayEvent.Kind.GROUP_WORKSHOP,
                session.date,
            ), mark.pk
            assert event.duration_minutes == int(mark.hours * 60) and event.text
            assert 0 < mark.hours <= session.hours
            assert mark.hours == session.hours or mark.status != "present"
        else:
            assert event is None and mark.hours == 0, mark.pk
    # Mostly present; some late, leaving early, excused or absent.
    presences = sum(1 for status in statuses if status in PRESENT_LIKE)
    assert 0.75 <= presences / len(statuses) <= 0.97
    assert {"present", "late", "excused", "unexcused"} <= set(statuses)
    assert marks.exclude(note="").exists()
    # The EPN's visitors, counted without a name, at its sessions that took place.
    visits = DropInVisit.objects.all()
    assert not visits.exclude(session__module__kind="epn").exists()
    assert not visits.filter(
        Q(session__date__gte=today) | Q(session__status="cancelled") | Q(recorded_at__gt=now)
    ).exists()
    assert len(set(visits.values_list("need", flat=True))) >= 4
    assert len(set(visits.values_list("age_band", flat=True))) >= 4
    assert {"F", "M"} <= set(visits.values_list("gender", flat=True))


def test_the_operators_run_collective_modules(db):
    from django.utils import timezone

    from workshops.models import (
        DropInVisit,
        Module,
        ModuleAttendance,
        ModuleEnrolment,
        ModuleSession,
    )

    output = _seed()
    today = timezone.localdate()
    assert_the_workshops_follow_the_rules(today)
    main = Organization.objects.get(slug="ml-bruxelles-midi")
    assert set(Module.objects.filter(organization=main).values_list("title", flat=True)) >= {
        "Atelier CV et lettre de motivation",
        "Préparer un entretien d'embauche",
        "Séance d'information : les métiers de la construction",
        "EPN – accès libre accompagné",
        "Atelier numérique : mes démarches en ligne",
    }
    assert Module.objects.filter(organization__slug="ml-forest").exists()
    # The demo counsellor runs some of them, and the people to come are already enrolled.
    assert ModuleSession.objects.filter(created_by__email="conseil@demo.local").exists()
    coming = ModuleSession.objects.filter(date__gt=today, date__lte=today + dt.timedelta(days=21))
    assert coming.filter(module__organization=main, enrolments__isnull=False).exists()
    said = re.search(
        r"(\d+) collective modules \((\d+) sessions: (\d+) cancelled, (\d+) to come; "
        r"(\d+) enrolments, (\d+) marks of which (\d+) present; (\d+) EPN drop-in visits of "
        r"(\d+) people\)\.",
        output,
    )
    assert said, output
    marks = ModuleAttendance.objects
    assert [int(n) for n in said.groups()] == [
        Module.objects.count(),
        ModuleSession.objects.count(),
        ModuleSession.objects.filter(status="cancelled").count(),
        ModuleSession.objects.filter(date__gt=today).count(),
        ModuleEnrolment.objects.count(),
        marks.count(),
        marks.filter(status__in=ModuleAttendance.PRESENT_LIKE).count(),
        DropInVisit.objects.count(),
        sum(DropInVisit.objects.values_list("people", flat=True)),
    ]


def test_the_volunteers_have_their_agreements_and_sheets_and_benevole_logs_in(db, client):
    """Issue 21: volunteers at both operators — six people without a pathway at Bruxelles-Midi
    and two of its participants, one of a running chantier — each with a signed agreement
    without chantier, an IBAN and sheets of this year in every state; amounts the engine gives
    again; the statements of past months validated. The demo account is one of them."""
    from django.db.models import F, Q, Sum
    from django.urls import reverse
    from django.utils import timezone
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.dates import month_bounds
    from chantiers.indemnities import DECLARATION_REQUIRED, indemnities_recompute
    from chantiers.models import (
        Attendance,
        CeilingExcess,
        Enrolment,
        IndemnityCeiling,
        MonthlyStatement,
        RealCost,
        ServiceSheet,
        VolunteerAgreement,
    )
    from chantiers.selectors import locked_months, year_balances
    from chantiers.storage import SIGNATURES
    from volunteers.models import Volunteer
    from volunteers.services import volunteer_of

    output = _seed()
    today = timezone.localdate()
    this_month = today.replace(day=1)
    # In the first days of January, the year has no history yet: what needs one is checked
    # the rest of the year.
    history = today >= dt.date(today.year, 1, 20)
    midi = Organization.objects.get(slug="ml-bruxelles-midi")
    volunteers = list(Volunteer.objects.select_related("participant", "organization"))
    here = [v for v in volunteers if v.organization == midi]
    assert 7 <= len(here) <= 10
    assert {v.organization.slug for v in volunteers} == {"ml-bruxelles-midi", "ml-forest"}
    new = [v for v in here if not v.participant.pathways.exists()]
    known = [v for v in here if v not in new]
    assert (len(new), len(known)) == (6, 2)
    on_chantier = Enrolment.objects.filter(
        participant__in=[v.participant for v in known],
        status="active",
        chantier__status="running",
    )
    assert on_chantier.count() == 1
    people = [v.participant for v in volunteers]

    # A signed agreement without chantier each: the paperwork done, the flat rate within the
    # year's daily ceiling — but one volunteer under the real-costs scheme — and an IBAN.
    ceiling = IndemnityCeiling.objects.get(year=today.year)
    for volunteer in volunteers:
        person = volunteer.participant
        agreement = VolunteerAgreement.objects.get(participant=person, chantier__isnull=True)
        assert agreement.organization == volunteer.organization
        assert agreement.starts_on == volunteer.since <= today
        assert agreement.signed_on <= agreement.starts_on
        assert agreement.organisation_note_given_on <= agreement.starts_on
        income = person.income_sources.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=agreement.starts_on),
            starts_on__lte=agreement.starts_on,
        ).get()
        assert agreement.declaration == DECLARATION_REQUIRED[income.kind]
        if agreement.declaration != "none":
            assert agreement.declaration_on <= agreement.starts_on
        if agreement.scheme == "flat_rate":
            assert 0 < agreement.daily_rate <= ceiling.daily
        assert person.iban
        person.full_clean()  # the generated IBAN passes the real validator
    real_costs = VolunteerAgreement.objects.filter(chantier__isnull=True, scheme="real_costs")
    assert real_costs.count() == 1
    assert {
        VolunteerAgreement.Declaration.C45B,
        VolunteerAgreement.Declaration.CPAS_INFORMED,
        VolunteerAgreement.Declaration.MEDICAL_ADVISER,
        VolunteerAgreement.Declaration.NONE,
    } <= set(VolunteerAgreement.objects.filter(chantier__isnull=True).values_list(
        "declaration", flat=True
    ))  # fmt: skip

    # Sheets of this year, none in the future, mostly validated; some waiting, one sent back.
    sheets = ServiceSheet.objects.select_related("participant")
    assert not sheets.exclude(participant__in=people).exists()
    assert not sheets.filter(Q(date__gt=today) | Q(date__year__lt=today.year)).exists()
    assert not sheets.exclude(organization=F("participant__organization")).exists()
    statuses = list(sheets.values_list("status", flat=True))
    assert statuses.count("submitted") <= 10 and statuses.count("returned") <= 1
    for returned in sheets.filter(status="returned"):
        assert returned.return_reason and returned.indemnity == 0
    if history:
        assert statuses.count("validated") >= 0.8 * len(statuses)
        assert statuses.count("returned") == 1 and statuses.count("submitted") >= 3
        # Kilometres on a few days, by car or by bike, reimbursed.
        assert {"car", "bike"} <= set(sheets.filter(km__gt=0).values_list("vehicle", flat=True))
        assert sheets.filter(mileage__gt=0).exists()
    assert not sheets.filter(status="validated", validated_at__isnull=True).exists()
    now = timezone.now()
    assert not sheets.filter(Q(entered_at__gt=now) | Q(validated_at__lt=F("entered_at"))).exists()
    # The real-costs volunteer's expenses, each with the photo of its ticket: repaid once the
    # sheet is validated, the last one waiting.
    expenses = sheets.filter(expense_amount__gt=0)
    assert expenses.count() == 2 or (today.month < 3 and expenses.count() == 1)
    assert set(expenses.values_list("participant", flat=True)) == {real_costs.get().participant_id}
    for sheet in expenses:
        with sheet.receipt.open("rb") as receipt:
            assert receipt.read(3) == SIGNATURES[".jpg"][0]
        assert (sheet.real_cost_id is not None) == (sheet.status == "validated")
    assert RealCost.objects.count() == expenses.filter(status="validated").count()
    assert not sheets.filter(participant__agreements__scheme="real_costs", indemnity__gt=0).exists()

    # The amounts are the engine's: computed again, nothing changes, nothing above a ceiling.
    def amounts():
        rows = [
            *Attendance.objects.filter(participant__in=people).values_list(
                "pk", "indemnity", "not_payable", "km_paid", "mileage", "not_payable_acknowledged"
            ),
            *sheets.values_list(
                "pk", "indemnity", "not_payable", "km_paid", "mileage", "not_payable_acknowledged"
            ),
        ]
        return sorted(map(str, rows))

    before = amounts()
    for person in people:
        balance = indemnities_recompute(participant=person, year=today.year)
        assert not balance.exceeded and balance.remaining > 0
    assert amounts() == before
    assert not CeilingExcess.objects.filter(participant__in=people).exists()

    # The months before this one validated for most, each the sum of its days; nothing draft.
    statements = MonthlyStatement.objects.filter(participant__in=people, month__year=today.year)
    assert not statements.filter(status="draft").exists()
    mine = statements.exclude(participant__in=on_chantier.values("participant"))
    assert mine.values("participant").distinct().count() >= 5 or not history
    for statement in mine:
        first, last = month_bounds(statement.month)
        days = sheets.filter(participant=statement.participant_id, date__range=(first, last))
        assert not days.filter(status="submitted").exists()
        assert statement.status == "validated" and statement.month < this_month
        assert statement.amount == days.aggregate(total=Sum("indemnity"))["total"]
        assert statement.mileage == days.aggregate(total=Sum("mileage"))["total"]
        assert statement.days == days.exclude(status="returned").count()
        assert statement.real_costs == (
            RealCost.objects.filter(
                participant=statement.participant_id, date__range=(first, last)
            ).aggregate(total=Sum("amount"))["total"]
            or 0
        )
    # The participant of the chantier: their sheets of this month share the year's ceilings
    # with their chantier marks, on other days.
    chantier_volunteer = on_chantier.get().participant
    marked = Attendance.objects.filter(participant=chantier_volunteer).values("session__date")
    assert not sheets.filter(participant=chantier_volunteer, date__in=marked).exists()
    assert not sheets.filter(participant=chantier_volunteer, date__lt=this_month).exists()

    # benevole@demo.local: a volunteer of Bruxelles-Midi, no second factor, the user of a
    # record without a pathway, with a sheet to correct, one waiting and a balance.
    user = User.objects.get(email="benevole@demo.local")
    assert user.check_password("demo")
    membership = user.memberships.get()
    assert (membership.organization, membership.role) == (midi, Role.VOLUNTEER)
    assert not membership.is_pending and membership.is_active
    assert not TOTPDevice.objects.filter(user=user).exists()
    volunteer = volunteer_of(user=user, organization=midi)
    assert volunteer in new
    person = volunteer.participant
    assert (person.first_name, person.last_name) == (user.first_name, user.last_name)
    hers = sheets.filter(participant=person)
    assert not hers.exclude(entered_by=user).exists()
    for to_correct in hers.filter(status="returned"):  # she can correct it: its month is open
        month = to_correct.date.replace(day=1)
        assert not locked_months(participant_ids=[person.pk], months={month})
    balance = year_balances(participant_ids=[person.pk], organization=midi, year=today.year)[
        person.pk
    ]
    assert balance.open_amount > 0
    assert "benevole@demo.local" in output
    response = client.post(
        reverse("accounts:login"), {"username": "benevole@demo.local", "password": "demo"}
    )
    assert response.status_code == 302
    page = client.get(reverse("volunteers:mine"))
    assert page.status_code == 200
    if history:
        assert set(hers.values_list("status", flat=True)) == {"validated", "submitted", "returned"}
        assert balance.validated > 0
        assert "Corrigez-la puis renvoyez la fiche" in page.text

    # The summary says what was written.
    said = re.search(
        r"(\d+) volunteers \((\d+) service sheets: (\d+) validated, (\d+) waiting, "
        r"(\d+) returned; (\d+) validated monthly statements\)",
        output,
    )
    assert said, output
    assert [int(n) for n in said.groups()] == [
        len(volunteers),
        len(statuses),
        statuses.count("validated"),
        statuses.count("submitted"),
        statuses.count("returned"),
        mine.count(),
    ]
    # Outreach: the relays' two contact points, their actions of this year (none before the
    # year's first Tuesday), and the signals in each state of the team's answer.
    from volunteers.models import ContactPoint, OutreachActivity, Signal

    assert ContactPoint.objects.filter(organization=midi).count() == 2
    actions = OutreachActivity.objects.filter(organization=midi, date__year=today.year)
    assert actions.exists() or today < dt.date(today.year, 1, 8)
    for action in actions:
        assert action.women + action.men <= action.people_met and action.themes
    signals = Signal.objects.filter(organization=midi)
    assert sorted(signals.values_list("status", flat=True)) == sorted(
        ["closed"] * 4 + ["taken_up"] + ["open"] * 2
    )
    assert signals.filter(raised_by__user__email="benevole@demo.local").exists()
    assert not signals.filter(raised_by__isnull=False, participant__isnull=False).exists()
