"""Logging in and out: the e-mail whatever its case, locking after five failures (by the real
client behind a proxy), the language, password reset, invitations of colleagues."""

import re

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse

from accounts.models import Membership, Role, User
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "correct horse battery"


def _login(client, email, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": email, "password": password})


def test_it_logs_in_with_the_email_whatever_its_case(client, counsellor):
    response = _login(client, counsellor.email.upper())
    assert response.status_code == 302
    assert response.url == reverse("dashboard:home")


def test_a_wrong_password_gets_a_french_message(client, counsellor):
    response = _login(client, counsellor.email, "wrong")
    assert response.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect" in response.text


def test_it_locks_an_account_after_five_failures(client, counsellor, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, counsellor.email, "wrong")
    response = _login(client, counsellor.email)  # even the right password is refused now
    assert response.status_code == 429
    assert "Trop de tentatives de connexion" in response.text


def test_changing_the_case_of_the_email_does_not_reset_the_count(client, counsellor, settings):
    email = counsellor.email
    variants = [email, email.upper(), email.title(), email.swapcase(), f" {email} "]
    for variant in variants[: settings.AXES_FAILURE_LIMIT]:
        _login(client, variant, "wrong")
    assert _login(client, email.capitalize()).status_code == 429


def test_behind_a_proxy_the_lock_is_keyed_to_the_real_client(client, counsellor, settings):
    settings.PROXY_COUNT = 1
    attacker = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    for n in range(settings.AXES_FAILURE_LIMIT):
        # The attacker forges the left-most address each time; the proxy's entry stays the same.
        attacker["HTTP_X_FORWARDED_FOR"] = f"6.6.6.{n}, 203.0.113.9"
        client.post(
            reverse("accounts:login"), {"username": counsellor.email, "password": "x"}, **attacker
        )
    locked = client.post(
        reverse("accounts:login"), {"username": counsellor.email, "password": PASSWORD}, **attacker
    )
    assert locked.status_code == 429
    victim = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.4"}
    response = client.post(
        reverse("accounts:login"), {"username": counsellor.email, "password": PASSWORD}, **victim
    )
    assert response.status_code == 302


def test_the_dashboard_counts_every_failed_login_of_the_team(
    client, admin, counsellor, outsider, settings
):
    for _ in range(3):
        _login(client, counsellor.email.upper(), "wrong")
    _login(client, outsider.email, "wrong")  # another organization's member: not ours
    client.force_login(admin)
    assert client.get(reverse("dashboard:home")).context["failed_logins"] == 3


def test_a_lockout_does_not_spill_over_to_colleagues_behind_the_same_address(
    client, counsellor, coordinator, settings
):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, counsellor.email, "wrong")
    assert _login(client, coordinator.email).status_code == 302


def test_the_interface_follows_the_users_language_after_login(client, operator):
    user = MembershipFactory(organization=operator, user__language="nl").user
    response = _login(client, user.email)
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "nl"


def test_french_is_the_default_whatever_the_browser_says(client, db):
    response = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.headers["Content-Language"] == "fr"
    assert "Mot de passe" in response.text


