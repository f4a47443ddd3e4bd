"""Browser tests: Playwright drives Debian's Chromium against pytest-django's live server."""

import os
import re
import shutil

import pytest

from tests.browser.a11y import assert_accessible
from tests.two_factor import unused_code

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
# itself (building data) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: make test installs Debian's (chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session", autouse=True)
def _cut_off_requests_closed(django_db_setup, django_db_blocker):
    """A request the browser gave up on (a page left while it was fetching, as today's page
    keeps the week's grids) can leave its live-server thread's connection open after the run;
    they are closed here, before the test database is dropped."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    # A fresh connection: a test that cut the others' (the report worker's faults) may have cut
    # this one too, idle at that moment.
    connection.close()
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


# The service worker (the app without network) is the offline journey's; every other context
# of the journeys blocks it ("service_workers='block'"): its install, fetching the files it keeps
# while a journey runs, made the keyboard journey's smooth scrolls late on a loaded machine.
@pytest.fixture
def desktop(browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, locale="fr-BE", service_workers="block"
    )
    yield context.new_page()
    context.close()


def _phone(browser, service_workers):
    return browser.new_context(
        viewport={"width": 360, "height": 780},
        is_mobile=True,
        has_touch=True,
        locale="fr-BE",
        service_workers=service_workers,
    )


@pytest.fixture
def phone(browser):
    context = _phone(browser, "block")
    yield context.new_page()
    context.close()


@pytest.fixture
def installed_phone(browser):
    """A phone where the site's service worker runs: the app installed."""
    context = _phone(browser, "allow")
    yield context.new_page()
    context.close()


def second_factor_of(email):
    """The account's app, enrolled here if the account needs one and has none yet (as its
    first log-in would): ``None`` for the roles that log in with a password only."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.models import Membership, User
    from accounts.two_factor import two_factor_required

    user = User.objects.get(email__iexact=email)
    memberships = Membership.objects.active().filter(user=user).select_related("organization")
    if not two_factor_required(user=user, memberships=memberships):
        return None
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def log_in(page, live_server, email, password="demo", *, check=False):
    """Log in through the form; ``check``: the login page passes the accessibility checks too."""
    page.goto(f"{live_server.url}/connexion/")
    if check:
        assert_accessible(page, "login form")
    device = second_factor_of(email)
    page.get_by_label("Adresse e-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    if device is not None:
        # Administration and direction: the code of their app, on the second step's page.
        page.wait_for_url(f"{live_server.url}/connexion/code/**")
        if check:
            assert_accessible(page, "second step of log-in")
        page.get_by_label("Code de l'application, ou un code de secours").fill(unused_code(device))
        page.get_by_role("button", name="Continuer").click()
    # The dashboard; a volunteer's home is their own sheets (issue 21).
    page.wait_for_url(re.compile(rf"^{re.escape(live_server.url)}/(benevoles/mes-prestations/)?$"))


def twelve_at_a_session_today():
    """The demo accounts, and a chantier of chantier@demo.local's with a session today and twelve
    people whose paperwork is complete (12,50 € a day each): (session, people)."""
    import random

    from django.utils import timezone

    from accounts.models import Organization, User
    from demo.accounts import seed_accounts
    from tests.chantiers.helpers import _group
    from tests.factories import ChantierFactory, WorkSessionFactory

    seed_accounts(rng=random.Random(2026))
    operator = Organization.objects.get(slug="ml-bruxelles-midi")
    chantier = ChantierFactory(organization=operator, name="Peinture des halls")
    chantier.coordinators.add(User.objects.get(email="chantier@demo.local"))
    session = WorkSessionFactory(chantier=chantier, date=timezone.localdate(), status="planned")
    return session, _group(chantier, 12)
