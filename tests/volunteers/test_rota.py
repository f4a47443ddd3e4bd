"""The rota (issue 21, point 4): shifts of staff and volunteers, sign-ups and assignments, the
gaps, each person's calendar feed, and the hours of a volunteer's shift declared on a service
sheet through ``chantiers.sheets``. Services first, then the pages by role."""

import datetime as dt
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from accounts.models import Membership, Role
from chantiers.models import ServiceSheet
from tests.factories import MembershipFactory
from tests.volunteers.test_self_service import _stored, _volunteer_in, year_ceiling  # noqa: F401
from volunteers import rota
from volunteers.models import ContactPoint, RotaFeed, Shift, ShiftAssignment
from volunteers.rota import Person
from volunteers.views_rota import feed_token

BRUSSELS = ZoneInfo("Europe/Brussels")
ROTA = reverse("volunteers:rota")


def _at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """``days`` from today (Brussels), at that time on the wall clocks of Brussels."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)), BRUSSELS)


def _shift(organization, by, *, days=2, hour=9, hours=4, needed=2, **fields) -> Shift:
    values = {
        "organization": organization,
        "role": "Accueil",
        "place": "Maison d'accueil",
        "starts_at": _at(days, hour),
        "ends_at": _at(days, hour) + dt.timedelta(hours=hours),
        "needed": needed,
        "created_by": by,
    } | fields
    return Shift.objects.create(**values)


def _on(shift, *, user=None, volunteer=None, by=None) -> ShiftAssignment:
    return ShiftAssignment.objects.create(
        shift=shift,
        user=user,
        volunteer=volunteer,
        how=ShiftAssignment.How.ASSIGNED,
        assigned_by=by or shift.created_by,
    )


def _first(sqls: list[str], *parts: str) -> int:
    """The position of the first query holding every part."""
    return next(n for n, sql in enumerate(sqls) if all(part in sql for part in parts))


@pytest.fixture
def volunteer(operator):
    return _volunteer_in(operator)


@pytest.fixture
def shift(operator, coordinator):
    return _shift(operator, coordinator)


# --- Services ---------------------------------------------------------------------------------


class TestShiftSave:
    def test_a_night_shift_crosses_midnight_but_never_lasts_more_than_a_day(
        self, operator, coordinator
    ):
        night = Shift(
            organization=operator,
            role="Veille de nuit",
            place="Maison",
            starts_at=_at(3, 21),
            ends_at=_at(4, 7),
            needed=1,
        )
        rota.shift_save(shift=night, by=coordinator)
        assert night.pk and night.created_by == coordinator
        too_long = Shift(
            organization=operator,
            role="Veille",
            place="Maison",
            starts_at=_at(3, 21),
            ends_at=_at(4, 22),
            needed=1,
        )
        with pytest.raises(ValidationError) as refused:
            rota.shift_save(shift=too_long, by=coordinator)
        assert refused.value.message_dict["ends"] == ["Un créneau dure 24 heures au plus."]
        backwards = Shift(
            organization=operator,
            role="Accueil",
            place="Maison",
            starts_at=_at(3, 12),
            ends_at=_at(3, 9),
            needed=1,
        )
        with pytest.raises(ValidationError) as refused:
            rota.shift_save(shift=backwards, by=coordinator)
        assert refused.value.message_dict["ends"] == ["La fin doit venir après le début."]

    def test_repeated_weekly_at_the_same_wall_clock_time(self, operator, coordinator):
        first = Shift(
            organization=operator,
            role="Accueil",
            place="Maison",
            starts_at=_at(1, 9),
            ends_at=_at(1, 13),
            needed=2,
        )
        saved = rota.shift_save(shift=first, by=coordinator, repeat_weeks=3)
        assert len(saved) == 4
        times = {timezone.localtime(s.starts_at).time() for s in saved}
        assert times == {dt.time(9)}
        days = [timezone.localdate(s.starts_at) for s in saved]
        assert [(b - a).days for a, b in itertools.pairwise(days)] == [7, 7, 7]

    def test_a_time_the_clocks_skip_is_refused_on_its_field(self, operator, coordinator):
        # 29/03/2026: the clocks go from 02:00 to 03:00 in Brussels; 02:30 never happens (as
        # the same zone, Python would take 02:30–03:00 for half an hour; it is -30 minutes).
        skipped = Shift(
            organization=operator,
            role="Veille",
            place="Maison",
            starts_at=dt.datetime(2026, 3, 29, 2, 30, tzinfo=BRUSSELS),
            ends_at=dt.datetime(2026, 3, 29, 3, 0, tzinfo=BRUSSELS),
            needed=1,
        )
        with pytest.raises(ValidationError) as refused:
            rota.shift_save(shift=skipped, by=coordinator)
        assert refused.value.message_dict["starts"] == [
            "02:30 n'existe pas ce jour-là : les horloges passent de 2 h à 3 h (heure d'été)."
        ]
        assert not Shift.objects.exists()

    def test_a_day_over_the_october_change_lasts_25_hours_and_is_refused(
        self, operator, coordinator
    ):
        long_day = Shift(
            organization=operator,
            role="Veille",
            place="Maison",
            starts_at=dt.datetime(2026, 10, 24, 9, tzinfo=BRUSSELS),
            ends_at=dt.datetime(2026, 10, 25, 9, tzinfo=BRUSSELS),
            needed=1,
        )
        with pytest.raises(ValidationError) as refused:
            rota.shift_save(shift=long_day, by=coordinator)
        assert refused.value.message_dict["ends"] == ["Un créneau dure 24 heures au plus."]
        long_day.ends_at = dt.datetime(2026, 10, 25, 8, tzinfo=BRUSSELS)  # 24 real hours
        rota.shift_save(shift=long_day, by=coordinator)
        assert rota.hours_of(long_day) == 24

    @pytest.mark.parametrize(
        ("day", "starts", "ends", "copy_day"),
        [
            (dt.date(2026, 3, 22), dt.time(2, 30), dt.time(4), "29/03/2026"),
            (dt.date(2026, 10, 17), dt.time(9), dt.time(9), "24/10/2026"),
        ],
        ids=["spring-gap", "october-25-hours"],
    )
    def test_a_weekly_copy_landing_on_the_change_refuses_the_whole_save(
        self, operator, coordinator, day, starts, ends, copy_day
    ):
        end_day = day + dt.timedelta(days=1 if ends <= starts else 0)
        first = Shift(
            organization=operator,
            role="Veille",
            place="Maison",
            starts_at=dt.datetime.combine(day, starts, BRUSSELS),
            ends_at=dt.datetime.combine(end_day, ends, BRUSSELS),
            needed=1,
        )
        with pytest.raises(ValidationError) as refused:
            rota.shift_save(shift=first, by=coordinator, repeat_weeks=2)
        assert copy_day in refused.value.message_dict["repeat_weeks"][0]
        assert not Shift.objects.exists()

    def test_a_contact_point_or_a_place_not_both_and_not_a_closed_point(
        self, operator, coordinator
    ):
        point = ContactPoint.objects.create(
            organization=operator, name="Marché", place="Place du Jeu de Balle"
        )
        both = Shift(
            organization=operator,
            role="Stand",
            contact_point=point,
            place="Rue Haute",
            starts_at=_at(3, 9),
            ends_at=_at(3, 12),
            needed=1,
        )
        with pytest.raises(ValidationError) as refused:
            rota.shift_save(shift=both, by=coordinator)
        assert "videz l'un des deux" in refused.value.message_dict["place"][0]
        both.place = ""
        rota.shift_save(shift=both, by=coordinator)
        point.is_active = False
        point.save()
        both.needed = 2  # closed since: the shift keeps it
        rota.shift_save(shift=both, by=coordinator)
        new = Shift(
            organization=operator,
            role="Stand",
            contact_point=point,
            starts_at=_at(4, 9),
            ends_at=_at(4, 12),
            needed=1,
        )
        with pytest.raises(ValidationError) as refused:
            rota.shift_save(shift=new, by=coordinator)
        assert refused.value.message_dict["contact_point"] == [
            "Ce point de contact n'est plus en activité."
        ]

    def test_its_times_no_longer_change_once_hours_were_declared(
        self, operator, coordinator, shift, volunteer
    ):
        assignment = _on(shift, volunteer=volunteer)
        assignment.sheet = _stored(volunteer, timezone.localdate())
        assignment.save()
        shift.starts_at += dt.timedelta(hours=1)
        with pytest.raises(ValidationError) as refused:
            rota.shift_save(shift=shift, by=coordinator)
        assert "déjà déclarées" in refused.value.message_dict["starts"][0]

    def test_fewer_people_than_those_on_it_is_refused(self, coordinator, shift, counsellor):
        _on(shift, user=counsellor)
        _on(shift, user=coordinator)
        shift.needed = 1
        with pytest.raises(ValidationError) as refused:
            rota.shift_save(shift=shift, by=coordinator)
        assert "2 personnes sont sur ce créneau" in refused.value.message_dict["needed"][0]


class TestSignUp:
    def test_a_volunteer_signs_up_and_the_gap_shrinks(self, shift, volunteer):
        assert rota.gap(shift) == 2
        rota.shift_sign_up(shift=shift, person=Person(volunteer=volunteer), by=volunteer.user)
        assert rota.gap(Shift.objects.get(pk=shift.pk)) == 1
        assert shift.assignments.get().how == ShiftAssignment.How.SELF

    def test_refused_when_full_started_or_cancelled(
        self, operator, coordinator, counsellor, shift, volunteer
    ):
        me = Person(volunteer=volunteer)
        full = _shift(operator, coordinator, days=5, needed=1)
        _on(full, user=counsellor)
        started = _shift(operator, coordinator, days=0, hour=0, hours=23, needed=3)
        started.starts_at = timezone.now() - dt.timedelta(minutes=1)
        started.save()
        cancelled = _shift(operator, coordinator, days=6, cancelled_at=timezone.now())
        for target, message in (
            (full, "Ce créneau est complet."),
            (started, "Ce créneau a commencé : on ne s'y inscrit plus."),
            (cancelled, "Ce créneau est annulé."),
        ):
            with pytest.raises(ValidationError) as refused:
                rota.shift_sign_up(shift=target, person=me, by=volunteer.user)
            assert refused.value.messages == [message]
        assert not ShiftAssignment.objects.filter(volunteer=volunteer).exists()

    def test_an_overlapping_shift_is_refused_naming_the_other(
        self, operator, coordinator, shift, counsellor
    ):
        _on(shift, user=counsellor)
        later = _shift(operator, coordinator, hour=12, hours=3, role="Maraude")
        with pytest.raises(ValidationError) as refused:
            rota.shift_sign_up(shift=later, person=Person(user=counsellor), by=counsellor)
        assert "déjà sur un autre créneau" in refused.value.messages[0]
        assert "Accueil" in refused.value.messages[0]
        # Back to back is not an overlap.
        after = _shift(operator, coordinator, hour=13, hours=2, role="Maraude")
        rota.shift_sign_up(shift=after, person=Person(user=counsellor), by=counsellor)

    def test_the_shift_row_is_locked_before_its_places_are_counted(self, shift, counsellor):
        if connection.vendor == "sqlite":
            pytest.skip("SQLite has no SELECT … FOR UPDATE: it locks the whole database")
        with CaptureQueriesContext(connection) as queries:
            rota.shift_sign_up(shift=shift, person=Person(user=counsellor), by=counsellor)
        sqls = [q["sql"] for q in queries]
        lock = _first(sqls, "FOR UPDATE", 'FROM "volunteers_shift"')
        count = _first(sqls, "COUNT(", 'FROM "volunteers_shiftassignment"')
        assert lock < count

    @pytest.mark.parametrize("kind", ["user", "volunteer"])
    def test_the_persons_row_is_locked_before_the_overlap_is_looked_for(
        self, shift, counsellor, volunteer, kind
    ):
        if connection.vendor == "sqlite":
            pytest.skip("SQLite has no SELECT … FOR UPDATE: it locks the whole database")
        person = Person(user=counsellor) if kind == "user" else Person(volunteer=volunteer)
        table = '"accounts_user"' if kind == "user" else '"volunteers_volunteer"'
        with CaptureQueriesContext(connection) as queries:
            rota.shift_assign(shift=shift, person=person, by=counsellor)
        sqls = [q["sql"] for q in queries]
        lock = _first(sqls, "FOR UPDATE", f"FROM {table}")
        overlap = _first(sqls, 'FROM "volunteers_shift" INNER JOIN', '"ends_at" >')
        assert lock < overlap

    def test_withdrawing_is_refused_once_started(self, operator, coordinator, counsellor):
        started = _shift(operator, coordinator, days=0, hour=0, hours=23)
        started.starts_at = timezone.now() - dt.timedelta(minutes=5)
        started.save()
        _on(started, user=counsellor)
        with pytest.raises(ValidationError):
            rota.shift_withdraw(shift=started, person=Person(user=counsellor))
        coming = _shift(operator, coordinator, days=3)
        _on(coming, user=counsellor)
        rota.shift_withdraw(shift=coming, person=Person(user=counsellor))
        assert not coming.assignments.exists()


class TestAssign:
    def test_the_coordination_assigns_staff_and_volunteers_within_the_headcount(
        self, coordinator, counsellor, shift, volunteer
    ):
        rota.shift_assign(shift=shift, person=Person(user=counsellor), by=coordinator)
        rota.shift_assign(shift=shift, person=Person(volunteer=volunteer), by=coordinator)
        assert rota.gap(shift) == 0
        with pytest.raises(ValidationError) as refused:
            rota.shift_assign(shift=shift, person=Person(user=coordinator), by=coordinator)
        assert "augmentez le nombre" in refused.value.message_dict["person"][0]

    def test_an_ended_volunteer_or_a_former_member_is_refused(
        self, operator, coordinator, shift, volunteer
    ):
        volunteer.ended_on = timezone.localdate() - dt.timedelta(days=1)
        volunteer.save()
        with pytest.raises(ValidationError) as refused:
            rota.shift_assign(shift=shift, person=Person(volunteer=volunteer), by=coordinator)
        assert refused.value.message_dict["person"] == ["Ce bénévolat est terminé."]
        former = MembershipFactory(organization=operator, role=Role.COUNSELLOR, is_active=False)
        with pytest.raises(ValidationError):
            rota.shift_assign(shift=shift, person=Person(user=former.user), by=coordinator)

    def test_unassign_is_refused_once_the_hours_are_declared(self, coordinator, shift, volunteer):
        assignment = _on(shift, volunteer=volunteer)
        assignment.sheet = _stored(volunteer, timezone.localdate())
        assignment.save()
        with pytest.raises(ValidationError):
            rota.shift_unassign(assignment=assignment, by=coordinator)

    def test_cancelling_keeps_the_people_on_it(self, coordinator, shift, counsellor):
        _on(shift, user=counsellor)
        rota.shift_cancel(shift=shift, by=coordinator)
        shift.refresh_from_db()
        assert shift.cancelled_at is not None
        assert shift.assignments.count() == 1
        assert rota.gap(shift) == 0

    def test_gaps_lists_the_shifts_still_needing_someone(
        self, operator, coordinator, shift, counsellor
    ):
        full = _shift(operator, coordinator, days=3, needed=1)
        _on(full, user=counsellor)
        _shift(operator, coordinator, days=4, cancelled_at=timezone.now())
        found = rota.gaps(organization=operator, start=_at(0, 0), end=_at(7, 0))
        assert list(found) == [shift]


# --- Pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "director", "counsellor", "coordinator"])
def test_every_staff_role_sees_the_week_with_full_names_and_the_gaps(
    client, personas, operator, shift, volunteer, role
):
    _on(shift, volunteer=volunteer)
    client.force_login(personas[role])
    page = client.get(ROTA)
    assert page.status_code == 200
    text = page.content.decode()
    participant = volunteer.participant
    assert f"{participant.first_name} {participant.last_name}" in text
    assert "Il manque 1 personne" in text


def test_a_partner_may_not_open_the_rota(client, personas, shift):
    client.force_login(personas["partner"])
    assert client.get(ROTA).status_code == 403
    assert client.get(reverse("volunteers:shift", args=[shift.pk])).status_code == 403


def test_a_volunteer_sees_others_by_first_name_and_initial(
    client, operator, shift, volunteer, counsellor
):
    _on(shift, user=counsellor)
    other = _volunteer_in(operator)
    _on(shift, volunteer=other)
    client.force_login(volunteer.user)
    text = client.get(ROTA).content.decode()
    assert f"{counsellor.first_name} {counsellor.last_name[:1]}." in text
    assert counsellor.last_name not in text.replace(f"{counsellor.last_name[:1]}.", "")
    assert other.participant.last_name not in text
    assert "Complet" in text


def test_the_filter_keeps_only_the_shifts_to_fill(client, operator, coordinator, shift):
    full = _shift(operator, coordinator, days=3, needed=1, role="Veille de nuit")
    _on(full, user=coordinator)
    client.force_login(coordinator)
    everything = client.get(ROTA, {"semaine": _at(2, 9).date().isoformat()})
    to_fill = client.get(ROTA, {"semaine": _at(2, 9).date().isoformat(), "a_pourvoir": "1"})
    assert "Veille de nuit" in everything.content.decode()
    assert "Veille de nuit" not in to_fill.content.decode()
    assert "Accueil" in to_fill.content.decode()


@pytest.mark.parametrize("week", ["demain", "2026-13-45", "0001-01-01", "9" * 30])
def test_a_bad_week_is_404_not_500(client, coordinator, week):
    client.force_login(coordinator)
    assert client.get(ROTA, {"semaine": week}).status_code == 404


def test_another_organizations_shift_answers_404(client, other_operator, outsider, personas):
    theirs = _shift(other_operator, outsider)
    client.force_login(personas["coordinator"])
    for name in ("shift", "shift_edit"):
        assert client.get(reverse(f"volunteers:{name}", args=[theirs.pk])).status_code == 404
    for name in ("shift_sign_up", "shift_cancel", "shift_assign"):
        assert client.post(reverse(f"volunteers:{name}", args=[theirs.pk])).status_code == 404


def test_a_volunteer_signs_up_and_withdraws_but_cannot_plan_nor_remove_others(
    client, shift, volunteer, counsellor
):
    someone = _on(shift, user=counsellor)
    client.force_login(volunteer.user)
    client.post(reverse("volunteers:shift_sign_up", args=[shift.pk]))
    assert shift.assignments.filter(volunteer=volunteer).exists()
    assert client.get(reverse("volunteers:shift_new")).status_code == 403
    remove = reverse("volunteers:assignment_remove", args=[someone.pk])
    assert client.post(remove).status_code == 403
    # Withdrawing acts on one's own line only: the colleague stays.
    client.post(reverse("volunteers:shift_withdraw", args=[shift.pk]))
    assert list(shift.assignments.all()) == [someone]
    assert client.post(reverse("volunteers:shift_withdraw", args=[shift.pk])).status_code == 302
    assert list(shift.assignments.all()) == [someone]


def test_an_ended_volunteer_no_longer_reaches_the_rota(client, volunteer):
    volunteer.ended_on = timezone.localdate()
    volunteer.save()
    client.force_login(volunteer.user)
    assert client.get(ROTA).status_code == 404


def test_the_coordinator_creates_a_shift_and_a_refusal_keeps_what_was_typed(
    client, operator, coordinator
):
    client.force_login(coordinator)
    url = reverse("volunteers:shift_new")
    day = _at(4, 0).date().isoformat()
    typed = {
        "role": "Veille de nuit",
        "place": "Maison d'accueil",
        "contact_point": "",
        "date": day,
        "starts": "21:00",
        "ends": "07:00",
        "needed": "1",
        "note": "Clés au bureau",
        "repeat_weeks": "99",
    }
    refused = client.post(url, typed)
    assert refused.status_code == 200
    form = refused.context["form"]
    assert "repeat_weeks" in form.errors
    text = refused.content.decode()
    assert 'value="Veille de nuit"' in text and 'value="Clés au bureau"' in text
    saved = client.post(url, typed | {"repeat_weeks": "1"})
    assert saved.status_code == 302
    shifts = list(Shift.objects.filter(organization=operator).order_by("starts_at"))
    assert len(shifts) == 2
    assert shifts[0].ends_at - shifts[0].starts_at == dt.timedelta(hours=10)


def test_the_coordinator_assigns_and_a_refusal_is_said_next_to_the_field(
    client, operator, coordinator, counsellor, volunteer
):
    shift = _shift(operator, coordinator, needed=1)
    client.force_login(coordinator)
    url = reverse("volunteers:shift_assign", args=[shift.pk])
    assert client.post(url, {"person": f"v{volunteer.pk}"}).status_code == 302
    page = client.post(url, {"person": f"u{counsellor.pk}"})
    assert page.status_code == 200
    assert "augmentez le nombre" in page.context["assign_form"].errors["person"][0]
    assert shift.assignments.count() == 1
    bigger = _shift(operator, coordinator, days=9, needed=2)
    wrong = client.post(reverse("volunteers:shift_assign", args=[bigger.pk]), {"person": "u999999"})
    assert wrong.context["assign_form"].errors["person"] == ["Choisissez une personne de la liste."]


@pytest.mark.parametrize("count", [1, 6])
def test_the_week_reads_the_same_number_of_queries_whatever_the_shifts(
    client, operator, coordinator, counsellor, count, django_assert_num_queries
):
    for n in range(count):
        one = _shift(operator, coordinator, days=n % 5, hour=6 + n, hours=1, needed=3)
        _on(one, user=counsellor)
        _on(one, volunteer=_volunteer_in(operator, signed=False))
    client.force_login(coordinator)
    week = _at(0, 0).date()
    monday = week - dt.timedelta(days=week.weekday())
    # The session, the user, the memberships; the savepoint; the shifts with their counts;
    # their people; the savepoint released.
    with django_assert_num_queries(7):
        page = client.get(ROTA, {"semaine": (monday + dt.timedelta(days=6)).isoformat()})
    days_ahead = [n % 5 for n in range(count)]
    shown = sum(1 for d in days_ahead if monday <= _at(d, 0).date() < monday + dt.timedelta(7))
    assert page.content.decode().count('data-testid="shift"') == shown


# --- The feed ---------------------------------------------------------------------------------


def _events(response) -> list:
    return Calendar.from_ical(response.content).walk("VEVENT")


def test_the_feed_holds_ones_own_shifts_role_place_time_and_status(
    client, operator, coordinator, volunteer, counsellor
):
    mine = _shift(operator, coordinator, role="Maraude", place="Gare du Midi")
    _on(mine, volunteer=volunteer)
    _on(mine, user=counsellor)
    cancelled = _shift(operator, coordinator, days=8, cancelled_at=timezone.now())
    _on(cancelled, volunteer=volunteer)
    _shift(operator, coordinator, days=3, role="Pas le mien")
    _on(_shift(operator, coordinator, days=300), volunteer=volunteer)  # beyond six months
    feed = RotaFeed.objects.create(user=volunteer.user, organization=operator, key="k" * 32)
    response = client.get(reverse("volunteers:rota_feed_ics", args=[feed_token(feed)]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    events = sorted(_events(response), key=lambda event: event.decoded("dtstart"))
    assert [str(event["summary"]) for event in events] == ["Maraude", "Accueil"]
    assert str(events[0]["location"]) == "Gare du Midi"
    assert events[0].decoded("dtstart") == mine.starts_at
    assert events[0].decoded("dtend") == mine.ends_at
    assert [str(event["status"]) for event in events] == ["CONFIRMED", "CANCELLED"]
    body = response.content.decode()
    assert counsellor.last_name not in body and counsellor.first_name not in body
    feed.refresh_from_db()
    assert feed.last_read_at is not None


def test_the_feed_page_creates_renews_and_revokes(client, operator, coordinator):
    client.force_login(coordinator)
    url = reverse("volunteers:rota_feed")
    assert client.get(url).context["address"] is None
    client.post(url, {"action": "renew"})
    first = client.get(url).context["address"]
    assert first
    client.post(url, {"action": "renew"})
    second = client.get(url).context["address"]
    assert second != first
    assert client.get(first.removeprefix("http://testserver")).status_code == 404
    assert client.get(second.removeprefix("http://testserver")).status_code == 200
    client.post(url, {"action": "revoke"})
    assert client.get(second.removeprefix("http://testserver")).status_code == 404


def test_the_feed_answers_404_once_the_membership_or_the_volunteering_ends(
    client, operator, coordinator, volunteer
):
    staff = RotaFeed.objects.create(user=coordinator, organization=operator, key="a" * 32)
    theirs = RotaFeed.objects.create(user=volunteer.user, organization=operator, key="b" * 32)
    staff_url = reverse("volunteers:rota_feed_ics", args=[feed_token(staff)])
    their_url = reverse("volunteers:rota_feed_ics", args=[feed_token(theirs)])
    assert client.get(staff_url).status_code == 200
    assert client.get(their_url).status_code == 200
    Membership.objects.filter(user=coordinator).update(is_active=False)
    volunteer.ended_on = timezone.localdate()
    volunteer.save()
    assert client.get(staff_url).status_code == 404
    assert client.get(their_url).status_code == 404
    assert client.get(staff_url.replace(".ics", "x.ics")).status_code == 404


# --- Hours to the service sheet --------------------------------------------------------------


@pytest.fixture
def done(operator, coordinator, volunteer):
    """A shift of the volunteer's yesterday, 14:00 to 17:20 (3.33 h: 3.25 to the quarter)."""
    yesterday = _shift(
        operator, coordinator, days=-1, hour=14, role="Maraude", place="Gare du Midi"
    )
    yesterday.ends_at = yesterday.starts_at + dt.timedelta(hours=3, minutes=20)
    yesterday.save()
    return _on(yesterday, volunteer=volunteer)


