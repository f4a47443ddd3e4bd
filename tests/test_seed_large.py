"""``seed_demo --scale large``: the bulk generator at 1/50 of DESIGN §6 volumes (seconds, not
minutes), its determinism and the domain rules the data must still obey."""

import datetime as dt
import hashlib
import random
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum
from django.db.models.functions import ExtractYear
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Organization, Role, User
from agenda.models import Appointment, ReminderConsent
from chantiers.indemnities import indemnities_recompute_many
from chantiers.models import (
    Attendance,
    Chantier,
    ElsewhereDeclaration,
    Enrolment,
    IndemnityCeiling,
    WorkSession,
)
from demo import accounts as accounts_demo
from demo import large as demo_large
from participants.models import (
    Certification,
    FollowUp,
    Participant,
    Pathway,
    PathwayEvent,
    PathwayTransition,
    Training,
)
from partners.models import Matching, Referral, ReferralTransition
from tests.test_seed_demo import (
    assert_the_agenda_follows_the_rules,
    assert_the_trainings_follow_the_rules,
    assert_the_workshops_follow_the_rules,
)
from workshops.models import DropInVisit, ModuleAttendance, ModuleEnrolment, ModuleSession

DIVISOR = 50


def _seed(seed: int = 11, divisor: int = DIVISOR) -> dict:
    rng = random.Random(seed)
    accounts = accounts_demo.seed_accounts(rng=rng)
    return demo_large.seed_large(
        rng=rng, organizations=accounts["organizations"], counts=demo_large.volumes(divisor)
    )


@pytest.fixture
def seeded(db):
    return _seed()


def _digest() -> str:
    """Key columns of every table the generator fills, in insertion (primary key) order, with
    the relations named by natural keys: equal digests mean equal data, whatever the ids."""
    parts = [
        Participant.objects.order_by("pk").values_list(
            "organization__slug", "last_name", "first_name", "birth_date", "national_number",
            "postcode", "commune", "iban", "jobseeker_since", "counsellor__email",
        ),
        Pathway.objects.order_by("pk").values_list(
            "participant__last_name", "participant__birth_date", "programme__code",
            "started_on", "phase", "ended_on", "exit_outcome",
        ),
        PathwayTransition.objects.order_by("pk").values_list(
            "pathway__started_on", "kind", "at", "from_phase", "to_phase", "exit_outcome"
        ),
        PathwayEvent.objects.order_by("pk").values_list("date", "kind", "confidentiality"),
        FollowUp.objects.order_by("pk").values_list("months", "due_on", "done_on", "situation"),
        WorkSession.objects.order_by("pk").values_list("chantier__code", "date", "status"),
        Attendance.objects.order_by("pk").values_list(
            "session__chantier__code", "session__date", "participant__last_name",
            "participant__birth_date", "status", "hours", "indemnity", "not_payable",
        ),
        Referral.objects.order_by("pk").values_list(
            "participant__last_name", "to_organization__slug", "sent_on", "status"
        ),
        Matching.objects.order_by("pk").values_list(
            "employer__slug", "proposed_on", "status", "status_on"
        ),
        Appointment.objects.order_by("pk").values_list(
            "pathway__participant__last_name", "counsellor__email", "starts_at", "duration_minutes",
            "mode", "status", "event__date",
        ),
        ReminderConsent.objects.order_by("pk").values_list(
            "participant__last_name", "by_email", "by_sms", "given_on"
        ),
        Training.objects.order_by("pk").values_list(
            "participant__last_name", "title", "provider", "starts_on", "ends_on", "status",
            "hours_planned", "hours_done", "recorded_by__email", "created_at",
        ),
        Certification.objects.order_by("pk").values_list(
            "participant__last_name", "kind", "title", "obtained_on", "training__starts_on"
        ),
        ModuleSession.objects.order_by("pk").values_list(
            "module__title", "date", "starts_at", "room", "status", "created_by__email"
        ),
        ModuleAttendance.objects.order_by("pk").values_list(
            "session__date", "participant__last_name", "status", "hours", "note", "event__date"
        ),
        DropInVisit.objects.order_by("pk").values_list("people", "age_band", "gender", "need"),
    ]  # fmt: skip
    text = "\n".join(repr(list(rows)) for rows in parts)
    return hashlib.sha256(text.encode()).hexdigest()


