"""The marks a phone queued without network, sent when it is back (issue 19, the server side):
saved once whatever the number of sendings, a colleague's change never overwritten but returned
as a conflict, the indemnity rules applied by the server, a validated month refused whole, and
the session scoped as the grid is."""

import datetime as dt
import json
import threading
import time
import uuid
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import Membership, Role
from chantiers.models import (
    Attendance,
    MonthlyStatement,
    OfflineMark,
)
from chantiers.services import Mark, attendance_record, offline_marks_receive
from tests.factories import ChantierFactory, MembershipFactory, WorkSessionFactory

DAY = dt.date(2026, 3, 2)


@pytest.fixture
def session(operator, coordinator):
    chantier = ChantierFactory(organization=operator)
    chantier.coordinators.add(coordinator)
    return WorkSessionFactory(
        chantier=chantier,
        date=DAY,
        status="planned",
        starts_at=dt.time(8, 30),
        ends_at=dt.time(12, 30),
    )


def _queue(group, status="present", version=None):
    return [
        {
            "client_id": str(uuid.uuid4()),
            "participant": person.pk,
            "status": status,
            "version": version,
        }
        for person in group
    ]


def _send(client, session, marks, **more):
    return client.post(
        reverse("chantiers:offline_marks", args=[session.pk]),
        json.dumps({"marks": marks, **more}),
        content_type="application/json",
    )


def test_a_queue_sent_twice_is_saved_once_with_the_servers_indemnities(
    client, coordinator, session, group
):
    client.force_login(coordinator)
    queue = _queue(group)

    first = _send(client, session, queue)
    again = _send(client, session, queue)  # the answer was lost: the phone sends it all again

    ids = [mark["client_id"] for mark in queue]
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json() == {"saved": ids, "conflicts": []}
    marks = Attendance.objects.filter(session=session)
    assert marks.count() == 3
    assert {(a.status, a.version, a.indemnity) for a in marks} == {("present", 1, Decimal("20.00"))}
    assert OfflineMark.objects.count() == 3
    session.refresh_from_db()
    assert session.status == "held"


def test_a_mark_changed_on_the_grid_meanwhile_comes_back_as_a_conflict_not_overwritten(
    client, coordinator, director, session, group
):
    """The phone saw no mark for the first person; at the office, direction marked her excused.
    The phone's « present » does not replace it: the coordinator sees theirs and the server's,
    then sends their choice with the version they saw, and it is saved."""
    attendance_record(session=session, marks=[Mark(group[0].pk, "excused")], by=director)
    client.force_login(coordinator)
    queue = _queue(group)

    answer = _send(client, session, queue).json()

    assert answer["saved"] == [queue[1]["client_id"], queue[2]["client_id"]]
    [conflict] = answer["conflicts"]
    assert conflict["client_id"] == queue[0]["client_id"]
    assert (conflict["participant"], conflict["status"], conflict["version"]) == (
        group[0].pk,
        "excused",
        1,
    )
    assert conflict["status_label"] == "Absence justifiée"
    assert conflict["by"] == str(director)
    assert Attendance.objects.get(session=session, participant=group[0]).status == "excused"

    chosen = {**queue[0], "version": conflict["version"]}  # « keep mine »
    assert _send(client, session, [chosen]).json() == {
        "saved": [chosen["client_id"]],
        "conflicts": [],
    }
    assert Attendance.objects.get(session=session, participant=group[0]).status == "present"


def test_the_latest_mark_of_a_person_in_the_queue_counts(client, coordinator, session, group):
    """Present, then corrected to late on the phone: one mark, late; both client ids known."""
    client.force_login(coordinator)
    first, second = _queue(group[:1]), _queue(group[:1], status="late")

    answer = _send(client, session, first + second).json()

    assert answer == {"saved": [first[0]["client_id"], second[0]["client_id"]], "conflicts": []}
    assert Attendance.objects.get(session=session).status == "late"


def test_a_client_id_twice_in_one_sending_is_saved_once(client, coordinator, session, group):
    client.force_login(coordinator)
    queue = _queue(group[:1])

    answer = _send(client, session, queue + queue)

    assert answer.status_code == 200
    assert answer.json() == {"saved": [queue[0]["client_id"]], "conflicts": []}
    assert OfflineMark.objects.count() == Attendance.objects.count() == 1


