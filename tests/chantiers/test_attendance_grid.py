"""The attendance grid of a session, and today's sessions that lead to it: who may open it,
everyone present but one in one save, a colleague's change reported, unreadable hours or ids,
and a query count that does not grow with the group."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from chantiers.models import Attendance
from tests.chantiers.helpers import _group, _member
from tests.factories import ChantierFactory, MembershipFactory, WorkSessionFactory


@pytest.fixture
def chantier(operator, coordinator):
    chantier = ChantierFactory(organization=operator)
    chantier.coordinators.add(coordinator)
    return chantier


@pytest.fixture
def session(chantier):
    return WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2), status="planned")


# Who may open what: coordinators and direction everything; the administration reads the
# chantiers (it reopens validated months) but does not take attendance; others nothing.
ACCESS = {
    "coordinator": (200, 200, 200),
    "director": (200, 200, 200),
    "admin": (200, 403, 403),
    "counsellor": (403, 403, 403),
    "partner": (403, 403, 403),
}


@pytest.mark.parametrize("persona", ACCESS)
def test_chantier_pages_by_role(client, personas, persona, session):
    client.force_login(personas[persona])
    urls = (
        reverse("chantiers:list"),
        reverse("chantiers:today"),
        reverse("chantiers:session_attendance", args=[session.pk]),
    )
    assert tuple(client.get(url).status_code for url in urls) == ACCESS[persona]


def test_a_coordinator_sees_only_their_own_chantiers(client, operator, session):
    other = MembershipFactory(organization=operator, role=Role.COORDINATOR).user
    client.force_login(other)
    url = reverse("chantiers:session_attendance", args=[session.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    assert list(client.get(reverse("chantiers:list")).context["chantiers"]) == []


def test_another_organizations_session_answers_404(client, outsider, session):
    from accounts.models import Membership

    Membership.objects.filter(user=outsider).update(role=Role.DIRECTION)
    client.force_login(outsider)
    assert client.get(reverse("chantiers:session_attendance", args=[session.pk])).status_code == 404


def test_everyone_present_but_one_in_one_save(client, coordinator, session, chantier):
    people = _group(chantier, 4)
    client.force_login(coordinator)
    response = client.post(
        reverse("chantiers:session_attendance", args=[session.pk]),
        {f"status-{people[1].pk}": "unexcused", "all_present": "1"},
        follow=True,
    )
    assert "4 présences enregistrées." in response.text
    marks = {a.participant_id: a for a in Attendance.objects.filter(session=session)}
    assert [marks[p.pk].status for p in people] == ["present", "unexcused", "present", "present"]
    assert [marks[p.pk].indemnity for p in people] == [
        Decimal("12.50"),
        Decimal("0.00"),
        Decimal("12.50"),
        Decimal("12.50"),
    ]
    assert "37,50\u00a0€" in response.text  # 3 × 12,50, in the French format


def test_a_mark_changed_meanwhile_is_reported_not_overwritten(
    client, coordinator, director, session, chantier
):
    person = _group(chantier, 1)[0]
    client.force_login(coordinator)
    url = reverse("chantiers:session_attendance", args=[session.pk])
    client.post(url, {f"status-{person.pk}": "present"})
    client.force_login(director)
    client.post(url, {f"status-{person.pk}": "late", f"version-{person.pk}": "1"})
    client.force_login(coordinator)
    response = client.post(
        url, {f"status-{person.pk}": "excused", f"version-{person.pk}": "1"}, follow=True
    )
    assert "modifié entre-temps" in response.text
    assert Attendance.objects.get(session=session).status == "late"
    # The row itself says both values and who changed it, once: the next visit is quiet.
    said = (
        f"Modifié entre-temps par {director} : « Retard » est enregistré ; vous aviez choisi "
        "« Excusé »."
    )
    assert said in response.text
    assert f'id="row-{person.pk}"' in response.text and f'aria-describedby="c-{person.pk}"' in (
        response.text
    )
    assert said not in client.get(url).text


def test_unreadable_hours_are_refused_with_the_name(client, coordinator, session, chantier):
    person = _group(chantier, 1)[0]
    client.force_login(coordinator)
    response = client.post(
        reverse("chantiers:session_attendance", args=[session.pk]),
        {f"status-{person.pk}": "present", f"hours-{person.pk}": "trois"},
        follow=True,
    )
    assert "Heures illisibles" in response.text and person.last_name in response.text
    assert not Attendance.objects.exists()


def test_a_refused_grid_comes_back_as_typed_with_the_bad_hours_marked(
    client, coordinator, session, chantier
):
    first, second = _group(chantier, 2)
    client.force_login(coordinator)
    url = reverse("chantiers:session_attendance", args=[session.pk])
    client.post(url, {f"status-{second.pk}": "present"})  # second has a mark (version 1)
    response = client.post(
        url,
        {
            f"status-{first.pk}": "late",
            f"hours-{first.pk}": "25",
            f"note-{first.pk}": "Bus en retard",
            f"status-{second.pk}": "left_early",
            f"hours-{second.pk}": "2,5",
            f"version-{second.pk}": "1",
        },
    )
    assert response.status_code == 200  # not a redirect: nothing was saved
    page = response.text
    assert f'id="s-{first.pk}-late" value="late" autocomplete="off" checked' in page
    assert f'id="s-{second.pk}-left_early" value="left_early" autocomplete="off" checked' in page
    assert 'value="25"' in page and 'value="Bus en retard"' in page and 'value="2,5"' in page
    assert page.count('aria-invalid="true"') == 1
    assert f'name="version-{second.pk}" value="1"' in page
    assert Attendance.objects.get().status == "present"
    # The summary first, with a link to the input; the input described by its message.
    assert "Rien n'est enregistré : 1 case à corriger." in page
    assert f'<a href="#h-{first.pk}" class="alert-link">{first} — Entre 0 et 24 heures' in page
    assert f'aria-invalid="true" aria-describedby="h-{first.pk}-error"' in page
    assert f'<p class="col-12 text-danger mb-0" id="h-{first.pk}-error">Entre 0 et 24' in page


def test_each_row_is_named_by_its_person(client, coordinator, session, chantier):
    """The legend is the fieldset's first child (its name), and the row's inputs say whose."""
    people = _group(chantier, 2)
    client.force_login(coordinator)
    page = client.get(reverse("chantiers:session_attendance", args=[session.pk])).text
    for person in people:
        start = page.index(f'id="row-{person.pk}">')
        assert page[start:].split(">", 1)[1].lstrip().startswith("<legend")
        assert f'Heures<span class="visually-hidden"> — {person}</span></label>' in page
        assert f'Note<span class="visually-hidden"> — {person}</span></label>' in page


def test_everyone_present_refused_comes_back_with_the_unset_rows_present(
    client, coordinator, session, chantier
):
    """Without JavaScript "Tout le monde présent" is a submit: refused for another row's hours,
    the rows it would have marked come back marked, so that "Enregistrer" saves them."""
    first, second = _group(chantier, 2)
    client.force_login(coordinator)
    response = client.post(
        reverse("chantiers:session_attendance", args=[session.pk]),
        {"all_present": "1", f"status-{first.pk}": "excused", f"hours-{first.pk}": "x"},
    )
    page = response.text
    assert f'id="s-{second.pk}-present" value="present" autocomplete="off" checked' in page
    assert f'id="s-{first.pk}-excused" value="excused" autocomplete="off" checked' in page
    assert not Attendance.objects.exists()


def test_today_lists_the_sessions_of_the_day(client, coordinator, chantier):
    WorkSessionFactory(chantier=chantier, date=timezone.localdate())
    client.force_login(coordinator)
    assert len(client.get(reverse("chantiers:today")).context["sessions"]) == 1


class TestDigitsThatAreNotNumbers:
    """``"²".isdigit()`` is true but ``int("²")`` fails: posted ids must be ASCII digits."""

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


@pytest.mark.parametrize("size", [5, 25])
def test_the_grid_query_count_does_not_grow_with_the_group(
    client, coordinator, session, chantier, size, django_assert_num_queries
):
    _group(chantier, size)
    client.force_login(coordinator)
    url = reverse("chantiers:session_attendance", args=[session.pk])
    client.post(url, {"all_present": "1"})
    # session, user, memberships, savepoints ×2, session+chantier, group, marks, and the year's
    # balance: ceiling, marks and service sheets by the state of their month, corrections,
    # declared, open excesses
    with django_assert_num_queries(14):
        response = client.get(url)
    assert len(response.context["rows"]) == size


@pytest.mark.parametrize("size", [5, 25])
def test_saving_the_grid_reads_the_same_number_of_times_whatever_the_group(
    client, coordinator, session, chantier, size
):
    """Writes are one per mark (and its audit entry); reads, the recomputation included, are
    fixed: a 25-person group costs no more reads than a 5-person one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _group(chantier, size)
    client.force_login(coordinator)
    url = reverse("chantiers:session_attendance", args=[session.pk])
    with CaptureQueriesContext(connection) as queries:
        client.post(url, {"all_present": "1"})
    reads = [
        q["sql"]
        for q in queries.captured_queries
        # The content type of the audit entries is cached once per process.
        if q["sql"].startswith("SELECT") and "django_content_type" not in q["sql"]
    ]
    assert Attendance.objects.filter(session=session).count() == size
    # 22 with the engine's declarations, corrections and excesses of the year (rules 6–8) and
    # the service sheets of the same people (issue 21)
    assert len(reads) == 22, "\n".join(reads)


def test_a_control_character_is_said_on_its_row_and_a_wild_version_is_no_error(
    client, coordinator, session, chantier
):
    person = _group(chantier, 1)[0]
    client.force_login(coordinator)
    response = client.post(
        reverse("chantiers:session_attendance", args=[session.pk]),
        {
            f"status-{person.pk}": "present",
            f"note-{person.pk}": "Bus\x07",
            f"version-{person.pk}": "9" * 30 + "x",
        },
    )
    assert response.status_code == 200 and not Attendance.objects.exists()
    page = response.text
    assert f'id="n-{person.pk}-error">Ce texte contient un caractère de contrôle' in page
