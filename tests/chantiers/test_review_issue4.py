"""Review of issue 4 (payment batches, group and agreements, chantier/session/incident screens):
one test per defect found, written before its fix."""

import datetime as dt
import re
import threading
import time
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from chantiers import payments, services
from chantiers.forms_planning import ChantierForm
from chantiers.models import (
    Attendance,
    Chantier,
    Enrolment,
    Incident,
    MonthlyStatement,
    PaymentBatch,
    WorkSession,
)
from chantiers.services import Mark, attendance_record
from tests.chantiers.test_pages import _member
from tests.factories import (
    ChantierFactory,
    MembershipFactory,
    ParticipantFactory,
    PathwayFactory,
    WorkSessionFactory,
)

AMINA_IBAN = "BE74363081011107"


@pytest.fixture
def chantier(operator, coordinator, housing, legal_ceilings):
    chantier = ChantierFactory(organization=operator, host=housing, name="Peinture des halls")
    chantier.coordinators.add(coordinator)
    return chantier


@pytest.fixture
def sepa_operator(operator):
    operator.iban = "BE56310253082988"
    operator.bic = "BBRUBEBB"
    operator.sepa_creditor_name = "Mission Locale de Test ASBL"
    operator.save()
    return operator


def _validated_statement(organization, amount="25.00"):
    person = ParticipantFactory(organization=organization, iban=AMINA_IBAN)
    return MonthlyStatement.objects.create(
        participant=person,
        organization=organization,
        month=dt.date(2026, 10, 1),
        days=2,
        amount=Decimal(amount),
        status=MonthlyStatement.Status.VALIDATED,
    )


def _chantier_data(**changes):
    data = {
        "code": "wayez-2027",
        "name": "Jardins Wayez",
        "trade": "gardening",
        "status": "preparation",
        "site_address": "Rue Wayez 12, 1070 Anderlecht",
        "starts_on": "2026-03-02",
        "capacity": "12",
        "min_jobseeking_months": "24",
        "daily_indemnity": "12.50",
    }
    return {**data, **changes}


# Incidents: the session it happened in -------------------------------------------------------


class TestIncidentSession:
    def _data(self, day, **changes):
        data = {"date": day.isoformat(), "kind": "near_miss", "description": "Échelle mal calée"}
        return {**data, **changes}

    def test_an_incident_names_the_session_of_its_day(self, client, coordinator, chantier):
        """The session list was a sliced queryset: every choice was refused as invalid; and it
        held the 60 latest sessions, planned ones ahead of today's."""
        today = timezone.localdate()
        session = WorkSessionFactory(chantier=chantier, date=today)
        for weeks in range(1, 70):  # a year of sessions planned ahead
            WorkSessionFactory(
                chantier=chantier, date=today + dt.timedelta(weeks=weeks), status="planned"
            )
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:incident_create", args=[chantier.pk]),
            self._data(today, session=session.pk),
        )
        assert response.status_code == 302, response.context["form"].errors
        assert Incident.objects.get().session == session

    def test_editing_an_old_incident_keeps_its_session(self, client, coordinator, chantier):
        today = timezone.localdate()
        old = WorkSessionFactory(chantier=chantier, date=today - dt.timedelta(days=400))
        for days in range(1, 70):
            WorkSessionFactory(chantier=chantier, date=today - dt.timedelta(days=days))
        incident = Incident.objects.create(
            chantier=chantier, session=old, date=old.date, kind="other", description="x"
        )
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:incident_edit", args=[incident.pk]),
            self._data(old.date, session=old.pk, closed_on=today.isoformat()),
        )
        assert response.status_code == 302, response.context["form"].errors
        incident.refresh_from_db()
        assert incident.session == old and incident.closed_on == today


# Garbage in requests: no 500 -----------------------------------------------------------------


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_a_month_at_the_edge_of_the_calendar_is_not_found(client, coordinator, chantier, month):
    client.force_login(coordinator)
    url = reverse("chantiers:sessions", args=[chantier.pk])
    assert client.get(url, {"mois": month}).status_code == 404