def test_a_validated_month_refuses_the_sending_whole_and_says_why(
    client, coordinator, operator, session, group
):
    MonthlyStatement.objects.create(
        participant=group[1], organization=operator, month=DAY.replace(day=1), status="validated"
    )
    client.force_login(coordinator)

    response = _send(client, session, _queue(group))

    assert response.status_code == 409
    assert "Le mois est validé pour" in response.json()["error"]
    assert not Attendance.objects.filter(session=session).exists()
    assert not OfflineMark.objects.exists()


def test_marks_taken_under_another_account_are_refused_whole_and_kept_on_the_phone(
    client, coordinator, operator, session, group
):
    """The phone's queue was filled by a colleague who has since logged out: the one logged in
    now does not send them as theirs. 409, nothing saved, the phone keeps them for the other
    account."""
    colleague = MembershipFactory(organization=operator, role=Role.COORDINATOR).user
    session.chantier.coordinators.add(colleague)
    client.force_login(coordinator)
    before = Attendance.objects.count()

    response = _send(client, session, _queue(group), user=colleague.pk)

    assert response.status_code == 409
    assert response.json()["error"] == (
        "Ces présences ont été notées sous un autre compte : elles seront envoyées quand ce "
        "compte se connectera sur ce téléphone."
    )
    assert Attendance.objects.count() == before == 0
    assert not OfflineMark.objects.exists()
    session.refresh_from_db()
    assert session.status == "planned"


def test_marks_taken_under_the_account_logged_in_are_saved(client, coordinator, session, group):
    client.force_login(coordinator)
    queue = _queue(group)

    response = _send(client, session, queue, user=coordinator.pk)

    assert response.status_code == 200
    assert response.json() == {"saved": [m["client_id"] for m in queue], "conflicts": []}
    assert Attendance.objects.filter(session=session).count() == 3
    assert OfflineMark.objects.count() == 3


def test_what_cannot_be_read_answers_400_in_french(client, coordinator, session, group):
    client.force_login(coordinator)
    url = reverse("chantiers:offline_marks", args=[session.pk])
    bad = [
        client.post(url, "{", content_type="application/json"),
        client.post(url, {"marks": "x"}),  # a form, not JSON
        _send(client, session, [{"client_id": "pas-un-uuid", "participant": group[0].pk}]),
        _send(client, session, [{**_queue(group)[0], "version": "1"}]),
        _send(client, session, _queue(group), user=str(coordinator.pk)),  # an id is a number
    ]
    for response in bad:
        assert response.status_code == 400
        assert response.json()["error"].startswith("Envoi illisible")
    assert not Attendance.objects.exists()


def test_another_organizations_session_answers_404(client, outsider, session, group):
    """Direction of another operator: a role that may send marks, not to this session."""
    Membership.objects.filter(user=outsider).update(role=Role.DIRECTION)
    client.force_login(outsider)
    assert _send(client, session, _queue(group)).status_code == 404
    assert not Attendance.objects.exists()


def test_a_counsellor_cannot_send_marks(client, counsellor, session, group):
    client.force_login(counsellor)
    assert _send(client, session, _queue(group)).status_code in (403, 404)
    assert not Attendance.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_sendings_of_one_queue_at_the_same_time_save_it_once(
    operator, coordinator, session, group, legal_ceilings
):
    """A sync that timed out is sent again while the first is still being saved: the second
    waits for the people's locks, then finds the client ids the first one stored — no conflict
    with itself, nothing twice."""
    queue = [(uuid.uuid4(), Mark(person.pk, "present")) for person in group]
    first_done, release = threading.Event(), threading.Event()
    answers = {}

    def send(name, hold):
        try:
            with transaction.atomic():  # the request's transaction (ATOMIC_REQUESTS)
                answers[name] = offline_marks_receive(session=session, marks=queue, by=coordinator)
                if hold:
                    first_done.set()
                    release.wait(5)
        finally:
            connection.close()

    one = threading.Thread(target=send, args=("first", True))
    one.start()
    assert first_done.wait(5)
    two = threading.Thread(target=send, args=("second", False))
    two.start()
    time.sleep(0.5)  # the second one waits while the first is not committed
    release.set()
    one.join()
    two.join()

    ids = [client_id for client_id, _mark in queue]
    assert answers["first"].saved == answers["second"].saved == ids
    assert answers["second"].conflicts == []
    assert Attendance.objects.filter(session=session).count() == 3
    assert OfflineMark.objects.count() == 3
