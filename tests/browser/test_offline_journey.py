"""The worksite without network (issue 19), on a phone: the coordinator opens today's page with
network (the phone keeps the week's grids), loses the network, opens the grid, takes the day's
marks, reloads the page and closes the tab — the marks wait on the phone — then the network
comes back and they are saved, once. A colleague's change meanwhile is a conflict the
coordinator settles. Each state is checked by axe and at 320/360 px."""

import os

import pytest
from django.urls import reverse

from accounts.models import User
from chantiers.models import Attendance, OfflineMark
from chantiers.services import Mark, attendance_record
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in, twelve_at_a_session_today

READY = "navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)"
SHOTS = os.environ.get("SCREENSHOTS")


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/offline-{name}.png", full_page=True)


def _offline(context, offline: bool) -> None:
    """The network cut (or back) for the pages and for the service worker: Chromium's offline
    emulation does not reach the worker's own requests, which are refused here as well."""
    if offline:
        context.set_offline(True)
        context.route("**/*", lambda route: route.abort("internetdisconnected"))
    else:
        # The network first, then the "online" event the page sends its queue on.
        context.unroute("**/*")
        context.set_offline(False)


def _prepared(page, live_server):
    """Logged in, today's page opened with network: the worker in charge, the grids kept."""
    session, people = twelve_at_a_session_today()
    log_in(page, live_server, "chantier@demo.local")
    page.goto(f"{live_server.url}{reverse('chantiers:today')}")
    page.wait_for_function(READY)
    page.locator("[data-offline-kept]").wait_for(state="visible")
    return session, people


def _banner(page):
    return page.get_by_test_id("offline-banner")


@pytest.mark.django_db(transaction=True)
def test_marks_taken_without_network_wait_on_the_phone_and_are_saved_once(
    installed_phone, live_server
):
    page = installed_phone
    context = page.context
    session, people = _prepared(page, live_server)
    grid = f"{live_server.url}{reverse('chantiers:session_attendance', args=[session.pk])}"
    _shot(page, "today")
    assert_accessible(page, "today's page, its grids kept on the phone")
    assert_no_sideways_scroll(page, "today's page, its grids kept on the phone")

    _offline(context, True)
    page.goto(grid)  # from the phone: it was kept when today's page was opened
    assert _banner(page).inner_text().startswith("Hors ligne")
    # Unreadable hours: nothing kept, the input as typed and marked, the refusal said.
    absent = people[0].pk
    page.locator(f"label[for='s-{absent}-unexcused']").click()
    page.locator(f"#row-{absent} summary").click()
    page.locator(f"#h-{absent}").fill("quatre")
    page.locator("#save-bottom").click()
    refusal = page.locator("[data-offline-problems] [role=alert]")
    refusal.wait_for()
    assert (
        "Sans réseau, rien n’est gardé tant que ces cases sont illisibles" in refusal.inner_text()
    )
    assert page.locator(f"#h-{absent}").input_value() == "quatre"
    assert page.locator(f"#h-{absent}").get_attribute("aria-invalid") == "true"
    assert page.get_by_text("En attente d’envoi").count() == 0
    assert_accessible(page, "grid offline, unreadable hours refused")
    page.locator(f"#h-{absent}").fill("")
    page.get_by_role("button", name="Tout le monde présent").click()
    page.locator("#save-bottom").click()
    page.get_by_text("12 présences gardées sur ce téléphone").wait_for()
    assert "Hors ligne — 12 présences en attente" in _banner(page).inner_text()
    assert page.get_by_text("En attente d’envoi").count() == 12
    assert not Attendance.objects.filter(session=session).exists()
    # Background Sync asked for: the browser sends the queue itself once the network is back.
    tags = page.evaluate("navigator.serviceWorker.ready.then((r) => r.sync.getTags())")
    assert "offline-marks" in tags
    _shot(page, "queued")
    assert_accessible(page, "grid offline, marks waiting")
    assert_no_sideways_scroll(page, "grid offline, marks waiting")

    # Reloaded without network: the grid and its waiting marks come back from the phone.
    page.reload()
    assert "Hors ligne — 12 présences en attente" in _banner(page).inner_text()
    assert page.locator(f"#s-{absent}-unexcused").is_checked()
    assert page.locator(f"#s-{people[1].pk}-present").is_checked()

    # The tab closed, another opened, still without network: the queue is still there.
    page.close()
    page = context.new_page()
    page.goto(grid)
    assert "Hors ligne — 12 présences en attente" in _banner(page).inner_text()

    # The network is back: the page sends the queue and shows the grid as the server has it.
    _offline(context, False)
    page.get_by_text("12 présences prises sans réseau sont enregistrées.").wait_for()
    assert page.get_by_text("En attente d’envoi").count() == 0
    marks = Attendance.objects.filter(session=session)
    assert marks.count() == 12
    assert set(marks.values_list("version", flat=True)) == {1}  # saved once each
    assert marks.get(participant_id=absent).status == "unexcused"
    assert marks.filter(status="present").count() == 11
    assert OfflineMark.objects.filter(session=session).count() == 12
    assert page.locator(f"#s-{absent}-unexcused").is_checked()  # the server's page now
    _shot(page, "sent")
    assert_accessible(page, "grid after the offline marks were sent")
    assert_no_sideways_scroll(page, "grid after the offline marks were sent")
    page.close()


