"""The asynchronous path: configuration, and a real worker process against the run's broker."""

import os
import time
import uuid
from pathlib import Path

import pytest
from django.core import mail

from accounts.models import Membership, Role
from accounts.tasks import membership_send_invitation
from config.celery import app
from tests.factories import MembershipFactory, UserFactory
from tests.workers import celery_worker


def test_tasks_are_json_acked_late_and_time_limited():
    conf = app.conf
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.worker_prefetch_multiplier == 1


def test_without_redis_the_broker_is_the_embedded_filesystem_transport(settings):
    if os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL"):
        assert app.conf.broker_url.startswith("redis")
    else:
        assert app.conf.broker_url == "filesystem://"
        folder = Path(app.conf.broker_transport_options["data_folder_in"])
        assert folder.is_dir()


def test_nothing_is_enqueued_when_the_transaction_rolls_back(
    operator, django_capture_on_commit_callbacks
):
    from django.db import transaction

    from accounts.services import membership_invite

    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                membership_invite(
                    organization=operator,
                    email="rollback@example.org",
                    first_name="Ro",
                    last_name="Llback",
                    role=Role.COUNSELLOR,
                )
                raise RuntimeError("something later in the request failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []  # eager tasks would have sent it at once had it not waited


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_invitation_and_records_it(operator, tmp_path):
    """On Redis and PostgreSQL as in production, on the embedded broker and SQLite as on a
    first run: the same asynchronous path, through a real worker process."""
    user = UserFactory(email="worker.test@example.org", first_name="Wafa")
    user.set_unusable_password()
    user.save()
    membership = MembershipFactory(user=user, organization=operator, role=Role.COORDINATOR)
    queue = f"test-{uuid.uuid4().hex[:12]}"  # nothing else consumes it, nothing stale is in it
    mail_dir = tmp_path / "mail"
    with celery_worker(queues=[queue], environ={"EMAIL_URL": f"file://{mail_dir}"}) as worker:
        membership_send_invitation.apply_async((membership.pk,), queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            membership.refresh_from_db()
            if membership.invitation_sent_at:
                break
            time.sleep(0.3)
    output = worker["output"]
    assert membership.invitation_sent_at is not None, output[-3000:]
    assert "succeeded" in output
    sent = "".join(path.read_text() for path in mail_dir.iterdir())
    assert "worker.test@example.org" in sent
    assert "/mot-de-passe/nouveau/" in sent
    assert Membership.objects.get(pk=membership.pk).invitation_sent_at is not None
