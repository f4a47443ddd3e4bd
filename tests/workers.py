"""Real Celery worker processes for the tests marked ``worker``: against the test database and
the broker of the run — Redis when REDIS_URL (or CELERY_BROKER_URL) is set, otherwise the
embedded filesystem broker of a first run, in a folder of the test session's own."""

import os
import socket
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parents[1]


def embedded_broker_in(var_dir: Path) -> None:
    """Publish to the embedded broker's folders under ``var_dir`` (the worker is given the same
    VAR_DIR): a demo's worker running from the same checkout never takes a test's messages.
    Called before any test publishes (the connection pool is made on the first message)."""
    queue, control = var_dir / "celery" / "queue", var_dir / "celery" / "control"
    queue.mkdir(parents=True)
    control.mkdir()
    app.conf.broker_transport_options = app.conf.broker_transport_options | {
        "data_folder_in": str(queue),
        "data_folder_out": str(queue),
        "control_folder": str(control),
    }


def database_url() -> str:
    """The test database, for another process: PostgreSQL's, or SQLite's file."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        user = quote(s["USER"], safe="") + (
            f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else ""
        )
        return f"postgres://{user}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


def purge(queue: str) -> None:
    """Messages left in a queue by an interrupted run would be consumed before this test's."""
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)


@contextmanager
def celery_worker(*, queues: list[str], environ: dict[str, str] | None = None):
    """A worker consuming ``queues`` until the block ends; yields a dict whose ``output`` is
    the worker's log once it has stopped, and ``process`` the worker's (to kill it)."""
    broker = {"CELERY_BROKER_URL": app.conf.broker_url}
    if app.conf.broker_url == "filesystem://":
        folder = Path(app.conf.broker_transport_options["data_folder_in"])
        broker["VAR_DIR"] = str(folder.parents[1])  # the worker finds the same folders there
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"),
            *("-Q", ",".join(queues), "--without-mingle", "--without-gossip", "--loglevel=INFO"),
        ],
        cwd=ROOT,
        env=os.environ
        | {"DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": database_url()}
        | broker
        | (environ or {}),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    result = {"output": "", "process": worker}
    try:
        yield result
    finally:
        worker.terminate()
        try:
            result["output"], _ = worker.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()  # never left running, consuming the queue of the next test
            result["output"], _ = worker.communicate()


@contextmanager
def reports_worker(*, media_root: Path, environ: dict[str, str] | None = None):
    """A worker consuming the ``reports`` queue (as in production) against the test database
    and the test's MEDIA_ROOT. The test empties the queue (``purge``) before it asks for its
    report."""
    with celery_worker(
        queues=["reports"],
        environ={"MEDIA_ROOT": str(media_root), "REPORT_EMAIL_AFTER_SECONDS": "3600"}
        | (environ or {}),
    ) as worker:
        yield worker


def closed_port() -> int:
    """A local port where nothing listens (bound by the system, then let go)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _new_broker_connections() -> None:
    # The connections already made to the broker are kept in pools (as after a fork, Celery's
    # own ``_after_fork``): dropped, the next message connects to ``broker_url`` as it is now.
    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@contextmanager
def broker_unreachable():
    """This process publishes to a Redis on a closed port, as when the broker is down; the shared
    Redis keeps running for everybody else. Messages are published for real, not run in-process
    (as unit tests otherwise do), so that the publish fails as it does in production."""
    saved = (app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager)
    app.conf.broker_url = f"redis://127.0.0.1:{closed_port()}/0"
    app.conf.broker_transport_options = {}
    app.conf.task_always_eager = False
    _new_broker_connections()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options, app.conf.task_always_eager = saved
        _new_broker_connections()