def test_the_shift_done_is_offered_prefilled_then_linked_to_its_sheet(client, volunteer, done):
    client.force_login(volunteer.user)
    mine = client.get(reverse("volunteers:mine")).content.decode()
    url = f"{reverse('volunteers:sheet_new')}?creneau={done.shift_id}"
    assert "Déclarer ces heures" in mine and url.replace("&", "&amp;") in mine
    page = client.get(url)
    initial = page.context["form"].initial
    assert initial["date"] == timezone.localdate() - dt.timedelta(days=1)
    assert initial["hours"] == Decimal("3.25")
    assert initial["activity"] == "Maraude — Gare du Midi"
    typed = {
        "date": initial["date"].isoformat(),
        "hours": "3,25",
        "activity": "Maraude — Gare du Midi",
        "km": "",
        "vehicle": "",
        "expense_amount": "",
        "expense_description": "",
    }
    assert client.post(url, typed).status_code == 302
    done.refresh_from_db()
    assert done.sheet is not None and done.sheet.hours == Decimal("3.25")
    assert "Déclarer ces heures" not in client.get(reverse("volunteers:mine")).content.decode()
    assert client.get(url).status_code == 404  # declared: no longer offered


def test_a_refusal_of_the_sheets_rules_keeps_what_was_typed_and_links_nothing(
    client, volunteer, done
):
    _stored(volunteer, timezone.localdate() - dt.timedelta(days=1))  # a sheet that day already
    client.force_login(volunteer.user)
    url = f"{reverse('volunteers:sheet_new')}?creneau={done.shift_id}"
    typed = {
        "date": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        "hours": "3,25",
        "activity": "Maraude du soir",
        "km": "4",
        "vehicle": "bike",
    }
    page = client.post(url, typed)
    assert page.status_code == 200
    assert "Une prestation est déjà notée ce jour-là" in page.context["form"].errors["date"][0]
    assert 'value="Maraude du soir"' in page.content.decode()
    done.refresh_from_db()
    assert done.sheet is None
    assert ServiceSheet.objects.filter(participant=volunteer.participant).count() == 1


