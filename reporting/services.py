"""Asking for a report and generating it: the one path used by the web page (through the Celery
task) and by ``manage.py generate_report`` (synchronously).

A run moves queued → running → done | failed. Each move is a conditional UPDATE on the status it
leaves, so that a task delivered twice (``acks_late``: a worker lost after starting) never renders
twice, and a run marked failed by the stuck check is not revived by a late worker.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from redis.exceptions import ConnectionError as RedisConnectionError

from accounts.models import Organization, User
from accounts.queueing import enqueue_on_commit
from reporting import reports
from reporting.models import ReportRun
from reporting.reports import ReportParameterError

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
REASON_NEVER_STARTED = gettext_noop(
    "Aucun serveur de calcul n'a pris ce rapport en charge (la file de calcul a perdu la "
    "demande). Demandez le rapport à nouveau."
)
REASON_NOT_QUEUED = gettext_noop(
    "La file de calcul est momentanément injoignable : le rapport n'a pas pu être mis en "
    "route. Demandez-le à nouveau dans quelques minutes."
)
# A run still queued this long after its request was lost by the queue (a retry that could not
# be published, a broker emptied): nothing will ever claim it.
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
    """
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


def report_run_execute(*, run_id: int) -> ReportRun | None:
    """Claim the run, build its document, render the PDF and the XLSX, store them.

    Returns None when the run was not there to claim (already claimed, finished, or deleted).
    Transient errors propagate (the task retries them); any other error fails the run.
    """
    claimed = ReportRun.objects.filter(pk=run_id, status=Status.QUEUED).update(
        status=Status.RUNNING,
        started_at=timezone.now(),
        progress=0,
        step=_("Démarrage"),
        attempts=F("attempts") + 1,
        error="",
    )
    if not claimed:
        logger.info("Report run %s not queued any more: nothing to do.", run_id)
        return None
    run = ReportRun.objects.select_related("organization", "requested_by").get(pk=run_id)
    try:
        with translation.override(run.language):
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
            run_id=run.pk, percent=5 + max(0, min(100, percent)) * 75 // 100, step=step
        )

    document = reports.build(
        run.kind, organization=run.organization, parameters=run.parameters, progress=progress
    )
    document.generated_at = timezone.localtime()
    report_run_progress(run_id=run.pk, percent=85, step=_("Mise en page du PDF"))
    pdf = render_pdf(document)
    report_run_progress(run_id=run.pk, percent=95, step=_("Préparation du tableur"))
    xlsx = render_xlsx(document)
    return pdf, xlsx


def report_run_progress(*, run_id: int, percent: int, step: str) -> None:
    """Only these two columns, and only while running: the page polls them."""
    ReportRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
        progress=max(0, min(99, percent)), step=str(step)[:200]
    )


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
    done = ReportRun.objects.filter(pk=run.pk, status=Status.RUNNING).update(
        status=Status.DONE,
        progress=100,
        step=_("Terminé"),
        pdf=run.pdf.name,
        xlsx=run.xlsx.name,
        pdf_sha256=run.pdf_sha256,
        finished_at=finished_at,
    )
    if not done:  # marked failed meanwhile (the stuck check): its files are not its own
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
    report_run_fail(run_id=run.pk, reason=reason)
    run.refresh_from_db()
    _notify_if_long(run)
    return run


def _notify_if_long(run: ReportRun) -> None:
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


def report_run_requeue(*, run_id: int) -> bool:
    """A transient error: back to queued, so that the retried task can claim it again."""
    return bool(
        ReportRun.objects.filter(pk=run_id, status=Status.RUNNING).update(
            status=Status.QUEUED, step=_("Nouvel essai dans un instant"), started_at=None
        )
    )


def report_run_fail(*, run_id: int, reason: str) -> bool:
    """Fail a queued or running run (retries exhausted)."""
    return bool(
        ReportRun.objects.filter(pk=run_id, status__in=[Status.QUEUED, Status.RUNNING]).update(
            status=Status.FAILED, error=reason, step="", finished_at=timezone.now()
        )
    )


def report_runs_fail_stuck(*, now: dt.datetime | None = None) -> int:
    """Runs still "running" after the hard time limit plus a margin: their worker is gone
    (killed, restarted, out of memory); runs still "queued" long after their request: the queue
    lost them. Marked failed with the reason; how many."""
    limit = settings.REPORT_TIME_LIMIT + settings.REPORT_STUCK_MARGIN
    started_before = (now or timezone.now()) - dt.timedelta(seconds=limit)
    stuck = ReportRun.objects.filter(status=Status.RUNNING, started_at__lt=started_before)
    count = stuck.update(
        status=Status.FAILED, error=REASON_STUCK, step="", finished_at=timezone.now()
    )
    lost = ReportRun.objects.filter(
        status=Status.QUEUED, created_at__lt=(now or timezone.now()) - QUEUED_TOO_LONG
    )
    count += lost.update(
        status=Status.FAILED, error=REASON_NEVER_STARTED, step="", finished_at=timezone.now()
    )
    if count:
        logger.warning("%s report run(s) stuck in running marked failed.", count)
    return count
