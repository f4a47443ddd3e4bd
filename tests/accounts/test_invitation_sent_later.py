"""An invitation asked for while Redis is unreachable: the colleague is in the team (no 500), the
admin is told the e-mail will follow, and the periodic check sends it once the broker is back."""

import datetime as dt
import time
import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.models import Membership, Role, User
from accounts.tasks import memberships_send_due_invitations
from tests.factories import MembershipFactory, UserFactory
from tests.workers import broker_unreachable, celery_worker

LATER = "l'e-mail partira dès que possible"


def _invite(client, email="nora.haddad@example.org"):
    return client.post(
        reverse("accounts:member_invite"),
        {
            "email": email,
            "first_name": "Nora",
            "last_name": "Haddad",
            "role": Role.COORDINATOR,
            "language": "fr",
        },
        follow=True,
    )


def _asked_minutes_ago(membership, minutes):
    Membership.objects.filter(pk=membership.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=minutes)
    )


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_invitation_asked_while_the_broker_is_down_is_sent_once_it_is_back(
    client, admin, operator, tmp_path
):
    client.force_login(admin)
    with broker_unreachable():
        response = _invite(client)

    # Committed, and said so: the success, and the e-mail that will follow.
    assert response.status_code == 200
    shown = [(m.level_tag, m.message) for m in response.context["messages"]]
    assert shown[0] == (
        "success",
        "Nora Haddad est invité·e : un e-mail lui est envoyé, et son accès s'ouvrira quand "
        "l'invitation sera acceptée.",
    )
    assert shown[1][0] == "warning" and LATER in shown[1][1]
    membership = Membership.objects.get(user__email="nora.haddad@example.org")
    assert membership.invitation_sent_at is None
    # Trying again is not the way: she is in the team already (the page says the e-mail follows).
    assert "fait déjà partie" in _invite(client).text

    # The broker is back; the check (celery beat) runs in a real worker once the task queued at
    # the time had its chance.
    _asked_minutes_ago(membership, 11)
    queue = f"test-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    with celery_worker(queues=[queue], environ={"EMAIL_URL": f"file://{mail_dir}"}) as worker:
        memberships_send_due_invitations.apply_async(queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            membership.refresh_from_db()
            if membership.invitation_sent_at:
                break
            time.sleep(0.3)
    assert membership.invitation_sent_at is not None, worker["output"][-3000:]
    sent = "".join(path.read_text() for path in mail_dir.iterdir())
    assert "nora.haddad@example.org" in sent and "/mot-de-passe/nouveau/" in sent


@pytest.mark.django_db(transaction=True)
def test_an_invitation_resent_while_the_broker_is_down_is_sent_by_the_check(
    client, admin, operator, broker_down
):
    user = UserFactory(email="lost.link@example.org")
    user.set_unusable_password()
    user.save()
    membership = MembershipFactory(
        user=user, organization=operator, role=Role.COUNSELLOR, accepted_at=None
    )
    Membership.objects.filter(pk=membership.pk).update(
        created_at=timezone.now() - dt.timedelta(days=40),
        invitation_sent_at=timezone.now() - dt.timedelta(days=39),
    )
    client.force_login(admin)
    response = client.post(
        reverse("accounts:member_resend_invitation", args=[membership.pk]), follow=True
    )
    assert response.status_code == 200
    assert any(LATER in m.message for m in response.context["messages"])
    membership.refresh_from_db()
    assert membership.invitation_sent_at is None  # owed again, whatever its age

    assert services.memberships_send_due_invitations() == 1
    assert [m.to for m in mail.outbox] == [["lost.link@example.org"]]
    membership.refresh_from_db()
    assert membership.invitation_sent_at is not None
    assert services.memberships_send_due_invitations() == 0  # sent once


def test_the_check_leaves_the_queued_task_its_chance_and_old_accounts_alone(operator):
    now = timezone.now()

    def member(minutes_ago, *, password=True, **kwargs):
        user = UserFactory()
        if not password:
            user.set_unusable_password()
            user.save()
        membership = MembershipFactory(user=user, organization=operator, **kwargs)
        Membership.objects.filter(pk=membership.pk).update(
            created_at=now - dt.timedelta(minutes=minutes_ago)
        )
        return membership

    just_asked = member(9)  # its task may be in the queue still
    owed = member(11)  # an existing account added 11 minutes ago, never told
    seeded = member(5 * 24 * 60)  # a seed's or the admin site's, with a password: not owed
    no_password = member(60 * 24 * 60, password=False)  # no way in without it: owed
    sent = member(60, invitation_sent_at=now)
    closed = member(60, is_active=False)

    due = set(services.memberships_due_invitation(now=now))
    assert due == {owed, no_password}
    assert not {just_asked, seeded, sent, closed} & due


def test_a_mail_server_down_leaves_the_invitation_owed(operator, settings, caplog):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    user = User.objects.create_user(email="owed@example.org")
    membership = MembershipFactory(user=user, organization=operator)
    Membership.objects.filter(pk=membership.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=30)
    )
    assert services.memberships_send_due_invitations() == 0
    membership.refresh_from_db()
    assert membership.invitation_sent_at is None  # the next check tries again
    assert f"Invitation of membership {membership.pk}: not sent" in caplog.text
