"""Asking for a report and generating it: the one path used by the web page (through the Celery
task) and by ``manage.py generate_report`` (synchronously).

A run moves queued → running → done | failed, and running → queued again for another attempt
(a transient error; a worker that died). Each move is a conditional UPDATE on the status it
leaves, so that a task delivered twice never renders twice, and a run marked failed by the stuck
check is not revived by a late worker.

Each claim counts an attempt, and the attempt's number is the claimant's token: its progress, its
files and its end are written only while the run still carries that number, so that a worker
taken for dead and replaced can write nothing over its successor's work. While it renders, the
claimant beats (``heartbeat_at``, every REPORT_HEARTBEAT_SECONDS, from a thread): a run running
with no beat for REPORT_STALLED_AFTER seconds has lost its worker (killed, out of memory, its
machine gone). Such a run is taken back — by the redelivered task (``acks_late`` and
``reject_on_worker_lost`` bring it back when the worker's child dies), or else by the periodic
check — for at most 1 + REPORT_MAX_RETRIES attempts in all; then it fails with its reason and the
requester is told by e-mail when they have been waiting (``_notify_if_long``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import threading
from contextlib import contextmanager

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import (
    DatabaseError,
    InterfaceError,
    OperationalError,
    close_old_connections,
    connection,
)
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts.models import Organization, User
from accounts.queueing import enqueue_on_commit
from reporting import reports
from reporting.models import ReportRun
from reporting.reports import ReportParameterError
from reporting.selectors import requester_may_see_names

logger = logging.getLogger(__name__)

Status = ReportRun.Status

# Errors that say "try again in a moment", not "this report cannot be made": the task retries
# them with a backoff; every other error fails the run at once.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, RedisConnectionError)

# Stored untranslated (gettext_noop) and translated when shown: the reader's language, not the
# worker's. A reason from a builder (ReportParameterError) is stored as the builder wrote it.
REASON_UNEXPECTED = gettext_noop(
    "Le rapport n'a pas pu être produit à cause d'une erreur inattendue. "
    "L'équipe technique peut la retrouver dans le journal du serveur ; réessayez plus tard."
)
REASON_TOO_LONG = gettext_noop(
    "Le rapport a pris trop longtemps et a été arrêté. Essayez une période plus courte, "
    "ou réessayez à un moment plus calme."
)
REASON_STUCK = gettext_noop(
    "La génération s'est interrompue sans terminer (le serveur de calcul a été arrêté ou a "
    "dépassé le délai). Demandez le rapport à nouveau."
)
REASON_WORKER_LOST = gettext_noop(
    "Le serveur de calcul s'est arrêté pendant la génération, à chacun des essais. Essayez "
    "une période plus courte, ou demandez le rapport à nouveau plus tard."
)
REASON_NEVER_STARTED = gettext_noop(
    "Aucun serveur de calcul n'a pris ce rapport en charge (la file de calcul a perdu la "
    "demande). Demandez le rapport à nouveau."
)
REASON_NOT_QUEUED = gettext_noop(
    "La file de calcul est momentanément injoignable : le rapport n'a pas pu être mis en "
    "route. Demandez-le à nouveau dans quelques minutes."
)
# A run still queued this long after its request was lost by the queue (a broker emptied; a retry
# that could not be published fails at once, in the task): nothing will ever claim it.
QUEUED_TOO_LONG = dt.timedelta(hours=6)
REASON_UNAVAILABLE = gettext_noop(
    "La base de données ou la file de calcul est restée indisponible malgré plusieurs "
    "essais. Demandez le rapport à nouveau dans quelques minutes."
)


def report_request(
    *,
    organization: Organization,
    kind: str,
    parameters: dict,
    by: User | None,
    language: str | None = None,
    background: bool = True,
) -> ReportRun:
    """Record the request and generate it: in the background (the ``reports`` queue, once the
    current transaction is committed), or here and now with ``background=False`` (the command).

    ``parameters`` were validated by ``reporting.forms`` (the page and the command use the same
    forms); the builder still refuses what makes no sense with a ``ReportParameterError``.

    Names of participants (``identify: names``) only for a requester who holds a role allowed
    to see them in the organization now, whatever a form let through; ``by=None`` is the
    ``generate_report`` command, an operator's tool on the server, which may.
    """
    names = parameters.get("identify") == "names"
    if names and by is not None and not requester_may_see_names(organization=organization, user=by):
        raise PermissionDenied(_("Seule la direction peut demander les noms des participant·es."))
    run = ReportRun.objects.create(
        organization=organization,
        kind=kind,
        parameters=parameters,
        requested_by=by,
        language=_language(language or translation.get_language()),
    )
    if background:
        _enqueue(run.pk)
    else:
        report_run_execute(run_id=run.pk)
        run.refresh_from_db()
    return run


def _enqueue(run_id: int) -> None:
    """Hand the run to the ``reports`` queue once the transaction is committed. A broker that
    cannot be reached fails the run with its reason at once: otherwise it would wait "queued"
    for ever, its progress bar polling (the page says so: ``views.report_request``)."""
    from reporting.tasks import report_run_generate

    enqueue_on_commit(
        report_run_generate,
        run_id,
        on_broker_down=functools.partial(report_run_fail, run_id=run_id, reason=REASON_NOT_QUEUED),
    )


def _language(code: str | None) -> str:
    """One of LANGUAGES ("nl-be" → "nl"); a command, with no language active, gets French."""
    known = dict(settings.LANGUAGES)
    code = (code or "").lower()
    if code in known:
        return code
    return code.split("-")[0] if code.split("-")[0] in known else settings.LANGUAGE_CODE


def max_attempts() -> int:
    return settings.REPORT_MAX_RETRIES + 1


def _stalled_since(now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(seconds=settings.REPORT_STALLED_AFTER)


def report_run_execute(*, run_id: int) -> ReportRun | None:
    """Claim the run, build its document, render the PDF and the XLSX, store them.

    The run is claimed when queued, or when running without a heartbeat (its worker died: this
    is the task redelivered) and attempts remain. Returns None when there was nothing to claim
    (another worker is on it, finished, or deleted). Transient errors propagate (the task
    retries them); any other error fails the run.
    """
    now = timezone.now()
    stalled = Q(
        status=Status.RUNNING, heartbeat_at__lt=_stalled_since(now), attempts__lt=max_attempts()
    )
    claimed = (
        ReportRun.objects.filter(pk=run_id)
        .filter(Q(status=Status.QUEUED) | stalled)
        .update(
            status=Status.RUNNING,
            started_at=now,
            heartbeat_at=now,
            progress=0,
            step=_("Démarrage"),
            attempts=F("attempts") + 1,
            error="",
        )
    )
    if not claimed:
        logger.info("Report run %s not to claim (running elsewhere, or ended).", run_id)
        return None
    run = ReportRun.objects.select_related("organization", "requested_by").get(pk=run_id)
    try:
        with translation.override(run.language), _heartbeat(run):
            pdf, xlsx = _render(run)
    except ReportParameterError as error:
        return _fail(run, str(error))
    except SoftTimeLimitExceeded:
        logger.warning("Report run %s stopped by the soft time limit.", run_id)
        return _fail(run, REASON_TOO_LONG)
    except TRANSIENT_ERRORS:
        raise
    except Exception:
        logger.exception("Report run %s failed.", run_id)
        return _fail(run, REASON_UNEXPECTED)
    return _finish(run, pdf, xlsx)


def _render(run: ReportRun) -> tuple[bytes, bytes]:
    # Imported here: WeasyPrint is heavy, and only the worker and the command need it.
    from reporting.render.pdf import render_pdf
    from reporting.render.xlsx import render_xlsx

    def progress(percent: int, step: str) -> None:
        # The builder's 0–100 becomes 5–80 of the run; rendering takes the rest.
        report_run_progress(
            run_id=run.pk,
            percent=5 + max(0, min(100, percent)) * 75 // 100,
            step=step,
            attempt=run.attempts,
        )

    document = reports.build(
        run.kind, organization=run.organization, parameters=run.parameters, progress=progress
    )
    document.generated_at = timezone.localtime()
    report_run_progress(
        run_id=run.pk, percent=85, step=_("Mise en page du PDF"), attempt=run.attempts
    )
    pdf = render_pdf(document)
    report_run_progress(
        run_id=run.pk, percent=95, step=_("Préparation du tableur"), attempt=run.attempts
    )
    xlsx = render_xlsx(document)
    return pdf, xlsx


def report_run_progress(
    *, run_id: int, percent: int, step: str, attempt: int | None = None
) -> None:
    """Only these columns, and only while running (in ``attempt``, when given): the page polls
    them. A step is a sign of life too."""
    ReportRun.objects.filter(_running(run_id, attempt)).update(
        progress=max(0, min(99, percent)), step=str(step)[:200], heartbeat_at=timezone.now()
    )


def _running(run_id: int, attempt: int | None) -> Q:
    """The run, still running; in this attempt when one is given (the claimant's token)."""
    condition = Q(pk=run_id, status=Status.RUNNING)
    return condition if attempt is None else condition & Q(attempts=attempt)


@contextmanager
def _heartbeat(run: ReportRun):
    """Beat every REPORT_HEARTBEAT_SECONDS while the block runs, from a thread: a long step (the
    PDF of a large report) writes no progress for minutes, yet its worker is alive. A killed
    worker takes its thread with it, and the beats stop."""
    if connection.in_atomic_block:
        # Inside a transaction (the generate_report command, a test): nobody else sees the run,
        # nor a beat, before the commit.
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(settings.REPORT_HEARTBEAT_SECONDS):
                try:
                    ReportRun.objects.filter(_running(run.pk, run.attempts)).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError:  # the database away a moment: the next beat reconnects
                    logger.warning("Report run %s: a heartbeat was lost.", run.pk, exc_info=True)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"report-run-{run.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def _finish(run: ReportRun, pdf: bytes, xlsx: bytes) -> ReportRun | None:
    try:
        run.pdf.save(run.download_name("pdf"), ContentFile(pdf), save=False)
        run.xlsx.save(run.download_name("xlsx"), ContentFile(xlsx), save=False)
    except Exception as error:  # disk full, permissions, the soft time limit while writing
        # No half-stored run: remove what was written, fail now rather than at the stuck check.
        logger.exception("Report run %s: its files could not be stored.", run.pk)
        _delete_files_of(run)
        too_long = isinstance(error, SoftTimeLimitExceeded)
        return _fail(run, REASON_TOO_LONG if too_long else REASON_UNEXPECTED)
    run.pdf_sha256 = hashlib.sha256(pdf).hexdigest()
    finished_at = timezone.now()
    done = ReportRun.objects.filter(_running(run.pk, run.attempts)).update(
        status=Status.DONE,
        progress=100,
        step=_("Terminé"),
        pdf=run.pdf.name,
        xlsx=run.xlsx.name,
        pdf_sha256=run.pdf_sha256,
        finished_at=finished_at,
    )
    if not done:  # failed or taken back meanwhile (the stuck check): its files are not its own
        run.pdf.delete(save=False)
        run.xlsx.delete(save=False)
        return None
    run.refresh_from_db()
    _notify_if_long(run)
    return run


def _delete_files_of(run: ReportRun) -> None:
    """Whatever the run wrote, a half-written file included (the storage leaves one behind
    when the disk fills up during the write, without giving its name to the field)."""
    storage = run.pdf.storage
    folder = os.path.dirname(run.pdf.field.generate_filename(run, "x"))
    try:
        names = storage.listdir(folder)[1]
    except FileNotFoundError:
        return
    for name in names:
        if name.startswith(f"{run.pk}-"):
            storage.delete(f"{folder}/{name}")


def _fail(run: ReportRun, reason: str) -> ReportRun:
    report_run_fail(run_id=run.pk, reason=reason, attempt=run.attempts)
    run.refresh_from_db()
    return run


def _notify_if_long(run: ReportRun) -> None:
    """E-mail the requester when the run ended, done or failed, after a wait long enough for
    them to have left the page. The same rule for a failure as for a success: a failure seen
    within seconds is read on the page, under the person's eyes, and a mail would repeat it; one
    found by the periodic check (a worker lost) or after the retries always comes late, and is
    always mailed."""
    from reporting.emails import report_run_send_finished

    if run.requested_by_id is None or run.finished_at is None:
        return
    # From the click, queue included: how long the person has been waiting.
    waited = run.finished_at - run.created_at
    if waited < dt.timedelta(seconds=settings.REPORT_EMAIL_AFTER_SECONDS):
        return  # they are most likely still watching the progress bar
    try:
        report_run_send_finished(run=run)
    except Exception:  # the report is there; a mail server down must not fail it
        logger.exception("Could not e-mail the requester of report run %s.", run.pk)


def database_drop_broken_connection() -> None:
    """After a transient database error: the connection that raised may be dead (a database
    restarted or failed over, its backend terminated), and every query on it would fail again.
    Closed when broken, a new one is opened at the next query. Not inside a transaction (a
    caller's, a test's): the connection is its owner's to close."""
    if not connection.in_atomic_block:
        close_old_connections()


def report_run_requeue(*, run_id: int, attempt: int | None = None) -> bool:
    """Back to queued (a transient error, a worker lost), so that the next task can claim it."""
    return bool(
        ReportRun.objects.filter(_running(run_id, attempt)).update(
            status=Status.QUEUED, step=_("Nouvel essai dans un instant"), started_at=None
        )
    )


def report_run_fail(*, run_id: int, reason: str, attempt: int | None = None) -> bool:
    """Fail a queued or running run (running in ``attempt``, when given), and tell the requester
    who has been waiting. True when it was failed here."""
    waiting = Q(pk=run_id, status=Status.QUEUED) | _running(run_id, attempt)
    failed = ReportRun.objects.filter(waiting).update(
        status=Status.FAILED, error=reason, step="", finished_at=timezone.now()
    )
    if failed:
        _notify_if_long(
            ReportRun.objects.select_related("organization", "requested_by").get(pk=run_id)
        )
    return bool(failed)


def report_runs_check_stuck(*, now: dt.datetime | None = None) -> int:
    """Periodic (celery beat, every 20 seconds): the runs nobody is working on.

    - running without a heartbeat for REPORT_STALLED_AFTER: their worker died (killed, out of
      memory, its machine gone). Given back to the queue while attempts remain (the first to
      claim it, this check's task or the redelivered one, renders it), else failed;
    - running past the hard time limit plus a margin, heartbeat or not: failed;
    - queued long after their request: the queue lost them, failed.

    Each failure carries its reason and is mailed to the requester. How many runs were handled.
    """
    now = now or timezone.now()
    handled = 0
    stalled = ReportRun.objects.filter(
        status=Status.RUNNING, heartbeat_at__lt=_stalled_since(now)
    ).values_list("pk", "attempts")
    for run_id, attempt in stalled:
        if attempt >= max_attempts():
            handled += report_run_fail(run_id=run_id, reason=REASON_WORKER_LOST, attempt=attempt)
        elif report_run_requeue(run_id=run_id, attempt=attempt):
            logger.warning("Report run %s: its worker stopped beating, queued again.", run_id)
            _enqueue(run_id)
            handled += 1
    limit = dt.timedelta(seconds=settings.REPORT_TIME_LIMIT + settings.REPORT_STUCK_MARGIN)
    too_long = ReportRun.objects.filter(status=Status.RUNNING, started_at__lt=now - limit)
    for run_id in too_long.values_list("pk", flat=True):
        handled += report_run_fail(run_id=run_id, reason=REASON_STUCK)
    lost = ReportRun.objects.filter(status=Status.QUEUED, created_at__lt=now - QUEUED_TOO_LONG)
    for run_id in lost.values_list("pk", flat=True):
        handled += report_run_fail(run_id=run_id, reason=REASON_NEVER_STARTED)
    if handled:
        logger.warning("%s stuck report run(s) queued again or failed.", handled)
    return handled