def test_it_writes_a_fiftieth_of_the_design_volumes(seeded):
    # DESIGN §6 / 50: 10 000 → 200 participants, 12 000 → 240 pathways, 8 000 → 160
    # referrals, 1 500 → 30 prospections, 1 200 → 24 matchings; 60 / 50 rounds to 1 chantier,
    # raised to the minimum of 3 (one of them the benchmark's running chantier).
    assert seeded["Participant"] == Participant.objects.count() == 200
    assert seeded["Pathway"] == Pathway.objects.count() == 240
    assert seeded["Referral"] == Referral.objects.count() == 160
    assert seeded["EmployerContact"] == 30
    assert seeded["Matching"] == Matching.objects.count() == 24
    assert seeded["Chantier"] == Chantier.objects.count() == 3
    assert Attendance.objects.count() == seeded["Attendance"] > 0
    # 15 % of the people belong to the second operator: 0.15 × 200 = 30.
    assert Participant.objects.filter(organization__slug="ml-forest").count() == 30


def test_the_same_seed_gives_the_same_data(db):
    with transaction.atomic():
        _seed(seed=5)
        first = _digest()
        transaction.set_rollback(True)
    with transaction.atomic():
        _seed(seed=5)
        again = _digest()
        transaction.set_rollback(True)
    _seed(seed=6)
    assert again == first
    assert _digest() != first


def test_the_demo_logins_work_and_lead_to_the_main_operator(seeded):
    for email, _first, _last, role, _org in accounts_demo.DEMO_ACCOUNTS:
        user = User.objects.get(email=email)
        assert user.check_password("demo")
        assert user.memberships.filter(role=role).exists()
    counsellor = User.objects.get(email="conseil@demo.local")
    assert counsellor.memberships.get().organization.slug == "ml-bruxelles-midi"