def test_choosing_a_language_is_remembered_on_the_account(client, counsellor):
    client.force_login(counsellor)
    response = client.post(reverse("accounts:language_set"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    counsellor.refresh_from_db()
    assert counsellor.language == "en"
    assert client.get(reverse("dashboard:home")).headers["Content-Language"] == "en"


def test_logout_is_a_post(client, counsellor):
    client.force_login(counsellor)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_working_link(client, counsellor):
    response = client.post(reverse("accounts:password_reset"), {"email": counsellor.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    page = client.get(link, follow=True)
    assert page.context["validlink"]
    response = client.post(
        page.redirect_chain[-1][0],
        {
            "new_password1": "une-nouvelle-phrase-longue",
            "new_password2": "une-nouvelle-phrase-longue",
        },
    )
    assert response.status_code == 302
    counsellor.refresh_from_db()
    assert counsellor.check_password("une-nouvelle-phrase-longue")


class TestInvitation:
    def test_an_admin_invites_a_new_colleague_who_gets_an_email_once_committed(
        self, client, admin, operator, django_capture_on_commit_callbacks
    ):
        client.force_login(admin)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            response = client.post(
                reverse("accounts:member_invite"),
                {
                    "email": "Nouvelle.Collegue@Example.org",
                    "first_name": "Nora",
                    "last_name": "Haddad",
                    "role": Role.COORDINATOR,
                    "language": "fr",
                },
            )
        assert response.status_code == 302
        assert len(callbacks) == 1  # the e-mail is queued on commit, not before
        user = User.objects.get(email="nouvelle.collegue@example.org")
        assert not user.has_usable_password()
        membership = Membership.objects.get(user=user, organization=operator)
        assert membership.role == Role.COORDINATOR
        assert membership.invitation_sent_at is not None
        assert len(mail.outbox) == 1
        assert "Coordination de chantier" in mail.outbox[0].body
        assert "/mot-de-passe/nouveau/" in mail.outbox[0].body

    def test_an_existing_account_is_told_it_was_added_and_the_admin_learns_nothing(
        self, client, admin, operator, outsider, django_capture_on_commit_callbacks
    ):
        # A stored name nobody else on the page has (the factory may give the admin the same).
        outsider.last_name = "Zwanepoel"
        outsider.save(update_fields=["last_name"])
        client.force_login(admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("accounts:member_invite"),
                {
                    "email": outsider.email.upper(),
                    "first_name": "Prénom",
                    "last_name": "Tapé",
                    "role": Role.DIRECTION,
                    "language": "fr",
                },
                follow=True,
            )
        # Same answer as for a new person, with the name the admin typed, not the stored one,
        # on the whole page (the team list included: tests/accounts/test_invitations.py).
        assert "Prénom Tapé est invité·e : un e-mail lui est envoyé" in response.text
        assert outsider.last_name not in response.text
        membership = Membership.objects.get(user=outsider, organization=operator)
        assert membership.role == "direction" and membership.is_pending
        assert len(mail.outbox) == 1
        assert "vous invite à rejoindre son équipe" in mail.outbox[0].body
        assert "/invitations/" in mail.outbox[0].body
        assert "/mot-de-passe/" not in mail.outbox[0].body

    def test_being_added_elsewhere_does_not_change_where_someone_lands(
        self, client, outsider, operator, other_operator
    ):
        from accounts.services import membership_invite

        operator.name = "AAA Mission"  # sorts first: it must not matter
        operator.save()
        membership_invite(
            organization=operator,
            email=outsider.email,
            first_name="x",
            last_name="y",
            role=Role.COUNSELLOR,
        )
        client.force_login(outsider)
        assert client.get(reverse("dashboard:home")).context["request"].organization == (
            other_operator
        )

    def test_an_invited_colleague_can_ask_for_a_new_link(
        self, client, admin, operator, django_capture_on_commit_callbacks
    ):
        from accounts.services import membership_invite

        with django_capture_on_commit_callbacks(execute=True):
            membership_invite(
                organization=operator,
                email="late@example.org",
                first_name="Late",
                last_name="Comer",
                role=Role.COUNSELLOR,
            )
        mail.outbox.clear()
        client.post(reverse("accounts:password_reset"), {"email": "late@example.org"})
        assert len(mail.outbox) == 1
        assert "/mot-de-passe/nouveau/" in mail.outbox[0].body

    def test_inviting_a_current_member_twice_is_refused_and_keeps_the_form(
        self, client, admin, counsellor
    ):
        client.force_login(admin)
        response = client.post(
            reverse("accounts:member_invite"),
            {
                "email": counsellor.email,
                "first_name": "Encore",
                "last_name": "Une fois",
                "role": Role.COUNSELLOR,
                "language": "fr",
            },
        )
        assert response.status_code == 200
        assert "fait déjà partie de l" in response.text
        assert 'value="Encore"' in response.text

    @pytest.mark.parametrize("language,greeting", [("nl", "Beste Lien"), ("en", "Hello Lien")])
    def test_the_invitation_speaks_the_colleagues_language(
        self, admin, operator, language, greeting, django_capture_on_commit_callbacks
    ):
        from accounts.services import membership_invite

        with django_capture_on_commit_callbacks(execute=True):
            membership_invite(
                organization=operator,
                email="lang@example.org",
                first_name="Lien",
                last_name="Peeters",
                role=Role.COUNSELLOR,
                language=language,
            )
        body = mail.outbox[0].body
        assert body.startswith(greeting)
        assert "/mot-de-passe/nouveau/" in body
        assert "Mission Locale de Test" in body


def test_an_inactive_user_cannot_log_in(client, operator):
    user = UserFactory(is_active=False)
    MembershipFactory(user=user, organization=operator)
    assert _login(client, user.email).status_code == 200
