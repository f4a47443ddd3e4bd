"""ReportRun: the claim, the progress, the retries of transient errors, the failures with their
reason (files that cannot be stored, a broker that cannot take the run), the periodic check for
stuck runs."""

import datetime
import datetime as dt
import hashlib
import os
from pathlib import Path

import pytest
from celery.exceptions import Retry, SoftTimeLimitExceeded
from django.core import mail
from django.db import OperationalError
from django.db.models import F
from django.utils import timezone

from config.celery import app
from reporting import services
from reporting.models import ReportRun
from reporting.tasks import report_run_generate, report_runs_check_stuck
from tests.factories import ChantierFactory, WorkSessionFactory

Status = ReportRun.Status


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def chantier(operator):
    chantier = ChantierFactory(
        organization=operator, code="peinture-wayez", name="Peinture rue Wayez"
    )
    WorkSessionFactory(chantier=chantier, date=dt.date(2026, 3, 2))
    return chantier


def _queued(operator, director, chantier, **kwargs) -> ReportRun:
    return ReportRun.objects.create(
        organization=operator,
        kind=ReportRun.Kind.CHANTIER_SUMMARY,
        parameters={"chantier": chantier.code},
        requested_by=director,
        **kwargs,
    )


def test_a_request_waits_for_the_commit_then_produces_the_pdf_and_the_spreadsheet(
    operator, director, chantier, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        run = services.report_request(
            organization=operator,
            kind="chantier_summary",
            parameters={"chantier": "peinture-wayez"},
            by=director,
            language="fr",
        )
    assert (run.status, run.progress, run.attempts) == (Status.QUEUED, 0, 0)
    assert len(callbacks) == 1  # enqueued once the request's transaction is committed

    callbacks[0]()  # the task, eagerly, as the worker would run it
    run.refresh_from_db()
    assert (run.status, run.progress, run.attempts, run.error) == (Status.DONE, 100, 1, "")
    pdf = run.pdf.read()
    assert pdf.startswith(b"%PDF")
    assert run.pdf_sha256 == hashlib.sha256(pdf).hexdigest()
    assert run.xlsx.read().startswith(b"PK")  # a zip: the XLSX container
    assert run.started_at <= run.finished_at
    assert run.pdf.name.startswith(f"{operator.pk}/")
    assert run.download_name("pdf") == "bilan-de-chantier-peinture-wayez-ml-test.pdf"


def test_the_files_are_private_they_have_no_public_url(operator, director, chantier):
    run = _queued(operator, director, chantier)
    services.report_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert "/private/reports/" in run.pdf.path
    with pytest.raises(ValueError, match="no public URL"):
        run.pdf.url  # noqa: B018


def test_each_step_of_the_builder_is_recorded_on_the_row(operator, director, chantier, monkeypatch):
    seen = []
    original = services.report_run_progress

    def recording(*, run_id, percent, step, **kwargs):
        original(run_id=run_id, percent=percent, step=step, **kwargs)
        row = ReportRun.objects.values("status", "progress", "step").get(pk=run_id)
        seen.append((row["status"], row["progress"], row["step"]))

    monkeypatch.setattr(services, "report_run_progress", recording)
    run = _queued(operator, director, chantier)
    services.report_run_execute(run_id=run.pk)

    # The builder's 10, 40, 60, 80 % map to 5 + p × 75 / 100 of the run: 12, 35, 50, 65;
    # then the PDF (85) and the spreadsheet (95).
    assert seen == [
        ("running", 12, "Groupe et séances"),
        ("running", 35, "Heures et défraiements"),
        ("running", 50, "Sorties des parcours"),
        ("running", 65, "Mise en page"),
        ("running", 85, "Mise en page du PDF"),
        ("running", 95, "Préparation du tableur"),
    ]


def test_a_run_is_rendered_once_even_if_its_task_is_delivered_twice(
    operator, director, chantier, monkeypatch
):
    run = _queued(operator, director, chantier)
    report_run_generate.apply(args=(run.pk,))
    run.refresh_from_db()
    first = (run.status, run.pdf.name, run.pdf_sha256, run.finished_at, run.attempts)

    def must_not_build(*args, **kwargs):
        raise AssertionError("a second delivery must not build the report again")

    monkeypatch.setattr(services.reports, "build", must_not_build)
    assert services.report_run_execute(run_id=run.pk) is None
    report_run_generate.apply(args=(run.pk,))
    run.refresh_from_db()
    assert (run.status, run.pdf.name, run.pdf_sha256, run.finished_at, run.attempts) == first
    assert first[0] == Status.DONE and first[4] == 1


def test_a_run_claimed_by_another_worker_is_left_to_it(operator, director, chantier, monkeypatch):
    started = timezone.now()
    run = _queued(operator, director, chantier, status=Status.RUNNING, started_at=started)
    monkeypatch.setattr(services.reports, "build", lambda *a, **k: pytest.fail("built twice"))
    assert services.report_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert (run.status, run.started_at, run.pdf.name) == (Status.RUNNING, started, "")


def _fail_first(monkeypatch, error):
    """The builder raises ``error`` once, then builds for real."""
    real = services.reports.build
    calls = []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise error
        return real(*args, **kwargs)

    monkeypatch.setattr(services.reports, "build", flaky)
    return calls


def test_a_transient_error_puts_the_run_back_in_the_queue_and_retries_it(
    operator, director, chantier, monkeypatch
):
    _fail_first(monkeypatch, OperationalError("server closed the connection unexpectedly"))
    run = _queued(operator, director, chantier)

    with pytest.raises(Retry) as retry:  # eager: the retry is raised, not scheduled
        report_run_generate.apply(args=(run.pk,))
    assert retry.value.when == 10  # REPORT_RETRY_BACKOFF × 2⁰; then 20, 40
    run.refresh_from_db()
    assert (run.status, run.attempts, run.started_at) == (Status.QUEUED, 1, None)
    assert run.step == "Nouvel essai dans un instant"

    # The retry (Celery delivers it after the backoff) claims it again and finishes it.
    result = report_run_generate.apply(args=(run.pk,), retries=1)
    assert result.state == "SUCCESS"
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == (Status.DONE, 2, "")


def test_after_the_last_retry_a_transient_error_fails_the_run_with_its_reason(
    operator, director, chantier, monkeypatch, settings
):
    _fail_first(monkeypatch, OperationalError("could not connect to server"))
    run = _queued(operator, director, chantier)
    last = report_run_generate.max_retries
    assert last == settings.REPORT_MAX_RETRIES == 3

    report_run_generate.apply(args=(run.pk,), retries=last)
    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert run.error == services.REASON_UNAVAILABLE
    assert run.error.startswith("La base de données ou la file de calcul est restée indisponible")


def test_a_retry_the_broker_cannot_take_fails_the_run_instead_of_leaving_it_queued(
    operator, director, chantier, monkeypatch, broker_down
):
    """The database drops the connection, and the broker is down when the worker queues the
    retry: Celery drops the message. The run fails now with its reason, and the requester (who
    asked 2 minutes ago) is told by e-mail, instead of a run "queued" for 6 hours."""
    _fail_first(monkeypatch, OperationalError("server closed the connection unexpectedly"))
    run = _queued(operator, director, chantier)
    ReportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(minutes=2))

    # As in a worker, not eagerly: the retry is published to the broker, which refuses it.
    report_run_generate.push_request(id="a-worker-task", args=[run.pk], called_directly=False)
    try:
        report_run_generate.run(run.pk)
    finally:
        report_run_generate.pop_request()

    run.refresh_from_db()
    assert (run.status, run.error, run.attempts) == (Status.FAILED, services.REASON_UNAVAILABLE, 1)
    assert run.finished_at is not None
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert "La base de données ou la file de calcul est restée indisponible" in mail.outbox[0].body


