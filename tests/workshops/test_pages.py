"""The module pages for each role: the catalogue, a module and its sessions, a session's
people, its grid (the one every session shares) and the EPN's visitors. Another organization's
records answer 404; refused forms come back as typed; the pages' queries do not grow with the
rows."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from participants.models import PathwayEvent
from tests.factories import MembershipFactory, PathwayFactory
from tests.walk import FormDefaults
from tests.workshops.conftest import days_ago
from workshops import services
from workshops.models import DropInVisit, Module, ModuleAttendance, ModuleEnrolment

pytestmark = pytest.mark.django_db


def _urls(module, session) -> list[str]:
    return [
        reverse("workshops:list"),
        reverse("workshops:module_create"),
        reverse("workshops:module", args=[module.pk]),
        reverse("workshops:module_edit", args=[module.pk]),
        reverse("workshops:session_plan", args=[module.pk]),
        reverse("workshops:session", args=[session.pk]),
        reverse("workshops:session_edit", args=[session.pk]),
        reverse("workshops:attendance", args=[session.pk]),
    ]


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.COUNSELLOR, 200),
        (Role.DIRECTION, 200),
        (Role.COORDINATOR, 403),
        (Role.ADMIN, 403),
    ],
)
def test_counsellors_and_the_direction_run_the_modules(client, operator, enrolled, role, status):
    client.force_login(MembershipFactory(organization=operator, role=role).user)
    for url in _urls(enrolled.module, enrolled):
        assert client.get(url).status_code == status, url


def test_another_organization_s_records_answer_404(client, other_operator, enrolled, pathways):
    client.force_login(MembershipFactory(organization=other_operator, role=Role.COUNSELLOR).user)
    for url in _urls(enrolled.module, enrolled)[2:]:
        assert client.get(url).status_code == 404, url
    enrolment = ModuleEnrolment.objects.first()
    posts = [
        reverse("workshops:enrolment_remove", args=[enrolment.pk]),
        reverse("workshops:session_enrol", args=[enrolled.pk]),
        reverse("workshops:session_cancel", args=[enrolled.pk]),
        reverse("workshops:visit_add", args=[enrolled.pk]),
        reverse("workshops:enrol", args=[pathways[0].participant_id]),
    ]
    for url in posts:
        assert client.post(url).status_code == 404, url
    assert ModuleEnrolment.objects.count() == 3


def test_a_module_is_added_and_a_refused_one_comes_back_as_typed(client, counsellor):
    client.force_login(counsellor)
    typed = {
        "title": "Préparer un entretien d'embauche",
        "kind": "workshop",
        "description": "Simulations filmées",
        "duration_minutes": "5",
        "facilitator": "Nadia",
    }
    refused = client.post(reverse("workshops:module_create"), typed)
    assert refused.status_code == 200
    page = refused.content.decode()
    assert "Simulations filmées" in page and 'value="5"' in page
    assert not Module.objects.exists()
    done = client.post(reverse("workshops:module_create"), typed | {"duration_minutes": "120"})
    module = Module.objects.get()
    assert done.url == reverse("workshops:module", args=[module.pk])
    again = client.post(reverse("workshops:module_create"), typed | {"duration_minutes": "90"})
    assert "Ce module est déjà au catalogue." in again.content.decode()


def test_a_session_is_planned_with_the_module_s_length(client, counsellor, module):
    client.force_login(counsellor)
    day = timezone.localdate() + dt.timedelta(days=3)
    response = client.post(
        reverse("workshops:session_plan", args=[module.pk]),
        {"date": day.isoformat(), "starts_at": "13:30", "room": "Salle 2", "capacity": "8"},
    )
    session = module.sessions.get()
    assert response.url == reverse("workshops:session", args=[session.pk])
    assert (session.duration_minutes, session.capacity, session.room) == (150, 8, "Salle 2")


def test_people_are_enrolled_from_the_session_and_the_full_session_says_so(
    client, counsellor, past_session, pathways
):
    client.force_login(counsellor)
    url = reverse("workshops:session_enrol", args=[past_session.pk])
    for pathway in pathways:
        response = client.post(url, {"enrol-pathway": str(pathway.pk)})
        assert response.status_code == 302
    page = client.get(reverse("workshops:session", args=[past_session.pk])).content.decode()
    assert "La séance est complète." in page
    assert page.count("Désinscrire") == 3
    extra = PathwayFactory(participant__organization=past_session.module.organization)
    refused = client.post(url, {"enrol-pathway": str(extra.pk)})
    assert refused.status_code == 200
    assert "complète (3 places)" in refused.content.decode()


def test_a_person_is_enrolled_from_their_page(client, counsellor, coming_session, pathways):
    person = pathways[0].participant
    client.force_login(counsellor)
    page = client.get(reverse("participants:detail", args=[person.pk])).content.decode()
    assert "Modules collectifs" in page and "Aucune séance à venir." in page
    response = client.post(
        reverse("workshops:enrol", args=[person.pk]),
        {"session": str(coming_session.pk), "pathway": str(pathways[0].pk)},
    )
    assert response.url == reverse("participants:detail", args=[person.pk]) + "#modules"
    page = client.get(response.url).content.decode()
    assert "Atelier CV et lettre de motivation" in page
    assert ModuleEnrolment.objects.get().pathway == pathways[0]


def test_the_grid_saves_everyone_present_and_the_log_follows(
    client, counsellor, enrolled, pathways
):
    client.force_login(counsellor)
    url = reverse("workshops:attendance", args=[enrolled.pk])
    fatou = pathways[2].participant_id
    response = client.post(url, {"all_present": "1", f"status-{fatou}": "unexcused"})
    assert response.url == url
    assert ModuleAttendance.objects.filter(status="present").count() == 2
    assert ModuleAttendance.objects.get(participant=fatou).status == "unexcused"
    assert PathwayEvent.objects.filter(kind="group_workshop").count() == 2
    page = client.get(url).content.decode()
    assert "3 présences enregistrées." in page
    assert page.count("Dans le journal du parcours.") == 2


def test_a_refused_grid_comes_back_as_typed_with_the_bad_hours_marked(
    client, counsellor, enrolled, pathways
):
    client.force_login(counsellor)
    amina = pathways[0].participant_id
    response = client.post(
        reverse("workshops:attendance", args=[enrolled.pk]),
        {f"status-{amina}": "late", f"hours-{amina}": "1,5h", f"note-{amina}": "Bus en retard"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Rien n'est enregistré : 1 case à corriger." in page
    assert 'value="1,5h"' in page and 'value="Bus en retard"' in page
    assert f'id="s-{amina}-late" value="late" autocomplete="off" checked' in page
    assert not ModuleAttendance.objects.exists()


def test_a_colleague_s_change_is_not_overwritten_and_is_shown_on_its_row(
    client, counsellor, director, enrolled, pathways
):
    amina = pathways[0].participant_id
    client.force_login(counsellor)
    url = reverse("workshops:attendance", args=[enrolled.pk])
    client.get(url)  # shown without a mark: no version
    services.attendance_record(
        session=enrolled, marks=[services.Mark(participant_id=amina, status="excused")], by=director
    )
    client.post(url, {f"status-{amina}": "present", f"version-{amina}": ""})
    page = client.get(url).content.decode()
    assert "Modifié entre-temps par" in page
    assert ModuleAttendance.objects.get().status == "excused"


def test_a_session_to_come_has_no_grid_to_save(client, counsellor, coming_session, pathways):
    services.enrolment_add(session=coming_session, pathway=pathways[0], by=counsellor)
    client.force_login(counsellor)
    page = client.get(reverse("workshops:session", args=[coming_session.pk])).content.decode()
    assert "Noter les présences" not in page
    url = reverse("workshops:attendance", args=[coming_session.pk])
    refused = client.post(url, {f"status-{pathways[0].participant_id}": "present"})
    assert "pas encore commencé" in refused.content.decode()
    assert not ModuleAttendance.objects.exists()


def test_epn_visitors_are_counted_without_a_name(client, counsellor, epn):
    session = services.session_plan(
        module=epn, date=days_ago(1), starts_at=dt.time(13), by=counsellor
    )
    client.force_login(counsellor)
    url = reverse("workshops:visit_add", args=[session.pk])
    typed = {"visit-people": "2", "visit-need": "procedures", "visit-age_band": "65_plus"}
    refused = client.post(url, typed | {"visit-gender": "Z"})
    assert refused.status_code == 200 and not DropInVisit.objects.exists()
    response = client.post(url, typed | {"visit-gender": "F"})
    assert response.status_code == 302
    page = client.get(reverse("workshops:session", args=[session.pk])).content.decode()
    assert "2 personnes · Démarches administratives en ligne · 65 ans et plus" in page
    visit = DropInVisit.objects.get()
    client.post(reverse("workshops:visit_delete", args=[visit.pk]))
    assert not DropInVisit.objects.exists()


def test_a_session_is_cancelled_with_its_reason(client, counsellor, coming_session):
    client.force_login(counsellor)
    url = reverse("workshops:session_cancel", args=[coming_session.pk])
    refused = client.post(url, {"cancel-reason": ""})
    assert refused.status_code == 200
    client.post(url, {"cancel-reason": "Animatrice malade"})
    coming_session.refresh_from_db()
    assert (coming_session.status, coming_session.cancel_reason) == (
        "cancelled",
        "Animatrice malade",
    )


@pytest.mark.parametrize("people", [2, 12])
def test_the_pages_queries_do_not_grow_with_the_people(
    client, operator, counsellor, module, people, django_assert_num_queries
):
    session = services.session_plan(
        module=module, date=days_ago(1), starts_at=dt.time(9), capacity=20, by=counsellor
    )
    for _n in range(people):
        pathway = PathwayFactory(participant__organization=operator, started_on=days_ago(100))
        services.enrolment_add(session=session, pathway=pathway, by=counsellor)
        services.attendance_record(
            session=session,
            marks=[services.Mark(participant_id=pathway.participant_id, status="present")],
            by=counsellor,
        )
    client.force_login(counsellor)
    # session, user, memberships, the request's savepoint and its release; then the page's
    # own: the catalogue and the coming sessions; the module and its sessions; the session,
    # its enrolments, its marks, the people one may enrol; the grid's session, people, marks.
    pages = [
        (reverse("workshops:list"), 7),
        (reverse("workshops:module", args=[module.pk]), 7),
        (reverse("workshops:session", args=[session.pk]), 9),
        (reverse("workshops:attendance", args=[session.pk]), 8),
    ]
    for url, queries in pages:
        with django_assert_num_queries(queries):
            assert client.get(url).status_code == 200


def test_a_session_is_changed_and_an_emptied_length_is_the_module_s(
    client, counsellor, coming_session, pathways
):
    services.enrolment_add(session=coming_session, pathway=pathways[0], by=counsellor)
    services.enrolment_add(session=coming_session, pathway=pathways[1], by=counsellor)
    client.force_login(counsellor)
    url = reverse("workshops:session_edit", args=[coming_session.pk])
    typed = {
        "date": coming_session.date.isoformat(),
        "starts_at": "14:00",
        "duration_minutes": "",
        "room": "Salle 3",
        "capacity": "1",
    }
    refused = client.post(url, typed)
    assert "2 personnes sont déjà inscrites : pas moins de places." in refused.content.decode()
    client.post(url, typed | {"capacity": "10"})
    coming_session.refresh_from_db()
    assert (coming_session.starts_at, coming_session.duration_minutes) == (dt.time(14), 150)
    assert (coming_session.room, coming_session.capacity) == ("Salle 3", 10)


def test_an_absence_shows_no_hours_and_marked_present_later_counts_the_session_s(
    client, counsellor, enrolled, pathways
):
    amina = pathways[0].participant_id
    services.attendance_record(
        session=enrolled,
        marks=[services.Mark(participant_id=amina, status="excused")],
        by=counsellor,
    )
    client.force_login(counsellor)
    url = reverse("workshops:attendance", args=[enrolled.pk])
    page = client.get(url).content.decode()
    assert f'name="hours-{amina}" inputmode="decimal" value=""' in page
    client.post(url, {f"status-{amina}": "present", f"hours-{amina}": "", f"version-{amina}": "1"})
    mark = ModuleAttendance.objects.get()
    assert (mark.status, mark.hours, mark.version) == ("present", enrolled.hours, 2)


def test_a_grid_saved_as_shown_changes_nothing(client, counsellor, director, enrolled, pathways):
    """What the page shows is what was recorded: hours typed on an absence included."""
    amina, jonas, _fatou = (p.participant_id for p in pathways)
    services.attendance_record(
        session=enrolled,
        marks=[
            services.Mark(participant_id=amina, status="excused", hours=Decimal("1")),
            services.Mark(participant_id=jonas, status="late", note="Bus"),
        ],
        by=director,
    )
    before = list(ModuleAttendance.objects.values_list("status", "hours", "note", "version"))
    client.force_login(counsellor)
    url = reverse("workshops:attendance", args=[enrolled.pk])
    shown = FormDefaults(client.get(url).content.decode()).data
    response = client.post(url, {name: values[0] for name, values in shown.items()})
    assert response.status_code == 302
    after = list(ModuleAttendance.objects.values_list("status", "hours", "note", "version"))
    assert after == before
    assert "Rien n'a changé." in client.get(url).content.decode()
