"""A counsellor plans an appointment on a phone (issue 20): the person's consent to reminders,
a time in the past refused, then tomorrow at 10:00; the same slot refused a second time; the
appointment in their week and the team's; the reminder of the day before sent by a real worker
(the purpose never in it), and said sent on the appointment's page. Every state checked by axe
at 360 and 1280 px, no sideways scroll at 320 and 360 px.

Appointments are at 10:00 tomorrow and yesterday (Brussels): always in the future and in the
past, whatever the hour of the run; the week view is reached whatever the weekday."""

import datetime as dt
import email
import email.policy
import os
import re
import time
import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from agenda.models import Appointment, Reminder
from agenda.services import LAST_REMINDER_RUN
from agenda.tasks import appointment_reminders_send
from tests.browser.a11y import assert_accessible, assert_no_sideways_scroll
from tests.browser.conftest import log_in
from tests.factories import (
    MembershipFactory,
    OrganizationFactory,
    ParticipantFactory,
    PathwayFactory,
    ProgrammeFactory,
    UserFactory,
)
from tests.workers import celery_worker

PASSWORD = "correct horse battery"  # the factories'
PURPOSE = "Bilan après le stage"


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state)
    if folder := os.environ.get("SCREENSHOTS"):  # to look at the states as a person would
        os.makedirs(folder, exist_ok=True)
        name = state.replace(" ", "-").replace("'", "")
        width = page.viewport_size["width"]
        page.screenshot(path=f"{folder}/agenda-{name}-{width}.png", full_page=True)


@pytest.fixture
def caseload(transactional_db):
    """A counsellor (Camille Lambert) and a colleague of the same team, a person with an e-mail
    and a Belgian mobile number, in an open pathway."""
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    counsellor = MembershipFactory(
        organization=operator,
        role=Role.COUNSELLOR,
        user=UserFactory(email="camille@example.org", first_name="Camille", last_name="Lambert"),
    ).user
    colleague = MembershipFactory(
        organization=operator,
        role=Role.COUNSELLOR,
        user=UserFactory(email="sami@example.org", first_name="Sami", last_name="Peeters"),
    ).user
    person = ParticipantFactory(
        organization=operator,
        first_name="Yasmine",
        last_name="Tahiri",
        email="yasmine.tahiri@example.org",
        phone="0470 12 34 56",
        counsellor=counsellor,
    )
    programme = ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")
    PathwayFactory(participant=person, programme=programme)
    return {"counsellor": counsellor, "colleague": colleague, "person": person}


def _fill_appointment(page, day, at):
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Heure").fill(at)
    page.get_by_label("Durée (minutes)").fill("45")
    page.get_by_label("Forme").select_option(label="En présentiel")
    page.get_by_label("Lieu ou lien").fill("Bureau 2")
    page.get_by_label("Objet").fill(PURPOSE)
    page.get_by_role("button", name="Planifier", exact=True).click()


def _assert_kept(page, day, at):
    """A refused form comes back as typed (DESIGN §7)."""
    assert page.get_by_label("Date").input_value() == day.isoformat()
    assert page.get_by_label("Heure").input_value() == at
    assert page.get_by_label("Durée (minutes)").input_value() == "45"
    assert page.get_by_label("Forme").input_value() == Appointment.Mode.IN_PERSON
    assert page.get_by_label("Lieu ou lien").input_value() == "Bureau 2"
    assert page.get_by_label("Objet").input_value() == PURPOSE


def _day(page, day):
    return page.locator(f"section[aria-labelledby=day-{day:%Y%m%d}]")


def _listed(page, day, appointment):
    return _day(page, day).locator(f"[data-testid=appointment-{appointment.pk}]")


def _to_the_week_of(page, today, day):
    """From this week's agenda to the week of ``day`` (tomorrow is next week on a Sunday)."""
    if day.isocalendar()[:2] != today.isocalendar()[:2]:
        page.get_by_role("link", name="Semaine suivante").click()
        page.wait_for_url(re.compile(rf"date={today + dt.timedelta(days=7):%Y-%m-%d}"))
    expect(_day(page, day)).to_be_visible()


def _sent_mail(mail_dir) -> list[email.message.EmailMessage]:
    """The messages Django's file backend wrote (one file per connection, each message followed
    by a line of 79 dashes)."""
    found = []
    for path in sorted(mail_dir.iterdir()) if mail_dir.exists() else []:
        for raw in path.read_text().split("\n" + "-" * 79 + "\n"):
            if raw.strip():
                found.append(email.message_from_string(raw, policy=email.policy.default))
    return found


