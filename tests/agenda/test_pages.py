"""The agenda's pages for each role: a counsellor's and the team's week or day, an appointment
planned from the person's page (refused with what was typed kept), moved, cancelled, said held
or missed; the consent to reminders. Another organization's appointment answers 404; the
pages' queries do not grow with the appointments."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from agenda.models import Appointment, ReminderConsent
from participants.models import PathwayEvent
from tests.factories import MembershipFactory, PathwayFactory


def _member(organization, role):
    return MembershipFactory(organization=organization, role=role).user


@pytest.fixture
def pathway(operator):
    return PathwayFactory(
        participant__organization=operator,
        participant__first_name="Amina",
        participant__last_name="Benali",
        participant__email="amina@example.org",
        participant__phone="0470 12 34 56",
    )


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _appointment(pathway, counsellor, starts_at, **fields) -> Appointment:
    return Appointment.objects.create(
        pathway=pathway, counsellor=counsellor, created_by=counsellor, starts_at=starts_at, **fields
    )


def _tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def _booking(pathway, counsellor, day, time="10:00", **extra) -> dict:
    return {
        "day": day.isoformat(),
        "time": time,
        "duration_minutes": "45",
        "counsellor": str(counsellor.pk),
        "mode": "in_person",
        "place": "Bureau 2",
        "purpose": "Bilan après le stage",
        "pathway": str(pathway.pk),
        **extra,
    }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COUNSELLOR, 200),
        (Role.DIRECTION, 200),
        (Role.COORDINATOR, 403),
        (Role.ADMIN, 403),
    ],
)
def test_the_agenda_pages_are_the_caseload_roles(client, operator, pathway, role, status):
    user = _member(operator, role)
    appointment = _appointment(pathway, _member(operator, Role.COUNSELLOR), _at(_tomorrow(), 9))
    client.force_login(user)
    for url in (
        reverse("agenda:agenda"),
        reverse("agenda:detail", args=[appointment.pk]),
        reverse("agenda:move", args=[appointment.pk]),
        reverse("agenda:book", args=[pathway.participant_id]),
        reverse("agenda:consent", args=[pathway.participant_id]),
        reverse("agenda:feed"),
    ):
        assert client.get(url).status_code == status, url


def test_another_organizations_appointment_and_person_answer_404(
    client, operator, other_operator, pathway, counsellor
):
    appointment = _appointment(pathway, counsellor, _at(_tomorrow(), 9))
    client.force_login(_member(other_operator, Role.COUNSELLOR))
    for url in (
        reverse("agenda:detail", args=[appointment.pk]),
        reverse("agenda:move", args=[appointment.pk]),
        reverse("agenda:book", args=[pathway.participant_id]),
        reverse("agenda:consent", args=[pathway.participant_id]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("agenda:outcome", args=[appointment.pk]),
        reverse("agenda:cancel", args=[appointment.pk]),
    ):
        assert (
            client.post(url, {"cancel-reason": "x", "outcome-outcome": "no_show"}).status_code
            == 404
        )
    # Nor is it in their agenda, or by naming its counsellor there.
    week = client.get(reverse("agenda:agenda"), {"conseiller": "equipe", "date": _tomorrow()})
    assert "Benali" not in week.content.decode()
    assert client.get(reverse("agenda:agenda"), {"conseiller": counsellor.pk}).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == Appointment.Status.PLANNED


def test_a_counsellor_books_an_appointment_from_the_persons_page(client, pathway, counsellor):
    client.force_login(counsellor)
    page = client.get(reverse("participants:detail", args=[pathway.participant_id]))
    assert "Aucun rendez-vous prévu." in page.content.decode()
    response = client.post(
        reverse("agenda:book", args=[pathway.participant_id]),
        _booking(pathway, counsellor, _tomorrow()),
        follow=True,
    )
    appointment = Appointment.objects.get()
    assert (appointment.counsellor, appointment.duration_minutes) == (counsellor, 45)
    assert timezone.localtime(appointment.starts_at) == timezone.localtime(_at(_tomorrow(), 10))
    assert appointment.created_by == counsellor
    text = response.content.decode()
    assert f"Le rendez-vous du {_tomorrow():%d/%m/%Y} à 10:00 est planifié." in text
    assert f'href="{reverse("agenda:detail", args=[appointment.pk])}"' in text


def test_a_past_time_is_refused_with_everything_typed_kept(client, pathway, counsellor):
    client.force_login(counsellor)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        reverse("agenda:book", args=[pathway.participant_id]),
        _booking(pathway, counsellor, yesterday, place="Salle Arc-en-ciel"),
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "Un rendez-vous se planifie pour plus tard." in text
    assert f'value="{yesterday.isoformat()}"' in text
    assert 'value="Salle Arc-en-ciel"' in text and 'value="Bilan après le stage"' in text
    assert not Appointment.objects.exists()


def test_an_overlap_of_the_same_counsellor_is_refused_naming_the_other_slot(
    client, pathway, counsellor
):
    _appointment(pathway, counsellor, _at(_tomorrow(), 10), duration_minutes=45)
    client.force_login(counsellor)
    response = client.post(
        reverse("agenda:book", args=[pathway.participant_id]),
        _booking(pathway, counsellor, _tomorrow(), time="10:30"),
    )
    assert "a déjà un rendez-vous de 10:00 à 10:45 ce jour-là." in html.unescape(
        response.content.decode()
    )
    assert Appointment.objects.count() == 1


def test_a_closed_pathway_has_no_booking_form(client, pathway, counsellor):
    pathway.ended_on, pathway.exit_outcome = dt.date(2025, 6, 30), "moved"
    pathway.save()
    client.force_login(counsellor)
    page = client.get(reverse("agenda:book", args=[pathway.participant_id])).content.decode()
    assert "Cette personne n'a pas de parcours ouvert" in page
    assert 'name="day"' not in page


def test_the_week_lists_the_counsellors_appointments_and_the_team_view_everyones(
    client, operator, pathway, counsellor
):
    colleague = _member(operator, Role.COUNSELLOR)
    monday = dt.date(2026, 3, 2)
    mine = _appointment(pathway, counsellor, _at(monday + dt.timedelta(days=2), 14))
    theirs = _appointment(pathway, colleague, _at(monday + dt.timedelta(days=3), 9, 30))
    _appointment(pathway, counsellor, _at(monday + dt.timedelta(days=7), 9))  # the next week
    client.force_login(counsellor)
    week = client.get(reverse("agenda:agenda"), {"date": "2026-03-05"}).content.decode()
    assert reverse("agenda:detail", args=[mine.pk]) in week
    assert reverse("agenda:detail", args=[theirs.pk]) not in week
    assert week.count('data-testid="appointment-') == 1
    assert "Mercredi 04/03/2026" in week and "Dimanche 08/03/2026" in week
    team = client.get(
        reverse("agenda:agenda"), {"date": "2026-03-05", "conseiller": "equipe"}
    ).content.decode()
    assert team.count('data-testid="appointment-') == 2
    assert colleague.get_full_name() in team
    day = client.get(
        reverse("agenda:agenda"), {"date": "2026-03-05", "vue": "jour", "conseiller": "equipe"}
    ).content.decode()
    assert day.count('data-testid="appointment-') == 1
    assert reverse("agenda:detail", args=[theirs.pk]) in day


def test_an_unreadable_agenda_address_falls_back_to_this_week(client, counsellor):
    client.force_login(counsellor)
    response = client.get(reverse("agenda:agenda"), {"date": "demain", "vue": "mois"})
    assert response.status_code == 200
    assert f"{timezone.localdate():%d/%m/%Y}" in response.content.decode()
    for whose in ("x", "99999999999999999999", "-1"):
        assert client.get(reverse("agenda:agenda"), {"conseiller": whose}).status_code == 404


@pytest.mark.parametrize("rows", [3, 30])
def test_the_agenda_query_count_does_not_grow_with_appointments(
    client, operator, counsellor, rows, django_assert_num_queries
):
    monday = dt.date(2026, 3, 2)
    for n in range(rows):
        person_pathway = PathwayFactory(participant__organization=operator)
        _appointment(person_pathway, counsellor, _at(monday + dt.timedelta(days=n % 7), 8 + n % 9))
    client.force_login(counsellor)
    # session, user, memberships, the request's savepoint and its release, the team, the week's
    # appointments (with their people)
    with django_assert_num_queries(7):
        response = client.get(
            reverse("agenda:agenda"), {"date": "2026-03-04", "conseiller": "equipe"}
        )
    assert response.content.decode().count('data-testid="appointment-') == rows


def test_an_appointment_to_come_is_moved_and_its_page_has_no_outcome_yet(
    client, pathway, counsellor
):
    appointment = _appointment(pathway, counsellor, _at(_tomorrow(), 9))
    client.force_login(counsellor)
    page = client.get(reverse("agenda:detail", args=[appointment.pk])).content.decode()
    assert "Tenu ou manqué ?" not in page
    assert reverse("agenda:move", args=[appointment.pk]) in page
    form = client.get(reverse("agenda:move", args=[appointment.pk])).content.decode()
    assert 'value="09:00"' in form
    client.post(
        reverse("agenda:move", args=[appointment.pk]),
        _booking(pathway, counsellor, _tomorrow() + dt.timedelta(days=1), time="15:30"),
    )
    appointment.refresh_from_db()
    assert timezone.localtime(appointment.starts_at).time() == dt.time(15, 30)
    assert appointment.place == "Bureau 2"


def test_a_begun_appointment_is_said_held_and_becomes_an_interview(client, pathway, counsellor):
    appointment = _appointment(
        pathway, counsellor, timezone.now() - dt.timedelta(minutes=50), duration_minutes=45
    )
    client.force_login(counsellor)
    page = client.get(reverse("agenda:detail", args=[appointment.pk])).content.decode()
    assert "Tenu ou manqué ?" in page
    refused = client.post(
        reverse("agenda:outcome", args=[appointment.pk]),
        {"outcome-outcome": "held", "outcome-text": "", "outcome-confidentiality": "normal"},
    )
    assert "Écrivez la note de l'entretien." in html.unescape(refused.content.decode())
    client.post(
        reverse("agenda:outcome", args=[appointment.pk]),
        {
            "outcome-outcome": "held",
            "outcome-text": "CV revu, deux offres repérées.",
            "outcome-confidentiality": "normal",
        },
    )
    appointment.refresh_from_db()
    event = PathwayEvent.objects.get()
    assert (appointment.status, appointment.event) == (Appointment.Status.HELD, event)
    assert (event.kind, event.duration_minutes, event.author) == ("interview", 45, counsellor)
    assert event.text == "CV revu, deux offres repérées."
    person = client.get(reverse("participants:detail", args=[pathway.participant_id]))
    assert "CV revu, deux offres repérées." in person.content.decode()


def test_a_missed_appointment_and_a_cancelled_one(client, pathway, counsellor):
    missed = _appointment(pathway, counsellor, timezone.now() - dt.timedelta(hours=2))
    later = _appointment(pathway, counsellor, _at(_tomorrow(), 11))
    client.force_login(counsellor)
    client.post(reverse("agenda:outcome", args=[missed.pk]), {"outcome-outcome": "no_show"})
    refused = client.post(reverse("agenda:cancel", args=[later.pk]), {"cancel-reason": ""})
    assert (
        refused.status_code == 200 and "open" in refused.content.decode().split("Annuler")[0][-200:]
    )
    client.post(reverse("agenda:cancel", args=[later.pk]), {"cancel-reason": "Malade"})
    missed.refresh_from_db()
    later.refresh_from_db()
    assert missed.status == Appointment.Status.NO_SHOW and missed.outcome_by == counsellor
    assert (later.status, later.cancel_reason) == (Appointment.Status.CANCELLED, "Malade")
    # Said once: a second outcome is refused with what it already is.
    again = client.post(
        reverse("agenda:outcome", args=[missed.pk]), {"outcome-outcome": "no_show"}, follow=True
    )
    assert "Ce rendez-vous est déjà marqué « Absence sans prévenir »." in html.unescape(
        again.content.decode()
    )
    assert not PathwayEvent.objects.exists()


def test_the_consent_to_reminders_is_recorded_and_shown(client, pathway, counsellor):
    client.force_login(counsellor)
    url = reverse("agenda:consent", args=[pathway.participant_id])
    client.post(url, {"by_email": "on", "given_on": timezone.localdate().isoformat()})
    consent = ReminderConsent.objects.get()
    assert (consent.by_email, consent.by_sms, consent.recorded_by) == (True, False, counsellor)
    page = client.get(reverse("participants:detail", args=[pathway.participant_id]))
    assert "Rappel la veille accepté le" in page.content.decode()
    # Withdrawn: both off, the row kept.
    client.post(url, {"given_on": timezone.localdate().isoformat()})
    consent.refresh_from_db()
    assert (consent.by_email, consent.by_sms) == (False, False)
    page = client.get(reverse("participants:detail", args=[pathway.participant_id]))
    assert "Pas de rappel : accord retiré le" in page.content.decode()


def test_the_appointment_page_query_count_does_not_grow_with_reminders(
    client, pathway, counsellor, django_assert_num_queries
):
    appointment = _appointment(pathway, counsellor, _at(_tomorrow(), 9))
    for hour in range(6):
        appointment.reminders.create(
            channel="email", for_starts_at=_at(_tomorrow(), hour), status="sent"
        )
    client.force_login(counsellor)
    # session, user, memberships, the request's savepoint and its release, the appointment
    # (person, programme, counsellor), its reminders, the consent
    with django_assert_num_queries(8):
        response = client.get(reverse("agenda:detail", args=[appointment.pk]))
    assert response.content.decode().count('data-testid="reminder-') == 6


def test_a_date_out_of_any_agenda_falls_back_to_today_and_a_booking_years_ahead_is_refused(
    client, pathway, counsellor
):
    client.force_login(counsellor)
    for day in ("9999-12-31", "0001-01-01"):
        for view in ("semaine", "jour"):
            response = client.get(reverse("agenda:agenda"), {"date": day, "vue": view})
            assert response.status_code == 200
            assert f"{timezone.localdate():%d/%m/%Y}" in response.content.decode()
    for day, time in (("9999-12-31", "23:30"), ("3000-01-01", "10:00")):
        response = client.post(
            reverse("agenda:book", args=[pathway.participant_id]),
            _booking(pathway, counsellor, dt.date.fromisoformat(day), time=time),
        )
        assert response.status_code == 200
        assert "Un rendez-vous se planifie dans les deux ans" in html.unescape(
            response.content.decode()
        )
    assert not Appointment.objects.exists()


def test_a_begun_appointment_is_not_moved_but_said(client, pathway, counsellor):
    begun = _appointment(pathway, counsellor, timezone.now() - dt.timedelta(minutes=10))
    client.force_login(counsellor)
    response = client.post(
        reverse("agenda:move", args=[begun.pk]),
        _booking(pathway, counsellor, _tomorrow()),
    )
    assert "Ce rendez-vous a commencé : dites s" in html.unescape(response.content.decode())
    begun.refresh_from_db()
    assert begun.starts_at < timezone.now()


def test_an_outcome_refused_for_an_appointment_moved_meanwhile_is_said(client, pathway, counsellor):
    """The page was opened when the time had come; a colleague moved it to tomorrow since: the
    outcome's refusal is said, though the page no longer shows its form."""
    moved = _appointment(pathway, counsellor, _at(_tomorrow(), 9))
    client.force_login(counsellor)
    response = client.post(
        reverse("agenda:outcome", args=[moved.pk]),
        {"outcome-outcome": "no_show"},
    )
    text = html.unescape(response.content.decode())
    assert "Ce rendez-vous n'a pas encore eu lieu" in text
    assert "Tenu ou manqué ?" not in text
    moved.refresh_from_db()
    assert moved.status == Appointment.Status.PLANNED


