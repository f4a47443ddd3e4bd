"""The agenda under the data-protection rules (issue 20 with issue 17): an anonymised person's
appointments keep what is counted and lose their free text, their consent to reminders goes,
the counsellor's calendar feed no longer names them; the subject-access export lists their
appointments, their consent and the reminders sent to them."""

import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from agenda import services as agenda_services
from agenda.models import Appointment, CalendarFeed, Reminder, ReminderConsent
from agenda.selectors import appointments_between
from agenda.views_feed import feed_token
from participants import services as participant_services
from privacy.anonymisation import participant_anonymise
from privacy.subject_access import Requester, subject_access_data, subject_access_zip
from tests.factories import ParticipantFactory, ProgrammeFactory
from tests.privacy.test_subject_access import _pdf_text

BRUSSELS = ZoneInfo("Europe/Brussels")
SECRETS = ("Yasmina", "Bensaïd", "Molenbeek", "Rue Haute", "0470", "+32470", "yasmina@")


def brussels(*args) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args), BRUSSELS)


@pytest.fixture
def programme(operator):
    return ProgrammeFactory(organization=operator, code="accompagnement", name="Accompagnement")


def _person(operator, counsellor, **fields):
    return ParticipantFactory(
        organization=operator,
        counsellor=counsellor,
        **{
            "first_name": "Yasmina",
            "last_name": "Bensaïd",
            "email": "yasmina@example.org",
            "phone": "0470 12 34 56",
            **fields,
        },
    )


def _book(pathway, counsellor, starts_at, **fields) -> Appointment:
    """Booked three days before its time (a booking is for a time to come)."""
    return agenda_services.appointment_book(
        pathway=pathway,
        counsellor=counsellor,
        starts_at=starts_at,
        by=counsellor,
        now=starts_at - dt.timedelta(days=3),
        **fields,
    )


def _history(pathway, counsellor, start: dt.datetime) -> list[Appointment]:
    """One appointment of each outcome, a week apart from ``start``, with their free texts."""
    held = _book(
        pathway,
        counsellor,
        start,
        place="Rue Haute 12 (visite à domicile)",
        purpose="Dettes : préparer le rendez-vous au CPAS de Molenbeek",
    )
    agenda_services.appointment_held(
        appointment=held, text="Plan de remboursement signé à Molenbeek", by=counsellor
    )
    missed = _book(
        pathway,
        counsellor,
        start + dt.timedelta(days=7),
        duration_minutes=45,
        mode=Appointment.Mode.PHONE,
        purpose="Point sur le logement à Molenbeek",
    )
    agenda_services.appointment_no_show(appointment=missed, by=counsellor)
    cancelled = _book(
        pathway,
        counsellor,
        start + dt.timedelta(days=14),
        mode=Appointment.Mode.VIDEO,
        place="https://visio.example.org/yasmina",
        purpose="Bilan",
    )
    agenda_services.appointment_cancel(
        appointment=cancelled, reason="Hospitalisée à Molenbeek", by=counsellor
    )
    return [held, missed, cancelled]


def _reminders(appointment: Appointment) -> None:
    Reminder.objects.create(
        appointment=appointment,
        channel=Reminder.Channel.EMAIL,
        for_starts_at=appointment.starts_at,
        status=Reminder.Status.SENT,
    )
    Reminder.objects.create(
        appointment=appointment,
        channel=Reminder.Channel.SMS,
        for_starts_at=appointment.starts_at,
        status=Reminder.Status.FAILED,
        error="Numéro +32470123456 refusé par la passerelle",
    )


def _per_status(year: int) -> dict:
    """A report's figures: the appointments of a year by outcome."""
    found = Appointment.objects.filter(starts_at__year=year).values_list("status")
    return dict(found.annotate(n=Count("pk")).order_by())