def test_another_persons_shift_or_a_bad_one_answers_404(
    client, operator, coordinator, volunteer, done
):
    other = _volunteer_in(operator)
    client.force_login(other.user)
    base = reverse("volunteers:sheet_new")
    assert client.get(f"{base}?creneau={done.shift_id}").status_code == 404
    for bad in ("abc", "9" * 30, "-1", ""):
        assert client.get(f"{base}?creneau={bad}").status_code == 404


# --- The end of a volunteering ---------------------------------------------------------------


def test_the_end_takes_the_volunteer_off_the_shifts_after_it(
    operator, coordinator, volunteer, shift
):
    from volunteers.services import volunteer_end

    today = _shift(operator, coordinator, days=0, hour=0, hours=1, role="Ce matin")
    _on(today, volunteer=volunteer)
    _on(shift, volunteer=volunteer)  # the day after tomorrow
    later = _shift(operator, coordinator, days=9, role="Maraude")
    _on(later, volunteer=volunteer)
    assert rota.gap(shift) == 1
    ended = volunteer_end(volunteer=volunteer, ended_on=timezone.localdate(), by=coordinator)
    assert ended.shifts_reopened == [shift, later]
    assert list(ShiftAssignment.objects.filter(volunteer=volunteer)) == list(
        today.assignments.all()
    )
    assert rota.gap(Shift.objects.get(pk=shift.pk)) == 2