@pytest.mark.django_db(transaction=True)
def test_a_mark_changed_meanwhile_comes_back_as_a_conflict_the_coordinator_settles(
    installed_phone, live_server
):
    page = installed_phone
    session, people = _prepared(page, live_server)
    person, marked, typed = people[0], people[3], people[5]
    grid = f"{live_server.url}{reverse('chantiers:session_attendance', args=[session.pk])}"
    office = User.objects.get(email="direction@demo.local")
    # A row already marked (no vehicle) when the phone keeps the grid: untouched, it is not
    # queued with the one the coordinator changes.
    attendance_record(session=session, marks=[Mark(marked.pk, "present")], by=office)
    page.goto(grid)

    _offline(page.context, True)
    page.reload()
    page.locator(f"label[for='s-{person.pk}-excused']").click()
    page.locator("#save-bottom").click()
    page.get_by_text("1 présence gardée sur ce téléphone").wait_for()

    # Meanwhile, at the office, someone else marks the same person present.
    attendance_record(session=session, marks=[Mark(person.pk, "present")], by=office)

    _offline(page.context, False)
    conflict = page.get_by_test_id("offline-conflict")
    conflict.wait_for()
    text = conflict.inner_text()
    assert "vous aviez noté « Excusé » sans réseau" in text  # the grid's own labels
    assert "« Présent » a été enregistré par" in text
    assert str(office.get_full_name()) in text
    assert "1 présence à vérifier" in _banner(page).inner_text()
    assert Attendance.objects.get(session=session, participant=person).status == "present"
    _shot(page, "conflict")
    assert_accessible(page, "a conflict to settle")
    assert_no_sideways_scroll(page, "a conflict to settle")

    # The coordinator starts another row, then keeps their own mark: it is sent again, over the
    # version they were shown; the row being typed stays as typed (no reload over it).
    page.locator(f"label[for='s-{typed.pk}-late']").click()
    conflict.get_by_role("button", name=f"Garder ma présence — {person.first_name}").click()
    page.get_by_text("1 présence prise sans réseau est enregistrée.").wait_for()
    attendance = Attendance.objects.get(session=session, participant=person)
    assert (attendance.status, attendance.version) == ("excused", 2)
    assert page.get_by_test_id("offline-conflict").count() == 0
    assert page.locator(f"#s-{typed.pk}-late").is_checked()
    assert Attendance.objects.get(session=session, participant=marked).version == 1


@pytest.mark.django_db(transaction=True)
def test_a_sending_the_network_stops_again_is_tried_again_without_a_touch(
    installed_phone, live_server
):
    """The bar comes back, the phone says "online", but the first sending dies on the way (the
    stairwell again): the page tries again by itself, and the mark is saved once."""
    page = installed_phone
    context = page.context
    session, people = _prepared(page, live_server)
    grid = f"{live_server.url}{reverse('chantiers:session_attendance', args=[session.pk])}"
    person = people[2].pk
    _offline(context, True)
    page.goto(grid)
    page.locator(f"label[for='s-{person}-late']").click()
    page.locator("#save-bottom").click()
    page.get_by_text("1 présence gardée sur ce téléphone").wait_for()

    # Online for the page, but the sendings still die on the way: count the tries.
    endpoint = reverse("chantiers:offline_marks", args=[session.pk])
    tries = []

    def cut(route):
        if route.request.url.endswith(endpoint):
            tries.append(route.request.url)
        route.abort("internetdisconnected")

    context.unroute("**/*")
    context.route("**/*", cut)
    context.set_offline(False)
    page.wait_for_function("navigator.onLine")
    page.wait_for_timeout(1500)
    assert tries, "the page did not try to send its queue on the 'online' event"
    assert "1 présence en attente" in _banner(page).inner_text()
    assert not Attendance.objects.filter(session=session).exists()

    # The network holds now: the next try (10 s after the first) goes through on its own.
    context.unroute("**/*")
    page.get_by_text("1 présence prise sans réseau est enregistrée.").wait_for(timeout=30000)
    mark = Attendance.objects.get(session=session, participant_id=person)
    assert (mark.status, mark.version) == ("late", 1)
    assert OfflineMark.objects.filter(session=session).count() == 1