def _counted():
    """What a report counts of the appointments: their outcome, time, length, form, holder."""
    return list(
        Appointment.objects.order_by("pk").values_list(
            "pathway", "status", "starts_at", "duration_minutes", "mode", "counsellor", "event"
        )
    )


# --- Anonymisation ------------------------------------------------------------------------------


def test_the_anonymisation_empties_the_appointments_free_text_and_keeps_what_is_counted(
    operator, counsellor, programme, capsys
):
    """Due by the retention rule, anonymised by ``anonymize_expired --wet-run`` (the monthly
    review's confirmation calls the same erasure)."""
    person = _person(operator, counsellor)
    pathway = participant_services.pathway_open(
        participant=person, programme=programme, started_on=dt.date(2019, 1, 7), by=counsellor
    )
    agenda_services.reminder_consent_record(
        participant=person, by_email=True, by_sms=True, given_on=dt.date(2019, 1, 7), by=counsellor
    )
    appointments = _history(pathway, counsellor, brussels(2019, 3, 4, 10, 0))
    _reminders(appointments[0])
    participant_services.pathway_close(
        pathway=pathway, ended_on=dt.date(2019, 12, 20), exit_outcome="job_permanent", by=counsellor
    )
    # Someone else of the same counsellor, followed now: left as it is.
    neighbour = _person(operator, counsellor, first_name="Marc", last_name="Vandenberghe")
    theirs = participant_services.pathway_open(
        participant=neighbour, programme=programme, started_on=dt.date(2025, 1, 6), by=counsellor
    )
    agenda_services.reminder_consent_record(
        participant=neighbour,
        by_email=True,
        by_sms=False,
        given_on=dt.date(2025, 1, 6),
        by=counsellor,
    )
    kept = _book(theirs, counsellor, brussels(2025, 2, 3, 9, 0), purpose="Préparer Molenbeek")
    counted, figures = _counted(), _per_status(2019)
    assert figures == {"held": 1, "no_show": 1, "cancelled": 1}

    call_command("anonymize_expired", "--wet-run")
    assert "1 participant(s) anonymised." in capsys.readouterr().out

    person.refresh_from_db()
    assert person.anonymised_at is not None
    assert _counted() == counted
    assert _per_status(2019) == figures
    for appointment in Appointment.objects.filter(pathway=pathway):
        assert (appointment.place, appointment.purpose, appointment.cancel_reason) == ("", "", "")
    held = Appointment.objects.get(pk=appointments[0].pk)
    assert held.status == "held" and held.event.text == "" and held.event.kind == "interview"
    assert sorted(
        Reminder.objects.filter(appointment__pathway=pathway).values_list(
            "channel", "status", "error"
        )
    ) == [("email", "sent", ""), ("sms", "failed", "")]
    assert not ReminderConsent.objects.filter(participant=person).exists()
    # The other person's appointment and consent are as they were.
    kept.refresh_from_db()
    assert kept.purpose == "Préparer Molenbeek"
    assert ReminderConsent.objects.filter(participant=neighbour, by_email=True).exists()
    # The audit trail keeps who changed what when, not the values (nor the name in its label).
    for entry in LogEntry.objects.exclude(object_pk=str(kept.pk)).exclude(
        object_pk=str(neighbour.pk)
    ):
        text = f"{entry.object_repr} {entry.changes} {entry.changes_text} {entry.serialized_data}"
        for word in SECRETS:
            assert word not in text, (entry.content_type, entry.pk, text)


