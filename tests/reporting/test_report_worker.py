"""A real Celery worker process consumes the ``reports`` queue and produces a real PDF."""

import hashlib
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reporting import services
from reporting.models import ReportRun
from tests.factories import ChantierFactory, WorkSessionFactory

ROOT = Path(__file__).resolve().parents[2]


def database_url_for_the_worker() -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@contextmanager
def reports_worker(*, media_root: Path, broker_url: str):
    """A worker consuming the ``reports`` queue (as in production) against the test database
    and the test's MEDIA_ROOT; yields the process, stops it and gives back its output."""
    environ = os.environ | {
        "DATABASE_URL": database_url_for_the_worker(),
        "CELERY_BROKER_URL": broker_url,
        "MEDIA_ROOT": str(media_root),
        "VAR_DIR": str(settings.VAR_DIR),  # the embedded broker's folders, if no Redis
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "REPORT_EMAIL_AFTER_SECONDS": "3600",
    }
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker"),
            *("--pool=solo", "-Q", "reports", "--without-mingle", "--without-gossip"),
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    result = {"output": ""}
    try:
        yield result
    finally:
        worker.terminate()
        result["output"], _ = worker.communicate(timeout=30)


def wait_until_finished(run: ReportRun, seconds: int = 90) -> ReportRun:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.is_finished:
            break
        time.sleep(0.3)
    return run


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_generates_a_requested_report(operator, director, settings, tmp_path):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        pytest.skip("REDIS_URL is not set: the worker test runs in CI against Redis")
    if connection.vendor != "postgresql":
        pytest.skip("the worker process needs a database it can open: PostgreSQL")
    settings.MEDIA_ROOT = tmp_path / "media"
    chantier = ChantierFactory(organization=operator, code="wayez", name="Peinture Wayez")
    WorkSessionFactory(chantier=chantier)

    with reports_worker(media_root=settings.MEDIA_ROOT, broker_url=redis_url) as worker:
        # Committed at once (no surrounding transaction): on_commit sends it to Redis now.
        run = services.report_request(
            organization=operator,
            kind="chantier_summary",
            parameters={"chantier": "wayez"},
            by=director,
            language="fr",
        )
        wait_until_finished(run)
    output = worker["output"]
    assert run.status == ReportRun.Status.DONE, (run.error, output[-3000:])
    assert ".> reports" in output  # it consumed only the reports queue: the route worked
    assert "reporting.tasks.report_run_generate" in output and "succeeded" in output
    pdf = (settings.MEDIA_ROOT / "private" / "reports" / run.pdf.name).read_bytes()
    assert pdf.startswith(b"%PDF")
    assert hashlib.sha256(pdf).hexdigest() == run.pdf_sha256
    assert (run.progress, run.attempts, run.error) == (100, 1, "")
