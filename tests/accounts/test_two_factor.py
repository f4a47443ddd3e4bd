"""The second factor at log-in (issue 17, DESIGN §6): who needs one, enrolment with a QR code,
codes of the app and backup codes, django-axes on the second step, an administrator's reset —
and no address of the app reachable with the password alone."""

import re

import pytest
from django.contrib import admin as admin_site
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, TwoFactorEvent
from accounts.selectors import failed_login_count
from accounts.two_factor import two_factor_required
from tests.factories import MembershipFactory, ParticipantFactory, UserFactory
from tests.two_factor import current_code, unused_code, verify_session_of
from tests.walk import PATTERNS

PASSWORD = "correct horse battery"
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")


def _password_only(client, user):
    """The first step done, the second not: what a stolen password gives."""
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": PASSWORD}
    )
    assert response.status_code == 302, response.content[:300]
    assert DEVICE_ID_SESSION_KEY not in client.session
    return response


def _enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def _memberships(user):
    return list(user.memberships.active().select_related("organization"))


@pytest.mark.parametrize(
    ("role", "required"),
    [
        (Role.ADMIN, True),
        (Role.DIRECTION, True),
        (Role.COUNSELLOR, False),
        (Role.COORDINATOR, False),
        (Role.PARTNER, False),
    ],
)
def test_administration_and_direction_always_need_a_second_factor(operator, role, required):
    user = MembershipFactory(organization=operator, role=role).user
    assert two_factor_required(user=user, memberships=_memberships(user)) is required


def test_an_organization_may_ask_it_of_every_role(client, operator, coordinator):
    assert not two_factor_required(user=coordinator, memberships=_memberships(coordinator))
    operator.two_factor_for_all = True
    operator.save()
    assert two_factor_required(user=coordinator, memberships=_memberships(coordinator))
    _password_only(client, coordinator)
    response = client.get(reverse("chantiers:today"))
    assert response.url == f"{SETUP}?next=%2Faujourd-hui%2F" or response.url.startswith(SETUP)


def test_the_setting_is_on_the_organization_page(client, admin, operator):
    client.force_login(admin)
    page = client.get(reverse("accounts:organization_settings"))
    assert "Double authentification pour toute l&#x27;équipe" in page.text or (
        "double authentification pour toute" in page.text.lower()
    )
    data = {
        "name": operator.name,
        "email": "",
        "retention_years": "5",
        "two_factor_for_all": "on",
    }
    response = client.post(reverse("accounts:organization_settings"), data)
    assert response.status_code == 302
    operator.refresh_from_db()
    assert operator.two_factor_for_all


def test_a_staff_account_needs_one_and_an_invitation_not_accepted_asks_nothing(operator):
    staff = UserFactory(is_staff=True)
    assert two_factor_required(user=staff, memberships=[])
    invited = MembershipFactory(organization=operator, role=Role.DIRECTION, accepted_at=None).user
    assert not two_factor_required(user=invited, memberships=_memberships(invited))


def test_a_counsellor_logs_in_with_the_password_only(client, counsellor):
    _password_only(client, counsellor)
    assert client.get(reverse("dashboard:home")).status_code == 200


def test_no_address_opens_with_the_password_alone(client, world, director):
    """Every address of the app (the walk of tests/walk.py), asked and posted to by a direction
    account whose second step is not done, leads to the second step — nothing else answers,
    but the log-in's own pages. The admin site too."""
    _enrolled(director)
    _password_only(client, director)
    open_pages = {
        "accounts:login",
        "accounts:logout",
        "accounts:language_set",
        "accounts:two_factor_verify",
        "accounts:two_factor_setup",
        "accounts:backup_codes_renew",
        "dashboard:favicon",  # a redirect to the static icon
        # The installable app's files: nothing personal, fetched before anyone logs in.
        *("dashboard:manifest", "dashboard:service_worker", "dashboard:offline"),
        # Outside the log-in: the signed link a partner answers without an account.
        "partners:link_answer",
        # The volunteer's signed sign-in link: it opens a volunteer-only account, never one
        # that needs a second factor (tests/volunteers/test_signin_link.py).
        "accounts:signin_link",
    }
    walked = 0
    for name, _pattern in PATTERNS.items():
        if name in open_pages:
            continue
        url = reverse(name, kwargs=world["paths"].get(name))
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, f"{method} {url}: {response.status_code}"
            assert response.url.startswith(f"{VERIFY}?next="), f"{method} {url}: {response.url}"
            walked += 1
    assert walked > 150
    for url in ("/admin/", "/admin/accounts/user/", "/admin/participants/programme/"):
        assert client.get(url).url.startswith(VERIFY)
    # An htmx request is told where to go rather than swapping the code page into a fragment.
    htmx = client.get(reverse("participants:list"), headers={"HX-Request": "true"})
    assert htmx.status_code == 204 and htmx["HX-Redirect"].startswith(VERIFY)