def test_a_parameter_error_fails_at_once_with_the_builders_sentence(operator, director):
    run = ReportRun.objects.create(
        organization=operator,
        kind=ReportRun.Kind.CHANTIER_SUMMARY,
        parameters={"chantier": "n-existe-pas"},
        requested_by=director,
    )
    result = report_run_generate.apply(args=(run.pk,))
    assert result.state == "SUCCESS"  # no retry: the same parameters would fail again
    run.refresh_from_db()
    assert (run.status, run.attempts, run.pdf.name) == (Status.FAILED, 1, "")
    assert run.error == "Le chantier « n-existe-pas » n'existe pas dans cette organisation."
    assert run.finished_at is not None


def test_an_unexpected_error_fails_with_a_sentence_not_a_traceback(
    operator, director, chantier, monkeypatch, caplog
):
    _fail_first(monkeypatch, ZeroDivisionError("division by zero"))
    run = _queued(operator, director, chantier)
    result = report_run_generate.apply(args=(run.pk,))
    assert result.state == "SUCCESS"
    run.refresh_from_db()
    assert run.status == Status.FAILED
    assert run.error == services.REASON_UNEXPECTED
    assert "ZeroDivisionError" not in run.error and "Traceback" not in run.error
    assert "ZeroDivisionError" in caplog.text  # the technical detail is in the server log


