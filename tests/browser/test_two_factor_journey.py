"""A director's first log-in on a phone, once the second factor is required: the password, the
enrolment page (a QR code and the key to type), a wrong code, the right one, the backup codes
shown once; then a log-in with a backup code (the phone left at home). Every state checked by
axe at 360 and 1280 px, no sideways scroll at 320 and 360 px."""

from base64 import b32decode

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import Role, TwoFactorEvent
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.factories import MembershipFactory, OrganizationFactory
from tests.two_factor import unused_code

PASSWORD = "correct horse battery"


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state)


def _password(page, live_server, email):
    page.goto(f"{live_server.url}/participants/")
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_director_enrols_on_a_phone_then_logs_in_with_a_backup_code(
    phone, live_server, transactional_db
):
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    director = MembershipFactory(organization=operator, role=Role.DIRECTION).user

    _password(phone, live_server, director.email)
    phone.wait_for_url("**/connexion/double-authentification/?next=%2Fparticipants%2F")
    expect(phone.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    expect(
        phone.get_by_role("img", name="Code QR à scanner avec l'application d'authentification")
    ).to_be_visible()
    _check(phone, "enrolment")
    typed_key = phone.get_by_test_id("totp-key").inner_text().replace(" ", "")
    key = b32decode(typed_key + "=" * (-len(typed_key) % 8))
    assert key == TOTPDevice.objects.get(user=director).bin_key  # what an app would scan

    code = phone.get_by_label("Code affiché par l'application")
    code.fill("000000")
    phone.get_by_role("button", name="Activer").click()
    expect(phone.get_by_text("Ce code ne correspond pas.").first).to_be_visible()
    expect(phone.get_by_label("Code affiché par l'application")).to_have_attribute(
        "aria-invalid", "true"
    )
    _check(phone, "enrolment, a wrong code")

    TOTPDevice.objects.filter(user=director).update(throttling_failure_count=0)
    phone.get_by_label("Code affiché par l'application").fill(f"{totp(key):06d}")
    phone.get_by_role("button", name="Activer").click()
    expect(phone.get_by_text("La double authentification est activée.")).to_be_visible()
    codes = phone.get_by_test_id("backup-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    _check(phone, "backup codes shown once")
    phone.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    phone.wait_for_url(f"{live_server.url}/participants/")
    assert TwoFactorEvent.objects.get(user=director).kind == TwoFactorEvent.Kind.ENROLLED

    # Another day, the phone left at home: a backup code.
    phone.context.clear_cookies()
    _password(phone, live_server, director.email)
    phone.wait_for_url("**/connexion/code/?next=%2Fparticipants%2F")
    _check(phone, "second step of log-in")
    phone.get_by_text("Téléphone perdu ou changé ?").click()
    _check(phone, "second step, lost phone explained")
    phone.get_by_label("Code de l'application, ou un code de secours").fill(codes[0])
    phone.get_by_role("button", name="Continuer").click()
    phone.wait_for_url(f"{live_server.url}/participants/")
    expect(phone.get_by_text("Code de secours utilisé : il vous en reste 9.")).to_be_visible()
    _check(phone, "logged in with a backup code")

    # The account's page: the codes left, new ones on request.
    phone.goto(f"{live_server.url}/connexion/double-authentification/")
    expect(phone.get_by_text("Il vous reste 9 codes de secours.")).to_be_visible()
    _check(phone, "the account's second factor")

    # New backup codes, shown once; the old ones no longer work.
    phone.get_by_role("button", name="Créer de nouveaux codes de secours").click()
    expect(phone.get_by_role("link", name="J'ai noté mes codes, continuer")).to_be_visible()
    _check(phone, "backup codes renewed")
    assert TwoFactorEvent.objects.filter(user=director, kind="backup_renewed").exists()


def test_an_admin_resets_a_lost_phone_and_a_counsellor_needs_no_code(
    desktop, live_server, transactional_db
):
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    admin = MembershipFactory(organization=operator, role=Role.ADMIN).user
    director = MembershipFactory(organization=operator, role=Role.DIRECTION)
    counsellor = MembershipFactory(organization=operator, role=Role.COUNSELLOR).user
    TOTPDevice.objects.create(user=director.user, name="phone", confirmed=True)
    admin_device = TOTPDevice.objects.create(user=admin, name="phone", confirmed=True)

    _password(desktop, live_server, admin.email)
    desktop.wait_for_url("**/connexion/code/**")
    desktop.get_by_label("Code de l'application, ou un code de secours").fill(
        unused_code(admin_device)
    )
    desktop.get_by_role("button", name="Continuer").click()
    desktop.goto(f"{live_server.url}/organisation/equipe/{director.pk}/")
    desktop.get_by_role("button", name="Réinitialiser la double authentification").click()
    expect(desktop.get_by_role("alert").or_(desktop.get_by_role("status")).first).to_be_visible()
    _check(desktop, "member page after a reset")
    assert not TOTPDevice.objects.filter(user=director.user).exists()
    assert TwoFactorEvent.objects.filter(user=director.user, kind="reset", by=admin).exists()

    desktop.context.clear_cookies()
    _password(desktop, live_server, counsellor.email)
    desktop.wait_for_url("**/participants/")
    desktop.goto(f"{live_server.url}/connexion/double-authentification/")
    expect(desktop.get_by_text("Votre rôle ne demande pas de code")).to_be_visible()
    _check(desktop, "second factor page of a role that needs none")