def test_enrolment_scan_a_wrong_code_then_the_right_one(client, director):
    _password_only(client, director)
    first = client.get(reverse("participants:list"))
    assert first.url == f"{SETUP}?next=%2Fparticipants%2F"
    page = client.get(first.url)
    assert "<svg" in page.text and "Activer la double authentification" in page.text
    assert 'data-testid="main-nav"' not in page.text  # no menu leads anywhere yet
    device = TOTPDevice.objects.get(user=director)
    assert not device.confirmed
    key = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', page.text).group(1)
    assert client.get(first.url).text.count(key) == 1  # the same key on a reload

    wrong = client.post(SETUP, {"code": "000000", "next": "/participants/"})
    assert wrong.status_code == 200
    assert "Ce code ne correspond pas" in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    device.refresh_from_db()
    assert not device.confirmed and key in wrong.text

    device.throttle_reset()
    done = client.post(SETUP, {"code": current_code(device), "next": "/participants/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.text)
    assert len(codes) == 10
    assert 'href="/participants/"' in done.text
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=director).count() == 10
    assert TwoFactorEvent.objects.get(user=director).kind == TwoFactorEvent.Kind.ENROLLED
    assert client.get(reverse("participants:list")).status_code == 200


def test_the_second_step_with_the_app_a_code_used_once(client, director):
    device = _enrolled(director)
    _password_only(client, director)
    code = current_code(device)
    assert 'data-testid="main-nav"' not in client.get(VERIFY).text
    response = client.post(VERIFY, {"code": code, "next": "/participants/"})
    assert response.url == "/participants/"
    assert client.get("/participants/").status_code == 200
    client.logout()
    _password_only(client, director)
    again = client.post(VERIFY, {"code": code})
    assert again.status_code == 200 and "Ce code n&#x27;est pas valable" in again.text


def test_a_backup_code_works_once_and_is_logged(client, director):
    device = _enrolled(director)
    backup = StaticDevice.objects.create(user=director, name="secours")
    backup.token_set.create(token="abcd2345")
    backup.token_set.create(token="efgh6723")
    _password_only(client, director)
    response = client.post(VERIFY, {"code": "ABCD 2345"}, follow=True)
    assert response.redirect_chain[0][0] == reverse("dashboard:home")
    assert "il vous en reste 1" in response.text
    assert TwoFactorEvent.objects.get(user=director).kind == TwoFactorEvent.Kind.BACKUP_USED
    client.logout()
    _password_only(client, director)
    assert client.post(VERIFY, {"code": "abcd2345"}).status_code == 200  # used up
    assert device.user == director


def test_an_outside_next_is_not_followed(client, director):
    device = _enrolled(director)
    _password_only(client, director)
    response = client.post(VERIFY, {"code": current_code(device), "next": "https://evil.example/"})
    assert response.url == reverse("dashboard:home")


def test_axes_locks_the_second_step_as_the_first(client, director, settings):
    """Five wrong codes lock the code step from this address as five wrong passwords lock the
    password: the half-open session is closed, and no code is taken for the cool-off."""
    device = _enrolled(director)
    _password_only(client, director)
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert client.post(VERIFY, {"code": "123456"}).status_code == 200
    locked = client.post(VERIFY, {"code": "123456"})
    assert locked.status_code == 429
    assert failed_login_count(organization=director.memberships.get().organization) == 5
    assert "Trop de tentatives" in locked.text
    assert "_auth_user_id" not in client.session
    # The password step opens again, the code step stays locked for the cool-off, even to the
    # right code.
    _password_only(client, director)
    device.throttle_reset()
    assert client.post(VERIFY, {"code": unused_code(device)}).status_code == 429


def test_an_administrator_resets_a_lost_phone_and_it_is_logged(client, admin, director, operator):
    _enrolled(director)
    victim = client.__class__()
    victim.force_login(director)  # a session verified with the old phone
    assert victim.get(reverse("participants:list")).status_code == 200

    client.force_login(admin)
    page = client.get(reverse("accounts:member_edit", args=[_membership(director).pk]))
    assert "Réinitialiser la double authentification" in page.text
    response = client.post(
        reverse("accounts:member_two_factor_reset", args=[_membership(director).pk])
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=director).exists()
    event = TwoFactorEvent.objects.get(user=director)
    assert event.kind == TwoFactorEvent.Kind.RESET
    assert (event.by, event.organization) == (admin, operator)
    shown = client.get(reverse("accounts:member_edit", args=[_membership(director).pk])).text
    assert "double authentification réinitialisée" in shown
    # The open session ended with the phone: the password first, then a new phone.
    assert victim.get(reverse("participants:list")).url.startswith(reverse("accounts:login"))


def test_a_reset_is_for_an_administrator_of_the_persons_organization(
    client, admin, director, outsider
):
    _enrolled(admin)
    _enrolled(director)
    url = reverse("accounts:member_two_factor_reset", args=[_membership(director).pk])
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    client.force_login(director)
    assert client.post(url).status_code == 403
    client.force_login(admin)
    own = reverse("accounts:member_two_factor_reset", args=[_membership(admin).pk])
    client.post(own)
    assert TOTPDevice.objects.filter(user=admin).exists()
    assert TOTPDevice.objects.filter(user=director).exists()
    assert not TwoFactorEvent.objects.exists()


def test_new_backup_codes_replace_the_old_ones(client, director):
    client.force_login(director)
    StaticDevice.objects.create(user=director, name="secours").token_set.create(token="oldcode2")
    page = client.get(SETUP)
    assert "Il vous reste 1 code de secours." in page.text
    renewed = client.post(reverse("accounts:backup_codes_renew"))
    assert len(re.findall(r"<li><code>([a-z2-7]{8})</code></li>", renewed.text)) == 10
    assert not StaticToken.objects.filter(token="oldcode2").exists()
    assert TwoFactorEvent.objects.get(user=director).kind == TwoFactorEvent.Kind.BACKUP_RENEWED


def test_the_devices_are_not_in_the_admin_site():
    assert TOTPDevice not in admin_site.site._registry
    assert StaticDevice not in admin_site.site._registry


def test_a_participant_page_needs_the_second_step_even_with_a_known_id(client, director, operator):
    participant = ParticipantFactory(organization=operator)
    _enrolled(director)
    _password_only(client, director)
    response = client.get(reverse("participants:detail", args=[participant.pk]))
    assert response.url.startswith(VERIFY)
    verify_session_of(client, director)
    assert client.get(reverse("participants:detail", args=[participant.pk])).status_code == 200


def test_the_demo_code_command_prints_the_demo_accounts_code_only(operator, capsys):
    from demo.accounts import DEMO_TOTP_KEY

    director = MembershipFactory(organization=operator, role=Role.DIRECTION).user
    device = TOTPDevice.objects.create(
        user=director, name="démo", key=DEMO_TOTP_KEY.hex(), confirmed=True
    )
    call_command("demo_code", director.email)
    assert capsys.readouterr().out.strip() in {current_code(device), unused_code(device)}
    other = _enrolled(MembershipFactory(organization=operator, role=Role.ADMIN).user)
    with pytest.raises(CommandError):
        call_command("demo_code", other.user.email)


def _membership(user):
    return user.memberships.get()


def test_a_next_that_is_no_path_of_the_site_goes_home(client, director):
    device = _enrolled(director)
    _password_only(client, director)
    for wanted in ("9999999999999999999", "dashboard:home", "//evil.example/x"):
        client.logout()
        _password_only(client, director)
        response = client.post(VERIFY, {"code": unused_code(device), "next": wanted})
        assert response.url == reverse("dashboard:home"), wanted


def test_a_right_password_does_not_reset_the_codes_counter(client, director, settings):
    """From the review: with the password known, four wrong codes, the password again, four
    more… The code step counts on its own: the fifth wrong code locks it, and even the right
    code is then refused, however often the password is typed."""
    device = _enrolled(director)
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.logout()
        _password_only(client, director)  # the password step still opens
        response = client.post(VERIFY, {"code": "123456"})
    assert response.status_code == 429
    _password_only(client, director)
    device.throttle_reset()
    assert client.post(VERIFY, {"code": unused_code(device)}).status_code == 429


def test_a_reset_ends_the_persons_sessions_and_never_reaches_an_invitation(
    client, admin, director, operator, other_operator
):
    """From the review: after a reset an open session could enrol the finder's phone without
    the password; and inviting someone of another organization gave a handle on their
    account's second factor."""
    _enrolled(director)
    victim = client.__class__()
    victim.force_login(director)
    client.force_login(admin)
    client.post(reverse("accounts:member_two_factor_reset", args=[_membership(director).pk]))
    assert victim.get(reverse("participants:list")).url.startswith(reverse("accounts:login"))

    elsewhere = MembershipFactory(organization=other_operator, role=Role.DIRECTION).user
    _enrolled(elsewhere)
    invited = MembershipFactory(organization=operator, user=elsewhere, accepted_at=None)
    url = reverse("accounts:member_two_factor_reset", args=[invited.pk])
    assert client.post(url).status_code == 404
    assert TOTPDevice.objects.filter(user=elsewhere).exists()


def test_a_key_shown_to_another_session_is_never_the_one_enrolled(client, director):
    """From the review: someone with the password alone opened the enrolment page first and
    kept the key the person would scan later."""
    stranger = client.__class__()
    _password_only(stranger, director)
    seen = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', stranger.get(SETUP).text).group(1)
    _password_only(client, director)
    shown = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', client.get(SETUP).text).group(1)
    assert shown != seen
    assert TOTPDevice.objects.filter(user=director).count() == 1
    assert client.get(SETUP).text.count(shown) == 1  # the person's own reload keeps theirs
