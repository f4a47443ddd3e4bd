"""A counsellor's calendar feed (issue 20): the page that gives, renews and revokes its address,
and the ICS a calendar app reads without logging in — the counsellor's own appointments of this
organization, as little about the person as can be, answering 404 (never 500) to any address
that is not a live one."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Membership, Role
from agenda import services
from agenda.models import Appointment, CalendarFeed
from agenda.views_feed import SALT, feed_token
from participants import services as participant_services
from tests.factories import MembershipFactory, ParticipantFactory, ProgrammeFactory

BRUSSELS = ZoneInfo("Europe/Brussels")


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """``days`` from today (Brussels), at that time on the wall clocks of Brussels."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), BRUSSELS)


def _pathway(programme, counsellor, **person):
    participant = ParticipantFactory(organization=programme.organization, **person)
    return participant_services.pathway_open(
        participant=participant, programme=programme, started_on=dt.date(2025, 3, 3), by=counsellor
    )


def _book(pathway, counsellor, starts_at, *, now=None, **fields) -> Appointment:
    return services.appointment_book(
        pathway=pathway,
        counsellor=counsellor,
        starts_at=starts_at,
        by=counsellor,
        now=now,
        **fields,
    )


def _feed_of(user, organization) -> CalendarFeed:
    return CalendarFeed.objects.create(user=user, organization=organization, key="k" * 32)


def _ics_url(feed: CalendarFeed) -> str:
    return reverse("agenda:feed_ics", args=[feed_token(feed)])


def _events(response) -> list:
    return Calendar.from_ical(response.content).walk("VEVENT")


class TestTheFeedPage:
    @pytest.mark.parametrize("role", ["counsellor", "director"])
    def test_a_caseload_member_creates_renews_and_revokes_the_address(
        self, client, personas, operator, role
    ):
        user = personas[role]
        client.force_login(user)
        url = reverse("agenda:feed")

        first_view = client.get(url)
        assert first_view.status_code == 200
        assert first_view.context["address"] is None
        assert "Créer l'adresse" in first_view.text

        assert client.post(url, {"action": "renew"}).url == url
        feed = CalendarFeed.objects.get(user=user, organization=operator)
        shown = client.get(url)
        first = shown.context["address"]
        assert first == f"http://testserver{_ics_url(feed)}"
        assert first in shown.text
        assert Client().get(first).status_code == 200

        client.post(url, {"action": "renew"})
        second = client.get(url).context["address"]
        assert second != first
        assert CalendarFeed.objects.filter(user=user).count() == 1
        assert Client().get(first).status_code == 404  # the old address answers no more
        assert Client().get(second).status_code == 200

        response = client.post(url, {"action": "revoke"}, follow=True)
        assert [m.message for m in response.context["messages"]] == [
            "L'adresse du calendrier est révoquée : elle ne répond plus."
        ]
        assert response.context["address"] is None
        assert not CalendarFeed.objects.exists()
        assert Client().get(second).status_code == 404

    @pytest.mark.parametrize("role", ["coordinator", "admin", "partner"])
    def test_other_roles_are_refused(self, client, personas, role):
        client.force_login(personas[role])
        assert client.get(reverse("agenda:feed")).status_code == 403
        assert client.post(reverse("agenda:feed"), {"action": "renew"}).status_code == 403
        assert not CalendarFeed.objects.exists()

    def test_it_needs_a_login(self, client, operator):
        response = client.get(reverse("agenda:feed"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))

    def test_it_says_when_the_calendar_last_read_the_address(self, client, counsellor, operator):
        feed = _feed_of(counsellor, operator)
        Client().get(_ics_url(feed))
        client.force_login(counsellor)
        assert "Lue pour la dernière fois le" in client.get(reverse("agenda:feed")).text
        client.post(reverse("agenda:feed"), {"action": "renew"})
        feed.refresh_from_db()
        assert feed.last_read_at is None  # a new address has not been read yet


