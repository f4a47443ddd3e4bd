"""A sign-in link for a volunteer without e-mail habits (issue 21): given from the volunteer's
page by a coordinator or the direction, shown once; an account made for it that no mail can
reach and no password opens; refused (nothing created) when the organisation asks a second factor
of everyone, when the account is more than a volunteer's, when the volunteering ended or the
access was closed; used once (GET spends nothing, POST signs in), expired after a week, revoked
by a newer link and by the end of the volunteering; never in a log, never cached."""

import datetime as dt
import html
import logging
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from axes.models import AccessLog as LoginLog
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import signin_links
from accounts.models import Membership, Role, SignInLink, User
from accounts.services import membership_update, memberships_send_due_invitations
from chantiers.models import ServiceSheet
from participants import services as participant_services
from tests.factories import MembershipFactory, ParticipantFactory
from volunteers import services as volunteer_services
from volunteers.models import Volunteer

LINK = reverse("accounts:signin_link")
MINE = reverse("volunteers:mine")
UNUSABLE = "Ce lien n'est plus valable : demandez-en un nouveau à votre coordinateur·rice."


def _relay(organization, *, first_name="Josiane", user=None) -> Volunteer:
    person = ParticipantFactory(organization=organization, first_name=first_name, email="")
    participant_services.income_source_change(
        participant=person, kind="none", starts_on=dt.date(2024, 1, 1)
    )
    return Volunteer.objects.create(
        participant=person,
        organization=organization,
        since=dt.date(2025, 1, 6),
        activity="Relais de quartier",
        user=user,
    )


@pytest.fixture
def relay(operator):
    """A volunteer without a log-in."""
    return _relay(operator)


def _give(volunteer, by) -> str:
    token, _expires = volunteer_services.volunteer_signin_link_give(volunteer=volunteer, by=by)
    return token


def _token_of(response) -> str:
    """The token of the link the staff page shows."""
    page = response.content.decode()
    start = page.index('data-testid="signin-link">') + len('data-testid="signin-link">')
    url = page[start : page.index("<", start)].replace("&amp;", "&")
    return parse_qs(urlsplit(url).query)["t"][0]


def _detail(volunteer) -> str:
    return reverse("volunteers:detail", args=[volunteer.pk])


def _give_url(volunteer) -> str:
    return reverse("volunteers:signin_link", args=[volunteer.pk])


# The account made for the link ------------------------------------------------------------


def test_a_volunteer_without_log_in_is_given_an_account_no_mail_reaches(relay, coordinator):
    token = _give(relay, coordinator)

    relay.refresh_from_db()
    user = relay.user
    assert user.email == f"benevole-{relay.organization_id}-{relay.pk}@sans-adresse.invalid"
    assert not user.has_mail_address
    assert not user.has_usable_password()
    assert (user.first_name, user.is_staff, user.is_superuser) == ("Josiane", False, False)
    membership = Membership.objects.get(user=user)
    # Given face to face: open at once, and no invitation is owed to anyone.
    assert membership.role == Role.VOLUNTEER
    assert membership.accepted_at is not None and membership.invitation_sent_at is not None
    assert Membership.objects.active().filter(pk=membership.pk).exists()
    link = SignInLink.objects.get()
    assert (link.user, link.organization, link.created_by) == (
        user,
        relay.organization,
        coordinator,
    )
    assert link.expires_at - link.created_at == dt.timedelta(days=7)
    # Only a digest is kept: neither the token nor its nonce is in the row.
    nonce = signing.loads(token, salt=signin_links.SALT)["n"]
    assert len(nonce) >= 32 and nonce not in link.digest and token not in link.digest
    assert mail.outbox == []


def test_no_mail_ever_leaves_for_the_made_up_address(relay, coordinator, client):
    _give(relay, coordinator)
    relay.refresh_from_db()
    Membership.objects.filter(user=relay.user).update(
        created_at=timezone.now() - dt.timedelta(hours=1)
    )
    assert memberships_send_due_invitations() == 0
    assert mail.outbox == []


def test_the_account_made_for_a_link_cannot_log_in_with_a_password(relay, coordinator, client):
    _give(relay, coordinator)
    relay.refresh_from_db()
    for password in ("", "demo", "!"):
        response = client.post(
            reverse("accounts:login"), {"username": relay.user.email, "password": password}
        )
        assert response.status_code == 200 and SESSION_KEY not in client.session


