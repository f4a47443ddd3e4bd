"""Planning the sessions of a chantier by the week (chantiers.services.sessions_create_weekly):
Belgian public holidays skipped and said, never a session twice, two clicks at once included."""

import datetime as dt
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction

from chantiers import services
from chantiers.models import WorkSession
from chantiers.services import sessions_create_weekly
from tests.factories import ChantierFactory


@pytest.fixture
def chantier(operator):
    return ChantierFactory(organization=operator, starts_on=dt.date(2026, 1, 5), capacity=2)


class TestWeeklyPattern:
    def test_mondays_and_thursdays_in_april_2026_skip_easter_monday(self, chantier):
        plan = sessions_create_weekly(
            chantier=chantier,
            first_day=dt.date(2026, 4, 1),
            last_day=dt.date(2026, 4, 30),
            weekdays={0, 3},
            starts_at=dt.time(8, 30),
            ends_at=dt.time(12, 30),
        )
        # Mondays 6, 13, 20, 27 and Thursdays 2, 9, 16, 23, 30: 9 days, Easter Monday (6) skipped.
        assert [d for d, _name in plan.holidays] == [dt.date(2026, 4, 6)]
        assert "Pâques" in plan.holidays[0][1]
        days = sorted(WorkSession.objects.filter(chantier=chantier).values_list("date", flat=True))
        assert [d.day for d in days] == [2, 9, 13, 16, 20, 23, 27, 30]

    def test_running_it_twice_does_not_double_the_sessions(self, chantier):
        arguments = {
            "chantier": chantier,
            "first_day": dt.date(2026, 5, 1),
            "last_day": dt.date(2026, 5, 31),
            "weekdays": {1},
            "starts_at": dt.time(9, 0),
            "ends_at": dt.time(13, 0),
        }
        sessions_create_weekly(**arguments)
        again = sessions_create_weekly(**arguments)
        assert again.created == [] and len(again.existing) == 4
        assert WorkSession.objects.filter(chantier=chantier).count() == 4

    def test_ascension_pentecost_monday_and_national_day_are_skipped(self, chantier):
        plan = sessions_create_weekly(
            chantier=chantier,
            first_day=dt.date(2026, 5, 1),
            last_day=dt.date(2026, 7, 31),
            weekdays={0, 1, 2, 3, 4},
            starts_at=dt.time(9, 0),
            ends_at=dt.time(13, 0),
        )
        skipped = {d for d, _name in plan.holidays}
        assert {
            dt.date(2026, 5, 1),
            dt.date(2026, 5, 14),
            dt.date(2026, 5, 25),
            dt.date(2026, 7, 21),
        } == skipped

    def test_bad_periods_are_refused(self, chantier):
        with pytest.raises(ValidationError):
            sessions_create_weekly(
                chantier=chantier,
                first_day=dt.date(2026, 5, 2),
                last_day=dt.date(2026, 5, 1),
                weekdays={0},
                starts_at=dt.time(9, 0),
                ends_at=dt.time(13, 0),
            )
        with pytest.raises(ValidationError):
            sessions_create_weekly(
                chantier=chantier,
                first_day=dt.date(2026, 5, 1),
                last_day=dt.date(2026, 5, 31),
                weekdays={0},
                starts_at=dt.time(13, 0),
                ends_at=dt.time(9, 0),
            )


@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_the_weekly_plan_creates_the_sessions_once(operator, legal_ceilings):
    """The second click read the sessions already planned before the first one was committed,
    and planned them all a second time."""
    chantier = ChantierFactory(organization=operator)
    plan = {
        "chantier": chantier,
        "first_day": dt.date(2027, 3, 1),
        "last_day": dt.date(2027, 3, 31),
        "weekdays": {0, 2},
        "starts_at": dt.time(9, 0),
        "ends_at": dt.time(12, 0),
    }
    first_done, release = threading.Event(), threading.Event()

    def first_click():
        try:
            with transaction.atomic():  # the request's transaction (ATOMIC_REQUESTS)
                services.sessions_create_weekly(**plan)
                first_done.set()
                release.wait(5)
        finally:
            connection.close()

    def second_click():
        try:
            with transaction.atomic():
                services.sessions_create_weekly(**plan)
        finally:
            connection.close()

    one = threading.Thread(target=first_click)
    one.start()
    assert first_done.wait(5)
    two = threading.Thread(target=second_click)
    two.start()
    time.sleep(0.5)  # the second click reads (or waits) while the first is not committed
    release.set()
    one.join()
    two.join()
    # Five Mondays and five Wednesdays, less Easter Monday (29/03/2027).
    assert WorkSession.objects.count() == 9
