"""The installable app's service worker and its "no network" page (issue 19): served at the root,
to everyone, before the log-in and before the second factor (a phone installs the app and
fetches its worker first), never kept stale, naming only files that exist, and the "no network"
page without anything personal (the worker keeps one copy for whoever uses the phone)."""

import re

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "correct horse battery"  # tests.factories.UserFactory
APP_FILES = ("/sw.js", "/manifest.webmanifest", "/hors-ligne/")


def test_the_urls_are_at_the_root():
    assert reverse("dashboard:service_worker") == "/sw.js"
    assert reverse("dashboard:manifest") == "/manifest.webmanifest"
    assert reverse("dashboard:offline") == "/hors-ligne/"


def test_the_worker_answers_anonymously_as_javascript_never_kept_stale(client, db):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert "no-cache" in response["Cache-Control"]
    # At the root: its scope is the whole site without asking for more.
    assert not response.has_header("Service-Worker-Allowed")


def test_the_worker_loads_the_queue_and_keeps_files_that_exist(client, db):
    body = client.get("/sw.js").content.decode()

    assert f'importScripts("{static("js/offline-queue.js")}");' in body
    kept = re.search(r"const KEPT_FILES = \[(.*?)\];", body, re.S)
    assert kept, "no KEPT_FILES list in the worker"
    files = re.findall(r'"(/static/[^"]+)"', kept.group(1))
    assert len(files) >= 5
    for url in files:
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is missing"
    for name in ("js/offline-queue.js", "js/offline.js", "css/app.css"):
        assert static(name) in files
    # The "no network" page is kept too, by its address.
    assert 'const FALLBACK = "/hors-ligne/";' in body
    assert '"/hors-ligne/",' in kept.group(1)
    # Every {% ... %} and {{ ... }} of the template rendered.
    assert "{%" not in body and "{{" not in body


def test_the_no_network_page_answers_anonymously(client, db):
    response = client.get("/hors-ligne/")

    assert response.status_code == 200
    assert "Pas de réseau" in response.text
    assert reverse("chantiers:today") in response.text


def test_the_no_network_page_says_nothing_of_who_is_logged_in(client, coordinator):
    coordinator.first_name, coordinator.last_name = "Noémie", "Vandenbroucke"
    coordinator.save()
    client.force_login(coordinator)
    assert client.get("/").status_code == 200  # logged in, second factor or not needed

    response = client.get("/hors-ligne/")

    assert response.status_code == 200
    html = response.text
    for personal in (
        coordinator.get_full_name(),
        coordinator.first_name,
        coordinator.last_name,
        coordinator.email,
    ):
        assert personal not in html
    assert 'data-testid="main-nav"' not in html
    assert "<nav" not in html
    assert reverse("accounts:logout") not in html
    assert "data-offline-status" not in html and f'data-user="{coordinator.pk}"' not in html


@pytest.fixture
def second_step_pending(client, director):
    """A direction account that typed its password but not yet its code."""
    TOTPDevice.objects.create(user=director, name="app", confirmed=True)
    response = client.post(
        reverse("accounts:login"), {"username": director.email, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert DEVICE_ID_SESSION_KEY not in client.session
    # Any other page leads to the second step.
    assert client.get("/").url.startswith(reverse("accounts:two_factor_verify"))
    return director


@pytest.mark.parametrize("url", APP_FILES)
def test_the_app_files_answer_while_the_second_factor_is_pending(client, second_step_pending, url):
    response = client.get(url)
    assert response.status_code == 200, response.get("Location")


def test_the_no_network_page_says_nothing_personal_while_the_second_factor_is_pending(
    client, second_step_pending
):
    html = client.get("/hors-ligne/").text
    assert second_step_pending.email not in html
    assert second_step_pending.get_full_name() not in html
