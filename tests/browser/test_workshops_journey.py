"""A counsellor runs collective modules on a phone (issue 20, point 1): from the menu, the empty
catalogue; a module added (a duration below 15 minutes refused beside the field, everything typed
kept); a session of today planned, already begun, three places; two people enrolled from the
session's page, a third from her own page ("Modules collectifs"); the shared attendance grid
("Tout le monde présent", one absence, one save: three marks, two events "Atelier collectif" in
the pathways' log); an EPN module and its session of yesterday, planned afterwards, two drop-in
visitors counted without a name. Every state checked by axe at 360 and 1280 px, no sideways
scroll at 320 and 360 px; with SCREENSHOTS set, each state is photographed at 360, 320 and 1280 px.
A shorter journey on a desktop: the menu's entry in the bar, the catalogue, the session and its
grid as already marked.

The workshop's session is today at an hour already past (09:30, or 00:00 before 09:30 in
Brussels): the grid takes marks once the session has begun, and a person's page offers only the
sessions of today and later (``selectors.open_sessions``), so a session of yesterday could not
be chosen there. The EPN session is yesterday's: its visitors may be counted, and it is not
offered on a person's page."""

import datetime as dt
import os
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import Role
from participants.models import PathwayEvent
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
from workshops import services
from workshops.models import DropInVisit, Module, ModuleAttendance, ModuleEnrolment, ModuleSession

PASSWORD = "correct horse battery"  # the factories'
TITLE = "Atelier CV et lettre de motivation"
FACILITATOR = "Nadia"
ROOM = "Salle polyvalente"
EPN_TITLE = "EPN accès libre"
DESKTOP = 1280


def _check(page, state):
    assert_accessible(page, state)
    assert_no_sideways_scroll(page, state)
    if folder := os.environ.get("SCREENSHOTS"):  # to look at the states as a person would
        os.makedirs(folder, exist_ok=True)
        name = state.replace(" ", "-").replace("'", "")
        viewport = page.viewport_size
        # The phone's states also at 320 px (the narrowest checked) and on a desktop.
        widths = [viewport["width"]] + ([320, DESKTOP] if viewport["width"] < DESKTOP else [])
        for width in widths:
            page.set_viewport_size({"width": width, "height": viewport["height"]})
            page.screenshot(path=f"{folder}/workshops-{name}-{width}.png", full_page=True)
        page.set_viewport_size(viewport)


def _pointer_away(page):
    """The page stays (the button filled the rows): the pointer leaves the button, whose colours
    fade back before axe measures them (its hovered colours: test_contrast)."""
    page.mouse.move(0, 0)
    page.wait_for_timeout(500)


def _start_time() -> str:
    """An hour of today already past: the grid takes marks once the session has begun."""
    return "09:30" if timezone.localtime().time() >= dt.time(9, 30) else "00:00"


@pytest.fixture
def team(transactional_db):
    """A counsellor (Camille Lambert) of the operator; three people in open pathways (started
    long ago)."""
    operator = OrganizationFactory(name="Mission Locale de Test", slug="ml-test")
    counsellor = MembershipFactory(
        organization=operator,
        role=Role.COUNSELLOR,
        user=UserFactory(email="camille@example.org", first_name="Camille", last_name="Lambert"),
    ).user
    programme = ProgrammeFactory(organization=operator, code="mokolab", name="MoKoLab")
    people = []
    for first, last in [("Yasmine", "Tahiri"), ("Samir", "Haddad"), ("Inès", "Moreau")]:
        person = ParticipantFactory(
            organization=operator, first_name=first, last_name=last, counsellor=counsellor
        )
        PathwayFactory(participant=person, programme=programme)
        people.append(person)
    return {
        "operator": operator,
        "counsellor": counsellor,
        "people": people,
    }


def _fill_module(page, duration, *, title=TITLE, kind="Atelier", facilitator=FACILITATOR):
    page.get_by_label("Intitulé").fill(title)
    page.get_by_label("Type").select_option(label=kind)
    page.get_by_label("Durée d'une séance (minutes)").fill(duration)
    page.get_by_label("Animation").fill(facilitator)
    page.get_by_role("button", name="Enregistrer").click()


def _fill_session(page, day, at, room, places=""):
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Heure de début").fill(at)
    page.get_by_label("Salle").fill(room)
    page.get_by_label("Places").fill(places)
    page.get_by_role("button", name="Enregistrer").click()


