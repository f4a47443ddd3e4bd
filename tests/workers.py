"""Real Celery worker processes for the tests marked ``worker``: against the test database and
the broker of the run — Redis when REDIS_URL (or CELERY_BROKER_URL) is set, otherwise the
embedded filesystem broker of a first run, in the folder the test process publishes to."""

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection

from config.celery import app

ROOT = Path(__file__).resolve().parents[1]


def database_url() -> str:
    """The test database, for another process: PostgreSQL's, or SQLite's file."""
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"sqlite:///{s['NAME']}"


def purge(queue: str) -> None:
    """Messages left in a queue by an interrupted run would be consumed before this test's."""
    with app.connection_for_write() as broker:
        broker.default_channel.queue_purge(queue)


@contextmanager
def celery_worker(*, queues: list[str], environ: dict[str, str] | None = None):
    """A worker consuming ``queues`` until the block ends; yields a dict whose ``output`` is
    the worker's log once it has stopped."""
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo"),
            *("-Q", ",".join(queues), "--without-mingle", "--without-gossip", "--loglevel=INFO"),
        ],
        cwd=ROOT,
        env=os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": app.conf.broker_url,
            "VAR_DIR": str(settings.VAR_DIR),  # the embedded broker's folders
        }
        | (environ or {}),
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