def test_a_volunteer_invited_who_has_no_password_yet_is_given_a_link_to_the_same_account(
    operator, coordinator, volunteer_user
):
    volunteer_user.set_unusable_password()
    volunteer_user.save(update_fields=["password"])
    volunteer = _relay(operator, user=volunteer_user)
    _give(volunteer, coordinator)
    assert User.objects.filter(email__endswith=".invalid").count() == 0
    assert SignInLink.objects.get().user == volunteer_user


def test_refused_for_a_volunteer_who_signs_in_with_a_password(
    client, operator, coordinator, volunteer_user
):
    """Someone of the team would otherwise open the link and act in the person's name."""
    volunteer = _relay(operator, user=volunteer_user)
    _refused(volunteer, coordinator, "son adresse e-mail et son mot de passe : pas de lien")
    client.force_login(coordinator)
    assert "Donner un lien de connexion" not in client.get(_detail(volunteer)).content.decode()


# Refused, nothing created --------------------------------------------------------------------


def _refused(volunteer, by, message):
    users, memberships = User.objects.count(), Membership.objects.count()
    with pytest.raises(ValidationError) as refused:
        _give(volunteer, by)
    assert message in " ".join(refused.value.messages)
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    assert not SignInLink.objects.exists()


def test_refused_when_the_organisation_asks_a_second_factor_of_everyone(relay, coordinator):
    relay.organization.two_factor_for_all = True
    relay.organization.save()
    _refused(relay, coordinator, "demande la double authentification à chaque personne")
    relay.refresh_from_db()
    assert relay.user is None


@pytest.mark.parametrize(
    "account",
    ["staff_role_here", "staff_role_closed", "staff_role_elsewhere", "is_staff", "is_superuser"],
)
def test_refused_for_an_account_that_is_more_than_a_volunteers(
    operator, other_operator, coordinator, account
):
    membership = MembershipFactory(organization=operator, role=Role.VOLUNTEER)
    user = membership.user
    if account == "staff_role_here":
        membership.role = Role.COUNSELLOR
        membership.save()
    elif account == "staff_role_closed":
        MembershipFactory(user=user, organization=other_operator, role="coordinator", is_active=0)
    elif account == "staff_role_elsewhere":
        MembershipFactory(user=user, organization=other_operator, role=Role.COORDINATOR)
    else:
        setattr(user, account, True)
        user.save()
    volunteer = _relay(operator, user=user)
    with pytest.raises(ValidationError):
        _give(volunteer, coordinator)
    assert not SignInLink.objects.exists()


def test_refused_for_a_volunteer_of_another_organisation_too(operator, other_operator, coordinator):
    user = MembershipFactory(organization=operator, role=Role.VOLUNTEER).user
    MembershipFactory(user=user, organization=other_operator, role=Role.VOLUNTEER)
    _refused(_relay(operator, user=user), coordinator, "accès à une autre organisation")


def test_refused_for_an_account_with_a_second_factor(operator, coordinator):
    user = MembershipFactory(organization=operator, role=Role.VOLUNTEER).user
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    _refused(_relay(operator, user=user), coordinator, "double authentification")


def test_refused_when_the_volunteering_has_ended(relay, coordinator):
    relay.ended_on = dt.date(2025, 12, 31)
    relay.save()
    _refused(relay, coordinator, "Ce bénévolat est terminé")
    assert User.objects.filter(email__endswith=".invalid").count() == 0


def test_refused_when_the_access_was_closed(operator, coordinator, volunteer_user):
    Membership.objects.filter(user=volunteer_user).update(is_active=False)
    _refused(_relay(operator, user=volunteer_user), coordinator, "est fermé")


# Using it --------------------------------------------------------------------------------------


def test_opening_the_link_spends_nothing_and_names_the_person(client, relay, coordinator):
    token = _give(relay, coordinator)
    for _preview in range(3):  # a messaging app's preview, then the person, twice
        response = client.get(LINK, {"t": token})
        assert response.status_code == 200
    page = response.content.decode()
    assert "Se connecter comme Josiane" in page
    assert SignInLink.objects.get().used_at is None
    assert SESSION_KEY not in client.session
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "strict-origin"