@pytest.mark.worker
def test_a_counsellor_plans_an_appointment_and_the_worker_sends_its_reminder(
    phone, live_server, caseload, tmp_path
):
    page = phone
    today = timezone.localdate()
    tomorrow, yesterday = today + dt.timedelta(days=1), today - dt.timedelta(days=1)
    person, counsellor = caseload["person"], caseload["counsellor"]
    # The colleague's appointment, same time: in the team's agenda, not in Camille's.
    other = ParticipantFactory(organization=person.organization, first_name="Ali", last_name="Diop")
    Appointment.objects.create(
        pathway=PathwayFactory(participant=other, programme=person.pathways.get().programme),
        counsellor=caseload["colleague"],
        starts_at=timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(10, 0))),
        duration_minutes=30,
        mode=Appointment.Mode.PHONE,
        created_by=caseload["colleague"],
    )
    log_in(page, live_server, counsellor.email, password=PASSWORD)

    # 1. The person's page: no appointment, no consent; the consent recorded (e-mail).
    page.goto(f"{live_server.url}/participants/{person.pk}/")
    section = page.locator("#appointments")
    expect(section.get_by_role("heading", name="Rendez-vous")).to_be_visible()
    expect(section.get_by_text("Aucun rendez-vous prévu.")).to_be_visible()
    expect(section).to_contain_text("Pas de rappel : la personne n'a pas donné son accord.")
    _check(page, "participant page without appointment")

    section.get_by_role("link", name="Modifier l'accord pour les rappels").click()
    page.wait_for_url(f"**/agenda/participant/{person.pk}/rappels/")
    expect(
        page.get_by_role("heading", name="Accord pour les rappels — Yasmine Tahiri")
    ).to_be_visible()
    _check(page, "reminder consent form")
    page.get_by_label("Rappel par e-mail").check()
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"**/participants/{person.pk}/#appointments")
    expect(page.get_by_text("L'accord pour les rappels est enregistré.")).to_be_visible()
    section = page.locator("#appointments")
    expect(section).to_contain_text(f"Rappel la veille accepté le {today:%d/%m/%Y} : e-mail.")
    assert "SMS" not in section.inner_text()
    _check(page, "participant page consent given")

    # 2. A time in the past refused, beside the date, everything kept; then tomorrow at 10:00.
    section.get_by_role("link", name="Planifier un rendez-vous").click()
    page.wait_for_url(f"**/agenda/participant/{person.pk}/nouveau/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Planifier un rendez-vous — Yasmine Tahiri"
    )
    assert page.get_by_label("Avec").input_value() == str(counsellor.pk)  # themself by default
    _check(page, "booking form")
    _fill_appointment(page, yesterday, "10:00")
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_focused()
    expect(page.locator("#div_id_day .invalid-feedback")).to_contain_text(
        "Un rendez-vous se planifie pour plus tard."
    )
    expect(page.get_by_label("Date")).to_have_attribute("aria-invalid", "true")
    _assert_kept(page, yesterday, "10:00")
    assert not Appointment.objects.filter(pathway__participant=person).exists()
    _check(page, "booking refused in the past")

    page.get_by_label("Date").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Planifier", exact=True).click()
    page.wait_for_url(f"**/participants/{person.pk}/#appointments")
    expect(
        page.get_by_text(f"Le rendez-vous du {tomorrow:%d/%m/%Y} à 10:00 est planifié.")
    ).to_be_visible()
    appointment = Appointment.objects.get(pathway__participant=person)
    listed = page.locator(f"#appointments [data-testid=appointment-{appointment.pk}]")
    expect(listed).to_contain_text(f"{tomorrow:%d/%m/%Y} 10:00")
    expect(listed).to_contain_text("En présentiel · Bureau 2 · Camille Lambert")
    assert PURPOSE not in page.locator("#appointments").inner_text()  # for the team, on its page
    _check(page, "participant page with the appointment")

    # 3. The same counsellor at 10:30 the same day: refused, naming the 10:00–10:45 slot.
    page.locator("#appointments").get_by_role("link", name="Planifier un rendez-vous").click()
    page.wait_for_url(f"**/agenda/participant/{person.pk}/nouveau/")
    _fill_appointment(page, tomorrow, "10:30")
    expect(page.locator("#div_id_time .invalid-feedback")).to_contain_text(
        "Camille Lambert a déjà un rendez-vous de 10:00 à 10:45 ce jour-là."
    )
    _assert_kept(page, tomorrow, "10:30")
    assert Appointment.objects.filter(pathway__participant=person).count() == 1
    _check(page, "booking refused the slot is taken")

    # 4. The agenda, from the menu: Camille's week, then the team's.
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.locator("#main-nav.show").wait_for()
    page.get_by_test_id("main-nav").get_by_role("link", name="Agenda", exact=True).click()
    page.wait_for_url(f"{live_server.url}/agenda/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda de Camille Lambert")
    _to_the_week_of(page, today, tomorrow)
    mine = _listed(page, tomorrow, appointment)
    expect(mine).to_contain_text("10:00–10:45")
    expect(mine.get_by_role("link", name="Yasmine Tahiri")).to_be_visible()
    expect(mine).to_contain_text("En présentiel · Bureau 2")
    expect(mine).not_to_contain_text("Camille Lambert")  # her own agenda: no name beside
    expect(_day(page, tomorrow)).not_to_contain_text("Ali Diop")
    _check(page, "agenda week of the counsellor")

    page.get_by_label("Rendez-vous de").select_option(label="Toute l'équipe")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"/agenda/\?.*conseiller=equipe"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Agenda de l'équipe")
    mine = _listed(page, tomorrow, appointment)
    expect(mine).to_contain_text("En présentiel · Bureau 2 · Camille Lambert")
    expect(_day(page, tomorrow)).to_contain_text("Ali Diop")
    expect(_day(page, tomorrow)).to_contain_text("Par téléphone · Sami Peeters")
    _check(page, "agenda week of the team")

    # The appointment's page: the reminder to come.
    mine.get_by_role("link", name="Yasmine Tahiri").click()
    page.wait_for_url(f"**/agenda/rendez-vous/{appointment.pk}/")
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"{tomorrow:%d/%m/%Y}, 10:00–10:45")
    expect(main).to_contain_text(PURPOSE)
    # Booked today for tomorrow: the beat's runs of today are still to come until 20:15.
    if timezone.localtime().time() < LAST_REMINDER_RUN:
        expect(main).to_contain_text("La personne recevra un rappel la veille.")
    else:
        expect(main).to_contain_text("Pas de rappel : le dernier envoi de la veille part à 20:15")
    _check(page, "appointment page before the reminder")

    # 5. The beat task, in a real worker sharing the live server's database: one e-mail, with
    # the day, the time and the place, never the purpose; no text message (not agreed to).
    queue = f"test-{uuid.uuid4().hex[:12]}"  # nothing else consumes it, nothing stale is in it
    mail_dir = tmp_path / "mail"
    with celery_worker(queues=[queue], environ={"EMAIL_URL": f"file://{mail_dir}"}) as worker:
        appointment_reminders_send.apply_async(queue=queue)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if Reminder.objects.filter(appointment=appointment).exclude(status="sending").exists():
                break
            time.sleep(0.3)
    reminder = Reminder.objects.filter(appointment=appointment).first()
    assert reminder is not None, worker["output"][-3000:]
    assert (reminder.channel, reminder.status, reminder.error) == ("email", "sent", "")
    assert "SMS to" not in worker["output"]
    sent = _sent_mail(mail_dir)
    assert [message["To"] for message in sent] == ["yasmine.tahiri@example.org"]
    text = sent[0].get_content()
    assert f"{tomorrow:%d/%m/%Y}" in text and "10:00" in text and "Bureau 2" in text, text
    assert PURPOSE not in text and PURPOSE not in sent[0]["Subject"]
    assert not Reminder.objects.exclude(appointment=appointment).exists()  # Ali: no consent

    page.reload()
    sent_at = timezone.localtime(reminder.at)
    expect(page.get_by_role("main")).to_contain_text(f"E-mail : envoyé le {sent_at:%d/%m/%Y %H:%M}")
    _check(page, "appointment page reminder sent")