class TestDigitsThatAreNotNumbers:
    """``"²".isdigit()`` is true but ``int("²")`` fails: posted ids must be ASCII digits."""

    def test_the_new_batch_page(self, client, director, sepa_operator):
        statement = _validated_statement(sepa_operator)
        client.force_login(director)
        response = client.post(
            reverse("chantiers:payment_batch_new"),
            {
                "statements": ["²", str(statement.pk)],
                "execution_date": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            },
        )
        assert response.status_code == 302
        assert PaymentBatch.objects.get().count == 1

    def test_adding_candidates(self, client, coordinator, chantier):
        person = ParticipantFactory(organization=chantier.organization)
        PathwayFactory(participant=person)
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:group_add", args=[chantier.pk]),
            {"add": "1", "participant": ["²", str(person.pk)]},
        )
        assert response.status_code == 302
        assert Enrolment.objects.get().participant == person

    def test_the_attendance_grid(self, client, coordinator, chantier):
        person, _agreement = _member(chantier)
        session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:session_attendance", args=[session.pk]),
            {f"status-{person.pk}": "present", f"version-{person.pk}": "²"},
        )
        assert response.status_code == 302
        assert Attendance.objects.get().participant == person


# Dates far in the past or the future -----------------------------------------------------------


class TestChantierForm:
    def test_a_year_typed_wrong_is_refused_before_it_breaks_the_group_page(
        self, client, director, operator
    ):
        """Starting in year 1, the eligibility date (start - 24 months) was year -1: the group
        page, the candidate search and the selection answered 500."""
        client.force_login(director)
        response = client.post(reverse("chantiers:create"), _chantier_data(starts_on="0001-03-02"))
        assert response.status_code == 200
        assert response.context["form"].errors["starts_on"] == [
            "Année improbable (1) : vérifiez la date."
        ]
        assert "Jardins Wayez" in response.text  # what was typed is kept
        assert not Chantier.objects.exists()

    def test_absurd_months_of_job_seeking_are_refused(self, client, director, operator):
        client.force_login(director)
        response = client.post(
            reverse("chantiers:create"), _chantier_data(min_jobseeking_months="30000")
        )
        assert response.status_code == 200
        assert "min_jobseeking_months" in response.context["form"].errors
        assert not Chantier.objects.exists()

    def test_a_negative_daily_indemnity_is_refused(self, client, director, operator):
        client.force_login(director)
        response = client.post(reverse("chantiers:create"), _chantier_data(daily_indemnity="-5"))
        assert response.status_code == 200
        assert "daily_indemnity" in response.context["form"].errors
        assert not Chantier.objects.exists()