def test_pressing_the_button_signs_in_once_and_lands_on_the_sheets(client, relay, coordinator):
    token = _give(relay, coordinator)
    client.get(LINK, {"t": token})
    before = client.session.session_key

    response = client.post(LINK, {"t": token})

    relay.refresh_from_db()
    assert response.status_code == 302 and response.url == MINE
    assert response["Referrer-Policy"] == "strict-origin"
    assert int(client.session[SESSION_KEY]) == relay.user.pk
    assert client.session.session_key != before  # a new session
    assert SignInLink.objects.get().used_at is not None
    # Recorded as every log-in is (django-axes), the path without the token.
    login = LoginLog.objects.get()
    assert login.username == relay.user.email and token not in login.path_info
    assert client.get(MINE).status_code == 200

    client.logout()
    again = client.post(LINK, {"t": token})
    assert again.status_code == 400 and UNUSABLE in html.unescape(again.content.decode())
    assert SESSION_KEY not in client.session


def test_a_link_given_while_an_invitation_waits_answers_it(client, operator, coordinator):
    membership = MembershipFactory(organization=operator, role=Role.VOLUNTEER, accepted_at=None)
    membership.user.set_unusable_password()  # as membership_invite leaves it
    membership.user.save(update_fields=["password"])
    volunteer = _relay(operator, user=membership.user)
    token = _give(volunteer, coordinator)
    assert client.get(MINE).status_code == 302  # the waiting invitation gives no access
    client.post(LINK, {"t": token})
    membership.refresh_from_db()
    assert membership.accepted_at is not None
    assert client.get(MINE).status_code == 200


def test_a_volunteer_signed_in_sees_their_sheets_only(client, operator, relay, coordinator):
    token = _give(relay, coordinator)
    relay.refresh_from_db()
    other = _relay(
        operator,
        first_name="Autre",
        user=MembershipFactory(organization=operator, role=Role.VOLUNTEER).user,
    )
    for volunteer, activity in ((relay, "Visite de Josiane"), (other, "Le secret de l'autre")):
        ServiceSheet.objects.create(
            participant=volunteer.participant,
            organization=operator,
            date=timezone.localdate(),
            hours=2,
            activity=activity,
            entered_by=volunteer.user,
        )
    page = client.get(client.post(LINK, {"t": token}).url).content.decode()
    assert "Visite de Josiane" in page
    assert "Le secret" not in page
    # Without a password, there is none to change: the menu does not offer it.
    assert reverse("accounts:password_change") not in page


def _expect_unusable(client, token):
    for response in (client.get(LINK, {"t": token}), client.post(LINK, {"t": token})):
        assert response.status_code == 400
        assert UNUSABLE in html.unescape(response.content.decode())
        assert "no-store" in response["Cache-Control"]
    assert SESSION_KEY not in client.session


def test_a_link_expires_after_a_week(client, relay, coordinator, monkeypatch):
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() - 7 * 24 * 3600 - 60)
    token = _give(relay, coordinator)  # signed a week and a minute ago
    monkeypatch.setattr(time, "time", real_time)
    _expect_unusable(client, token)


def test_a_link_past_its_date_in_the_database_is_refused_too(client, relay, coordinator):
    token = _give(relay, coordinator)
    SignInLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    _expect_unusable(client, token)


def test_a_newer_link_revokes_the_older_one(client, relay, coordinator, director):
    first = _give(relay, coordinator)
    second = _give(relay, director)
    _expect_unusable(client, first)
    assert client.post(LINK, {"t": second}).status_code == 302


def test_ending_the_volunteering_revokes_the_link(client, relay, coordinator):
    token = _give(relay, coordinator)
    volunteer_services.volunteer_end(volunteer=relay, ended_on=timezone.localdate(), by=coordinator)
    assert SignInLink.objects.get().revoked_at is not None
    _expect_unusable(client, token)


def test_closing_the_access_on_the_team_page_voids_the_link(client, relay, coordinator):
    token = _give(relay, coordinator)
    relay.refresh_from_db()
    membership_update(
        membership=Membership.objects.get(user=relay.user),
        role=Role.VOLUNTEER,
        is_active=False,
        can_read_restricted_notes=False,
    )
    _expect_unusable(client, token)