# --- The pages: the shift changed, the names ---------------------------------------------------


def test_the_edit_page_shows_the_stored_shift(client, operator, coordinator):
    point = ContactPoint.objects.create(organization=operator, name="Marché", place="Place")
    stored = _shift(
        operator,
        coordinator,
        days=3,
        hour=21,
        hours=10,
        needed=3,
        role="Veille de nuit",
        place="",
        contact_point=point,
        note="Clés au bureau",
    )
    client.force_login(coordinator)
    form = client.get(reverse("volunteers:shift_edit", args=[stored.pk])).context["form"]
    assert not form.is_bound
    shown = {name: form[name].value() for name in form.fields}
    assert shown == {
        "role": "Veille de nuit",
        "contact_point": point.pk,
        "place": "",
        "date": timezone.localdate(stored.starts_at),
        "starts": dt.time(21),
        "ends": dt.time(7),
        "needed": 3,
        "note": "Clés au bureau",
    }
    text = client.get(reverse("volunteers:shift_edit", args=[stored.pk])).content.decode()
    assert 'value="Veille de nuit"' in text and 'value="21:00"' in text and 'value="07:00"' in text


def test_a_skipped_time_is_said_next_to_the_field_with_what_was_typed(
    client, operator, coordinator
):
    client.force_login(coordinator)
    typed = {
        "role": "Veille",
        "contact_point": "",
        "place": "Maison",
        "date": "2026-03-29",
        "starts": "02:30",
        "ends": "03:00",
        "needed": "1",
        "note": "",
        "repeat_weeks": "0",
    }
    page = client.post(reverse("volunteers:shift_new"), typed)
    assert page.status_code == 200
    assert "n'existe pas ce jour-là" in page.context["form"].errors["starts"][0]
    assert 'value="02:30"' in page.content.decode()
    assert not Shift.objects.exists()


