"""Recomputing a volunteer's year of indemnities (DESIGN §4): what sets it off — a change of
income source, through its service only; a ceiling added in the admin site — and what it reads:
that year's declarations and scheme only, the years with marks only.

2026 ceilings: 44.02 a day, 1 760.83 a year.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from chantiers import services
from chantiers.indemnities import indemnities_recompute
from chantiers.models import Attendance, ElsewhereDeclaration
from chantiers.services import Mark, attendance_record, indemnities_recompute_from
from participants import services as participant_services
from tests.chantiers.helpers import _agreement, _amounts, _mark, _member
from tests.factories import ChantierFactory, WorkSessionFactory

D = Decimal
Reason = Attendance.NotPayable


@pytest.fixture
def chantier(operator, coordinator, housing, legal_ceilings):
    chantier = ChantierFactory(organization=operator, host=housing, name="Peinture des halls")
    chantier.coordinators.add(coordinator)
    return chantier


def test_amounts_declared_last_year_do_not_reduce_this_year(volunteer):
    """Rule 6: an agreement running from 2025 into 2026 does not carry its first year's
    declaration into the next."""
    _agreement(volunteer, starts_on=dt.date(2025, 9, 1), ends_on=None, declaration="")
    ElsewhereDeclaration.objects.create(
        participant=volunteer,
        organization=volunteer.organization,
        year=2025,
        amount=D("1750.00"),
        declared_on=dt.date(2025, 9, 1),
        source="ASBL Voisine",
    )
    _mark(volunteer, dt.date(2026, 3, 2))
    balance = indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [(D("25.00"), "")]
    assert balance.declared_elsewhere == D("0.00") and not balance.warning


def test_a_real_costs_agreement_excludes_the_flat_rate_for_the_whole_year(volunteer):
    _agreement(volunteer, ends_on=dt.date(2026, 5, 31), declaration="")
    _agreement(volunteer, starts_on=dt.date(2026, 6, 1), scheme="real_costs", declaration="")
    _mark(volunteer, dt.date(2026, 7, 1))
    indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [(D("0.00"), Reason.REAL_COSTS)]


def test_a_back_dated_income_change_recomputes_the_days(volunteer):
    # From 1 March, CPAS integration income: the CPAS must be informed; nothing was.
    _agreement(volunteer, declaration="none", declaration_on=dt.date(2026, 1, 1))
    _mark(volunteer, dt.date(2026, 3, 2))
    indemnities_recompute(participant=volunteer, year=2026)
    assert _amounts(volunteer) == [(D("25.00"), "")]
    participant_services.income_source_change(
        participant=volunteer, kind="ris", starts_on=dt.date(2026, 3, 1)
    )
    assert _amounts(volunteer) == [(D("0.00"), Reason.DECLARATION_MISSING)]  # by the service
    indemnities_recompute_from(participant=volunteer, day=dt.date(2026, 3, 1))
    assert _amounts(volunteer) == [(D("0.00"), Reason.DECLARATION_MISSING)]


def test_the_income_change_recomputes_in_its_own_transaction(volunteer):
    """The service recomputes, with the change: refused, neither is saved; no signal does it
    after the commit (a change saved another way is not a change of income source)."""
    from participants.models import IncomeSource

    _agreement(volunteer, declaration="none", declaration_on=dt.date(2026, 1, 1))
    _mark(volunteer, dt.date(2026, 3, 2))
    indemnities_recompute(participant=volunteer, year=2026)
    participant_services.income_source_change(
        participant=volunteer, kind="unemployment", starts_on=dt.date(2026, 3, 1)
    )
    assert _amounts(volunteer) == [(D("0.00"), Reason.DECLARATION_MISSING)]
    IncomeSource.objects.filter(participant=volunteer).update(kind="none")  # not the service
    assert _amounts(volunteer) == [(D("0.00"), Reason.DECLARATION_MISSING)]


def test_a_ceiling_added_in_the_admin_site_recomputes_the_year_through_the_service(
    client, volunteer, django_capture_on_commit_callbacks
):
    """The year 2027 has no ceiling: its days are not paid, with the reason. The administration
    adds it in the admin site; the service recomputes the year (in the background)."""
    from chantiers.models import IndemnityCeiling
    from tests.factories import UserFactory

    _agreement(volunteer, starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 12, 31))
    _mark(volunteer, dt.date(2027, 3, 1))
    indemnities_recompute(participant=volunteer, year=2027)
    assert _amounts(volunteer) == [(D("0.00"), Reason.NO_CEILING)]
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post(
            reverse("admin:chantiers_indemnityceiling_add"),
            {"year": "2027", "daily": "45.00", "annual": "1800.00", "km_cap": "2000"},
        )
    assert len(queued) == 1  # the task, once committed
    assert response.status_code == 302
    assert IndemnityCeiling.objects.get(year=2027).daily == D("45.00")
    assert _amounts(volunteer) == [(D("25.00"), "")]


def test_a_ceiling_added_while_the_broker_is_down_recomputes_the_year_at_once(
    client, volunteer, broker_down, django_capture_on_commit_callbacks
):
    """Redis unreachable after the commit: no 500 for a ceiling that was saved, and its year
    recomputed in the request rather than left on the old amounts."""
    from tests.factories import UserFactory

    _agreement(volunteer, starts_on=dt.date(2027, 1, 1), ends_on=dt.date(2027, 12, 31))
    _mark(volunteer, dt.date(2027, 3, 1))
    indemnities_recompute(participant=volunteer, year=2027)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:chantiers_indemnityceiling_add"),
            {"year": "2027", "daily": "45.00", "annual": "1800.00", "km_cap": "2000"},
        )
    assert response.status_code == 302
    assert _amounts(volunteer) == [(D("25.00"), "")]


class TestAgreementFarInThePast:
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


def test_a_ceilings_year_is_neither_renamed_nor_removed_in_the_admin_site(client, legal_ceilings):
    """Every amount of a year was computed against its ceiling: renaming or deleting it would
    leave them without one. The figures are corrected instead (and the year recomputed)."""
    from chantiers.models import IndemnityCeiling
    from tests.factories import UserFactory

    ceiling = IndemnityCeiling.objects.get(year=2026)
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:chantiers_indemnityceiling_change", args=[ceiling.pk]))
    assert 'name="year"' not in page.content.decode()  # shown, not editable
    assert 'name="daily"' in page.content.decode()
    delete = client.post(
        reverse("admin:chantiers_indemnityceiling_delete", args=[ceiling.pk]), {"post": "yes"}
    )
    assert delete.status_code == 403
    assert IndemnityCeiling.objects.filter(year=2026).exists()