def test_a_second_factor_asked_of_everyone_later_voids_the_link(client, relay, coordinator):
    token = _give(relay, coordinator)
    relay.organization.two_factor_for_all = True
    relay.organization.save()
    _expect_unusable(client, token)


@pytest.mark.parametrize("tamper", ["flip", "empty", "garbage", "unknown", "other_salt", "none"])
def test_a_tampered_or_unknown_link_answers_the_same_page(client, relay, coordinator, tamper):
    token = _give(relay, coordinator)
    token = {
        "flip": token[:-1] + ("A" if token[-1] != "A" else "B"),
        "empty": "",
        "garbage": "abc:def",
        "unknown": signing.dumps({"n": "x" * 32}, salt=signin_links.SALT),
        "other_salt": signing.dumps({"n": "x" * 32}, salt="partners.link"),
        "none": signing.dumps(["n"], salt=signin_links.SALT),
    }[tamper]
    _expect_unusable(client, token)
    assert SignInLink.objects.get().used_at is None


def test_the_token_is_in_no_log_line(client, relay, coordinator, caplog):
    token = _give(relay, coordinator)
    nonce = signing.loads(token, salt=signin_links.SALT)["n"]
    with caplog.at_level(logging.DEBUG):
        client.get(LINK, {"t": token})
        client.post(LINK, {"t": token})
        client.post(LINK, {"t": token})  # refused: logged by Django's request log
    assert caplog.records  # the refusal was logged…
    for record in caplog.records:  # …by its path only
        assert token not in record.getMessage() and nonce not in record.getMessage()


def test_someone_signed_in_in_the_browser_is_told_and_signed_out(client, relay, coordinator):
    token = _give(relay, coordinator)
    client.force_login(coordinator)
    page = client.get(LINK, {"t": token}).content.decode()
    assert 'data-testid="other-session"' in page
    client.post(LINK, {"t": token})
    relay.refresh_from_db()
    assert int(client.session[SESSION_KEY]) == relay.user.pk


# Invited by e-mail later ---------------------------------------------------------------------


def test_an_invitation_by_e_mail_replaces_the_made_up_address(
    client, relay, coordinator, django_capture_on_commit_callbacks
):
    token = _give(relay, coordinator)
    relay.refresh_from_db()
    user = relay.user

    with django_capture_on_commit_callbacks(execute=True):
        volunteer_services.volunteer_invite(volunteer=relay, email="Josiane@Example.org")

    user.refresh_from_db()
    relay.refresh_from_db()
    assert relay.user == user and user.email == "josiane@example.org" and user.has_mail_address
    assert Membership.objects.active().filter(user=user).count() == 1  # still open meanwhile
    assert [m.to for m in mail.outbox] == [["josiane@example.org"]]
    assert "mot-de-passe/nouveau/" in mail.outbox[0].body
    _expect_unusable(client, token)  # the links given before are revoked


def test_an_invitation_to_an_address_already_taken_invites_that_account(
    relay, coordinator, other_operator
):
    _give(relay, coordinator)
    relay.refresh_from_db()
    placeholder = relay.user
    taken = MembershipFactory(organization=other_operator, role=Role.VOLUNTEER).user

    membership = volunteer_services.volunteer_invite(volunteer=relay, email=taken.email)

    relay.refresh_from_db()
    assert relay.user == taken and membership.user == taken and membership.is_pending
    assert not Membership.objects.open().filter(user=placeholder).exists()
    assert not SignInLink.objects.filter(revoked_at__isnull=True).exists()


def test_the_volunteers_page_offers_the_invitation_by_e_mail_to_a_link_only_access(
    client, relay, coordinator, django_capture_on_commit_callbacks
):
    _give(relay, coordinator)
    client.force_login(coordinator)
    page = client.get(_detail(relay)).content.decode()
    assert "Envoyer l'invitation" in page
    refused = client.post(
        reverse("volunteers:invite", args=[relay.pk]), {"email": "josiane@", "language": "fr"}
    )
    assert refused.status_code == 200  # the form comes back with the address as typed
    assert 'value="josiane@"' in refused.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("volunteers:invite", args=[relay.pk]),
            {"email": "josiane@example.org", "language": "fr"},
            follow=True,
        )

    assert response.status_code == 200
    assert [m.to for m in mail.outbox] == [["josiane@example.org"]]
    page = response.content.decode()
    assert "josiane@example.org" in page and "Envoyer l'invitation" not in page


