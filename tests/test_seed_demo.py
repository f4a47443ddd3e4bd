from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Membership, Organization, Role, User

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


def test_the_same_seed_gives_the_same_data(transactional_db):
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
