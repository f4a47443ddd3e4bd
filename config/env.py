"""Typed readers for the environment.

A bad value stops start-up with a message that names the variable.
"""

import os
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _raw(name: str, default: str | None) -> str | None:
    value = os.environ.get(name)
    return default if value is None else value.strip()


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    value = _raw(name, default)
    if required and not value:
        raise ImproperlyConfigured(f"{name} must be set.")
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _raw(name, None)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name} must be a boolean (1/0, true/false, yes/no), not {value!r}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = _raw(name, None)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = _raw(name, None)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    url = _raw(name, None) or default
    scheme = urlsplit(url).scheme
    if scheme not in {"sqlite", "postgres", "postgresql", "pgsql"}:
        raise ImproperlyConfigured(
            f"{name} must be a sqlite:// or postgres:// URL, not a {scheme or 'schemeless'} URL."
        )
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} is not a valid database URL: {exc}") from None
    if scheme != "sqlite" and not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} must name a database (postgres://user@host:port/NAME).")
    return config


def env_timezone(name: str, default: str) -> str:
    value = _raw(name, None) or default
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ImproperlyConfigured(f"{name} is not a known time zone: {value!r}.") from None
    return value


def env_email(name: str, default: str) -> dict:
    """Read an e-mail URL into Django settings.

    Accepted: ``console://``, ``locmem://``, ``file:///path/to/dir``,
    ``smtp://user:password@host:port`` and ``smtps://`` / ``smtp+tls://`` for TLS.
    """
    url = _raw(name, None) or default
    parts = urlsplit(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "locmem": "django.core.mail.backends.locmem.EmailBackend",
        "file": "django.core.mail.backends.filebased.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
        "smtp+tls": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(
            f"{name} must start with one of {', '.join(sorted(backends))}://, not {url!r}."
        )
    config = {"EMAIL_BACKEND": backends[parts.scheme]}
    if parts.scheme == "file":
        if not parts.path:
            raise ImproperlyConfigured(f"{name} must name a folder: file:///path/to/folder.")
        config["EMAIL_FILE_PATH"] = parts.path
    elif parts.scheme.startswith("smtp"):
        if not parts.hostname:
            raise ImproperlyConfigured(f"{name} must name a host: smtp://user:password@host:587.")
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfigured(f"{name} has an invalid port.") from None
        config.update(
            EMAIL_HOST=parts.hostname,
            EMAIL_PORT=port or (465 if parts.scheme == "smtps" else 587),
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=parts.scheme == "smtps",
            EMAIL_USE_TLS=parts.scheme == "smtp+tls"
            or parse_qs(parts.query).get("tls", [""])[0] in _TRUE,
        )
    return config
