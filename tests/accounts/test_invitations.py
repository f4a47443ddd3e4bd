"""Invitations wait for the person's answer (issue 24): until then the team sees what the
inviter typed, nothing of an account the person may have elsewhere, and the membership gives
no access at all; a new account accepts by choosing its password, an existing one on the
invitations page."""

import datetime as dt
import importlib
import re

import pytest
from django.apps import apps
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role, User
from accounts.services import membership_invite
from tests.factories import MembershipFactory, ParticipantFactory, UserFactory
from tests.two_factor import verify_session_of


@pytest.fixture
def elsewhere(other_operator):
    """Someone with an account, a name and a last log-in in another organization."""
    user = MembershipFactory(
        organization=other_operator,
        role=Role.COUNSELLOR,
        user__first_name="Véritable",
        user__last_name="Zwanepoel",
        user__last_login=timezone.make_aware(dt.datetime(2026, 3, 14, 9, 26)),
    ).user
    return user


def _invite(organization, email, role=Role.DIRECTION, **names) -> Membership:
    return membership_invite(
        organization=organization,
        email=email,
        first_name=names.get("first_name", "Prénom"),
        last_name=names.get("last_name", "Tapé"),
        role=role,
    )


def test_the_team_sees_what_was_typed_until_the_person_accepts(
    client, admin, operator, elsewhere, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = _invite(operator, elsewhere.email)
    client.force_login(admin)
    for page in (
        client.get(reverse("accounts:member_list")),
        client.get(reverse("accounts:member_edit", args=[membership.pk])),
    ):
        text = page.content.decode()
        assert "Prénom Tapé" in text
        assert "Zwanepoel" not in text and "Véritable" not in text
        assert "14/03/2026" not in text  # the last log-in, elsewhere
    team = client.get(reverse("accounts:member_list")).content.decode()
    row = re.search(r"<tr>(?:(?!</tr>).)*Prénom Tapé.*?</tr>", team, re.S).group(0)
    assert "invitation en attente" in row and "accès ouvert" not in row
    # The edit page offers to re-send, as for a new person (no "already has a password").
    edit = client.get(reverse("accounts:member_edit", args=[membership.pk])).content.decode()
    assert "Renvoyer l'invitation" in edit


def test_a_new_persons_invitation_looks_the_same_to_the_team(
    client, admin, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invite(operator, "nouvelle@example.org")
    client.force_login(admin)
    team = client.get(reverse("accounts:member_list")).content.decode()
    row = re.search(r"<tr>(?:(?!</tr>).)*Prénom Tapé.*?</tr>", team, re.S).group(0)
    assert "invitation en attente" in row


def test_a_pending_membership_gives_no_access(client, operator, other_operator, elsewhere):
    participant = ParticipantFactory(organization=operator)
    _invite(operator, elsewhere.email, role=Role.DIRECTION)
    elsewhere.current_organization = operator  # even if it was chosen before
    elsewhere.save(update_fields=["current_organization"])
    client.force_login(elsewhere)

    home = client.get(reverse("dashboard:home"))
    assert home.context["request"].organization == other_operator
    assert [m.organization for m in home.context["user_memberships"]] == [other_operator]
    assert 'name="organization"' not in home.content.decode()  # no switcher: one organization
    assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 404
    switched = client.post(reverse("accounts:organization_switch"), {"organization": operator.pk})
    assert switched.status_code == 404
    # The banner says an invitation is waiting.
    assert f"{operator.name} vous invite à rejoindre son équipe" in home.content.decode()


def test_an_invitation_alone_opens_nothing(client, operator):
    lonely = UserFactory()
    _invite(operator, lonely.email, role=Role.DIRECTION)
    client.force_login(lonely)
    for name in ("dashboard:home", "participants:list", "accounts:member_list"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url == reverse("accounts:no_organization")
    page = client.get(reverse("accounts:no_organization"))
    assert page.status_code == 403
    assert "vous invite à rejoindre son équipe" in page.content.decode()


def test_after_accepting_the_membership_works(client, admin, operator, other_operator, elsewhere):
    participant = ParticipantFactory(organization=operator)
    membership = _invite(operator, elsewhere.email, role=Role.DIRECTION)
    client.force_login(elsewhere)
    invitations = client.get(reverse("accounts:invitation_list")).content.decode()
    assert operator.name in invitations and "Direction" in invitations

    response = client.post(reverse("accounts:invitation_accept", args=[membership.pk]))
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.is_pending
    # Direction now: a second factor before anything else (enrolled, then the team opens).
    page = client.get(reverse("participants:detail", args=[participant.pk]))
    assert page.url.startswith(reverse("accounts:two_factor_setup"))
    verify_session_of(client, elsewhere)
    switched = client.post(reverse("accounts:organization_switch"), {"organization": operator.pk})
    assert switched.url == reverse("dashboard:home")
    assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 200
    # The team now sees the person as they are.
    client.force_login(admin)
    team = client.get(reverse("accounts:member_list")).content.decode()
    assert "Véritable Zwanepoel" in team and "Prénom Tapé" not in team


def test_declining_withdraws_the_invitation(client, admin, operator, elsewhere):
    membership = _invite(operator, elsewhere.email)
    client.force_login(elsewhere)
    client.post(reverse("accounts:invitation_decline", args=[membership.pk]))
    assert not Membership.objects.filter(pk=membership.pk).exists()
    client.force_login(admin)
    assert "Prénom Tapé" not in client.get(reverse("accounts:member_list")).content.decode()


def test_nobody_answers_someone_elses_invitation(client, operator, elsewhere, counsellor):
    membership = _invite(operator, elsewhere.email)
    client.force_login(counsellor)
    for name in ("accounts:invitation_accept", "accounts:invitation_decline"):
        assert client.post(reverse(name, args=[membership.pk])).status_code == 404
    assert (
        client.get(reverse("accounts:invitation_accept", args=[membership.pk])).status_code == 405
    )
    membership.refresh_from_db()
    assert membership.is_pending


def test_a_new_account_accepts_by_choosing_its_password(
    client, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        membership = _invite(operator, "nora@example.org", role=Role.COUNSELLOR)
    link = re.search(r"/mot-de-passe/nouveau/\S+/", mail.outbox[0].body).group(0)
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "une-phrase-assez-longue", "new_password2": "une-phrase-assez-longue"},
    )
    membership.refresh_from_db()
    assert not membership.is_pending
    logged_in = client.post(
        reverse("accounts:login"),
        {"username": "nora@example.org", "password": "une-phrase-assez-longue"},
    )
    assert logged_in.status_code == 302
    assert client.get(reverse("dashboard:home")).context["request"].organization == operator


def test_a_forgotten_password_does_not_accept_an_invitation(client, operator, elsewhere):
    membership = _invite(operator, elsewhere.email)
    client.post(reverse("accounts:password_reset"), {"email": elsewhere.email})
    link = re.search(r"/mot-de-passe/nouveau/\S+/", mail.outbox[-1].body).group(0)
    page = client.get(link, follow=True)
    client.post(
        page.redirect_chain[-1][0],
        {"new_password1": "une-autre-phrase-longue", "new_password2": "une-autre-phrase-longue"},
    )
    elsewhere.refresh_from_db()
    assert elsewhere.check_password("une-autre-phrase-longue")
    membership.refresh_from_db()
    assert membership.is_pending


def test_a_pending_member_is_not_offered_as_counsellor(client, director, operator, elsewhere):
    _invite(operator, elsewhere.email, role=Role.COUNSELLOR)
    client.force_login(director)
    form = client.get(reverse("participants:create")).context["form"]
    assert elsewhere not in form.fields["counsellor"].queryset


def test_invitations_not_taken_up_before_the_upgrade_are_pending(operator, other_operator):
    migration = importlib.import_module("accounts.migrations.0004_membership_acceptance")
    waiting = User.objects.create_user(email="w@example.org", first_name="Wa", last_name="It")
    twice = User.objects.create_user(email="t@example.org", first_name="Two", last_name="Ce")
    active = UserFactory()
    for user in (waiting, twice, active):
        MembershipFactory(user=user, organization=operator)
    MembershipFactory(user=twice, organization=other_operator)

    migration.invitations_not_taken_up_are_pending(apps, None)

    by_user = {m.user_id: m for m in Membership.objects.filter(organization=operator)}
    assert by_user[waiting.pk].is_pending and by_user[waiting.pk].display_name == "Wa It"
    assert by_user[twice.pk].is_pending and by_user[twice.pk].display_name == "t@example.org"
    assert not by_user[active.pk].is_pending
