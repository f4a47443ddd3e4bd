"""A chantier's month of statements, the page: prepare, confirm the days not paid, validate, and
the administration reopens; who may act on which statement; people taken in the common order."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from chantiers import services
from chantiers.models import MonthlyStatement, StatementUnlock
from chantiers.services import Mark, attendance_record
from chantiers.year_changes import correction_create
from tests.chantiers.helpers import _member
from tests.factories import ChantierFactory, MembershipFactory, WorkSessionFactory


@pytest.fixture
def chantier(operator, coordinator, legal_ceilings):
    chantier = ChantierFactory(organization=operator)
    chantier.coordinators.add(coordinator)
    return chantier


@pytest.fixture
def march(chantier, coordinator, client):
    """Two people on two sessions in March 2026; one signed only on 03/03 (the 2nd not paid)."""
    signed, _a = _member(chantier)
    late, agreement = _member(chantier)
    agreement.signed_on = dt.date(2026, 3, 3)
    agreement.save()
    for day in (dt.date(2026, 3, 2), dt.date(2026, 3, 3)):
        session = WorkSessionFactory(chantier=chantier, date=day)
        attendance_record(
            session=session,
            marks=[Mark(signed.pk, "present"), Mark(late.pk, "present")],
            by=coordinator,
        )
    return signed, late


def _url(chantier):
    return reverse("chantiers:month_statements", args=[chantier.pk, 2026, 3])


def test_prepare_confirm_validate_then_the_admin_reopens(
    client, coordinator, admin, chantier, march
):
    signed, late = march
    client.force_login(coordinator)
    client.post(_url(chantier))
    page = client.get(_url(chantier))
    amounts = {
        r["statement"].participant_id: (r["statement"].amount, r["waiting"])
        for r in page.context["rows"]
    }
    # 2 × 12.50 for the one signed on time; 12.50 and one day waiting for a confirmation.
    assert amounts == {signed.pk: (25, 0), late.pk: (12.5, 1)}
    late_statement = MonthlyStatement.objects.get(participant=late)
    action = reverse("chantiers:statement_action", args=[late_statement.pk])
    response = client.post(action, {"action": "validate", "chantier": chantier.pk}, follow=True)
    assert "pas été confirmés : 02/03" in response.text
    client.post(action, {"action": "acknowledge", "chantier": chantier.pk})
    client.post(action, {"action": "validate", "chantier": chantier.pk})
    late_statement.refresh_from_db()
    assert late_statement.status == "validated"
    # The coordinator cannot reopen; the admin can, with a reason.
    unlock = reverse("chantiers:statement_unlock", args=[late_statement.pk])
    assert client.post(unlock, {"reason": "x", "chantier": chantier.pk}).status_code == 403
    client.force_login(admin)
    client.post(unlock, {"reason": "", "chantier": chantier.pk})
    assert MonthlyStatement.objects.get(pk=late_statement.pk).status == "validated"
    response = client.post(
        unlock, {"reason": "Présence du 2 notée par erreur", "chantier": chantier.pk}
    )
    assert response.status_code == 302 and response.url == _url(chantier)
    assert MonthlyStatement.objects.get(pk=late_statement.pk).status == "draft"
    assert StatementUnlock.objects.get().by == admin


def _validated_march(chantier, coordinator, person):
    statement = services.statement_prepare(participant=person, month=dt.date(2026, 3, 1))
    return services.statement_validate(statement=statement, by=coordinator)


def _reason_box(page, statement):
    """The reason's input on the statement's line, and what is said beside it."""
    action = reverse("chantiers:statement_unlock", args=[statement.pk])
    form = re.search(rf'<form[^>]*action="{action}".*?</form>', page, re.S).group(0)
    return re.search(r'<input[^>]*name="reason"[^>]*>', form).group(0), form


def test_a_reopening_refused_by_the_service_gives_the_reason_back_on_its_line(
    client, coordinator, admin, chantier, march
):
    """A month with a correction cannot be reopened: the page says so on that line and keeps
    the reason typed, instead of a redirect that dropped it."""
    statement = _validated_march(chantier, coordinator, march[0])
    correction_create(
        statement=statement, amount=Decimal("-5"), km=0, reason="Trop payé", by=coordinator
    )
    client.force_login(admin)
    response = client.post(
        reverse("chantiers:statement_unlock", args=[statement.pk]),
        {"reason": "Présence du 2 notée par erreur", "chantier": chantier.pk},
    )
    assert response.status_code == 200
    box, form = _reason_box(response.text, statement)
    assert 'value="Présence du 2 notée par erreur"' in box
    assert "Cette fiche a des corrections" in form
    assert "data-error-summary" in form
    assert MonthlyStatement.objects.get(pk=statement.pk).status == "validated"


def test_a_reason_refused_by_the_form_comes_back_marked_beside_its_field(
    client, coordinator, admin, chantier, march
):
    statement = _validated_march(chantier, coordinator, march[0])
    client.force_login(admin)
    box, _form = _reason_box(client.get(_url(chantier)).text, statement)
    assert "value=" not in box and "aria-invalid" not in box
    response = client.post(
        reverse("chantiers:statement_unlock", args=[statement.pk]),
        {"reason": "Erreur\x07 de date", "chantier": chantier.pk},
    )
    assert response.status_code == 200
    box, form = _reason_box(response.text, statement)
    assert 'value="Erreur\x07 de date"' in box
    assert 'aria-invalid="true"' in box
    assert f'aria-describedby="id_s{statement.pk}_reason_error"' in box
    assert f'id="id_s{statement.pk}_reason_error"' in form
    assert f'href="#id_s{statement.pk}_reason"' in form  # the summary leads to the field
    assert not StatementUnlock.objects.exists()


def test_other_organizations_statements_answer_404(client, outsider, chantier, march, coordinator):
    client.force_login(coordinator)
    client.post(_url(chantier))
    statement = MonthlyStatement.objects.first()
    client.force_login(outsider)  # the admin of another operator
    assert (
        client.post(
            reverse("chantiers:statement_unlock", args=[statement.pk]), {"reason": "x"}
        ).status_code
        == 404
    )
    assert client.get(_url(chantier)).status_code == 404


@pytest.mark.parametrize(("year", "month"), [(2026, 13), (1, 1), (9999, 12)])
def test_a_bad_month_answers_404(client, coordinator, chantier, year, month):
    """A month that does not exist, or whose previous or next does not (the page links both)."""
    client.force_login(coordinator)
    url = reverse("chantiers:month_statements", args=[chantier.pk, year, month])
    assert client.get(url).status_code == 404


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