def test_a_staff_member_without_a_name_is_shown_by_email_to_the_team_not_to_volunteers(
    client, operator, coordinator, shift, volunteer
):
    nameless = MembershipFactory(organization=operator, role=Role.COUNSELLOR).user
    nameless.first_name = nameless.last_name = ""
    nameless.save()
    _on(shift, user=nameless)
    client.force_login(coordinator)
    assert nameless.email in client.get(ROTA).content.decode()
    client.force_login(volunteer.user)
    text = client.get(ROTA).content.decode()
    assert nameless.email not in text and "membre de l&#x27;équipe" in text


# --- Two shifts on one day: one sheet ---------------------------------------------------------


def _yesterday_at(hour: int, minute: int = 0) -> dt.datetime:
    return _at(-1, hour, minute)


@pytest.fixture
def evening(operator, coordinator, volunteer, done):
    """A second shift of the volunteer's yesterday, 19:00 to 21:00."""
    second = _shift(operator, coordinator, days=-1, hour=19, hours=2, role="Accueil", place="")
    second.place = "Maison d'accueil"
    second.save()
    return _on(second, volunteer=volunteer)


MINE = reverse("volunteers:mine")


def _declare_typed(day: dt.date, hours: str, activity: str) -> dict:
    return {
        "date": day.isoformat(),
        "hours": hours,
        "activity": activity,
        "km": "",
        "vehicle": "",
        "expense_amount": "",
        "expense_description": "",
    }