def test_pathways_follow_the_rules(seeded):
    today = timezone.localdate()
    open_twice = (
        Pathway.objects.open()
        .values("participant", "programme")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not open_twice.exists()
    assert not Pathway.objects.filter(
        Q(started_on__gt=today) | Q(ended_on__gt=today) | Q(ended_on__lt=F("started_on"))
    ).exists()
    # An exit outcome exactly when the pathway ended.
    assert not Pathway.objects.filter(ended_on__isnull=True).exclude(exit_outcome="").exists()
    assert not Pathway.objects.filter(ended_on__isnull=False, exit_outcome="").exists()
    # Three follow-ups (+3, +6, +12 months) for every exit, none for an open pathway.
    closed = Pathway.objects.filter(ended_on__isnull=False)
    follow_ups = (
        closed.annotate(n=Count("follow_ups")).order_by().values_list("n", flat=True).distinct()
    )
    assert list(follow_ups) == [3]
    assert not FollowUp.objects.filter(pathway__ended_on__isnull=True).exists()
    assert not FollowUp.objects.filter(done_on__gt=today).exists()
    assert FollowUp.objects.filter(done_on__isnull=False).exists()
    # Every pathway has its opening in the log; events fall inside the pathway.
    assert Pathway.objects.filter(transitions__kind="start").distinct().count() == 240
    assert closed.filter(transitions__kind="close").distinct().count() == closed.count()
    assert not PathwayTransition.objects.filter(at__gt=timezone.now()).exists()
    assert not PathwayEvent.objects.filter(
        Q(date__lt=F("pathway__started_on"))
        | Q(date__gt=today)
        | Q(date__gt=F("pathway__ended_on"))
    ).exists()


def test_attendance_is_only_on_held_sessions_of_the_persons_chantiers(seeded):
    today = timezone.localdate()
    assert not Attendance.objects.exclude(session__status=WorkSession.Status.HELD).exists()
    assert WorkSession.objects.filter(status=WorkSession.Status.CANCELLED).exists() or (
        WorkSession.objects.filter(status=WorkSession.Status.HELD).count() < 25
    )
    assert not WorkSession.objects.filter(status="held", date__gte=today).exists()
    enrolled = Enrolment.objects.filter(
        chantier=OuterRef("session__chantier"),
        participant=OuterRef("participant"),
        joined_on__lte=OuterRef("session__date"),
    ).filter(Q(left_on__isnull=True) | Q(left_on__gte=OuterRef("session__date")))
    assert not Attendance.objects.filter(~Exists(enrolled)).exists()
    twice = Attendance.objects.values("session", "participant").annotate(n=Count("pk"))
    assert not twice.filter(n__gt=1).exists()
    # The benchmark's chantier: running, a group of 15, a session today not yet marked.
    chantier = (
        Chantier.objects.filter(
            organization__slug="ml-bruxelles-midi",
            status=Chantier.Status.RUNNING,
            enrolments__status=Enrolment.Status.ACTIVE,
            sessions__date=today,
        )
        .distinct()
        .get()
    )
    assert chantier.coordinators.filter(email="chantier@demo.local").exists()
    group = chantier.enrolments.filter(status__in=["active", "withdrawn"]).count()
    assert group == 15


def test_the_agenda_follows_the_same_rules_as_the_small_demo(seeded):
    assert_the_agenda_follows_the_rules(timezone.localdate())
    assert seeded["Appointment"] == Appointment.objects.count()
    assert set(Appointment.objects.values_list("status", flat=True)) == {
        "planned",
        "held",
        "no_show",
        "cancelled",
    }
    assert Appointment.objects.filter(counsellor__email="conseil@demo.local").exists()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    assert Appointment.objects.filter(
        starts_at__date=tomorrow, pathway__participant__reminder_consent__isnull=False
    ).exists()


def test_the_trainings_follow_the_same_rules_as_the_small_demo(seeded):
    assert_the_trainings_follow_the_rules(timezone.localdate())
    assert seeded["Training"] == Training.objects.count()
    assert seeded["Certification"] == Certification.objects.count()


def test_the_workshops_follow_the_same_rules_as_the_small_demo(seeded):
    assert_the_workshops_follow_the_rules(timezone.localdate())
    assert seeded["ModuleSession"] == ModuleSession.objects.count()
    assert seeded["ModuleEnrolment"] == ModuleEnrolment.objects.count()
    assert seeded["ModuleAttendance"] == ModuleAttendance.objects.count() > 0
    assert seeded["DropInVisit"] == DropInVisit.objects.count() > 0


def test_indemnities_respect_the_daily_and_annual_ceilings(seeded):
    ceilings = {c.year: c for c in IndemnityCeiling.objects.all()}
    paid = Attendance.objects.filter(indemnity__gt=0)
    assert paid.exists()
    # Rule 1: one indemnity per person and day, never above the year's daily ceiling.
    per_day = paid.values("participant", "session__date").annotate(n=Count("pk"))
    assert not per_day.filter(n__gt=1).exists()
    for row in paid.values(year=ExtractYear("session__date")).annotate(top=Max("indemnity")):
        assert row["top"] <= ceilings[row["year"]].daily
    # Rule 2: the year's total plus what was declared elsewhere stays within the annual ceiling.
    declared = {
        (row["participant"], row["year"]): row["declared"]
        for row in ElsewhereDeclaration.objects.values("participant", "year").annotate(
            declared=Sum("amount")
        )
    }
    totals = Attendance.objects.values("participant", year=ExtractYear("session__date")).annotate(
        total=Sum("indemnity")
    )
    for row in totals:
        elsewhere = declared.get((row["participant"], row["year"]), Decimal("0"))
        assert row["total"] + elsewhere <= ceilings[row["year"]].annual
    # Rule 3: no amount without the paperwork, and every day not paid says why.
    assert not Attendance.objects.filter(
        status__in=Attendance.PRESENT_LIKE, indemnity=0, not_payable=""
    ).exists()
    assert (
        not Attendance.objects.exclude(status__in=Attendance.PRESENT_LIKE)
        .filter(indemnity__gt=0)
        .exists()
    )


def test_the_engine_would_compute_the_same_indemnities(seeded):
    """The generator computes the amounts in memory with the engine's rule function: a real
    recomputation by ``indemnities_recompute_many`` changes none of them."""
    before = list(Attendance.objects.order_by("pk").values_list("pk", "indemnity", "not_payable"))
    years = Attendance.objects.values_list("session__date__year", flat=True).distinct()
    for year in sorted(set(years)):
        people = Attendance.objects.filter(session__date__year=year).values_list(
            "participant", flat=True
        )
        indemnities_recompute_many(participant_ids=sorted(set(people)), year=year)
    after = list(Attendance.objects.order_by("pk").values_list("pk", "indemnity", "not_payable"))
    assert after == before


def test_referrals_are_consistent_with_their_log(seeded):
    today = timezone.localdate()
    expiry = today - dt.timedelta(days=settings.REFERRAL_EXPIRY_DAYS)
    assert not Referral.objects.filter(status="sent", sent_on__lte=expiry).exists()
    assert not Referral.objects.filter(status="refused", refusal_reason="").exists()
    assert not Referral.objects.filter(sent_on__gt=today).exists()
    assert not Referral.objects.exclude(participant=F("pathway__participant")).exists()
    assert not Referral.objects.filter(
        Q(sent_on__lt=F("pathway__started_on")) | Q(sent_on__gt=F("pathway__ended_on"))
    ).exists()
    open_twice = (
        Referral.objects.filter(status__in=Referral.OPEN)
        .values("participant", "to_organization", "service")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    assert not open_twice.exists()
    assert not Referral.objects.filter(status__in=Referral.OPEN, pathway__ended_on__isnull=False)
    # The log starts with "sent" and ends with the referral's state.
    last = ReferralTransition.objects.filter(referral=OuterRef("pk")).order_by("-at", "-pk")
    mismatched = Referral.objects.annotate(last=last.values("to_status")[:1]).exclude(
        last=F("status")
    )
    assert not mismatched.exists()
    assert ReferralTransition.objects.filter(from_status="", to_status="sent").count() == 160
    now = timezone.now()
    assert not ReferralTransition.objects.filter(at__gt=now).exists()
    assert not Referral.objects.filter(
        Q(link_sent_at__gt=now) | Q(status_changed_at__gt=now)
    ).exists()


def test_the_generator_issues_one_insert_per_batch_and_no_query_per_row(db):
    # The planner reads the memberships and the ceilings, then one INSERT per model and batch.
    # On PostgreSQL a batch is 2 000 rows, so at 1/200 and 1/100 it is one INSERT per model
    # whatever the size; on SQLite Django puts at most 999 values in a statement
    # (max_query_params), so it splits a batch and the count follows the rows, by that rule only.
    def queries(divisor):
        rng = random.Random(3)
        organizations = accounts_demo.seed_accounts(rng=rng)["organizations"]
        with CaptureQueriesContext(connection) as captured:
            written = demo_large.seed_large(
                rng=rng, organizations=organizations, counts=demo_large.volumes(divisor)
            )
        return len(captured), _statements_needed(written), sum(1 for n in written.values() if n)

    with transaction.atomic():
        small, small_needed, small_models = queries(200)
        transaction.set_rollback(True)
    large, large_needed, large_models = queries(100)
    # 2 reads + one INSERT per statement the database needs for each model's rows.
    assert (small, large) == (2 + small_needed, 2 + large_needed)
    if connection.vendor == "postgresql":
        # One INSERT per model that has rows, whatever the size. (At 1/200 a model may draw
        # none on some days: the volunteers declaring income from elsewhere are drawn at random
        # from a plan that follows the date.)
        assert len(demo_large.INSERT_ORDER) == 33
        assert (small, large) == (2 + small_models, 2 + large_models)


def _statements_needed(written: dict[str, int]) -> int:
    """INSERT statements for these rows: Django's bulk_create puts at most demo_large.BATCH rows,
    and on SQLite at most the rows whose values fit its limit of parameters, in one."""
    needed = 0
    for model in demo_large.INSERT_ORDER:
        rows = written[model._meta.object_name]
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        per_statement = min(demo_large.BATCH, connection.ops.bulk_batch_size(fields, [None] * rows))
        needed += -(-rows // per_statement) if rows else 0
    return needed


def test_the_command_seeds_the_large_scale(db, monkeypatch):
    monkeypatch.setattr(
        demo_large, "VOLUMES", {k: v // DIVISOR for k, v in demo_large.VOLUMES.items()}
    )
    out = StringIO()
    call_command("seed_demo", scale="large", seed=4, stdout=out)
    output = out.getvalue()
    assert "Seeded scale=large seed=4" in output
    assert "Participant" in output and "200" in output
    assert Participant.objects.count() == 200
    assert "admin@demo.local" in output


def test_the_command_refuses_a_database_that_holds_data(db):
    Organization.objects.create(name="Déjà là", slug="deja-la", kind="operator")
    out = StringIO()
    call_command("seed_demo", scale="large", stdout=out)
    assert "nothing seeded" in out.getvalue()
    assert Organization.objects.count() == 1
    assert not Participant.objects.exists()
    assert not User.objects.filter(memberships__role=Role.ADMIN).exists()
