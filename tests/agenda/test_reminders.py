"""The reminders of the day before (issue 20): by each channel the person agreed to and has a
contact for, each sent once whatever the number of runs or workers, a moved appointment reminded
again, a failing gateway tried again a few times; the log names no one. And the real path: the
beat's task in a worker process."""

import datetime as dt
import email
import logging
import time
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils import timezone

from agenda import services, sms
from agenda.models import Appointment, Reminder
from agenda.tasks import appointment_reminders_send
from config.celery import app as celery_app
from participants import services as participant_services
from participants.models import Participant
from tests.factories import ParticipantFactory
from tests.workers import celery_worker, purge

BRUSSELS = ZoneInfo("Europe/Brussels")


def brussels(*args) -> dt.datetime:
    """A time on the wall clocks of Brussels."""
    return timezone.make_aware(dt.datetime(*args), BRUSSELS)


# The beat's run of Monday 9 March 2026 at 18:15 in Brussels: "tomorrow" is Tuesday 10 March.
NOW = brussels(2026, 3, 9, 18, 15)
BOOKED = brussels(2026, 3, 2, 9, 0)  # when the appointments below were planned


class FailingSMSBackend:
    """A gateway that refuses every message (named in settings.SMS_BACKEND by the tests)."""

    def send_messages(self, messages):
        raise RuntimeError(f"passerelle injoignable pour {messages[0].to}")


class RefusingSMSBackend:
    """A gateway that takes the message and says it sent none."""

    def send_messages(self, messages):
        return 0


class ConcurrentRunSMSBackend:
    """A gateway slow enough that another worker's run starts while it sends (that run's
    counts are kept in ``runs``)."""

    runs: list[dict[str, int]] = []

    def send_messages(self, messages):
        if not self.runs:
            self.runs.append(services.reminders_send_due(now=NOW))
        sms.outbox.extend(messages)
        return len(messages)