def test_the_second_shift_of_a_day_is_added_to_that_days_sheet(client, volunteer, done, evening):
    client.force_login(volunteer.user)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    first = f"{reverse('volunteers:sheet_new')}?creneau={done.shift_id}"
    assert client.post(first, _declare_typed(yesterday, "3,25", "Maraude")).status_code == 302
    sheet = ServiceSheet.objects.get(participant=volunteer.participant)
    mine = client.get(MINE).content.decode()
    add = f"{reverse('volunteers:sheet_edit', args=[sheet.pk])}?creneau={evening.shift_id}"
    assert f"Ajouter à la fiche du {yesterday:%d/%m}" in mine
    assert add.replace("&", "&amp;") in mine and "Déclarer ces heures" not in mine
    initial = client.get(add).context["form"].initial
    assert initial["hours"] == Decimal("5.25")
    assert initial["activity"] == "Maraude ; Accueil — Maison d'accueil"
    typed = _declare_typed(yesterday, "5,25", "Maraude ; Accueil — Maison d'accueil")
    assert client.post(add, typed).status_code == 302
    sheet.refresh_from_db()
    assert sheet.hours == Decimal("5.25")
    assert set(sheet.shift_assignments.all()) == {done, evening}
    assert "shifts-to-declare" not in client.get(MINE).content.decode()