def test_a_counsellor_runs_a_module_session_on_a_phone(phone, live_server, team):
    page = phone
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    at = _start_time()
    yasmine, samir, ines = team["people"]
    log_in(page, live_server, team["counsellor"].email, password=PASSWORD)

    # 1. The menu's "Modules": the catalogue empty; a module refused (5 minutes), then added.
    page.get_by_role("button", name="Ouvrir le menu").click()
    page.locator("#main-nav.show").wait_for()
    page.get_by_test_id("main-nav").get_by_role("link", name="Modules", exact=True).click()
    page.wait_for_url(f"{live_server.url}/modules/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Modules collectifs")
    expect(page.get_by_text("Le catalogue est vide : ajoutez un premier module")).to_be_visible()
    expect(page.get_by_text("Aucune séance planifiée dans les quatre semaines")).to_be_visible()
    _check(page, "catalogue before")

    page.get_by_role("link", name="Ajouter un module").click()
    page.wait_for_url(f"{live_server.url}/modules/nouveau/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ajouter un module")
    _check(page, "module form")
    _fill_module(page, "5")
    summary = page.get_by_role("alert").filter(has_text="Le formulaire contient")
    expect(summary).to_be_focused()
    duration = page.get_by_label("Durée d'une séance (minutes)")
    expect(page.locator("#div_id_duration_minutes .invalid-feedback")).to_have_text(
        "Une séance dure de 15 minutes à 8 heures (480 minutes)."
    )
    expect(duration).to_have_attribute("aria-invalid", "true")
    assert page.get_by_label("Intitulé").input_value() == TITLE
    assert page.get_by_label("Type").input_value() == Module.Kind.WORKSHOP
    assert duration.input_value() == "5"
    assert page.get_by_label("Animation").input_value() == FACILITATOR
    assert not Module.objects.filter(title=TITLE).exists()
    _check(page, "module form refused")

    duration.fill("150")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_url(f"{live_server.url}/modules/*/")
    expect(page.get_by_text("Le module est au catalogue.")).to_be_visible()
    module = Module.objects.get(title=TITLE)
    assert (module.kind, module.duration_minutes, module.facilitator) == (
        "workshop",
        150,
        FACILITATOR,
    )
    main = page.get_by_role("main")
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(main).to_contain_text("150 minutes")
    expect(main).to_contain_text(FACILITATOR)
    _check(page, "module page")

    # 2. A session of today, already begun: 3 places in the multipurpose room.
    page.get_by_role("link", name="Planifier une séance").click()
    page.wait_for_url(f"{live_server.url}/modules/{module.pk}/seance/")
    assert page.get_by_label("Durée (minutes)").input_value() == "150"  # the module's
    _check(page, "session form")
    _fill_session(page, today, at, ROOM, "3")
    page.wait_for_url(f"{live_server.url}/modules/seances/*/")
    expect(page.get_by_text(f"La séance du {today:%d/%m/%Y} est planifiée.")).to_be_visible()
    session = ModuleSession.objects.get(module=module)
    assert (session.date, f"{session.starts_at:%H:%M}", session.room, session.capacity) == (
        today,
        at,
        ROOM,
        3,
    )
    assert session.duration_minutes == 150
    main = page.get_by_role("main")
    expect(main).to_contain_text(f"{session.starts_at:%H:%M}–{session.ends_at:%H:%M}")
    expect(main).to_contain_text(ROOM)
    expect(main).to_contain_text("0 inscrit·es sur 3")
    expect(main.get_by_text("Personne n'est inscrit·e.")).to_be_visible()
    _check(page, "session page empty")

    # 3. Two people enrolled from the session's page.
    for person in (yasmine, samir):
        enrol = page.locator("#enrolled form.card")
        enrol.get_by_label("Personne").select_option(
            label=f"{person.last_name.upper()} {person.first_name} — MoKoLab"
        )
        enrol.get_by_role("button", name="Inscrire").click()
        page.wait_for_url(f"{live_server.url}/modules/seances/{session.pk}/")
        expect(page.get_by_text(f"{person} est inscrit·e.")).to_be_visible()
    enrolled = page.locator("#enrolled")
    expect(enrolled.get_by_role("link", name="Yasmine TAHIRI")).to_be_visible()
    expect(enrolled.get_by_role("link", name="Samir HADDAD")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("2 inscrit·es sur 3")
    offered = enrolled.get_by_label("Personne").locator("option")
    expect(offered).to_have_text(["---------", "MOREAU Inès — MoKoLab"])
    _check(page, "session page two enrolled")

    # 4. The third from her page: "Inscrire à une séance", the session chosen, back on her page
    # with it listed.
    page.goto(f"{live_server.url}/participants/{ines.pk}/")
    section = page.locator("#modules")
    expect(section.get_by_role("heading", name="Modules collectifs")).to_be_visible()
    expect(section.get_by_text("Aucune séance à venir.")).to_be_visible()
    section.get_by_role("link", name="Inscrire à une séance").click()
    page.wait_for_url(f"{live_server.url}/modules/participant/{ines.pk}/inscrire/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Inscrire à une séance — Inès Moreau")
    choice = page.get_by_label("Séance")
    label = f"{today:%d/%m/%Y} {at} — {TITLE}"
    expect(choice.locator("option")).to_have_text(["---------", label])
    _check(page, "person enrol page")
    choice.select_option(label=label)
    page.get_by_role("button", name="Inscrire").click()
    page.wait_for_url(f"{live_server.url}/participants/{ines.pk}/#modules")
    expect(page.get_by_text(f"Inscrit·e à « {TITLE} » le {today:%d/%m/%Y}.")).to_be_visible()
    # Read out though the page was reached at an anchor (#modules): the message keeps the focus.
    expect(page.locator("[data-messages]")).to_be_focused()
    section = page.locator("#modules")
    listed = section.get_by_role("link", name=f"{at} — {TITLE}")
    expect(listed).to_be_visible()
    expect(section.get_by_text("Aucune séance à venir.")).to_have_count(0)
    _check(page, "person page enrolled")
    assert ModuleEnrolment.objects.filter(session=session).count() == 3
    assert ModuleEnrolment.objects.get(participant=ines).pathway == ines.pathways.get()

    # 5. The grid: everyone present, one absence, one save.
    listed.click()
    page.wait_for_url(f"{live_server.url}/modules/seances/{session.pk}/")
    expect(page.get_by_role("main")).to_contain_text("3 inscrit·es sur 3")
    expect(page.get_by_text("La séance est complète.")).to_be_visible()
    _check(page, "session page full")
    page.get_by_role("link", name="Noter les présences").click()
    page.wait_for_url(f"{live_server.url}/modules/seances/{session.pk}/presences/")
    expect(page.locator("[data-row]")).to_have_count(3)
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    _check(page, "grid nothing marked")

    page.get_by_role("button", name="Tout le monde présent").click()
    expect(page.locator("[data-grid-status][role=status]")).to_have_text(
        "3 personnes marquées présentes : enregistrez pour confirmer."
    )
    for person in (yasmine, samir, ines):
        expect(page.locator(f"#s-{person.pk}-present")).to_be_checked()
    assert not ModuleAttendance.objects.exists()  # filled on the page, nothing sent yet
    _pointer_away(page)
    _check(page, "grid everyone present")
    page.locator(f"label[for='s-{samir.pk}-unexcused']").click()
    expect(page.locator(f"#s-{samir.pk}-unexcused")).to_be_checked()
    page.get_by_role("button", name="Enregistrer").first.click()
    page.get_by_text("3 présences enregistrées.").wait_for()
    expect(page.locator("[data-messages]")).to_be_focused()
    marks = {m.participant_id: m for m in ModuleAttendance.objects.filter(session=session)}
    assert {pk: m.status for pk, m in marks.items()} == {
        yasmine.pk: "present",
        samir.pk: "unexcused",
        ines.pk: "present",
    }
    events = PathwayEvent.objects.filter(kind=PathwayEvent.Kind.GROUP_WORKSHOP)
    assert sorted(e.pathway.participant_id for e in events) == sorted([yasmine.pk, ines.pk])
    assert all(e.date == today and e.duration_minutes == 150 for e in events)
    assert marks[samir.pk].event is None
    expect(page.locator(f"#s-{samir.pk}-unexcused")).to_be_checked()
    expect(page.locator(f"#row-{yasmine.pk}")).to_contain_text("Dans le journal du parcours.")
    expect(page.locator(f"#row-{samir.pk}")).not_to_contain_text("Dans le journal du parcours.")
    _check(page, "grid saved")

    # Back on the session's page: the marked people can no longer be unenrolled.
    page.get_by_role("link", name="La séance").click()
    page.wait_for_url(f"{live_server.url}/modules/seances/{session.pk}/")
    expect(page.locator("#enrolled").get_by_role("button", name="Désinscrire")).to_have_count(0)
    _check(page, "session page marked")

    # 6. The EPN: a module added, its session of yesterday planned afterwards (13:30, no limit
    # of places); two visitors counted without a name, the line listed.
    page.goto(f"{live_server.url}/modules/")
    catalogue = page.locator("section[aria-labelledby=catalogue-heading]")
    expect(catalogue.get_by_role("link", name=TITLE)).to_be_visible()
    expect(catalogue).to_contain_text("Atelier · 1 séance à venir")
    _check(page, "catalogue with the module")
    page.get_by_role("link", name="Ajouter un module").click()
    page.wait_for_url(f"{live_server.url}/modules/nouveau/")
    _fill_module(
        page,
        "180",
        title=EPN_TITLE,
        kind="Séance EPN (espace public numérique)",
        facilitator="Marc",
    )
    page.wait_for_url(f"{live_server.url}/modules/*/")
    epn = Module.objects.get(title=EPN_TITLE)
    assert epn.kind == Module.Kind.EPN
    page.get_by_role("link", name="Planifier une séance").click()
    page.wait_for_url(f"{live_server.url}/modules/{epn.pk}/seance/")
    _fill_session(page, yesterday, "13:30", "Espace numérique")
    page.wait_for_url(f"{live_server.url}/modules/seances/*/")
    epn_session = ModuleSession.objects.get(module=epn)
    assert (epn_session.date, epn_session.capacity, epn_session.duration_minutes) == (
        yesterday,
        None,
        180,
    )
    # (0 takes the plural here: the French source strings follow gettext's English rule.)
    expect(page.get_by_role("main")).to_contain_text(re.compile(r"0 inscrit·es?, sans limite"))
    visits = page.locator("#visits")
    expect(visits.get_by_role("heading", name="Visites libres (sans inscription)")).to_be_visible()
    _check(page, "epn session page")
    visits.get_by_label("Nombre de personnes").fill("2")
    visits.get_by_label("Aide apportée").select_option(label="Démarches administratives en ligne")
    visits.get_by_label("Tranche d'âge").select_option(label="45 à 64 ans")
    visits.get_by_label("Genre").select_option(label="Femme")
    visits.get_by_role("button", name="Compter").click()
    page.wait_for_url(f"{live_server.url}/modules/seances/{epn_session.pk}/#visits")
    expect(page.get_by_text("2 visites libres comptées.")).to_be_visible()
    expect(page.locator("[data-messages]")).to_be_focused()
    line = page.locator("#visits li")
    expect(line).to_have_count(1)
    expect(line).to_contain_text(
        "2 personnes · Démarches administratives en ligne · 45 à 64 ans · Femme"
    )
    visit = DropInVisit.objects.get(session=epn_session)
    assert (visit.people, visit.need, visit.age_band, visit.gender) == (
        2,
        "procedures",
        "45_64",
        "F",
    )
    _check(page, "epn session page counted")

    # Yesterday's session is not offered from a person's page (only today's and later), and
    # Inès is already in today's: nothing to offer her, said.
    page.goto(f"{live_server.url}/modules/participant/{ines.pk}/inscrire/")
    expect(page.get_by_text("Aucune séance à venir où l'inscrire")).to_be_visible()
    expect(page.get_by_label("Séance")).to_have_count(0)
    _check(page, "person enrol page nothing to offer")


def test_on_a_desktop_the_catalogue_the_session_and_its_grid(desktop, live_server, team):
    """At 1280 px: "Modules" in the bar, the catalogue listing today's session, its page and the
    grid as saved by a colleague on the phone (one absent)."""
    page = desktop
    today = timezone.localdate()
    counsellor = team["counsellor"]
    yasmine, samir, ines = team["people"]
    module = services.module_create(
        organization=team["operator"],
        title=TITLE,
        kind=Module.Kind.WORKSHOP,
        duration_minutes=150,
        facilitator=FACILITATOR,
    )
    at = _start_time()
    h, m = map(int, at.split(":"))
    session = services.session_plan(
        module=module, date=today, starts_at=dt.time(h, m), room=ROOM, capacity=3, by=counsellor
    )
    for person in team["people"]:
        services.enrolment_add(session=session, pathway=person.pathways.get(), by=counsellor)
    services.attendance_record(
        session=session,
        marks=[
            services.Mark(participant_id=yasmine.pk, status="present"),
            services.Mark(participant_id=samir.pk, status="unexcused"),
            services.Mark(participant_id=ines.pk, status="late"),
        ],
        by=counsellor,
    )
    log_in(page, live_server, counsellor.email, password=PASSWORD)
    page.get_by_test_id("main-nav").get_by_role("link", name="Modules", exact=True).click()
    page.wait_for_url(f"{live_server.url}/modules/")
    coming = page.locator("section[aria-labelledby=coming-heading]")
    expect(coming.get_by_role("link", name=f"{at} — {TITLE}")).to_be_visible()
    expect(coming).to_contain_text(f"{ROOM} · 3 inscrit·es sur 3 places")
    _check(page, "desktop catalogue")

    coming.get_by_role("link", name=f"{at} — {TITLE}").click()
    page.wait_for_url(f"{live_server.url}/modules/seances/{session.pk}/")
    expect(page.get_by_role("main")).to_contain_text("3 inscrit·es sur 3")
    _check(page, "desktop session page")

    page.get_by_role("link", name="Noter les présences").click()
    page.wait_for_url(f"{live_server.url}/modules/seances/{session.pk}/presences/")
    expect(page.locator(f"#s-{samir.pk}-unexcused")).to_be_checked()
    expect(page.locator(f"#s-{ines.pk}-late")).to_be_checked()
    page.get_by_role("button", name="Tout le monde présent").click()
    expect(page.locator("[data-grid-status][role=status]")).to_have_text(
        "Tout le monde a déjà une présence."
    )
    _pointer_away(page)
    _check(page, "desktop grid")
