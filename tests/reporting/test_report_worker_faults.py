"""Faults in production, with real worker processes: the database drops the worker's connection
in the middle of a report, and a worker is killed while it renders the PDF. Either way the report
is retried and finished, not left "running" until the stuck check blames a stopped worker."""

import signal
import time

import pytest
from django.db import connection

from reporting import services
from reporting.models import ReportRun
from tests.factories import ChantierFactory, WorkSessionFactory
from tests.workers import database_url, purge, reports_worker

Status = ReportRun.Status


def wait_for(run: ReportRun, condition, seconds: int = 90) -> ReportRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if condition(run):
            break
        time.sleep(0.02)
    return run


def _summary(operator, director) -> ReportRun:
    """A chantier summary, asked for and committed at once: on_commit sends it to the broker."""
    return services.report_request(
        organization=operator,
        kind="chantier_summary",
        parameters={"chantier": "wayez"},
        by=director,
        language="fr",
    )


def _waiting_on_the_lock(observer) -> bool:
    return bool(
        observer.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        ).fetchone()[0]
    )


@pytest.fixture
def chantier(operator):
    chantier = ChantierFactory(organization=operator, code="wayez", name="Peinture Wayez")
    WorkSessionFactory(chantier=chantier)
    return chantier


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_report_whose_database_connection_is_dropped_midway_is_retried_and_finished(
    operator, director, chantier, settings, tmp_path
):
    """The database terminates the worker's backends while the report is at 12 % (a failover, a
    restart, an administrator): the task closes the dead connection, puts the run back in the
    queue and retries it, instead of failing on the same dead connection."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite is a file opened in the worker's process: no connection to drop")
    import psycopg

    settings.MEDIA_ROOT = tmp_path / "media"
    purge("reports")
    own_pid = connection.cursor().connection.info.backend_pid
    # Another session holds the group's table: the worker stops there, after its first step. A
    # third one, in autocommit (pg_stat_activity is a snapshot per transaction), watches for the
    # worker waiting, then terminates every backend but the test's and its own.
    with (
        psycopg.connect(database_url()) as locker,
        psycopg.connect(database_url(), autocommit=True) as observer,
    ):
        locker.execute("LOCK TABLE chantiers_enrolment IN ACCESS EXCLUSIVE MODE")
        with reports_worker(
            media_root=settings.MEDIA_ROOT, environ={"REPORT_RETRY_BACKOFF": "1"}
        ) as worker:
            run = _summary(operator, director)
            wait_for(run, lambda run: _waiting_on_the_lock(observer), seconds=60)
            # wait_for read the run before it looked at the lock: read it again, now that the
            # worker is known to wait (its step 12 was committed before it reached the table).
            run.refresh_from_db()
            assert (run.status, run.progress) == (Status.RUNNING, 12)
            locker_pid = locker.info.backend_pid
            terminated = observer.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid NOT IN (pg_backend_pid(), %s, %s)",
                [own_pid, locker_pid],
            ).fetchone()[0]
            assert terminated >= 1
            locker.rollback()  # the lock goes: the retry finds the table free
            wait_for(run, lambda run: run.is_finished)
    output = worker["output"]
    assert run.status == Status.DONE, (run.status, run.progress, run.error, output[-4000:])
    assert (run.attempts, run.error) == (2, "")
    assert "retried in 1 s" in output
    assert (settings.MEDIA_ROOT / "private" / "reports" / run.pdf.name).read_bytes()[:4] == b"%PDF"


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_rendering_is_noticed_within_a_minute_and_the_report_finished(
    operator, director, chantier, settings, tmp_path
):
    """SIGKILL while the PDF is being drawn (the out-of-memory killer, a lost machine): its
    beats stop, the periodic check gives the run back to the queue, another worker renders it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REPORT_HEARTBEAT_SECONDS, settings.REPORT_STALLED_AFTER = 1, 3
    beats = {"REPORT_HEARTBEAT_SECONDS": "1", "REPORT_STALLED_AFTER": "3"}
    purge("reports")
    with reports_worker(media_root=settings.MEDIA_ROOT, environ=beats) as killed:
        run = _summary(operator, director)
        wait_for(run, lambda run: run.progress >= 85 or run.is_finished, seconds=60)
        assert (run.status, run.progress) == (Status.RUNNING, 85), killed  # drawing the PDF
        killed["process"].send_signal(signal.SIGKILL)
        killed["process"].wait()
    run.refresh_from_db()
    assert (run.status, run.attempts) == (Status.RUNNING, 1)  # what the worker left behind

    # Alive a moment ago: the check leaves it alone; silent for REPORT_STALLED_AFTER: taken back.
    assert services.report_runs_check_stuck() == 0
    time.sleep(3.5)
    assert services.report_runs_check_stuck() == 1  # periodic (celery beat, every 20 s)
    run.refresh_from_db()
    assert run.status == Status.QUEUED
    with reports_worker(media_root=settings.MEDIA_ROOT, environ=beats) as worker:
        wait_for(run, lambda run: run.is_finished)
    assert run.status == Status.DONE, (run.error, worker["output"][-3000:])
    assert (run.attempts, run.error, run.progress) == (2, "", 100)
