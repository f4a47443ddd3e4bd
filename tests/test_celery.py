"""The asynchronous path: configuration, and a real worker process against Redis."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection

from accounts.models import Membership, Role
from accounts.tasks import membership_send_invitation
from config.celery import app
from tests.factories import MembershipFactory, UserFactory

ROOT = Path(__file__).resolve().parents[1]


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


def _database_url_for_the_worker() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_invitation_and_records_it(operator, tmp_path):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: the worker test runs in CI against Redis")
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can open: PostgreSQL")
    user = UserFactory(email="worker.test@example.org", first_name="Wafa")
    user.set_unusable_password()
    user.save()
    membership = MembershipFactory(user=user, organization=operator, role=Role.COORDINATOR)
    queue = f"test-{uuid.uuid4().hex[:12]}"  # nothing else consumes it, nothing stale is in it
    mail_dir = tmp_path / "mail"
    environ = os.environ | {
        "DATABASE_URL": _database_url_for_the_worker(),
        "CELERY_BROKER_URL": redis_url,
        "EMAIL_URL": f"file://{mail_dir}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-mingle",
            "--without-gossip",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        membership_send_invitation.apply_async((membership.pk,), queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            membership.refresh_from_db()
            if membership.invitation_sent_at:
                break
            time.sleep(0.3)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
    assert membership.invitation_sent_at is not None, output[-3000:]
    assert "succeeded" in output
    sent = "".join(path.read_text() for path in mail_dir.iterdir())
    assert "worker.test@example.org" in sent
    assert "/mot-de-passe/nouveau/" in sent
    assert Membership.objects.get(pk=membership.pk).invitation_sent_at is not None
