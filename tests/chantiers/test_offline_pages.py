"""The pages a coordinator needs on the worksite without network (issue 19): the server marks
them ``X-Offline: keep`` for the service worker to keep (today's sessions, a grid, a group) and
no other answer; the today page lists the rest of the week's sessions too, each naming its group
page for the phone to keep, in a number of queries that does not grow with them."""

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.factories import ChantierFactory, WorkSessionFactory

HEADER = "X-Offline"
WEEK_TITLE = '<h2 class="h5 mt-4">Cette semaine</h2>'
# The project's zone first; then UTC−12 and UTC+14: together they span 26 hours, so that at any
# moment one of them is not on a Sunday.
ZONES = (settings.TIME_ZONE, "Etc/GMT+12", "Pacific/Kiritimati")


@pytest.fixture
def today():
    """Today, in a time zone where it is not Sunday: a day with some of its week after it.

    The project's zone unless it is Sunday there; then one where it is still Saturday or
    already Monday, active for the whole test (the views read ``timezone.localdate()`` in the
    test's thread). Every day of the week gets the same test, without a fake clock."""
    for name in ZONES:
        with timezone.override(zoneinfo.ZoneInfo(name)):
            day = timezone.localdate()
            if day.weekday() != 6:
                yield day
                return
    raise AssertionError("every zone on a Sunday")  # pragma: no cover


@pytest.fixture
def sunday(today):
    return today + dt.timedelta(days=6 - today.weekday())


@pytest.fixture
def chantier(operator, coordinator):
    chantier = ChantierFactory(organization=operator)
    chantier.coordinators.add(coordinator)
    return chantier


def _session(chantier, day, status="planned", **kwargs):
    return WorkSessionFactory(chantier=chantier, date=day, status=status, **kwargs)


def _link(session) -> str:
    """A session's link on the today page, with the group page the phone keeps with it."""
    grid = reverse("chantiers:session_attendance", args=[session.pk])
    group = reverse("chantiers:group", args=[session.chantier_id])
    return f'href="{grid}" data-offline-keep="{group}"'


def _week_part(html: str) -> str:
    """What the today page shows under "Cette semaine" (empty when there is no such part)."""
    return html.split(WEEK_TITLE, 1)[1] if WEEK_TITLE in html else ""


# The header: on the three pages the phone keeps, and nowhere else.