def test_the_calendar_feed_no_longer_shows_an_anonymised_person(
    client, operator, counsellor, programme
):
    person = _person(operator, counsellor)
    pathway = participant_services.pathway_open(
        participant=person,
        programme=programme,
        started_on=timezone.localdate() - dt.timedelta(days=60),
        by=counsellor,
    )
    today = timezone.localdate()
    past = _book(
        pathway,
        counsellor,
        timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=10), dt.time(10))),
        place="Rue Haute 12",
    )
    agenda_services.appointment_held(appointment=past, text="Entretien", by=counsellor)
    _book(
        pathway,
        counsellor,
        timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=3), dt.time(14))),
    )
    feed = CalendarFeed.objects.create(user=counsellor, organization=operator, key="k" * 32)
    url = reverse("agenda:feed_ics", args=[feed_token(feed)])
    week = {"organization": operator, "start": today - dt.timedelta(days=14), "end": today}
    before = client.get(url).content.decode()
    assert before.count("BEGIN:VEVENT") == 2 and "Yasmina B." in before
    assert appointments_between(**week).count() == 1

    participant_anonymise(participant=person)

    after = client.get(url)
    assert after.status_code == 200
    text = after.content.decode()
    assert "BEGIN:VEVENT" not in text
    assert "Yasmina" not in text and "Anonyme" not in text and "Rue Haute" not in text
    assert appointments_between(**week).count() == 0


# --- Subject-access export ----------------------------------------------------------------------


@pytest.fixture
def person(operator, counsellor, programme):
    """Yasmina with an appointment of each outcome and one to come, her consent, the reminders
    of her first appointment; beside her, a neighbour whose appointment must not appear."""
    yasmina = _person(operator, counsellor)
    pathway = participant_services.pathway_open(
        participant=yasmina, programme=programme, started_on=dt.date(2025, 1, 6), by=counsellor
    )
    agenda_services.reminder_consent_record(
        participant=yasmina, by_email=True, by_sms=True, given_on=dt.date(2025, 1, 6), by=counsellor
    )
    appointments = _history(pathway, counsellor, brussels(2025, 3, 3, 10, 0))
    _reminders(appointments[0])
    coming = timezone.localdate() + dt.timedelta(days=5)
    _book(
        pathway,
        counsellor,
        timezone.make_aware(dt.datetime.combine(coming, dt.time(9, 30))),
        place="Bureau 2",
        purpose="Préparer l'entretien d'embauche",
    )
    neighbour = _person(operator, counsellor, first_name="Marc", last_name="Vandenberghe")
    theirs = participant_services.pathway_open(
        participant=neighbour, programme=programme, started_on=dt.date(2025, 1, 6), by=counsellor
    )
    _book(theirs, counsellor, brussels(2025, 3, 5, 10, 0), purpose="Secret du voisin")
    return yasmina


def _requester(user) -> Requester:
    return Requester(user=user, membership=Membership.objects.get(user=user))


def _sections(data) -> dict:
    return {section["model"]: section["records"] for section in data["sections"]}


def test_the_export_lists_the_appointments_the_consent_and_the_reminders(
    person, director, counsellor
):
    data = subject_access_data(participant=person, requester=_requester(director))
    held = _sections(data)
    appointments = held["agenda.Appointment"]
    assert [a["status"]["code"] for a in appointments] == [
        "held",
        "no_show",
        "cancelled",
        "planned",
    ]
    first, missed, cancelled, coming = appointments
    assert first["starts_at"] == "2025-03-03T10:00:00+01:00"
    assert first["counsellor"] == counsellor.get_full_name()
    assert first["mode"] == {"code": "in_person", "label": "En présentiel"}
    assert first["place"] == "Rue Haute 12 (visite à domicile)"
    assert first["purpose"] == "Dettes : préparer le rendez-vous au CPAS de Molenbeek"
    assert first["status"]["label"] == "Tenu"
    assert first["event"]["label"] == "Entretien (03/03/2025)"
    assert (missed["duration_minutes"], missed["mode"]["label"]) == (45, "Par téléphone")
    assert missed["status"]["label"] == "Absence sans prévenir"
    assert cancelled["cancel_reason"] == "Hospitalisée à Molenbeek"
    assert coming["purpose"] == "Préparer l'entretien d'embauche" and coming["event"] is None
    (consent,) = held["agenda.ReminderConsent"]
    assert (consent["by_email"], consent["by_sms"], consent["given_on"]) == (
        True,
        True,
        "2025-01-06",
    )
    assert consent["recorded_by"] == counsellor.get_full_name()
    reminders = held["agenda.Reminder"]
    assert [(r["channel"]["label"], r["status"]["label"]) for r in reminders] == [
        ("E-mail", "Envoyé"),
        ("SMS", "Échec"),
    ]
    assert {r["appointment"]["label"] for r in reminders} == {"03/03/2025 10:00 (En présentiel)"}
    assert reminders[1]["error"] == "Numéro +32470123456 refusé par la passerelle"
    assert all(r["at"] and "attempts" not in r for r in reminders)  # a retry count: technical
    text = json.dumps(data, ensure_ascii=False)
    assert "Secret du voisin" not in text and "Vandenberghe" not in text


