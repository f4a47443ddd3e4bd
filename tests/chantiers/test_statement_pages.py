import datetime as dt

import pytest
from django.urls import reverse

from chantiers.models import MonthlyStatement, StatementUnlock
from tests.chantiers.test_pages import _member
from tests.factories import ChantierFactory, WorkSessionFactory


@pytest.fixture
def chantier(operator, coordinator, legal_ceilings):
    chantier = ChantierFactory(organization=operator)
    chantier.coordinators.add(coordinator)
    return chantier


@pytest.fixture
def march(chantier, coordinator, client):
    """Two people on two sessions in March 2026; one signed only on 03/03 (the 2nd not paid)."""
    from chantiers.services import Mark, attendance_record

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
    client.post(unlock, {"reason": "Présence du 2 notée par erreur", "chantier": chantier.pk})
    assert MonthlyStatement.objects.get(pk=late_statement.pk).status == "draft"
    assert StatementUnlock.objects.get().by == admin


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


def test_a_bad_month_answers_404(client, coordinator, chantier):
    client.force_login(coordinator)
    assert (
        client.get(reverse("chantiers:month_statements", args=[chantier.pk, 2026, 13])).status_code
        == 404
    )
