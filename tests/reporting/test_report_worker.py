"""A real Celery worker process consumes the ``reports`` queue and produces a real PDF."""

import hashlib
import time

import pytest

from reporting import services
from reporting.models import ReportRun
from tests.factories import ChantierFactory, WorkSessionFactory
from tests.workers import purge, reports_worker


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
    settings.MEDIA_ROOT = tmp_path / "media"
    purge("reports")
    chantier = ChantierFactory(organization=operator, code="wayez", name="Peinture Wayez")
    WorkSessionFactory(chantier=chantier)

    with reports_worker(media_root=settings.MEDIA_ROOT) as worker:
        # Committed at once (no surrounding transaction): on_commit sends it to the broker now.
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
