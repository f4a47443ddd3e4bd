"""Creating chantiers, planning and cancelling sessions, keeping the incident log: the screens."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from chantiers.forms_planning import ChantierForm
from chantiers.models import Attendance, Chantier, Incident, WorkSession
from tests.factories import (
    ChantierFactory,
    MembershipFactory,
    ParticipantFactory,
    WorkSessionFactory,
)


@pytest.fixture
def chantier(operator, coordinator, housing):
    chantier = ChantierFactory(organization=operator, host=housing, name="Peinture des halls")
    chantier.coordinators.add(coordinator)
    return chantier


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


class TestChantierForm:
    def test_direction_creates_a_chantier_with_its_coordinators(
        self, client, director, coordinator, operator, housing
    ):
        client.force_login(director)
        response = client.post(
            reverse("chantiers:create"),
            _chantier_data(host=housing.pk, coordinators=[coordinator.pk]),
        )
        chantier = Chantier.objects.get(code="wayez-2027")
        assert response.url == reverse("chantiers:sessions", args=[chantier.pk])
        assert chantier.organization == operator and chantier.host == housing
        assert list(chantier.coordinators.all()) == [coordinator]
        assert chantier.daily_indemnity == Decimal("12.50")

    def test_a_coordinator_who_creates_one_coordinates_it(self, client, coordinator):
        client.force_login(coordinator)
        client.post(reverse("chantiers:create"), _chantier_data())
        assert list(Chantier.objects.get(code="wayez-2027").coordinators.all()) == [coordinator]

    def test_mistakes_are_explained_and_what_was_typed_is_kept(self, client, director, chantier):
        client.force_login(director)
        response = client.post(
            reverse("chantiers:create"),
            _chantier_data(
                code=chantier.code, ends_on="2026-01-01", daily_indemnity="50.00", name="Mon nom"
            ),
        )
        assert response.status_code == 200
        errors = response.context["form"].errors
        assert errors["code"] == ["Un autre chantier porte déjà ce code."]
        assert errors["ends_on"] == ["La fin précède le début."]
        assert errors["daily_indemnity"] == [
            "Au-dessus du plafond journalier légal de 2026 (44.02 €)."
        ]
        assert 'value="Mon nom"' in response.text
        assert Chantier.objects.count() == 1

    def test_only_the_operators_coordinators_are_proposed(
        self, client, director, coordinator, operator, other_operator
    ):
        MembershipFactory(organization=operator, role=Role.COUNSELLOR)
        MembershipFactory(organization=other_operator, role=Role.COORDINATOR)
        client.force_login(director)
        form = client.get(reverse("chantiers:create")).context["form"]
        assert list(form.fields["coordinators"].queryset) == [coordinator]
        assert operator not in form.fields["host"].queryset

    def test_editing_is_scoped(
        self, client, coordinator, operator, other_operator, counsellor, chantier
    ):
        url = reverse("chantiers:edit", args=[chantier.pk])
        client.force_login(coordinator)
        assert client.get(url).status_code == 200
        someone_elses = ChantierFactory(organization=operator)
        assert client.get(reverse("chantiers:edit", args=[someone_elses.pk])).status_code == 404
        client.force_login(MembershipFactory(organization=other_operator, role=Role.DIRECTION).user)
        assert client.get(url).status_code == 404
        client.force_login(counsellor)
        assert client.get(url).status_code == 403

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


class TestSessions:
    def test_weekly_planning_says_which_holidays_were_skipped(self, client, coordinator, chantier):
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:sessions_weekly", args=[chantier.pk]),
            {
                "first_day": "2026-03-30",
                "last_day": "2026-04-10",
                "weekdays": ["0", "3"],
                "starts_at": "09:00",
                "ends_at": "12:30",
            },
            follow=True,
        )
        days = sorted(chantier.sessions.values_list("date", flat=True))
        # Mondays 30/3 and 6/4 (Easter Monday: skipped), Thursdays 2/4 and 9/4.
        assert days == [dt.date(2026, 3, 30), dt.date(2026, 4, 2), dt.date(2026, 4, 9)]
        assert "3 séances planifiées." in response.text
        assert "lundi 6 avril 2026 : jour férié (Lundi de Pâques)" in response.text

    def test_weekly_planning_stops_at_the_chantiers_end_and_says_so(
        self, client, coordinator, chantier
    ):
        chantier.ends_on = dt.date(2026, 4, 2)
        chantier.save(update_fields=["ends_on"])
        client.force_login(coordinator)
        url = reverse("chantiers:sessions_weekly", args=[chantier.pk])
        week = {"weekdays": ["0", "3"], "starts_at": "09:00", "ends_at": "12:30"}

        response = client.post(
            url, {"first_day": "2026-03-30", "last_day": "2026-04-30", **week}, follow=True
        )

        # Monday 30/3 and Thursday 2/4, the chantier's last day; nothing in the weeks after.
        days = sorted(chantier.sessions.values_list("date", flat=True))
        assert days == [dt.date(2026, 3, 30), dt.date(2026, 4, 2)]
        assert "Planification arrêtée le jeudi 2 avril 2026" in response.text
        after = client.post(url, {"first_day": "2026-04-06", "last_day": "2026-04-30", **week})
        assert after.status_code == 200  # the form again, with what was typed
        assert "Le chantier se termine le 02/04/2026" in after.text
        assert chantier.sessions.count() == 2

    def test_weekly_planning_refuses_a_reversed_period_keeping_the_form(
        self, client, coordinator, chantier
    ):
        client.force_login(coordinator)
        response = client.post(
            reverse("chantiers:sessions_weekly", args=[chantier.pk]),
            {
                "first_day": "2026-04-10",
                "last_day": "2026-03-30",
                "weekdays": ["0"],
                "starts_at": "09:00",
                "ends_at": "12:30",
            },
        )
        assert "La dernière date précède la première." in response.text
        assert 'value="2026-04-10"' in response.text
        assert not chantier.sessions.exists()

    def test_one_session_and_its_double(self, client, coordinator, chantier):
        client.force_login(coordinator)
        url = reverse("chantiers:session_create", args=[chantier.pk])
        data = {"date": "2026-05-06", "starts_at": "13:00", "ends_at": "16:30"}
        assert client.post(url, data).status_code == 302
        response = client.post(url, data)
        assert "Une séance est déjà prévue ce jour-là à cette heure." in response.text
        response = client.post(url, {**data, "starts_at": "17:00"})
        assert "La séance doit finir après avoir commencé." in response.text
        assert chantier.sessions.get().hours == Decimal("3.50")
        chantier.ends_on = dt.date(2026, 5, 31)
        chantier.save(update_fields=["ends_on"])
        response = client.post(url, {**data, "date": "2026-06-01"})
        assert "Le chantier se termine le 31/05/2026" in response.text
        assert chantier.sessions.count() == 1

    def test_cancelling_needs_a_reason_and_no_marks(self, client, coordinator, chantier):
        session = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 5, 7))
        url = reverse("chantiers:session_cancel", args=[session.pk])
        client.force_login(coordinator)
        response = client.post(url, {"reason": "  "})
        assert response.context["form"].errors["reason"]
        client.post(url, {"reason": "Intempéries"})
        session.refresh_from_db()
        assert (session.status, session.cancel_reason) == ("cancelled", "Intempéries")

        held = WorkSessionFactory(chantier=chantier, date=dt.date(2026, 5, 8))
        Attendance.objects.create(
            session=held,
            participant=ParticipantFactory(organization=chantier.organization),
            status="present",
            hours=3,
        )
        response = client.post(
            reverse("chantiers:session_cancel", args=[held.pk]), {"reason": "Pluie"}
        )
        assert "Des présences sont déjà notées pour cette séance" in response.text
        held.refresh_from_db()
        assert held.status != WorkSession.Status.CANCELLED

    def test_another_organizations_session_is_not_found(self, client, other_operator, chantier):
        session = WorkSessionFactory(chantier=chantier)
        client.force_login(
            MembershipFactory(organization=other_operator, role=Role.COORDINATOR).user
        )
        url = reverse("chantiers:session_cancel", args=[session.pk])
        assert client.post(url, {"reason": "x"}).status_code == 404

    @pytest.mark.parametrize("size", [3, 20])
    def test_the_month_list_costs_the_same_whatever_its_length(
        self, client, coordinator, chantier, size, django_assert_num_queries
    ):
        for day in range(1, size + 1):
            WorkSessionFactory(chantier=chantier, date=dt.date(2026, 6, day))
        client.force_login(coordinator)
        # django session, user, memberships, savepoint, chantier, sessions, release
        with django_assert_num_queries(7):
            response = client.get(
                reverse("chantiers:sessions", args=[chantier.pk]), {"mois": "2026-06"}
            )
        assert len(response.context["sessions"]) == size

    def test_an_unreadable_month_is_not_found(self, client, coordinator, chantier):
        client.force_login(coordinator)
        url = reverse("chantiers:sessions", args=[chantier.pk])
        assert client.get(url, {"mois": "juin"}).status_code == 404


@pytest.mark.parametrize("month", ["9999-12", "0001-01"])
def test_a_month_at_the_edge_of_the_calendar_is_not_found(client, coordinator, chantier, month):
    client.force_login(coordinator)
    url = reverse("chantiers:sessions", args=[chantier.pk])
    assert client.get(url, {"mois": month}).status_code == 404


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


class TestIncidents:
    def _data(self, **changes):
        today = timezone.localdate()
        data = {
            "date": today.isoformat(),
            "kind": "near_miss",
            "people_involved": "Samir",
            "description": "Échelle mal calée, rattrapée à temps.",
        }
        return {**data, **changes}

    def test_a_coordinator_records_one_and_the_chantier_page_counts_it(
        self, client, coordinator, chantier
    ):
        client.force_login(coordinator)
        client.post(reverse("chantiers:incident_create", args=[chantier.pk]), self._data())
        incident = Incident.objects.get()
        assert incident.recorded_by == coordinator and incident.chantier == chantier
        page = client.get(reverse("chantiers:detail", args=[chantier.pk]))
        assert page.context["figures"]["open_incidents"] == 1

    def test_dates_are_checked(self, client, coordinator, chantier):
        client.force_login(coordinator)
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        response = client.post(
            reverse("chantiers:incident_create", args=[chantier.pk]),
            self._data(date=tomorrow.isoformat(), kind="accident", closed_on=yesterday),
        )
        errors = response.context["form"].errors
        assert errors["date"] == ["Un incident ne peut pas être daté dans le futur."]
        response = client.post(
            reverse("chantiers:incident_create", args=[chantier.pk]),
            self._data(kind="accident", closed_on=timezone.localdate().isoformat()),
        )
        assert response.context["form"].errors["closed_on"] == [
            "Un accident se clôture après sa déclaration à l'assureur (date à indiquer)."
        ]
        assert "Échelle mal calée" in response.text  # what was typed is still there
        assert not Incident.objects.exists()

    def test_closing_one(self, client, coordinator, chantier):
        incident = Incident.objects.create(
            chantier=chantier, date=timezone.localdate(), kind="conflict", description="Dispute"
        )
        client.force_login(coordinator)
        client.post(
            reverse("chantiers:incident_edit", args=[incident.pk]),
            self._data(kind="conflict", closed_on=timezone.localdate().isoformat()),
        )
        incident.refresh_from_db()
        assert incident.closed_on == timezone.localdate()

    def test_scoped_by_organization_and_role(
        self, client, chantier, other_operator, counsellor, admin, partner
    ):
        incident = Incident.objects.create(
            chantier=chantier, date=timezone.localdate(), kind="other", description="x"
        )
        edit = reverse("chantiers:incident_edit", args=[incident.pk])
        listing = reverse("chantiers:incidents", args=[chantier.pk])
        client.force_login(
            MembershipFactory(organization=other_operator, role=Role.COORDINATOR).user
        )
        assert client.get(edit).status_code == 404
        assert client.get(listing).status_code == 404
        for person in (counsellor, partner):
            client.force_login(person)
            assert client.get(listing).status_code == 403
        client.force_login(admin)
        assert client.get(listing).status_code == 200
        assert client.get(edit).status_code == 403

    @pytest.mark.parametrize("size", [2, 15])
    def test_the_list_costs_the_same_whatever_its_length(
        self, client, coordinator, chantier, size, django_assert_num_queries
    ):
        for _ in range(size):
            Incident.objects.create(
                chantier=chantier,
                date=timezone.localdate(),
                kind="damage",
                description="Vitre",
                recorded_by=coordinator,
            )
        client.force_login(coordinator)
        # django session, user, memberships, savepoint, chantier, count, incidents, release
        with django_assert_num_queries(8):
            response = client.get(reverse("chantiers:incidents", args=[chantier.pk]))
        assert len(response.context["page"]) == size


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