class TestTheCalendar:
    @pytest.fixture
    def appointments(self, programme, counsellor, director, operator, other_operator):
        person = _pathway(programme, counsellor, first_name="Bénédicte", last_name="Lemaître")
        planned = _book(
            person,
            counsellor,
            _at(3, 10, 0),
            duration_minutes=45,
            place="Bureau 2",
            purpose="Dettes et médiation",
        )
        cancelled = _book(person, counsellor, _at(4, 14, 30), mode=Appointment.Mode.PHONE)
        services.appointment_cancel(appointment=cancelled, reason="Malade", by=counsellor)
        missed = _book(person, counsellor, _at(-5, 9, 0), now=timezone.now() - dt.timedelta(20))
        services.appointment_no_show(appointment=missed, by=counsellor)
        colleagues = _book(person, director, _at(3, 10, 0))
        # The counsellor works for the neighbouring operator too: not in this feed.
        MembershipFactory(user=counsellor, organization=other_operator, role=Role.COUNSELLOR)
        elsewhere = _book(
            _pathway(ProgrammeFactory(organization=other_operator), counsellor),
            counsellor,
            _at(5, 11, 0),
        )
        return {
            "planned": planned,
            "cancelled": cancelled,
            "missed": missed,
            "colleague's": colleagues,
            "elsewhere": elsewhere,
        }

    def test_it_holds_the_counsellors_own_appointments_of_this_organization(
        self, appointments, counsellor, operator
    ):
        response = Client().get(_ics_url(_feed_of(counsellor, operator)))

        assert response.status_code == 200
        assert response["Content-Type"] == "text/calendar; charset=utf-8"
        events = {str(e["UID"]): e for e in _events(response)}
        planned, cancelled = appointments["planned"], appointments["cancelled"]
        assert set(events) == {
            f"appointment-{planned.pk}@testserver",
            f"appointment-{cancelled.pk}@testserver",
        }
        event = events[f"appointment-{planned.pk}@testserver"]
        assert event["DTSTART"].params["TZID"] == "Europe/Brussels"
        assert event["DTSTART"].dt == _at(3, 10, 0)
        assert event["DTSTART"].dt.utcoffset() == _at(3, 10, 0).utcoffset()
        assert event["DTEND"].dt == _at(3, 10, 45)
        assert str(event["SUMMARY"]) == "RDV Bénédicte L. (En présentiel)"
        assert str(event["LOCATION"]) == "Bureau 2"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert str(event["URL"]) == f"http://testserver/agenda/rendez-vous/{planned.pk}/"
        other = events[f"appointment-{cancelled.pk}@testserver"]
        assert str(other["STATUS"]) == "CANCELLED"
        assert str(other["SUMMARY"]) == "RDV Bénédicte L. (Par téléphone)"
        assert [tz["TZID"] for tz in Calendar.from_ical(response.content).walk("VTIMEZONE")] == [
            "Europe/Brussels"
        ]

    def test_it_never_says_the_last_name_or_the_purpose(self, appointments, counsellor, operator):
        response = Client().get(_ics_url(_feed_of(counsellor, operator)))
        unfolded = response.content.decode().replace("\r\n ", "")
        assert "Lemaître" not in unfolded
        assert "Dettes" not in unfolded
        assert "Malade" not in unfolded  # nor why it was cancelled
        for event in _events(response):
            assert "Lemaître" not in str(event["SUMMARY"])

    def test_it_is_never_kept_by_a_cache(self, appointments, counsellor, operator):
        response = Client().get(_ics_url(_feed_of(counsellor, operator)))
        cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= cache_control

    def test_it_is_read_without_login_and_the_reading_is_recorded(self, counsellor, operator):
        feed = _feed_of(counsellor, operator)
        before = timezone.now()
        response = Client().get(_ics_url(feed))
        assert response.status_code == 200
        assert _events(response) == []
        feed.refresh_from_db()
        assert before <= feed.last_read_at <= timezone.now()

    def test_the_queries_do_not_grow_with_the_appointments(
        self, programme, counsellor, operator, django_assert_num_queries
    ):
        feed = _feed_of(counsellor, operator)
        url = _ics_url(feed)

        def add(count):
            for _n in range(count):
                days = 1 + Appointment.objects.count()
                _book(_pathway(programme, counsellor), counsellor, _at(days, 9 + days % 8))

        # The request's savepoint and its release, the feed with its owner, the membership,
        # the appointments with their people, the reading recorded.
        add(2)
        with django_assert_num_queries(6):
            assert len(_events(Client().get(url))) == 2
        add(10)
        with django_assert_num_queries(6):
            assert len(_events(Client().get(url))) == 12


class TestAddressesThatAreNotLive:
    @pytest.fixture
    def feed(self, counsellor, operator):
        return _feed_of(counsellor, operator)

    def _tampered(self, token: str, where: int) -> str:
        swapped = "B" if token[where] != "B" else "C"
        return token[:where] + swapped + token[where + 1 :]

    @pytest.mark.parametrize("where", [0, 5, -1])
    def test_a_tampered_address_answers_404(self, feed, where):
        token = feed_token(feed)
        url = reverse("agenda:feed_ics", args=[self._tampered(token, where)])
        assert Client().get(url).status_code == 404
        feed.refresh_from_db()
        assert feed.last_read_at is None

    @pytest.mark.parametrize(
        "token", ["x", "n'importe quoi", "abc:def", ":", "%00", "é" * 300, "eyJmZWVkIjoxfQ:"]
    )
    def test_a_garbage_address_answers_404(self, feed, token):
        assert Client().get(reverse("agenda:feed_ics", args=[token])).status_code == 404

    @pytest.mark.parametrize(
        "claim",
        [
            {"feed": "deux", "key": "k" * 32},
            {"feed": 2**70, "key": "k" * 32},
            {"key": "k" * 32},
            ["feed"],
            "feed",
            None,
        ],
    )
    def test_a_signed_claim_of_the_wrong_shape_answers_404(self, feed, claim):
        token = signing.Signer(salt=SALT).sign_object(claim)
        assert Client().get(reverse("agenda:feed_ics", args=[token])).status_code == 404

    def test_the_key_must_be_the_current_one(self, feed):
        for key in ("", None, "k" * 31, "k" * 33):
            token = signing.Signer(salt=SALT).sign_object({"feed": feed.pk, "key": key})
            assert Client().get(reverse("agenda:feed_ics", args=[token])).status_code == 404
        claim = {"feed": feed.pk, "key": feed.key}
        another_purpose = signing.Signer(salt="partners.referral").sign_object(claim)
        assert Client().get(reverse("agenda:feed_ics", args=[another_purpose])).status_code == 404

    @pytest.mark.parametrize(
        "change", ["membership closed", "account closed", "role changed", "organization closed"]
    )
    def test_the_address_of_someone_no_longer_in_the_caseload_answers_404(
        self, feed, counsellor, operator, change
    ):
        url = _ics_url(feed)
        assert Client().get(url).status_code == 200
        membership = Membership.objects.filter(user=counsellor, organization=operator)
        if change == "membership closed":
            membership.update(is_active=False)
        elif change == "account closed":
            counsellor.is_active = False
            counsellor.save(update_fields=["is_active"])
        elif change == "role changed":
            membership.update(role=Role.COORDINATOR)
        else:
            operator.is_active = False
            operator.save(update_fields=["is_active"])
        assert Client().get(url).status_code == 404

    def test_it_reads_only(self, feed):
        assert Client().post(_ics_url(feed)).status_code == 405