def test_a_session_in_year_9999_is_refused(client, coordinator, chantier):
    client.force_login(coordinator)
    response = client.post(
        reverse("chantiers:session_create", args=[chantier.pk]),
        {"date": "9999-12-30", "starts_at": "09:00", "ends_at": "12:00"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == [
        "Année improbable (9999) : vérifiez la date."
    ]
    assert not WorkSession.objects.exists()


class TestAgreementFarInThePast:
    def test_the_form_refuses_a_year_typed_wrong(self, client, coordinator, chantier):
        enrolment = Enrolment.objects.create(
            chantier=chantier, participant=ParticipantFactory(organization=chantier.organization)
        )
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:agreement_new", args=[chantier.pk, enrolment.pk]),
            {
                "starts_on": "0026-01-05",
                "scheme": "flat_rate",
                "daily_rate": "12.50",
                "amount_from_others": "0",
            },
        )
        assert response.status_code == 200
        assert response.context["form"].errors["starts_on"] == [
            "Année improbable (26) : vérifiez la date."
        ]

    def test_recomputing_from_long_ago_only_visits_the_years_with_marks(
        self, chantier, coordinator, django_assert_max_num_queries
    ):
        """It recomputed every year from the change to this one: about 2 000 years (12 000
        queries, ~15 s) for a start typed 0026 instead of 2026 — more for a gunicorn worker."""
        person, _agreement = _member(chantier)
        session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
        attendance_record(session=session, marks=[Mark(person.pk, "present")], by=coordinator)
        with django_assert_max_num_queries(20):
            services.indemnities_recompute_from(participant=person, day=dt.date(26, 1, 5))
        assert Attendance.objects.get().indemnity == Decimal("12.50")


def test_an_execution_date_years_ahead_is_refused(sepa_operator, director):
    """9999-12-31 made a batch and a stored file no bank executes, its statements held in it."""
    statement = _validated_statement(sepa_operator)
    with pytest.raises(ValidationError) as refused:
        payments.batch_create(
            organization=sepa_operator,
            statement_ids=[statement.pk],
            execution_date=dt.date(9999, 12, 31),
            by=director,
        )
    assert "execution_date" in refused.value.error_dict
    assert not PaymentBatch.objects.exists()
    # A year ahead is still fine (a bank accepts orders dated that far).
    payments.batch_create(
        organization=sepa_operator,
        statement_ids=[statement.pk],
        execution_date=timezone.localdate() + dt.timedelta(days=365),
        by=director,
    )


# Double clicks and two people at once ---------------------------------------------------------


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


def test_a_second_click_creating_a_chantier_says_the_code_is_taken(
    client, director, operator, monkeypatch
):
    """Both clicks passed the code check before either was committed: the second one hit the
    unique constraint, a 500. The check is skipped here to stand for that moment."""
    ChantierFactory(organization=operator, code="wayez-2027")
    monkeypatch.setattr(ChantierForm, "clean_code", lambda form: form.cleaned_data["code"])
    client.force_login(director)
    response = client.post(reverse("chantiers:create"), _chantier_data())
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Un autre chantier porte déjà ce code."]
    assert Chantier.objects.count() == 1


def _two_marked_out_of_alphabetical_order(chantier, coordinator):
    zoe, _a = _member(chantier, last_name="Zylberstein")  # first by id, last by name
    adam, _b = _member(chantier, last_name="Aaron")
    assert zoe.pk < adam.pk
    session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
    attendance_record(
        session=session, marks=[Mark(zoe.pk, "present"), Mark(adam.pk, "present")], by=coordinator
    )
    return zoe, adam


def test_preparing_the_month_goes_through_people_in_the_common_order(client, coordinator, chantier):
    """The rule below in a form every database shows: the month page prepares each person's
    statement in the order of their ids, the order every service locks participants in."""
    zoe, adam = _two_marked_out_of_alphabetical_order(chantier, coordinator)
    client.force_login(coordinator)
    client.post(reverse("chantiers:month_statements", args=[chantier.pk, 2026, 3]))
    prepared = MonthlyStatement.objects.order_by("pk").values_list("participant", flat=True)
    assert list(prepared) == [zoe.pk, adam.pk]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks exist on PostgreSQL only: SQLite ignores select_for_update (no FOR UPDATE "
    "to read) and locks the whole database per transaction, where no lock order can deadlock; "
    "the order itself is tested above on every database",
)
def test_preparing_the_month_locks_people_in_the_common_order(client, coordinator, chantier):
    """Participants are locked by id everywhere (attendance, statements, batches); the month page
    locked them by name, so it could deadlock with a grid saved at the same moment."""
    _two_marked_out_of_alphabetical_order(chantier, coordinator)
    client.force_login(coordinator)
    url = reverse("chantiers:month_statements", args=[chantier.pk, 2026, 3])
    with CaptureQueriesContext(connection) as queries:
        client.post(url)
    locked = [
        int(match.group(1))
        for query in queries.captured_queries
        if "FOR UPDATE" in query["sql"] and '"participants_participant"' in query["sql"]
        for match in [re.search(r'"participants_participant"\."id" = (\d+)', query["sql"])]
        if match
    ]
    assert locked and locked == sorted(locked)


# Role checks -------------------------------------------------------------------------------------


def test_a_coordinator_acts_only_on_the_statements_of_their_chantiers(
    client, operator, chantier, coordinator
):
    """Scoped by organization only: another chantier's coordinator could validate a month (and
    confirm its unpaid days) by posting its number."""
    person, _agreement = _member(chantier)
    session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
    attendance_record(session=session, marks=[Mark(person.pk, "present")], by=coordinator)
    statement = services.statement_prepare(participant=person, month=dt.date(2026, 3, 1))
    stranger = MembershipFactory(organization=operator, role=Role.COORDINATOR).user
    ChantierFactory(organization=operator).coordinators.add(stranger)
    client.force_login(stranger)
    action = reverse("chantiers:statement_action", args=[statement.pk])
    assert client.post(action, {"action": "validate"}).status_code == 404
    statement.refresh_from_db()
    assert statement.status == MonthlyStatement.Status.DRAFT
    # Their own coordinator and the direction still can.
    client.force_login(coordinator)
    client.post(action, {"action": "validate", "chantier": chantier.pk})
    statement.refresh_from_db()
    assert statement.status == MonthlyStatement.Status.VALIDATED


def test_an_account_outside_the_sepa_zone_is_listed_not_put_in_the_file(operator):
    from chantiers.payments import iban_problem
    from tests.factories import ParticipantFactory

    person = ParticipantFactory(organization=operator, iban="TR330006100519786457841326")
    assert iban_problem(person) == (
        "Compte hors de la zone SEPA : à payer autrement qu'avec ce fichier."
    )
    person.iban = "BE15068832347630"
    assert iban_problem(person) == ""