# The staff's page: who may give a link ----------------------------------------------------


@pytest.mark.parametrize("role", ["coordinator", "director"])
def test_coordination_and_direction_give_a_link_shown_once(client, relay, role, request):
    client.force_login(request.getfixturevalue(role))
    page = client.get(_detail(relay)).content.decode()
    assert "Donner un lien de connexion" in page

    response = client.post(_give_url(relay))

    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert "Lien de connexion pour Josiane" in text
    assert "ne sert qu'une fois" in text and "Un nouveau lien annule celui-ci" in text
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "strict-origin"
    token = _token_of(response)
    assert text.count(urlencode({"t": token})) == 2  # the link, and the message to hand over
    client.logout()
    assert "Se connecter comme Josiane" in client.get(LINK, {"t": token}).content.decode()


def test_the_page_never_shows_the_made_up_address(client, relay, coordinator):
    _give(relay, coordinator)
    relay.refresh_from_db()
    client.force_login(coordinator)
    page = client.get(_detail(relay)).content.decode()
    assert "sans adresse e-mail" in page
    assert relay.user.email not in page and ".invalid" not in page


@pytest.mark.parametrize("role", ["admin", "counsellor", "partner", "volunteer_user"])
def test_other_roles_are_refused_with_403(client, relay, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.post(_give_url(relay)).status_code == 403
    assert not SignInLink.objects.exists()


def test_another_organisations_volunteer_answers_404(client, other_operator, coordinator):
    elsewhere = _relay(other_operator)
    client.force_login(coordinator)
    assert client.post(_give_url(elsewhere)).status_code == 404
    assert not SignInLink.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in_and_get_is_not_allowed(client, relay, coordinator):
    assert client.post(_give_url(relay)).status_code == 302
    client.force_login(coordinator)
    assert client.get(_give_url(relay)).status_code == 405
    assert not SignInLink.objects.exists()


def test_a_refusal_comes_back_on_the_volunteers_page(client, relay, coordinator):
    relay.ended_on = dt.date(2025, 12, 31)
    relay.save()
    client.force_login(coordinator)
    response = client.post(_give_url(relay), follow=True)
    assert "Ce bénévolat est terminé : pas de lien de connexion." in response.content.decode()
    assert not SignInLink.objects.exists()


def test_the_button_is_not_offered_when_a_second_factor_is_asked_of_everyone(
    client, relay, coordinator
):
    relay.organization.two_factor_for_all = True
    relay.organization.save()
    client.force_login(coordinator)
    assert "Donner un lien de connexion" not in client.get(_detail(relay)).content.decode()


# Queries that do not grow with the links already given ----------------------------------------


@pytest.mark.parametrize("earlier", [1, 6])
def test_giving_a_link_reads_the_same_queries_whatever_the_earlier_links(
    client, relay, coordinator, earlier, django_assert_num_queries
):
    for _ in range(earlier):
        _give(relay, coordinator)
    client.force_login(coordinator)
    # The session, the user, the memberships; the request's savepoint; the volunteer; the
    # service's savepoint, the lock with the person, organisation and account; the open access;
    # the refusals (roles, other organisations, device); the link's savepoint, the revocation,
    # the link, released; the service's released; the access log (content type cached); the
    # request's savepoint released.
    with django_assert_num_queries(18):
        response = client.post(_give_url(relay))
    assert response.status_code == 200


@pytest.mark.parametrize("earlier", [1, 6])
def test_the_link_page_reads_the_same_queries_whatever_the_earlier_links(
    client, relay, coordinator, earlier, django_assert_num_queries
):
    for _ in range(earlier):
        token = _give(relay, coordinator)
    # The savepoint; the link with its account and organisation; the refusals (roles, other
    # organisations, device); the open access; the savepoint released.
    with django_assert_num_queries(7):
        response = client.get(LINK, {"t": token})
    assert response.status_code == 200