def test_the_pdf_prints_the_appointments_in_plain_french(person, director):
    archive = zipfile.ZipFile(
        io.BytesIO(subject_access_zip(participant=person, requester=_requester(director)))
    )
    text = _pdf_text(archive.read("export.pdf"))
    for expected in (
        "Rendez-vous",
        "03/03/2025 10:00",
        "Dettes : préparer le rendez-vous au CPAS de Molenbeek",
        "Hospitalisée à Molenbeek",
        "Absence sans prévenir",
        "Accord pour les rappels de rendez-vous",
        "Rappels de rendez-vous envoyés",
        "Numéro +32470123456 refusé par",  # a narrow column: the rest on the next line
    ):
        assert expected in text, expected
    assert "Secret du voisin" not in text
    assert "Appointment" not in text  # every column named in French


def test_the_export_queries_the_same_with_one_appointment_or_five(
    operator, counsellor, director, programme
):
    def queries(person):
        requester = _requester(director)
        subject_access_data(participant=person, requester=requester)  # content types cached
        with CaptureQueriesContext(connection) as captured:
            subject_access_data(participant=person, requester=requester)
        return len(captured)

    counts = []
    for rows in (1, 5):
        someone = _person(operator, counsellor, last_name=f"Personne-{rows}")
        pathway = participant_services.pathway_open(
            participant=someone, programme=programme, started_on=dt.date(2025, 1, 6), by=counsellor
        )
        for n in range(rows):
            appointment = _book(pathway, counsellor, brussels(2025, 3, 3 + n, 10, 0))
            agenda_services.appointment_held(appointment=appointment, text="Vu", by=counsellor)
            _reminders(appointment)
        counts.append(queries(someone))
    assert counts[0] == counts[1]


def test_the_export_lists_the_trainings_and_certifications(person, director, counsellor):
    training = participant_services.training_add(
        participant=person,
        recorded_by=counsellor,
        recorded_by_organization=person.organization,
        title="Formation qualifiante peintre en bâtiment",
        provider="Centre de formation Bâtir Ensemble",
        starts_on=dt.date(2025, 2, 3),
        ends_on=dt.date(2025, 6, 27),
        hours_planned=Decimal(300),
        hours_done=Decimal(296),
        status="completed",
    )
    participant_services.certification_add(
        participant=person,
        recorded_by=counsellor,
        recorded_by_organization=person.organization,
        kind="certificate",
        title="Certificat de peintre",
        obtained_on=dt.date(2025, 6, 30),
        issuing_body="Bruxelles Formation",
        training=training,
    )
    held = _sections(subject_access_data(participant=person, requester=_requester(director)))
    (followed,) = held["participants.Training"]
    assert followed["title"] == "Formation qualifiante peintre en bâtiment"
    assert (followed["starts_on"], followed["status"]["code"]) == ("2025-02-03", "completed")
    (obtained,) = held["participants.Certification"]
    assert obtained["training"]["label"] == "Formation qualifiante peintre en bâtiment (03/02/2025)"
    assert (obtained["kind"]["label"], obtained["issuing_body"]) == (
        "Certificat",
        "Bruxelles Formation",
    )
