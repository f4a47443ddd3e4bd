"""The agenda's rules (DESIGN §4 "Pathways": planned appointments are future by nature and become
events when they are held), on the services: booking, moving, the outcomes, the consent to
reminders, and which phone number can receive a text."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import Membership, Role
from agenda import services, sms
from agenda.models import Appointment, ReminderConsent
from participants import services as participant_services
from participants.models import Confidentiality, PathwayEvent
from tests.factories import MembershipFactory

BRUSSELS = ZoneInfo("Europe/Brussels")


def brussels(*args) -> dt.datetime:
    """A time on the wall clocks of Brussels."""
    return timezone.make_aware(dt.datetime(*args), BRUSSELS)


# Monday 9 March 2026, 9:00 in Brussels: the office is open, the appointments below are to come.
NOW = brussels(2026, 3, 9, 9, 0)


def _book(pathway, counsellor, starts_at, *, now=NOW, **fields):
    return services.appointment_book(
        pathway=pathway,
        counsellor=counsellor,
        starts_at=starts_at,
        by=counsellor,
        now=now,
        **fields,
    )


def _move(appointment, starts_at, *, counsellor=None, now=NOW, duration_minutes=60):
    return services.appointment_move(
        appointment=appointment,
        counsellor=counsellor or appointment.counsellor,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=appointment.mode,
        place=appointment.place,
        purpose=appointment.purpose,
        now=now,
    )


def _messages(error: pytest.ExceptionInfo, field: str = "__all__") -> list[str]:
    return error.value.message_dict[field] if field != "__all__" else error.value.messages


class TestBooking:
    def test_it_plans_an_appointment_to_come_in_an_open_pathway(self, pathway, counsellor):
        appointment = _book(
            pathway,
            counsellor,
            brussels(2026, 3, 10, 10, 0),
            duration_minutes=45,
            mode=Appointment.Mode.PHONE,
            place="Bureau 2",
            purpose="Bilan des recherches",
        )
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.PLANNED
        assert appointment.starts_at == brussels(2026, 3, 10, 10, 0)
        assert appointment.ends_at == brussels(2026, 3, 10, 10, 45)
        assert (appointment.mode, appointment.place, appointment.purpose) == (
            "phone",
            "Bureau 2",
            "Bilan des recherches",
        )
        assert appointment.created_by == counsellor
        assert appointment.event is None

    @pytest.mark.parametrize("minutes_from_now", [0, -1, -24 * 60])
    def test_it_refuses_a_time_that_has_come_already(self, pathway, counsellor, minutes_from_now):
        with pytest.raises(ValidationError) as error:
            _book(pathway, counsellor, NOW + dt.timedelta(minutes=minutes_from_now))
        assert _messages(error, "day") == [
            "Un rendez-vous se planifie pour plus tard. Ce qui a déjà eu lieu s'inscrit dans le "
            "journal du parcours."
        ]
        assert not Appointment.objects.exists()

    def test_it_refuses_a_closed_pathway(self, pathway, counsellor):
        closed = participant_services.pathway_close(
            pathway=pathway, ended_on=dt.date(2026, 2, 27), exit_outcome="no_news", by=counsellor
        )
        with pytest.raises(ValidationError) as error:
            _book(closed, counsellor, brussels(2026, 3, 10, 10, 0))
        assert _messages(error) == [
            "Ce parcours est clôturé : un rendez-vous se planifie dans un parcours ouvert."
        ]
        assert not Appointment.objects.exists()

    def test_it_refuses_a_pathway_closed_while_the_page_was_open(self, pathway, counsellor):
        participant_services.pathway_close(
            pathway=pathway, ended_on=dt.date(2026, 2, 27), exit_outcome="no_news", by=counsellor
        )
        assert pathway.is_open  # the instance the booking page loaded, before the closing
        with pytest.raises(ValidationError, match="parcours est clôturé"):
            _book(pathway, counsellor, brussels(2026, 3, 10, 10, 0))
        assert not Appointment.objects.exists()

    def test_a_member_of_the_direction_may_hold_the_appointment(self, pathway, director):
        appointment = _book(pathway, director, brussels(2026, 3, 10, 10, 0))
        assert appointment.counsellor == director

    @pytest.mark.parametrize(
        "who",
        ["coordinator", "outsider", "closed membership", "pending invitation", "closed account"],
    )
    def test_it_refuses_someone_who_does_not_hold_the_caseload(
        self, pathway, counsellor, coordinator, outsider, operator, who
    ):
        if who == "coordinator":
            holder = coordinator
        elif who == "outsider":
            holder = outsider
        else:
            membership = MembershipFactory(organization=operator, role=Role.COUNSELLOR)
            holder = membership.user
            if who == "closed membership":
                Membership.objects.filter(pk=membership.pk).update(is_active=False)
            elif who == "pending invitation":
                Membership.objects.filter(pk=membership.pk).update(accepted_at=None)
            else:
                holder.is_active = False
                holder.save(update_fields=["is_active"])
        with pytest.raises(ValidationError) as error:
            services.appointment_book(
                pathway=pathway,
                counsellor=holder,
                starts_at=brussels(2026, 3, 10, 10, 0),
                by=counsellor,
                now=NOW,
            )
        assert _messages(error, "counsellor") == ["Choisissez un·e conseiller·ère de l'équipe."]
        assert not Appointment.objects.exists()

    def test_a_counsellor_of_another_organization_is_refused_even_as_counsellor_there(
        self, pathway, counsellor, other_operator
    ):
        elsewhere = MembershipFactory(organization=other_operator, role=Role.COUNSELLOR).user
        with pytest.raises(ValidationError) as error:
            _book(pathway, elsewhere, brussels(2026, 3, 10, 10, 0))
        assert list(error.value.message_dict) == ["counsellor"]

    @pytest.mark.parametrize("minutes", [0, 4, 481])
    def test_it_refuses_a_length_outside_five_minutes_to_eight_hours(
        self, pathway, counsellor, minutes
    ):
        with pytest.raises(ValidationError) as error:
            _book(pathway, counsellor, brussels(2026, 3, 10, 10, 0), duration_minutes=minutes)
        assert list(error.value.message_dict) == ["duration_minutes"]
        assert not Appointment.objects.exists()


class TestTheCounsellorsTime:
    @pytest.fixture
    def ten_to_eleven(self, pathway, counsellor):
        counsellor.first_name, counsellor.last_name = "Karim", "Benali"
        counsellor.save(update_fields=["first_name", "last_name"])
        return _book(pathway, counsellor, brussels(2026, 3, 10, 10, 0))

    @pytest.mark.parametrize(
        "start,minutes",
        [((10, 0), 60), ((10, 30), 15), ((9, 30), 60), ((9, 0), 180), ((10, 59), 5)],
    )
    def test_it_refuses_a_time_that_overlaps_a_planned_appointment(
        self, ten_to_eleven, pathway, counsellor, start, minutes
    ):
        with pytest.raises(ValidationError) as error:
            _book(pathway, counsellor, brussels(2026, 3, 10, *start), duration_minutes=minutes)
        assert _messages(error, "time") == [
            "Karim Benali a déjà un rendez-vous de 10:00 à 11:00 ce jour-là."
        ]
        assert Appointment.objects.count() == 1

    def test_an_appointment_of_eight_hours_blocks_its_whole_length(self, pathway, counsellor):
        _book(pathway, counsellor, brussels(2026, 3, 10, 8, 0), duration_minutes=480)
        with pytest.raises(ValidationError) as error:
            _book(pathway, counsellor, brussels(2026, 3, 10, 15, 55), duration_minutes=30)
        assert "de 08:00 à 16:00" in _messages(error, "time")[0]
        assert _book(pathway, counsellor, brussels(2026, 3, 10, 16, 0)).pk

    def test_it_accepts_back_to_back_appointments(self, ten_to_eleven, pathway, counsellor):
        before = _book(pathway, counsellor, brussels(2026, 3, 10, 9, 0))
        after = _book(pathway, counsellor, brussels(2026, 3, 10, 11, 0), duration_minutes=30)
        assert [a.pk for a in Appointment.objects.order_by("starts_at")] == [
            before.pk,
            ten_to_eleven.pk,
            after.pk,
        ]

    def test_a_colleague_is_free_at_the_same_time(self, ten_to_eleven, pathway, director):
        assert _book(pathway, director, brussels(2026, 3, 10, 10, 0)).counsellor == director

    def test_a_cancelled_appointment_does_not_block_its_time(
        self, ten_to_eleven, pathway, counsellor
    ):
        services.appointment_cancel(appointment=ten_to_eleven, reason="Malade", by=counsellor)
        again = _book(pathway, counsellor, brussels(2026, 3, 10, 10, 0))
        assert again.status == Appointment.Status.PLANNED

    def test_the_slot_is_judged_on_brussels_time_across_midnight(self, pathway, counsellor):
        _book(pathway, counsellor, brussels(2026, 3, 10, 23, 30))  # 22:30 UTC
        with pytest.raises(ValidationError) as error:
            _book(pathway, counsellor, brussels(2026, 3, 11, 0, 15))
        assert "de 23:30 à 00:30" in _messages(error, "time")[0]


class TestMoving:
    def test_it_moves_a_planned_appointment_and_excludes_itself_from_the_check(
        self, pathway, counsellor
    ):
        appointment = _book(pathway, counsellor, brussels(2026, 3, 10, 10, 0))
        moved = _move(appointment, brussels(2026, 3, 10, 10, 30), duration_minutes=90)
        moved.refresh_from_db()
        assert (moved.starts_at, moved.duration_minutes) == (brussels(2026, 3, 10, 10, 30), 90)
        assert moved.status == Appointment.Status.PLANNED

    def test_it_refuses_a_time_taken_by_another_appointment(self, pathway, counsellor):
        appointment = _book(pathway, counsellor, brussels(2026, 3, 10, 10, 0))
        _book(pathway, counsellor, brussels(2026, 3, 10, 14, 0))
        with pytest.raises(ValidationError) as error:
            _move(appointment, brussels(2026, 3, 10, 13, 30))
        assert list(error.value.message_dict) == ["time"]
        assert "de 14:00 à 15:00" in _messages(error, "time")[0]
        appointment.refresh_from_db()
        assert appointment.starts_at == brussels(2026, 3, 10, 10, 0)

    def test_it_refuses_a_time_in_the_past(self, pathway, counsellor):
        appointment = _book(pathway, counsellor, brussels(2026, 3, 10, 10, 0))
        with pytest.raises(ValidationError) as error:
            _move(appointment, brussels(2026, 3, 9, 8, 0))
        assert list(error.value.message_dict) == ["day"]

    def test_it_checks_the_new_holder(self, pathway, counsellor, coordinator, director):
        appointment = _book(pathway, counsellor, brussels(2026, 3, 10, 10, 0))
        with pytest.raises(ValidationError) as error:
            _move(appointment, brussels(2026, 3, 10, 10, 0), counsellor=coordinator)
        assert list(error.value.message_dict) == ["counsellor"]
        moved = _move(appointment, brussels(2026, 3, 10, 10, 0), counsellor=director)
        assert Appointment.objects.get(pk=moved.pk).counsellor == director

    def test_it_refuses_an_appointment_that_is_no_longer_planned(self, pathway, counsellor):
        appointment = _book(pathway, counsellor, brussels(2026, 3, 10, 10, 0))
        services.appointment_cancel(appointment=appointment, reason="", by=counsellor)
        with pytest.raises(ValidationError) as error:
            _move(appointment, brussels(2026, 3, 11, 10, 0))
        assert _messages(error) == ["Ce rendez-vous est déjà marqué « Annulé »."]


class TestOutcomes:
    @pytest.fixture
    def appointment(self, pathway, counsellor):
        return _book(
            pathway,
            counsellor,
            brussels(2026, 3, 10, 10, 0),
            duration_minutes=45,
            purpose="Préparer l'entretien d'embauche",
        )

    AFTER = brussels(2026, 3, 10, 10, 5)

    def test_cancelling_keeps_the_reason_and_who_did_it(self, appointment, director):
        services.appointment_cancel(appointment=appointment, reason="Grève STIB", by=director)
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.CANCELLED
        assert appointment.cancel_reason == "Grève STIB"
        assert appointment.outcome_by == director
        assert appointment.outcome_at is not None
        assert appointment.event is None

    @pytest.mark.parametrize(
        "first,second,status",
        [
            ("cancel", "held", "Annulé"),
            ("held", "no_show", "Tenu"),
            ("no_show", "cancel", "Absence sans prévenir"),
            ("held", "held", "Tenu"),
            ("cancel", "cancel", "Annulé"),
        ],
    )
    def test_a_second_outcome_is_refused_with_the_first_named(
        self, appointment, counsellor, first, second, status
    ):
        def say(outcome):
            if outcome == "cancel":
                return services.appointment_cancel(
                    appointment=appointment, reason="", by=counsellor
                )
            if outcome == "held":
                return services.appointment_held(
                    appointment=appointment, text="Vu", by=counsellor, now=self.AFTER
                )
            return services.appointment_no_show(
                appointment=appointment, by=counsellor, now=self.AFTER
            )

        say(first)
        before = Appointment.objects.values().get(pk=appointment.pk)
        events = PathwayEvent.objects.count()
        with pytest.raises(ValidationError) as error:
            say(second)
        assert _messages(error) == [f"Ce rendez-vous est déjà marqué « {status} »."]
        assert Appointment.objects.values().get(pk=appointment.pk) == before
        assert PathwayEvent.objects.count() == events

    @pytest.mark.parametrize("outcome", ["held", "no_show"])
    def test_held_or_missed_is_refused_before_the_appointments_time(
        self, appointment, counsellor, outcome
    ):
        just_before = brussels(2026, 3, 10, 9, 59)
        with pytest.raises(ValidationError) as error:
            if outcome == "held":
                services.appointment_held(
                    appointment=appointment, text="Vu", by=counsellor, now=just_before
                )
            else:
                services.appointment_no_show(
                    appointment=appointment, by=counsellor, now=just_before
                )
        assert _messages(error) == [
            "Ce rendez-vous n'a pas encore eu lieu : il se note tenu ou manqué à partir de son "
            "heure (10/03/2026 10:00)."
        ]
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.PLANNED
        assert not PathwayEvent.objects.exists()

    def test_a_no_show_is_recorded_from_the_appointments_time(self, appointment, director):
        services.appointment_no_show(
            appointment=appointment, by=director, now=brussels(2026, 3, 10, 10, 0)
        )
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.NO_SHOW
        assert appointment.outcome_by == director
        assert appointment.event is None
        assert not PathwayEvent.objects.exists()

    def test_held_becomes_one_interview_in_the_pathways_log(self, appointment, pathway, director):
        services.appointment_held(
            appointment=appointment,
            text="Le CV est prêt ; prochaine étape : les candidatures.",
            by=director,
            confidentiality=Confidentiality.RESTRICTED,
            now=self.AFTER,
        )
        appointment.refresh_from_db()
        event = PathwayEvent.objects.get()
        assert appointment.status == Appointment.Status.HELD
        assert appointment.event == event
        assert appointment.outcome_by == director
        assert event.pathway == pathway
        assert event.kind == PathwayEvent.Kind.INTERVIEW
        assert event.date == dt.date(2026, 3, 10)
        assert event.duration_minutes == 45
        assert event.confidentiality == Confidentiality.RESTRICTED
        assert event.author == director
        assert event.text == "Le CV est prêt ; prochaine étape : les candidatures."

    def test_the_interview_takes_the_length_the_counsellor_says(self, appointment, counsellor):
        services.appointment_held(
            appointment=appointment, text="Vu", by=counsellor, duration_minutes=70, now=self.AFTER
        )
        event = PathwayEvent.objects.get()
        assert event.duration_minutes == 70
        assert event.confidentiality == Confidentiality.NORMAL

    def test_the_interview_is_dated_on_the_brussels_day_not_the_utc_one(self, pathway, counsellor):
        late = _book(pathway, counsellor, brussels(2026, 3, 10, 0, 30))
        assert late.starts_at.astimezone(dt.UTC).date() == dt.date(2026, 3, 9)
        services.appointment_held(
            appointment=late, text="Vu", by=counsellor, now=brussels(2026, 3, 10, 1, 30)
        )
        assert PathwayEvent.objects.get().date == dt.date(2026, 3, 10)

    def test_held_is_refused_and_nothing_changes_if_the_pathway_was_closed_meanwhile(
        self, appointment, pathway, counsellor
    ):
        participant_services.pathway_close(
            pathway=pathway, ended_on=dt.date(2026, 3, 10), exit_outcome="moved", by=counsellor
        )
        with pytest.raises(ValidationError) as error:
            services.appointment_held(
                appointment=appointment, text="Vu", by=counsellor, now=self.AFTER
            )
        assert _messages(error) == [
            "Ce parcours est clôturé : rouvrez-le pour y ajouter quelque chose."
        ]
        appointment.refresh_from_db()
        assert appointment.status == Appointment.Status.PLANNED
        assert (appointment.event, appointment.outcome_by, appointment.outcome_at) == (
            None,
            None,
            None,
        )
        assert not PathwayEvent.objects.exists()


class TestReminderConsent:
    def test_it_records_the_channels_the_person_agreed_to(self, participant, counsellor):
        consent = services.reminder_consent_record(
            participant=participant,
            by_email=True,
            by_sms=True,
            given_on=dt.date(2026, 3, 2),
            by=counsellor,
        )
        consent.refresh_from_db()
        assert (consent.by_email, consent.by_sms) == (True, True)
        assert consent.given_on == dt.date(2026, 3, 2)
        assert consent.recorded_by == counsellor

    def test_it_refuses_a_date_to_come(self, participant, counsellor):
        with pytest.raises(ValidationError) as error:
            services.reminder_consent_record(
                participant=participant,
                by_email=True,
                by_sms=False,
                given_on=timezone.localdate() + dt.timedelta(days=1),
                by=counsellor,
            )
        assert _messages(error, "given_on") == ["Une date future n'est pas acceptée ici."]
        assert not ReminderConsent.objects.exists()

    def test_today_is_accepted(self, participant, counsellor):
        consent = services.reminder_consent_record(
            participant=participant,
            by_email=True,
            by_sms=False,
            given_on=timezone.localdate(),
            by=counsellor,
        )
        assert consent.given_on == timezone.localdate()

    def test_e_mail_needs_an_address_and_sms_a_mobile_number(self, participant, counsellor):
        participant.email, participant.phone = "", "02 511 22 33"  # a landline
        participant.save(update_fields=["email", "phone"])
        with pytest.raises(ValidationError) as error:
            services.reminder_consent_record(
                participant=participant,
                by_email=True,
                by_sms=True,
                given_on=dt.date(2026, 3, 2),
                by=counsellor,
            )
        assert error.value.message_dict == {
            "by_email": ["La fiche n'a pas d'adresse e-mail : ajoutez-la d'abord."],
            "by_sms": [
                "La fiche n'a pas de numéro de GSM (04…, ou +… d'un autre pays) : ajoutez-le "
                "d'abord."
            ],
        }
        assert not ReminderConsent.objects.exists()

    def test_a_withdrawal_keeps_the_row_with_both_channels_off(self, participant, counsellor):
        services.reminder_consent_record(
            participant=participant,
            by_email=True,
            by_sms=True,
            given_on=dt.date(2026, 3, 2),
            by=counsellor,
        )
        participant.email, participant.phone = "", ""  # nothing is needed to say no
        participant.save(update_fields=["email", "phone"])
        services.reminder_consent_record(
            participant=participant,
            by_email=False,
            by_sms=False,
            given_on=dt.date(2026, 3, 5),
            by=counsellor,
        )
        consent = ReminderConsent.objects.get()
        assert consent.participant == participant
        assert (consent.by_email, consent.by_sms) == (False, False)
        assert consent.given_on == dt.date(2026, 3, 5)


class TestMobileNumber:
    @pytest.mark.parametrize(
        "phone",
        [
            "0470123456",
            "0470 12 34 56",
            "0470/12.34.56",
            "0470.12.34.56",
            "+32 470 12 34 56",
            "+32470123456",
            "0032 470 12 34 56",
            "+32 (0)470 12 34 56",
            " 0470-12-34-56 ",
        ],
    )
    def test_a_belgian_mobile_is_given_in_e164(self, phone):
        assert sms.mobile_number(phone) == "+32470123456"

    @pytest.mark.parametrize(
        "phone",
        [
            "02 511 22 33",
            "+32 2 511 22 33",
            "0032 2 511 22 33",
            "+3225112233",
            "081 22 33 44",
            "04 223 45 67",  # Liège starts with 04 too, one digit shorter than a mobile
            "+32 4 223 45 67",
        ],
    )
    def test_a_belgian_landline_cannot_receive_a_text(self, phone):
        assert sms.mobile_number(phone) is None

    @pytest.mark.parametrize(
        "phone,number",
        [
            ("+33 6 12 34 56 78", "+33612345678"),
            ("0033 6 12 34 56 78", "+33612345678"),
            ("+31 6 1234 5678", "+31612345678"),
        ],
    )
    def test_a_foreign_number_with_its_country_code_is_given_in_e164(self, phone, number):
        assert sms.mobile_number(phone) == number

    @pytest.mark.parametrize(
        "phone", ["", None, "n/a", "pas de GSM", "0470 12 34", "0470 12 34 56 78", "+", "123"]
    )
    def test_anything_else_is_none(self, phone):
        assert sms.mobile_number(phone) is None


class TestClosingThePathway:
    def test_it_cancels_the_appointments_to_come_and_leaves_those_past_to_be_said(
        self, pathway, counsellor, director
    ):
        now = timezone.now()
        coming = _book(pathway, counsellor, now + dt.timedelta(days=2), now=now)
        begun = _book(pathway, counsellor, now + dt.timedelta(hours=1), now=now)
        Appointment.objects.filter(pk=begun.pk).update(starts_at=now - dt.timedelta(hours=1))
        participant_services.pathway_close(
            pathway=pathway, ended_on=timezone.localdate(), exit_outcome="no_news", by=director
        )
        coming.refresh_from_db()
        begun.refresh_from_db()
        assert (coming.status, coming.outcome_by) == (Appointment.Status.CANCELLED, director)
        assert coming.cancel_reason == f"Parcours clôturé le {timezone.localdate():%d/%m/%Y}."
        assert begun.status == Appointment.Status.PLANNED
        # Missed can still be said of it; held cannot (no note joins a closed pathway).
        services.appointment_no_show(appointment=begun, by=counsellor)