@pytest.fixture(autouse=True)
def _backends_in_memory(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "agenda.sms.LocmemBackend"


@pytest.fixture
def karim(counsellor):
    counsellor.first_name, counsellor.last_name = "Karim", "Benali"
    counsellor.save(update_fields=["first_name", "last_name"])
    return counsellor


_people = iter(range(10_000))


def _person(
    programme, counsellor, *, by_email=True, by_sms=True, first_name=None, phone=None
) -> Participant:
    """A person with an open pathway, an e-mail address and a mobile number, who agreed to the
    reminders by the channels said (none: no consent recorded)."""
    n = next(_people)
    person = ParticipantFactory(
        organization=programme.organization,
        first_name=first_name or f"Prénom{n}",
        last_name=f"Nom{n}",
        email=f"personne{n}@example.org",
        phone=phone or f"0470 00 {n // 100 % 100:02d} {n % 100:02d}",
        counsellor=counsellor,
    )
    person.open_pathway = participant_services.pathway_open(
        participant=person, programme=programme, started_on=dt.date(2025, 3, 3), by=counsellor
    )
    if by_email or by_sms:
        services.reminder_consent_record(
            participant=person,
            by_email=by_email,
            by_sms=by_sms,
            given_on=dt.date(2026, 2, 2),
            by=counsellor,
        )
    return person


def _book(person, counsellor, starts_at, **fields) -> Appointment:
    return services.appointment_book(
        pathway=person.open_pathway,
        counsellor=counsellor,
        starts_at=starts_at,
        by=counsellor,
        now=BOOKED,
        **fields,
    )


def _mails_to() -> list[str]:
    return sorted(address for message in mail.outbox for address in message.to)


def _texts_to(outbox) -> list[str]:
    return sorted(message.to for message in outbox)


class TestWhoIsReminded:
    def test_only_tomorrows_planned_appointments_of_people_who_agreed(
        self, programme, karim, sms_outbox
    ):
        due = {
            "morning": _book(_person(programme, karim), karim, brussels(2026, 3, 10, 10, 0)),
            # 00:30 in Brussels is 23:30 UTC the day before: still tomorrow for the person.
            "just after midnight": _book(
                _person(programme, karim), karim, brussels(2026, 3, 10, 0, 30)
            ),
            "late evening": _book(_person(programme, karim), karim, brussels(2026, 3, 10, 23, 0)),
        }
        not_due = {
            "today": _book(_person(programme, karim), karim, brussels(2026, 3, 9, 20, 0)),
            "the day after": _book(_person(programme, karim), karim, brussels(2026, 3, 11, 10, 0)),
            # 00:15 on Wednesday is 23:15 UTC on Tuesday: not tomorrow in Brussels.
            "the day after, just past midnight": _book(
                _person(programme, karim), karim, brussels(2026, 3, 11, 0, 15)
            ),
            "cancelled": _book(_person(programme, karim), karim, brussels(2026, 3, 10, 11, 0)),
            "anonymised": _book(_person(programme, karim), karim, brussels(2026, 3, 10, 12, 0)),
            "no consent": _book(
                _person(programme, karim, by_email=False, by_sms=False),
                karim,
                brussels(2026, 3, 10, 13, 0),
            ),
            "consent withdrawn": _book(
                _person(programme, karim), karim, brussels(2026, 3, 10, 14, 0)
            ),
        }
        services.appointment_cancel(appointment=not_due["cancelled"], reason="", by=karim)
        Participant.objects.filter(pk=not_due["anonymised"].participant.pk).update(
            anonymised_at=NOW
        )
        services.reminder_consent_record(
            participant=not_due["consent withdrawn"].participant,
            by_email=False,
            by_sms=False,
            given_on=dt.date(2026, 3, 1),
            by=karim,
        )

        assert services.reminders_send_due(now=NOW) == {"sent": 6, "failed": 0}

        people = [a.participant for a in due.values()]
        assert _mails_to() == sorted(p.email for p in people)
        assert _texts_to(sms_outbox) == sorted(sms.mobile_number(p.phone) for p in people)
        assert set(
            Reminder.objects.values_list("appointment", "channel", "status", "attempts")
        ) == {(a.pk, channel, "sent", 1) for a in due.values() for channel in ("email", "sms")}
        assert not Reminder.objects.filter(appointment__in=not_due.values()).exists()

    def test_each_channel_the_person_agreed_to_and_has_a_contact_for(
        self, programme, karim, sms_outbox
    ):
        by_email = _person(programme, karim, by_sms=False)
        by_sms = _person(programme, karim, by_email=False)
        both_but_no_address_now = _person(programme, karim)
        both_but_a_landline_now = _person(programme, karim)
        Participant.objects.filter(pk=both_but_no_address_now.pk).update(email="")
        Participant.objects.filter(pk=both_but_a_landline_now.pk).update(phone="02 511 22 33")
        for hour, person in enumerate(
            [by_email, by_sms, both_but_no_address_now, both_but_a_landline_now], start=9
        ):
            _book(person, karim, brussels(2026, 3, 10, hour, 0))

        assert services.reminders_send_due(now=NOW) == {"sent": 4, "failed": 0}
        assert _mails_to() == sorted([by_email.email, both_but_a_landline_now.email])
        assert _texts_to(sms_outbox) == sorted(
            ["+32" + p.phone.replace(" ", "")[1:] for p in (by_sms, both_but_no_address_now)]
        )
        assert set(
            Reminder.objects.values_list("appointment__pathway__participant", "channel")
        ) == {
            (by_email.pk, "email"),
            (by_sms.pk, "sms"),
            (both_but_no_address_now.pk, "sms"),
            (both_but_a_landline_now.pk, "email"),
        }


class TestTheText:
    def test_it_says_the_day_the_time_the_counsellor_and_the_place_never_the_purpose(
        self, operator, programme, karim, sms_outbox
    ):
        operator.phone = "02 555 00 00"
        operator.save(update_fields=["phone"])
        person = _person(programme, karim, first_name="Bénédicte", phone="+32 470 12 34 56")
        _book(
            person,
            karim,
            brussels(2026, 3, 10, 10, 0),
            place="Rue de la Loi 1, bureau 3",
            purpose="Dettes et médiation",
        )

        services.reminders_send_due(now=NOW)

        text = (
            "Bonjour Bénédicte, nous vous rappelons votre rendez-vous de demain, le 10/03/2026 à "
            "10:00, avec Karim, à Rue de la Loi 1, bureau 3. Empêché·e ? Appelez le "
            "02 555 00 00. — Mission Locale de Test"
        )
        [message] = mail.outbox
        assert message.subject == "Rappel : votre rendez-vous de demain"
        assert message.to == [person.email]
        assert message.body == text
        assert [(m.to, m.text) for m in sms_outbox] == [("+32470123456", text)]
        for said in (message.body, message.subject):
            assert "Dettes" not in said
            assert person.last_name not in said
            assert "Benali" not in said

    def test_a_phone_or_video_appointment_says_so(self, programme, karim, sms_outbox):
        phone = _person(programme, karim, by_email=False)
        video = _person(programme, karim, by_email=False)
        _book(phone, karim, brussels(2026, 3, 10, 9, 0), mode=Appointment.Mode.PHONE)
        _book(
            video,
            karim,
            brussels(2026, 3, 10, 11, 0),
            mode=Appointment.Mode.VIDEO,
            place="https://visio.example.org/abc",
        )

        services.reminders_send_due(now=NOW)

        said = {m.to: m.text for m in sms_outbox}
        assert "à 09:00, avec Karim, par téléphone. — " in said[sms.mobile_number(phone.phone)]
        assert (
            "à 11:00, avec Karim, en visioconférence (https://visio.example.org/abc). — "
            in said[sms.mobile_number(video.phone)]
        )


class TestOnce:
    def test_a_second_run_sends_nothing_more(self, programme, karim, sms_outbox):
        _book(_person(programme, karim), karim, brussels(2026, 3, 10, 10, 0))
        assert services.reminders_send_due(now=NOW) == {"sent": 2, "failed": 0}
        later = NOW + dt.timedelta(hours=1)
        assert services.reminders_send_due(now=later) == {"sent": 0, "failed": 0}
        assert (len(mail.outbox), len(sms_outbox)) == (1, 1)
        assert Reminder.objects.count() == 2

    def test_a_reminder_claimed_by_another_run_is_not_sent_twice(
        self, programme, karim, sms_outbox
    ):
        appointment = _book(_person(programme, karim), karim, brussels(2026, 3, 10, 10, 0))
        # Another worker's run, at the same moment, has claimed the e-mail and is sending it.
        Reminder.objects.create(
            appointment=appointment,
            channel=Reminder.Channel.EMAIL,
            for_starts_at=appointment.starts_at,
            status=Reminder.Status.SENDING,
        )

        assert services.reminders_send_due(now=NOW) == {"sent": 1, "failed": 0}
        assert mail.outbox == []
        assert len(sms_outbox) == 1
        assert Reminder.objects.get(channel="email").status == Reminder.Status.SENDING

    def test_the_database_refuses_a_second_claim_of_the_same_reminder(self, programme, karim):
        appointment = _book(_person(programme, karim), karim, brussels(2026, 3, 10, 10, 0))
        claim = {
            "appointment": appointment,
            "channel": Reminder.Channel.SMS,
            "for_starts_at": appointment.starts_at,
        }
        Reminder.objects.create(**claim, status=Reminder.Status.SENDING)
        with pytest.raises(IntegrityError), transaction.atomic():
            Reminder.objects.create(**claim, status=Reminder.Status.SENDING)
        assert Reminder.objects.count() == 1

    def test_an_appointment_moved_after_its_reminder_is_reminded_of_its_new_time(
        self, programme, karim, sms_outbox
    ):
        appointment = _book(
            _person(programme, karim, by_sms=False), karim, brussels(2026, 3, 10, 10, 0)
        )
        services.reminders_send_due(now=NOW)
        services.appointment_move(
            appointment=appointment,
            counsellor=karim,
            starts_at=brussels(2026, 3, 10, 15, 30),
            duration_minutes=60,
            mode=appointment.mode,
            now=NOW + dt.timedelta(minutes=5),
        )

        assert services.reminders_send_due(now=NOW + dt.timedelta(hours=1)) == {
            "sent": 1,
            "failed": 0,
        }
        assert [" à 10:00," in m.body for m in mail.outbox] == [True, False]
        assert [" à 15:30," in m.body for m in mail.outbox] == [False, True]
        assert list(
            Reminder.objects.order_by("for_starts_at").values_list("for_starts_at", "status")
        ) == [(brussels(2026, 3, 10, 10, 0), "sent"), (brussels(2026, 3, 10, 15, 30), "sent")]
        assert services.reminders_send_due(now=NOW + dt.timedelta(hours=2))["sent"] == 0

    def test_moved_away_and_back_it_is_reminded_of_the_time_it_has_again(
        self, programme, karim, sms_outbox
    ):
        appointment = _book(
            _person(programme, karim, by_sms=False), karim, brussels(2026, 3, 10, 10, 0)
        )
        services.reminders_send_due(now=NOW)  # "10:00"
        for minutes, (hour, minute) in ((5, (15, 30)), (65, (10, 0))):
            services.appointment_move(
                appointment=appointment,
                counsellor=karim,
                starts_at=brussels(2026, 3, 10, hour, minute),
                duration_minutes=60,
                mode=appointment.mode,
                now=NOW + dt.timedelta(minutes=minutes),
            )
            appointment.refresh_from_db()
            services.reminders_send_due(now=NOW + dt.timedelta(minutes=minutes + 10))
        # The person's last message gives the time the appointment has: 10:00 again.
        assert [m.body.split(" à ")[1][:5] for m in mail.outbox] == ["10:00", "15:30", "10:00"]
        assert services.reminders_send_due(now=NOW + dt.timedelta(hours=2))["sent"] == 0
        assert Reminder.objects.count() == 2  # one row per time, the 10:00 one sent again


class TestFailures:
    @pytest.fixture
    def appointment(self, programme, karim):
        return _book(_person(programme, karim), karim, brussels(2026, 3, 10, 10, 0))

    def test_a_failing_gateway_is_recorded_and_tried_again_a_few_times(
        self, appointment, settings, sms_outbox
    ):
        settings.SMS_BACKEND = "tests.agenda.test_reminders.FailingSMSBackend"
        number = sms.mobile_number(appointment.participant.phone)

        assert services.reminders_send_due(now=NOW) == {"sent": 1, "failed": 1}
        failed = Reminder.objects.get(channel="sms")
        assert (failed.status, failed.attempts) == ("failed", 1)
        assert failed.error == f"passerelle injoignable pour {number}"
        assert Reminder.objects.get(channel="email").status == "sent"

        for attempt in range(2, services.REMINDER_ATTEMPTS + 1):
            assert services.reminders_send_due(now=NOW) == {"sent": 0, "failed": 1}
            failed.refresh_from_db()
            assert (failed.status, failed.attempts) == ("failed", attempt)

        # Its attempts spent, it is left alone, even once the gateway answers again.
        settings.SMS_BACKEND = "agenda.sms.LocmemBackend"
        assert services.reminders_send_due(now=NOW) == {"sent": 0, "failed": 0}
        failed.refresh_from_db()
        assert (failed.status, failed.attempts) == ("failed", services.REMINDER_ATTEMPTS)
        assert sms_outbox == []
        assert len(mail.outbox) == 1

    def test_a_gateway_that_sends_nothing_is_a_failure_not_a_silence(self, appointment, settings):
        settings.SMS_BACKEND = "tests.agenda.test_reminders.RefusingSMSBackend"
        assert services.reminders_send_due(now=NOW) == {"sent": 1, "failed": 1}
        reminder = Reminder.objects.get(channel="sms")
        assert (reminder.status, reminder.error) == ("failed", "the SMS backend sent nothing")

    def test_the_next_run_sends_what_failed(self, appointment, settings, sms_outbox):
        settings.SMS_BACKEND = "tests.agenda.test_reminders.FailingSMSBackend"
        services.reminders_send_due(now=NOW)
        settings.SMS_BACKEND = "agenda.sms.LocmemBackend"

        assert services.reminders_send_due(now=NOW + dt.timedelta(hours=1)) == {
            "sent": 1,
            "failed": 0,
        }
        reminder = Reminder.objects.get(channel="sms")
        assert (reminder.status, reminder.attempts, reminder.error) == ("sent", 2, "")
        assert [m.to for m in sms_outbox] == [sms.mobile_number(appointment.participant.phone)]
        assert len(mail.outbox) == 1

    def test_a_claim_whose_worker_died_is_taken_again_with_the_reason(
        self, appointment, settings, sms_outbox
    ):
        settings.SMS_BACKEND = "tests.agenda.test_reminders.FailingSMSBackend"
        key = {"appointment": appointment, "for_starts_at": appointment.starts_at}
        dead = Reminder.objects.create(**key, channel="email", status=Reminder.Status.SENDING)
        alive = Reminder.objects.create(**key, channel="sms", status=Reminder.Status.SENDING)
        limit = dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
        second = dt.timedelta(seconds=1)
        Reminder.objects.filter(pk=dead.pk).update(at=timezone.now() - limit - second)
        Reminder.objects.filter(pk=alive.pk).update(at=timezone.now() - limit + 30 * second)

        assert services.reminders_send_due(now=NOW) == {"sent": 1, "failed": 0}
        dead.refresh_from_db()
        alive.refresh_from_db()
        assert (dead.status, dead.attempts, dead.error) == ("sent", 2, "")
        assert [m.to for m in mail.outbox] == [[appointment.participant.email]]
        assert (alive.status, alive.attempts) == ("sending", 1)  # its worker may still answer
        assert sms_outbox == []

    def test_a_claim_dead_on_its_last_attempt_stays_failed_with_the_reason(self, appointment):
        dead = Reminder.objects.create(
            appointment=appointment,
            channel="email",
            for_starts_at=appointment.starts_at,
            status=Reminder.Status.SENDING,
            attempts=services.REMINDER_ATTEMPTS,
        )
        Reminder.objects.filter(pk=dead.pk).update(at=timezone.now() - dt.timedelta(hours=1))

        assert services.reminders_send_due(now=NOW) == {"sent": 1, "failed": 0}  # the SMS
        dead.refresh_from_db()
        assert (dead.status, dead.attempts) == ("failed", services.REMINDER_ATTEMPTS)
        assert dead.error == "interrupted: no answer from the sending worker"
        assert mail.outbox == []

    def test_a_retry_is_a_fresh_claim_for_a_run_starting_meanwhile(
        self, appointment, settings, sms_outbox
    ):
        settings.SMS_BACKEND = "tests.agenda.test_reminders.FailingSMSBackend"
        services.reminders_send_due(now=NOW)
        # That failure was two hours ago; the retry now is slow, and another run starts.
        Reminder.objects.filter(channel="sms").update(at=timezone.now() - dt.timedelta(hours=2))
        settings.SMS_BACKEND = "tests.agenda.test_reminders.ConcurrentRunSMSBackend"
        ConcurrentRunSMSBackend.runs.clear()

        assert services.reminders_send_due(now=NOW) == {"sent": 1, "failed": 0}
        assert ConcurrentRunSMSBackend.runs == [{"sent": 0, "failed": 0}]
        assert len(sms_outbox) == 1
        reminder = Reminder.objects.get(channel="sms")
        assert (reminder.status, reminder.attempts) == ("sent", 2)

    def test_the_log_names_no_one(self, appointment, settings, caplog):
        settings.SMS_BACKEND = "tests.agenda.test_reminders.FailingSMSBackend"
        person = appointment.participant
        caplog.set_level(logging.DEBUG)

        services.reminders_send_due(now=NOW)

        ours = [r for r in caplog.records if r.name.startswith("agenda")]
        assert [(r.name, r.levelname, r.getMessage()) for r in ours] == [
            ("agenda.services", "INFO", f"reminder email of appointment {appointment.pk} sent"),
            (
                "agenda.services",
                "WARNING",
                f"reminder sms of appointment {appointment.pk} failed",
            ),
        ]
        for private in (
            person.first_name,
            person.last_name,
            person.email,
            person.phone,
            person.phone.replace(" ", ""),
            sms.mobile_number(person.phone),
        ):
            assert private not in caplog.text


@pytest.mark.parametrize(
    "value",
    [
        "agenda.sms.NoSuchBackend",
        "nowhere.SmsBackend",
        "agenda.sms.Message",  # a class, without send_messages
        "agenda.sms",  # a module
        "ConsoleBackend",
        "",
    ],
)
def test_a_bad_sms_backend_stops_start_up_naming_the_variable(settings, value):
    settings.SMS_BACKEND = value
    with pytest.raises(ImproperlyConfigured) as error:
        apps.get_app_config("agenda").ready()
    assert str(error.value).startswith("SMS_BACKEND must name a class with send_messages")
    assert repr(value) in str(error.value)


def test_the_beat_runs_the_reminders_every_hour_of_the_working_day(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-appointment-reminders"]
    assert entry["task"] == "agenda.tasks.appointment_reminders_send"
    assert entry["task"] in celery_app.tasks
    assert entry["schedule"].hour == set(range(8, 21))
    assert entry["schedule"].minute == {15}


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_sends_tomorrows_reminder(operator, counsellor, programme, tmp_path):
    person = _person(programme, counsellor, by_sms=False, first_name="Yasmina")
    # Tomorrow at 14:00 in Brussels, whatever the hour this test runs: always tomorrow's.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    starts_at = timezone.make_aware(dt.datetime.combine(tomorrow, dt.time(14, 0)), BRUSSELS)
    appointment = services.appointment_book(
        pathway=person.open_pathway, counsellor=counsellor, starts_at=starts_at, by=counsellor
    )
    mail_dir = tmp_path / "mail"

    purge("celery")  # nothing left by an interrupted run is taken before this test's message
    with celery_worker(queues=["celery"], environ={"EMAIL_URL": f"file://{mail_dir}"}) as worker:
        appointment_reminders_send.delay()
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if Reminder.objects.filter(appointment=appointment, status="sent").exists():
                break
            time.sleep(0.3)
    reminder = Reminder.objects.filter(appointment=appointment).first()
    assert reminder is not None and reminder.status == "sent", worker["output"][-3000:]
    assert reminder.channel == "email"

    [written] = [email.message_from_bytes(path.read_bytes()) for path in mail_dir.iterdir()]
    assert written["To"] == person.email
    body = written.get_payload(decode=True).decode(written.get_content_charset())
    assert "Bonjour Yasmina, nous vous rappelons votre rendez-vous de demain, le " in body
    assert f"le {tomorrow:%d/%m/%Y} à 14:00, avec {counsellor.first_name}," in body
    assert person.email not in worker["output"]
    assert person.last_name not in worker["output"]