def test_on_a_desktop_the_week_and_the_day_list_tomorrows_appointment(
    desktop, live_server, caseload
):
    """At 1280 px: tomorrow's appointment in the counsellor's week, in the team's with the
    name beside it, and in the day view of tomorrow."""
    page = desktop
    today = timezone.localdate()
    tomorrow = today + dt.timedelta(days=1)
    person, counsellor = caseload["person"], caseload["counsellor"]
    appointment = Appointment.objects.create(
        pathway=person.pathways.get(),
        counsellor=counsellor,
        starts_at=timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(10, 0))),
        duration_minutes=45,
        mode=Appointment.Mode.IN_PERSON,
        place="Bureau 2",
        purpose=PURPOSE,
        created_by=counsellor,
    )
    log_in(page, live_server, counsellor.email, password=PASSWORD)
    page.get_by_test_id("main-nav").get_by_role("link", name="Agenda", exact=True).click()
    page.wait_for_url(f"{live_server.url}/agenda/")
    _to_the_week_of(page, today, tomorrow)
    listed = _listed(page, tomorrow, appointment)
    expect(listed).to_contain_text("10:00–10:45")
    expect(listed).not_to_contain_text("Camille Lambert")
    _check(page, "agenda week of the counsellor desktop")

    page.get_by_label("Rendez-vous de").select_option(label="Toute l'équipe")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(r"/agenda/\?.*conseiller=equipe"))
    expect(_listed(page, tomorrow, appointment)).to_contain_text(
        "En présentiel · Bureau 2 · Camille Lambert"
    )
    _check(page, "agenda week of the team desktop")

    page.get_by_label("Vue").select_option(label="Jour")
    page.get_by_label("Date", exact=True).fill(tomorrow.isoformat())
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url(re.compile(rf"/agenda/\?.*date={tomorrow:%Y-%m-%d}"))
    expect(page.locator("main section[aria-labelledby^=day-]")).to_have_count(1)
    expect(_listed(page, tomorrow, appointment)).to_contain_text("Camille Lambert")
    assert PURPOSE not in page.get_by_role("main").inner_text()
    _check(page, "agenda day of the team desktop")
