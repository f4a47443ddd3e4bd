"""Work queued after the commit (accounts/queueing.py) survives a broker outage: nothing raises
once the data is committed, the work is recorded as owed, and the person is told."""

import ast
from pathlib import Path

import pytest

from accounts.queueing import enqueue_on_commit
from accounts.tasks import access_log_purge_expired

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "participants", "chantiers", "partners", "reporting", "dashboard", "demo")
PUBLISHING = {"delay", "delay_on_commit", "apply_async", "send_task"}


def test_every_task_is_queued_through_enqueue_on_commit():
    """``delay_on_commit`` and friends raise in the commit hooks when Redis is unreachable: a 500
    for a change that was saved. One helper publishes, and survives that."""
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if path == ROOT / "accounts" / "queueing.py" or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in PUBLISHING
                ):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.func.attr}()")
    assert found == []


def test_a_broker_down_after_the_commit_raises_nothing_and_records_the_work(
    db, broker_down, django_capture_on_commit_callbacks, caplog
):
    owed = []
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(
            access_log_purge_expired, on_broker_down=lambda: owed.append("recorded"), notice="x"
        )
    assert owed == ["recorded"]
    assert "Could not queue accounts.tasks.access_log_purge_expired" in caplog.text


def test_with_the_broker_up_the_work_is_queued_and_nothing_is_recorded(
    db, django_capture_on_commit_callbacks
):
    owed = []
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_on_commit(access_log_purge_expired, on_broker_down=lambda: owed.append(1))
    assert len(callbacks) == 1 and owed == []


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_is_queued_at_once(broker_down):
    owed = []
    enqueue_on_commit(access_log_purge_expired, on_broker_down=lambda: owed.append(1))
    assert owed == [1]  # published (and refused) there and then, not held for a commit