def test_the_activity_added_is_cut_to_the_fields_length(client, volunteer, done, evening):
    sheet = _stored(volunteer, timezone.localdate() - dt.timedelta(days=1), activity="x" * 199)
    done.sheet = sheet
    done.save()
    client.force_login(volunteer.user)
    add = f"{reverse('volunteers:sheet_edit', args=[sheet.pk])}?creneau={evening.shift_id}"
    assert client.get(add).context["form"].initial["activity"] == "x" * 199 + " "


def test_a_validated_sheet_that_day_leaves_a_line_and_no_button(client, volunteer, evening):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    sheet = _stored(volunteer, yesterday, status=ServiceSheet.Status.VALIDATED)
    client.force_login(volunteer.user)
    mine = client.get(MINE).content.decode()
    assert "Déjà une fiche validée ce jour-là" in mine
    assert "Ajouter à la fiche" not in mine and "?creneau=" not in mine
    url = f"{reverse('volunteers:sheet_edit', args=[sheet.pk])}?creneau={evening.shift_id}"
    assert client.get(url).status_code == 404


def test_a_shift_of_a_locked_month_is_no_longer_offered(client, operator, volunteer, done):
    from chantiers.models import MonthlyStatement

    day = timezone.localdate(done.shift.starts_at)
    MonthlyStatement.objects.create(
        participant=volunteer.participant,
        organization=operator,
        month=day.replace(day=1),
        status=MonthlyStatement.Status.VALIDATED,
    )
    client.force_login(volunteer.user)
    assert "shifts-to-declare" not in client.get(MINE).content.decode()


