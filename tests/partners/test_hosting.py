"""The hosting partner's view: a housing company sees the chantiers it hosts, and of the people
only their first names. The pages are served by the dashboard (they read chantiers, which
partners does not import) at the partners' addresses."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Organization, Role
from chantiers.models import Attendance, Enrolment, Incident
from tests.factories import (
    ChantierFactory,
    MembershipFactory,
    OrganizationFactory,
    ParticipantFactory,
    WorkSessionFactory,
)


@pytest.fixture
def chantier(operator, housing):
    return ChantierFactory(
        organization=operator, host=housing, name="Façades Wayez", status="running"
    )


def _member(chantier, first_name="Yasmina", last_name="Benali", status=Enrolment.Status.ACTIVE):
    person = ParticipantFactory(
        organization=chantier.organization,
        first_name=first_name,
        last_name=last_name,
        phone="0470 12 34 56",
    )
    Enrolment.objects.create(chantier=chantier, participant=person, status=status)
    return person


def _url(chantier):
    return reverse("dashboard:hosting_detail", args=[chantier.pk])


def test_the_pages_keep_their_addresses_under_the_partners():
    assert reverse("dashboard:hosting_list") == "/partenaires/chantiers-accueillis/"
    assert reverse("dashboard:hosting_detail", args=[7]) == "/partenaires/chantiers-accueillis/7/"


class TestAccess:
    @pytest.mark.parametrize("name", ["admin", "director", "counsellor", "coordinator", "outsider"])
    def test_staff_roles_are_refused(self, client, personas, chantier, name):
        client.force_login(personas[name])
        assert client.get(reverse("dashboard:hosting_list")).status_code == 403
        assert client.get(_url(chantier)).status_code == 403

    def test_the_partner_of_the_host_sees_it(self, client, partner, chantier):
        client.force_login(partner)
        assert client.get(_url(chantier)).status_code == 200
        response = client.get(reverse("dashboard:hosting_list"))
        assert [row["chantier"] for row in response.context["rows"]] == [chantier]

    def test_a_partner_of_another_housing_company_gets_404(self, client, chantier):
        other = OrganizationFactory(kind=Organization.Kind.HOUSING, name="Logis Voisin")
        stranger = MembershipFactory(organization=other, role=Role.PARTNER).user
        client.force_login(stranger)
        assert client.get(_url(chantier)).status_code == 404
        assert client.get(reverse("dashboard:hosting_list")).context["rows"] == []

    def test_a_chantier_hosted_by_nobody_or_elsewhere_answers_404(self, client, partner, operator):
        client.force_login(partner)
        unhosted = ChantierFactory(organization=operator)
        assert client.get(_url(unhosted)).status_code == 404


class TestWhatThePartnerSees:
    def test_only_first_names_of_the_group(self, client, partner, chantier):
        _member(chantier, "Yasmina", "Benali")
        _member(chantier, "Karim", "Lahlou")
        _member(chantier, "Ophélie", "Candidate", status=Enrolment.Status.CANDIDATE)
        client.force_login(partner)
        page = client.get(_url(chantier)).content.decode()
        assert "Yasmina" in page and "Karim" in page
        for hidden in ("Benali", "Lahlou", "0470 12 34 56", "Ophélie"):
            assert hidden not in page

    def test_incidents_show_kind_date_and_state_never_the_description(
        self, client, partner, chantier
    ):
        Incident.objects.create(
            chantier=chantier,
            date=dt.date(2026, 3, 2),
            kind=Incident.Kind.CONFLICT,
            people_involved="Yasmina Benali",
            description="Dispute entre Yasmina Benali et un voisin.",
        )
        Incident.objects.create(
            chantier=chantier,
            date=dt.date(2026, 2, 2),
            kind=Incident.Kind.DAMAGE,
            description="Vitre cassée",
            closed_on=dt.date(2026, 2, 5),
        )
        client.force_login(partner)
        response = client.get(_url(chantier))
        page = response.content.decode()
        assert "Conflit" in page and "02/03/2026" in page and "Ouvert" in page
        assert "Clôturé" in page
        assert "Benali" not in page and "Dispute" not in page and "Vitre" not in page
        assert response.context["figures"]["open_incidents"] == 1

    def test_group_size_attendance_rate_and_next_sessions(self, client, partner, chantier):
        first, second = _member(chantier), _member(chantier, "Karim", "Lahlou")
        held = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
        for person, status in ((first, "present"), (second, "unexcused")):
            Attendance.objects.create(session=held, participant=person, status=status, hours=4)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        upcoming = WorkSessionFactory(chantier=chantier, date=tomorrow, status="planned")
        WorkSessionFactory(
            chantier=chantier, date=tomorrow + dt.timedelta(days=1), status="cancelled"
        )
        client.force_login(partner)
        response = client.get(_url(chantier))
        assert response.context["figures"]["group"] == 2
        assert response.context["figures"]["rate"] == Decimal("0.500")
        assert '<div class="h4 mb-0">50 %</div>' in response.content.decode()
        assert response.context["sessions"] == [upcoming]

    def test_without_any_mark_the_rate_is_a_dash(self, client, partner, chantier):
        client.force_login(partner)
        response = client.get(reverse("dashboard:hosting_list"))
        assert response.context["rows"][0]["figures"]["rate"] is None
        assert "présence : —" in response.content.decode()


class TestHostingRate:
    def test_the_hosts_attendance_rate_rounds_half_up_like_the_reports(self, client, partner):
        from chantiers.models import Attendance, Enrolment
        from tests.factories import ChantierFactory, ParticipantFactory, WorkSessionFactory

        chantier = ChantierFactory(host=partner.memberships.get().organization, status="running")
        person = ParticipantFactory(organization=chantier.organization, first_name="Nadia")
        Enrolment.objects.create(chantier=chantier, participant=person, status="active")
        for day in range(8):
            session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2 + day))
            status = "present" if day == 0 else "unexcused"
            Attendance.objects.create(
                session=session, participant=person, status=status, hours=4 if day == 0 else 0
            )
        client.force_login(partner)
        response = client.get(reverse("dashboard:hosting_detail", args=[chantier.pk]))
        # 1 present of 8 marks = 12.5 %, shown 13 % (half up), not 12 % (float banker's round)
        assert response.context["figures"]["rate"] == Decimal("0.125")
        assert '<div class="h4 mb-0">13 %</div>' in response.content.decode()

    def test_the_host_and_the_coordinator_read_the_same_rate_from_held_sessions_only(
        self, client, partner
    ):
        from chantiers.models import Attendance, Enrolment
        from chantiers.selectors import chantier_figures
        from tests.factories import ChantierFactory, ParticipantFactory, WorkSessionFactory

        chantier = ChantierFactory(host=partner.memberships.get().organization, status="running")
        person = ParticipantFactory(organization=chantier.organization, first_name="Nadia")
        Enrolment.objects.create(chantier=chantier, participant=person, status="active")
        # Held: present, present, unexcused (2 / 3); a mark left on a planned session is not
        # counted, as in the reports (DESIGN §5: marks of held sessions).
        plan = [("held", "present"), ("held", "present"), ("held", "unexcused")]
        for day, (session_status, mark) in enumerate([*plan, ("planned", "unexcused")]):
            session = WorkSessionFactory(
                chantier=chantier, date=dt.date(2026, 3, 2 + day), status=session_status
            )
            Attendance.objects.create(session=session, participant=person, status=mark, hours=4)
        client.force_login(partner)
        response = client.get(reverse("dashboard:hosting_detail", args=[chantier.pk]))
        assert response.context["figures"]["rate"] == Decimal("0.667")  # 2 / 3
        assert '<div class="h4 mb-0">67 %</div>' in response.content.decode()  # half up
        assert chantier_figures(chantier=chantier)["attendance_rate"] == Decimal("0.667")


@pytest.mark.parametrize("size", [2, 10])
def test_the_hosting_list_query_count_does_not_grow(
    client, partner, operator, housing, size, django_assert_num_queries
):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for _ in range(size):
        chantier = ChantierFactory(organization=operator, host=housing, status="running")
        person = _member(chantier)
        session = WorkSessionFactory(chantier=chantier)
        Attendance.objects.create(session=session, participant=person, status="present", hours=4)
        WorkSessionFactory(chantier=chantier, date=tomorrow, status="planned")
        Incident.objects.create(chantier=chantier, date=session.date, kind="other", description="x")
    client.force_login(partner)
    # session, user, memberships, savepoints ×2, chantiers, group, attendance, incidents, sessions
    with django_assert_num_queries(10):
        response = client.get(reverse("dashboard:hosting_list"))
    assert len(response.context["rows"]) == size


@pytest.mark.parametrize("size", [2, 10])
def test_the_hosting_page_query_count_does_not_grow(
    client, partner, chantier, size, django_assert_num_queries
):
    for n in range(size):
        _member(chantier, f"Prénom{n}", f"Nom{n}")
        Incident.objects.create(
            chantier=chantier, date=dt.date(2026, 3, 2), kind="other", description="x"
        )
    client.force_login(partner)
    # session, user, memberships, savepoints ×2, chantier, first names, group, attendance,
    # incidents count, sessions, incidents
    with django_assert_num_queries(12):
        response = client.get(_url(chantier))
    assert len(response.context["first_names"]) == size
