"""The settings contract: nothing needed for a first run, a bad value names its variable."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[2]


class TestEnvHelpers:
    def test_booleans_accept_the_usual_spellings(self, monkeypatch):
        for raw, expected in [("1", True), ("yes", True), ("False", False), ("off", False)]:
            monkeypatch.setenv("FLAG", raw)
            assert env.env_bool("FLAG", default=not expected) is expected

    def test_a_bad_boolean_names_the_variable(self, monkeypatch):
        monkeypatch.setenv("DEBUG", "maybe")
        with pytest.raises(ImproperlyConfigured, match=r"^DEBUG must be a boolean"):
            env.env_bool("DEBUG", True)

    def test_a_bad_integer_names_the_variable(self, monkeypatch):
        monkeypatch.setenv("AXES_FAILURE_LIMIT", "five")
        with pytest.raises(ImproperlyConfigured, match=r"^AXES_FAILURE_LIMIT must be an integer"):
            env.env_int("AXES_FAILURE_LIMIT", 5)
        monkeypatch.setenv("AXES_FAILURE_LIMIT", "0")
        with pytest.raises(ImproperlyConfigured, match="at least 1"):
            env.env_int("AXES_FAILURE_LIMIT", 5, minimum=1)

    def test_sqlite_is_the_default_database(self, monkeypatch):
        monkeypatch.delenv("DATABASE_URL", raising=False)
        config = env.env_database("DATABASE_URL", "sqlite:////tmp/x.sqlite3")
        assert config["ENGINE"] == "django.db.backends.sqlite3"

    def test_a_postgres_url_switches_to_postgresql(self, monkeypatch):
        monkeypatch.setenv("DATABASE_URL", "postgres://app:secret@db:5432/chantiers")
        config = env.env_database("DATABASE_URL", "sqlite:///x")
        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert (config["NAME"], config["HOST"], config["PORT"]) == ("chantiers", "db", 5432)

    @pytest.mark.parametrize("url", ["mysql://db/x", "postgres://db:5432/", "not a url"])
    def test_an_unusable_database_url_names_the_variable(self, monkeypatch, url):
        monkeypatch.setenv("DATABASE_URL", url)
        with pytest.raises(ImproperlyConfigured, match=r"^DATABASE_URL"):
            env.env_database("DATABASE_URL", "sqlite:///x")

    def test_email_urls(self, monkeypatch):
        monkeypatch.setenv("EMAIL_URL", "smtp+tls://mailer:p%40ss@smtp.example.org:2525")
        config = env.env_email("EMAIL_URL", "console://")
        assert config["EMAIL_HOST"] == "smtp.example.org"
        assert (config["EMAIL_PORT"], config["EMAIL_USE_TLS"]) == (2525, True)
        assert config["EMAIL_HOST_PASSWORD"] == "p@ss"
        monkeypatch.setenv("EMAIL_URL", "pigeon://coop")
        with pytest.raises(ImproperlyConfigured, match=r"^EMAIL_URL"):
            env.env_email("EMAIL_URL", "console://")

    def test_an_unknown_time_zone_names_the_variable(self, monkeypatch):
        monkeypatch.setenv("TIME_ZONE", "Europe/Bruxelles")
        with pytest.raises(ImproperlyConfigured, match=r"^TIME_ZONE"):
            env.env_timezone("TIME_ZONE", "Europe/Brussels")


def _manage(*args, **environ):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_"))}
    for name in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CELERY_BROKER_URL"):
        base.pop(name, None)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=base | {"VAR_DIR": os.environ.get("TMPDIR", "/tmp") + "/cp-settings-test"} | environ,
        capture_output=True,
        text=True,
        timeout=60,
    )


class TestStartUp:
    def test_a_first_run_needs_no_configuration(self):
        result = _manage("check")
        assert result.returncode == 0, result.stderr

    @pytest.mark.parametrize(
        "environ,variable",
        [
            ({"DEBUG": "maybe"}, "DEBUG"),
            ({"DEBUG": "0"}, "SECRET_KEY"),
            ({"DEBUG": "0", "SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS"),
            ({"DEBUG": "0", "SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "a.example"}, "EMAIL_URL"),
            ({"DATABASE_URL": "mysql://db/app"}, "DATABASE_URL"),
            ({"CELERY_BROKER_URL": "amqp://guest@localhost//"}, "CELERY_BROKER_URL"),
            ({"SITE_URL": "chantiers.example.org"}, "SITE_URL"),
            ({"LOG_LEVEL": "CHATTY"}, "LOG_LEVEL"),
        ],
    )
    def test_a_bad_value_stops_start_up_with_a_message_naming_it(self, environ, variable):
        result = _manage("check", **environ)
        assert result.returncode != 0
        assert result.stderr.startswith(f"Configuration error: {variable}")
        assert "Traceback" not in result.stderr

    def test_production_settings_pass_the_deployment_checklist(self):
        result = _manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="chantiers.example.org",
            EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",
            SECURE_HSTS_PRELOAD="1",
        )
        assert result.returncode == 0, result.stderr + result.stdout