def test_the_pages_kept_for_offline_say_so(client, coordinator, chantier, today):
    session = _session(chantier, today)
    client.force_login(coordinator)

    for url in (
        reverse("chantiers:today"),
        reverse("chantiers:session_attendance", args=[session.pk]),
        reverse("chantiers:group", args=[chantier.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response[HEADER] == "keep", url


def test_a_saved_grid_and_other_pages_are_not_kept(
    client, coordinator, chantier, other_operator, today
):
    session = _session(chantier, today)
    elsewhere = _session(ChantierFactory(organization=other_operator), today)
    client.force_login(coordinator)
    grid = reverse("chantiers:session_attendance", args=[session.pk])

    answers = {
        "grid saved": client.post(grid, {"all_present": "1"}),
        "grid saved, nothing readable": client.post(grid, {"status-x": "present"}),
        "chantiers": client.get(reverse("chantiers:list")),
        "chantier": client.get(reverse("chantiers:detail", args=[chantier.pk])),
        "home": client.get(reverse("dashboard:home")),
        "another's grid": client.get(reverse("chantiers:session_attendance", args=[elsewhere.pk])),
    }

    assert answers["chantiers"].status_code == 200
    assert answers["another's grid"].status_code == 404
    for name, response in answers.items():
        assert not response.has_header(HEADER), name


def test_an_anonymous_visit_is_not_kept(client, chantier, today):
    response = client.get(reverse("chantiers:today"))
    assert response.status_code == 302
    assert not response.has_header(HEADER)


# The today page: the rest of the week.


def test_today_lists_the_rest_of_the_week_with_the_group_page_to_keep(
    client, coordinator, operator, other_operator, chantier, today, sunday
):
    now = _session(chantier, today)
    later = _session(chantier, sunday, starts_at=dt.time(13, 30), ends_at=dt.time(16, 30))
    cancelled = _session(ChantierFactory(organization=operator), sunday, status="cancelled")
    cancelled.chantier.coordinators.add(coordinator)
    next_week = _session(chantier, sunday + dt.timedelta(days=1))
    # Another operator's chantier: not shown even if this account were among its coordinators.
    theirs = ChantierFactory(organization=other_operator)
    theirs.coordinators.add(coordinator)
    elsewhere = _session(theirs, sunday)
    # Before today: this week's past sessions are not the worksite's to come.
    yesterday = _session(chantier, today - dt.timedelta(days=1))
    client.force_login(coordinator)

    response = client.get(reverse("chantiers:today"))

    assert response.status_code == 200
    assert [s.pk for s in response.context["sessions"]] == [now.pk]
    assert [s.pk for s in response.context["week"]] == [later.pk]
    html = response.text
    assert html.count(WEEK_TITLE) == 1
    today_part, week_part = html.split(WEEK_TITLE, 1)
    assert _link(now) in today_part
    assert _link(later) in week_part
    assert f"{later.chantier.name}</strong>" in week_part
    assert "13:30–16:30" in week_part
    for absent in (cancelled, next_week, elsewhere, yesterday):
        grid = reverse("chantiers:session_attendance", args=[absent.pk])
        assert f'href="{grid}"' not in html
    assert reverse("chantiers:group", args=[theirs.pk]) not in html


def test_nothing_later_this_week_shows_no_week_part(client, coordinator, chantier, today, sunday):
    _session(chantier, today)
    _session(chantier, sunday + dt.timedelta(days=1))  # next week
    client.force_login(coordinator)

    response = client.get(reverse("chantiers:today"))

    assert response.context["week"] == []
    assert WEEK_TITLE not in response.text


def test_a_cancelled_session_today_is_shown_but_its_group_not_kept(
    client, coordinator, chantier, today
):
    """Today's part shows a cancelled session (« Annulée »), without the group to keep."""
    cancelled = _session(chantier, today, status="cancelled")
    client.force_login(coordinator)

    html = client.get(reverse("chantiers:today")).text

    grid = reverse("chantiers:session_attendance", args=[cancelled.pk])
    assert f'href="{grid}">' in html
    assert "data-offline-keep" not in html
    assert "Annulée" in html


def test_direction_sees_the_week_of_every_chantier_of_the_operator(
    client, director, operator, other_operator, today, sunday
):
    ours = _session(ChantierFactory(organization=operator), sunday)
    _session(ChantierFactory(organization=other_operator), sunday)
    client.force_login(director)

    response = client.get(reverse("chantiers:today"))

    assert [s.pk for s in response.context["week"]] == [ours.pk]
    assert _link(ours) in _week_part(response.text)


# What the page costs: the same number of queries whatever the sessions of the week.

TODAY_QUERIES = 6


@pytest.mark.parametrize("count", [1, 5])
def test_the_today_page_queries_do_not_grow_with_the_week(
    client, coordinator, operator, chantier, today, sunday, count, django_assert_num_queries
):
    _session(chantier, today)
    days = (sunday - today).days  # at least one day after today
    for n in range(count):
        other = ChantierFactory(organization=operator)  # a chantier each: no query per chantier
        other.coordinators.add(coordinator)
        _session(other, today + dt.timedelta(days=1 + n % days))
    client.force_login(coordinator)

    with django_assert_num_queries(TODAY_QUERIES):
        response = client.get(reverse("chantiers:today"))

    assert len(response.context["week"]) == count
    assert _week_part(response.text).count("data-offline-keep=") == count