def test_a_run_whose_files_cannot_be_stored_fails_at_once_and_leaves_no_file(
    operator, director, monkeypatch, settings
):
    from reporting.models import private_report_storage

    real_save = type(private_report_storage)._save

    def disk_full_on_the_spreadsheet(self, name, content):
        if name.endswith(".xlsx"):
            # Half the file reaches the disk, then the disk is full (as Django's storage
            # leaves it: the file stays, its name never reaches the field).
            path = self.path(name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as half:
                half.write(content.read()[:100])
            raise OSError(28, "No space left on device")
        return real_save(self, name, content)

    monkeypatch.setattr(type(private_report_storage), "_save", disk_full_on_the_spreadsheet)
    run = ReportRun.objects.create(
        organization=operator, kind="activity", parameters={"year": 2025}, requested_by=director
    )

    services.report_run_execute(run_id=run.pk)

    run.refresh_from_db()
    # Failed with a sentence, not left "running" until the stuck check an hour later.
    assert run.status == Status.FAILED
    assert run.error == services.REASON_UNEXPECTED
    assert run.pdf.name == "" and run.xlsx.name == ""
    # The PDF written before the spreadsheet failed is not left behind.
    folder = settings.MEDIA_ROOT / "private" / "reports"
    assert [p for p in folder.rglob("*") if p.is_file()] == []


def test_a_run_the_broker_cannot_take_fails_with_its_reason_instead_of_waiting_for_ever(
    operator, director, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_request(
            organization=operator, kind="activity", parameters={"year": 2025}, by=director
        )

    run.refresh_from_db()
    # Not "queued" for ever with a progress bar polling every second, nor a 500 for the person.
    assert run.status == Status.FAILED
    assert run.error == services.REASON_NOT_QUEUED
    assert run.error.startswith("La file de calcul est momentanément injoignable")
    assert run.finished_at is not None
    assert mail.outbox == []  # the person reads it on the page, at once


def test_the_soft_time_limit_fails_the_run_as_too_long(operator, director, chantier, monkeypatch):
    _fail_first(monkeypatch, SoftTimeLimitExceeded())
    run = _queued(operator, director, chantier)
    report_run_generate.apply(args=(run.pk,))
    run.refresh_from_db()
    assert (run.status, run.error) == (Status.FAILED, services.REASON_TOO_LONG)
    assert "trop longtemps" in run.error


def test_runs_left_running_past_the_hard_limit_are_marked_failed(
    operator, director, chantier, settings
):
    settings.REPORT_TIME_LIMIT = 600
    now = timezone.now()
    # 600 s hard limit + 60 s margin = 660 s: 661 s ago is stuck, 659 s ago may still finish.
    stuck = _queued(
        operator,
        director,
        chantier,
        status=Status.RUNNING,
        started_at=now - dt.timedelta(seconds=661),
    )
    young = _queued(
        operator,
        director,
        chantier,
        status=Status.RUNNING,
        started_at=now - dt.timedelta(seconds=659),
    )
    waiting = _queued(operator, director, chantier)

    assert services.report_runs_check_stuck(now=now) == 1
    statuses = dict(ReportRun.objects.values_list("pk", "status"))
    assert statuses == {stuck.pk: "failed", young.pk: "running", waiting.pk: "queued"}
    stuck.refresh_from_db()
    assert stuck.error == services.REASON_STUCK and stuck.finished_at is not None
    # The periodic task is the same function; nothing is left to mark a second time.
    assert report_runs_check_stuck.apply().get() == 0


def test_a_run_still_queued_hours_after_its_request_is_marked_failed_by_the_periodic_check(
    operator, director
):
    from django.utils import timezone

    now = timezone.now()
    lost, waiting = (
        ReportRun.objects.create(
            organization=operator, kind="activity", parameters={"year": 2025}, requested_by=director
        )
        for _ in range(2)
    )
    # created_at is set on insert: moved back to 6 h 1 min and 5 h 59 min before the check.
    ReportRun.objects.filter(pk=lost.pk).update(created_at=now - datetime.timedelta(minutes=361))
    ReportRun.objects.filter(pk=waiting.pk).update(created_at=now - datetime.timedelta(minutes=359))

    assert services.report_runs_check_stuck(now=now) == 1

    lost.refresh_from_db()
    assert (lost.status, lost.error) == (Status.FAILED, services.REASON_NEVER_STARTED)
    assert ReportRun.objects.get(pk=waiting.pk).status == Status.QUEUED


def test_a_late_worker_does_not_revive_a_run_marked_failed_meanwhile(
    operator, director, chantier, monkeypatch
):
    real = services.reports.build

    def slow(*args, **kwargs):
        document = real(*args, **kwargs)
        # Meanwhile the periodic check decided the worker was gone.
        ReportRun.objects.filter(pk=run.pk).update(
            status=Status.FAILED, error=services.REASON_STUCK
        )
        return document

    monkeypatch.setattr(services.reports, "build", slow)
    run = _queued(operator, director, chantier)
    assert services.report_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert (run.status, run.error, run.pdf.name) == (Status.FAILED, services.REASON_STUCK, "")
    folder = Path(ReportRun._meta.get_field("pdf").storage.location)
    assert [p for p in folder.rglob("*") if p.is_file()] == []  # its files were removed


# --- A worker that died: its beats stop, the run is taken back (issue 24, item 9) ----------


def _abandoned(operator, director, chantier, *, attempts, beat_seconds_ago=60) -> ReportRun:
    """Running, claimed ``attempts`` times, its last beat long ago: its worker died. Asked 2
    minutes ago (the requester has left the page)."""
    now = timezone.now()
    run = _queued(
        operator,
        director,
        chantier,
        status=Status.RUNNING,
        attempts=attempts,
        progress=85,
        started_at=now - dt.timedelta(seconds=90),
        heartbeat_at=now - dt.timedelta(seconds=beat_seconds_ago),
    )
    ReportRun.objects.filter(pk=run.pk).update(created_at=now - dt.timedelta(minutes=2))
    return run


def test_a_run_whose_worker_stopped_beating_is_queued_again_and_rendered(
    operator, director, chantier, settings, django_capture_on_commit_callbacks
):
    settings.REPORT_STALLED_AFTER = 40
    run = _abandoned(operator, director, chantier, attempts=1, beat_seconds_ago=41)
    # The periodic check queues it again (the task runs here, eagerly) and it is rendered.
    with django_capture_on_commit_callbacks(execute=True):
        assert report_runs_check_stuck.apply().get() == 1
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == (Status.DONE, 2, "")


def test_a_run_still_beating_is_left_to_its_worker(operator, director, chantier, settings):
    settings.REPORT_STALLED_AFTER = 40
    run = _abandoned(operator, director, chantier, attempts=1, beat_seconds_ago=39)
    assert services.report_runs_check_stuck() == 0
    # A second delivery of its task while the first worker lives renders nothing.
    assert services.report_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert (run.status, run.attempts, run.progress) == (Status.RUNNING, 1, 85)


def test_the_redelivered_task_takes_back_a_run_whose_worker_died(operator, director, chantier):
    """acks_late and reject_on_worker_lost bring the task back when the worker's child is
    killed: it claims the run, running but silent, instead of leaving it for the check."""
    run = _abandoned(operator, director, chantier, attempts=1)
    report_run_generate.apply(args=(run.pk,))
    run.refresh_from_db()
    assert (run.status, run.attempts) == (Status.DONE, 2)


def test_after_its_last_attempt_a_run_whose_worker_died_fails_and_the_requester_is_told(
    operator, director, chantier, settings
):
    settings.REPORT_MAX_RETRIES = 3
    run = _abandoned(operator, director, chantier, attempts=4)
    assert services.report_run_execute(run_id=run.pk) is None  # no fifth attempt
    assert services.report_runs_check_stuck() == 1
    run.refresh_from_db()
    assert (run.status, run.error) == (Status.FAILED, services.REASON_WORKER_LOST)
    assert [m.to for m in mail.outbox] == [[director.email]]
    assert mail.outbox[0].subject == "Votre rapport n'a pas pu être produit : Bilan de chantier"
    assert "Le serveur de calcul s'est arrêté pendant la génération" in mail.outbox[0].body


def test_a_worker_taken_for_dead_writes_nothing_over_its_successor(
    operator, director, chantier, monkeypatch
):
    """The attempt's number is the claimant's token: a worker that was only slow, replaced
    meanwhile, can neither move the progress bar nor finish the run, and removes its files."""
    real = services.reports.build
    run = _queued(operator, director, chantier)

    def slow(*args, progress, **kwargs):
        # Meanwhile the run was taken back and claimed again by another worker.
        ReportRun.objects.filter(pk=run.pk).update(attempts=F("attempts") + 1, progress=40)
        progress(100, "trop tard")
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(services.reports, "build", slow)
    assert services.report_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert (run.status, run.attempts, run.progress, run.pdf.name) == (Status.RUNNING, 2, 40, "")
    folder = Path(ReportRun._meta.get_field("pdf").storage.location)
    assert [p for p in folder.rglob("*") if p.is_file()] == []


@pytest.mark.django_db(transaction=True)
def test_a_worker_beats_while_it_renders(operator, director, chantier, settings, monkeypatch):
    """A long step (the PDF of a large report) writes no progress; the beats say it is alive."""
    import time

    settings.REPORT_HEARTBEAT_SECONDS = 0.2
    real = services.reports.build
    run = _queued(operator, director, chantier)
    beats = []

    def long_step(*args, **kwargs):
        for _ in range(6):
            time.sleep(0.2)
            beats.append(ReportRun.objects.values_list("heartbeat_at", flat=True).get(pk=run.pk))
        return real(*args, **kwargs)

    monkeypatch.setattr(services.reports, "build", long_step)
    services.report_run_execute(run_id=run.pk)
    assert len(set(beats)) >= 3  # beaten again and again while the step ran
    assert ReportRun.objects.get(pk=run.pk).status == Status.DONE


def test_the_requester_gets_an_email_when_a_long_run_is_ready(
    operator, director, chantier, settings
):
    settings.REPORT_EMAIL_AFTER_SECONDS = 0  # every run counts as long
    director.language = "fr"
    director.save(update_fields=["language"])
    run = _queued(operator, director, chantier)
    services.report_run_execute(run_id=run.pk)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [director.email]
    assert message.subject == "Votre rapport est prêt : Bilan de chantier"
    assert "Chantier Peinture rue Wayez" in message.body
    assert "http://127.0.0.1:8000/rapports/" in message.body


def test_a_short_run_sends_no_email(operator, director, chantier, settings):
    settings.REPORT_EMAIL_AFTER_SECONDS = 3600
    run = _queued(operator, director, chantier)
    services.report_run_execute(run_id=run.pk)
    assert mail.outbox == []


def test_the_task_goes_to_the_reports_queue_with_its_own_time_limits(settings):
    route = app.amqp.router.route({}, "reporting.tasks.report_run_generate")
    assert route["queue"].name == "reports"
    assert report_run_generate.soft_time_limit == settings.REPORT_SOFT_TIME_LIMIT == 540
    assert report_run_generate.time_limit == settings.REPORT_TIME_LIMIT == 600
    assert "check-stuck-report-runs" in settings.CELERY_BEAT_SCHEDULE


def test_the_wait_counts_from_the_request_queue_included(operator, director, chantier, settings):
    settings.REPORT_EMAIL_AFTER_SECONDS = 30
    run = _queued(operator, director, chantier)
    # Asked 31 s ago, rendered in a moment: 31 s of waiting > 30 s, an e-mail.
    ReportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - dt.timedelta(seconds=31))
    services.report_run_execute(run_id=run.pk)
    assert [m.to for m in mail.outbox] == [[director.email]]


def test_a_mail_server_down_does_not_fail_the_report(
    operator, director, chantier, settings, caplog
):
    settings.REPORT_EMAIL_AFTER_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 9  # nothing listens there
    run = _queued(operator, director, chantier)
    services.report_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == Status.DONE
    assert f"Could not e-mail the requester of report run {run.pk}" in caplog.text