def test_adding_another_days_or_another_persons_shift_answers_404(
    client, operator, coordinator, volunteer, done
):
    today_sheet = _stored(volunteer, timezone.localdate())
    client.force_login(volunteer.user)
    edit = reverse("volunteers:sheet_edit", args=[today_sheet.pk])
    assert client.get(f"{edit}?creneau={done.shift_id}").status_code == 404  # yesterday's
    other = _volunteer_in(operator)
    theirs = _shift(operator, coordinator, days=0, hour=0, hours=1)
    _on(theirs, volunteer=other)
    assert client.get(f"{edit}?creneau={theirs.pk}").status_code == 404
    for bad in ("abc", "", "-1"):
        assert client.get(f"{edit}?creneau={bad}").status_code == 404
    assert client.get(edit).status_code == 200


@pytest.mark.parametrize("count", [1, 4])
def test_my_page_reads_the_same_number_of_queries_whatever_the_shifts(
    client, operator, coordinator, volunteer, count, django_assert_num_queries
):
    for n in range(count):
        one = _shift(operator, coordinator, days=-1 - n, hour=10, hours=2)
        _on(one, volunteer=volunteer)
        if n % 2:  # a sheet that day already: the line offers to add to it
            _stored(volunteer, timezone.localdate(one.starts_at))
    client.force_login(volunteer.user)
    # As in test_self_service's count (14), with the locked months and the sheets of the
    # shifts' days: one query each, whatever the lines.
    with django_assert_num_queries(16):
        page = client.get(MINE)
    assert page.content.decode().count("?creneau=") == count


def test_a_shift_is_named_by_its_local_time(operator, coordinator):
    winter = _shift(operator, coordinator)
    winter.starts_at = dt.datetime(2026, 1, 12, 9, tzinfo=BRUSSELS).astimezone(dt.UTC)
    assert str(winter) == "Accueil 12/01/2026 09:00"
