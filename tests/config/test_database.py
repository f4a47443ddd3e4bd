"""The database is shared by the server, the worker and (in tests) threads: a writer waits its
turn, on SQLite — the first run's database — as on PostgreSQL."""

import threading

import pytest
from django.db import connection, transaction

from accounts.models import Organization
from tests.factories import OrganizationFactory


@pytest.mark.skipif(
    connection.vendor != "sqlite",
    reason="SQLite's own settings; PostgreSQL's (JIT, cursors) are in accounts/test_addresses.py",
)
def test_sqlite_runs_in_wal_with_a_busy_timeout_and_immediate_transactions(db):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone() == ("wal",)
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone() == (30_000,)
    assert connection.transaction_mode == "IMMEDIATE"
    assert not connection.is_in_memory_db()  # a file that other processes open, as the demo's


@pytest.mark.django_db(transaction=True)
def test_a_writer_waits_for_another_instead_of_answering_database_is_locked():
    """The demo's worker records a report's progress while someone logs in: the second writer,
    which reads the row before it writes, waits and then sees the first one's change. SQLite
    in its default mode refuses it at once ("database is locked"): it had read a state that
    the other writer changed meanwhile."""
    organization = OrganizationFactory(name="Départ")
    holding, release = threading.Event(), threading.Event()
    errors = []

    def first_writer():
        try:
            with transaction.atomic():
                Organization.objects.filter(pk=organization.pk).update(name="Premier")
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    def second_writer():
        try:
            with transaction.atomic():
                name = Organization.objects.select_for_update().get(pk=organization.pk).name
                Organization.objects.filter(pk=organization.pk).update(name=f"{name}, second")
        except Exception as error:  # the test reports whatever it was
            errors.append(error)
        finally:
            connection.close()

    first = threading.Thread(target=first_writer)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=second_writer)
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the first one's transaction
    release.set()
    first.join(10)
    second.join(40)
    assert errors == []
    organization.refresh_from_db()
    assert organization.name == "Premier, second"


def test_a_worker_is_given_the_test_databases_address_with_its_password(monkeypatch):
    """A PostgreSQL with a password (README: postgres://user:password@host/name) must reach
    the worker processes of the tests too; its characters are quoted."""
    from tests import workers

    class PostgreSQL:
        vendor = "postgresql"
        settings_dict = {
            "USER": "app",
            "PASSWORD": "p@ss:w/rd",
            "HOST": "db",
            "PORT": 5433,
            "NAME": "test_chantiers",
        }

    monkeypatch.setattr(workers, "connection", PostgreSQL())
    assert workers.database_url() == "postgres://app:p%40ss%3Aw%2Frd@db:5433/test_chantiers"