def test_the_page_says_when_no_reminder_can_go_out_any_more(client, pathway, counsellor):
    ReminderConsent.objects.create(
        participant=pathway.participant,
        by_email=True,
        given_on=timezone.localdate(),
        recorded_by=counsellor,
    )
    soon = _appointment(pathway, counsellor, timezone.now() + dt.timedelta(hours=2))
    later = _appointment(pathway, counsellor, _at(_tomorrow() + dt.timedelta(days=2), 9))
    client.force_login(counsellor)
    soon_page = client.get(reverse("agenda:detail", args=[soon.pk])).content.decode()
    assert "le dernier envoi de la veille part à 20:15" in soon_page
    later_page = client.get(reverse("agenda:detail", args=[later.pk])).content.decode()
    assert "La personne recevra un rappel la veille." in later_page


@pytest.mark.parametrize("pathways", [2, 5])
def test_the_booking_and_consent_pages_query_count_does_not_grow(
    client, operator, pathway, counsellor, pathways, django_assert_num_queries
):
    for _ in range(pathways - 1):
        PathwayFactory(participant=pathway.participant)
    for _ in range(pathways):
        _member(operator, Role.COUNSELLOR)
    client.force_login(counsellor)
    # session, user, memberships, the request's savepoint and its release, the person, their
    # open pathways (read once; their list drawn once more by the select), the team
    with django_assert_num_queries(9):
        client.get(reverse("agenda:book", args=[pathway.participant_id]))
    # session, user, memberships, savepoint and release, the person, their consent
    with django_assert_num_queries(7):
        client.get(reverse("agenda:consent", args=[pathway.participant_id]))
