"""``seed_demo``: the demo organizations and the five accounts, the same data from the same seed,
a database with data left alone, a year of statements that add up."""

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
    from participants.models import Participant, Pathway

    def people():
        participants = Participant.objects.values_list(
            "last_name", "first_name", "birth_date", "postcode"
        )
        pathways = Pathway.objects.values_list("started_on", "ended_on", "exit_outcome", "phase")
        return sorted(map(str, participants)), sorted(map(str, pathways))

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
    from django.db.models import Sum
    from django.utils import timezone

    from accounts.dates import add_months
    from chantiers.models import Attendance, Enrolment, Incident, MonthlyStatement, PaymentBatch

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
        assert statement.amount == marks.aggregate(total=Sum("indemnity"))["total"]
        present = marks.filter(status__in=Attendance.PRESENT_LIKE)
        assert statement.days == present.values("session__date").distinct().count()
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
        waiting = statements.filter(status="validated", month__lt=add_months(this_month, -1))
        assert not waiting.exclude(participant__iban="").exclude(amount=0).exists()
        assert statements.filter(status="validated", participant__iban="").exists()
    members = Enrolment.objects.filter(status="active").values("participant")
    assert statements.filter(participant__in=members, participant__iban="").exists() == (
        this_month.month > 1
    )
