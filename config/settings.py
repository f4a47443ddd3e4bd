"""One settings file, driven by the environment (see README "Configuration").

Nothing is required for a first run: SQLite, an embedded Celery broker and console e-mail.
Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

from pathlib import Path

from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from config.env import (
    env_bool,
    env_database,
    env_email,
    env_int,
    env_list,
    env_str,
    env_timezone,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The address of the site, for links in e-mails sent by the worker (no request there).
SITE_URL = (env_str("SITE_URL", "http://127.0.0.1:8000") or "").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SITE_URL must start with http:// or https://.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "auditlog",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",
    "accounts",
    "participants",
    "chantiers",
    "partners",
    "agenda",
    "workshops",
    "volunteers",
    "reporting",
    "dashboard",
    "privacy",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the second factor of this session (accounts.two_factor).
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.PrivateResponsesMiddleware",
    "accounts.middleware.LanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside the messages: tells the person what the broker could not take after the commit.
    "accounts.queueing.BrokerNoticeMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "accounts.middleware.CurrentOrganizationMiddleware",
    # After the memberships are known: they say whether this account needs a second factor.
    "accounts.middleware.TwoFactorMiddleware",
    "accounts.security.ClientAddressAuditlogMiddleware",
    # Last, so that a lockout answers before any view runs.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.navigation",
            ],
            "builtins": ["accounts.templatetags.guard", "accounts.templatetags.formatting"],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # The application's queries are short: PostgreSQL's JIT spent longer compiling some of them
    # than running them (the activity report's persons listing, +30 ms on the benchmark's data).
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
    # A form's select reads its choices through a server-side cursor (DECLARE, FETCH, CLOSE):
    # three round trips for a few dozen rows. The application has no result too big to fetch.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
else:
    # SQLite, the first run's database, is shared by the server, the worker and (in tests) a
    # live server and threads. IMMEDIATE: a transaction takes the write lock when it begins — one
    # that had read when another wrote meanwhile could not wait, SQLite refuses it at once
    # ("database is locked"); so two requests writing the same rows run one after the other, as
    # PostgreSQL's row locks make them. Every request is a transaction (ATOMIC_REQUESTS): on
    # SQLite requests run one at a time, enough for a demo or a small team (production runs
    # PostgreSQL). A busy timeout: the next one waits its turn, up to 30 s, instead of failing.
    # WAL: the worker's reads outside a transaction (a report being drawn) wait for nobody and
    # hold nobody up. synchronous=NORMAL: in WAL, safe from corruption; a power cut may lose the
    # last commits only.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("transaction_mode", "IMMEDIATE")
    _options.setdefault("timeout", 30)
    _options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    # Tests use a file too (not an in-memory database shared between threads, whose tables
    # lock as a whole), so that the live server, a worker process and threads open it as the
    # demo's processes do.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
ATOMIC_REQUESTS = True
DATABASES["default"]["ATOMIC_REQUESTS"] = ATOMIC_REQUESTS
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboard:home"
LOGOUT_REDIRECT_URL = "accounts:login"
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600  # an invitation must survive a weekend

# Login throttling: 5 failures for one e-mail from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The log-in form posts the e-mail as "username"; without this, axes reads "email" (the model's
# USERNAME_FIELD), finds nothing, and locks a whole office's shared address instead of one account.
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_SENSITIVE_PARAMETERS = ["password"]
# Reverse proxies in front of the application (1 in docker compose behind Caddy or nginx).
PROXY_COUNT = env_int("PROXY_COUNT", 0, minimum=0)
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_USERNAME_CALLABLE = "accounts.security.axes_username"
AXES_VERBOSE = False  # the failure log is in the database; do not copy e-mails into server logs

# Second factor (django-otp): the name the phone's authenticator app shows for the account.
OTP_TOTP_ISSUER = "Chantiers & Parcours"

SESSION_COOKIE_AGE = 10 * 3600  # a working day, then log in again
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Languages: French is the interface language; message ids are French, nl and en are catalogs.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("nl", _("Nederlands")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_timezone("TIME_ZONE", "Europe/Brussels")

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Widgets drawn in Python rather than through a template each (accounts.forms_rendering).
FORM_RENDERER = "accounts.forms_rendering.FormRenderer"

# E-mail: printed on the console unless EMAIL_URL says otherwise.
_email = env_email("EMAIL_URL", "console://")
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND")
globals().update(_email)  # host, port, user, password, TLS or file path
if not DEBUG and EMAIL_BACKEND.split(".")[-2] in {"console", "locmem"}:
    # A password-reset link printed in the server log is a key left under the doormat.
    raise ImproperlyConfigured(
        "EMAIL_URL must name a real mail server (smtp://…) when DEBUG is off."
    )
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Chantiers & Parcours <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Text messages (appointment reminders): a class with ``send_messages``, as agenda.sms describes;
# the console's prints them (the demo), an organisation plugs in its gateway's.
SMS_BACKEND = env_str("SMS_BACKEND", "agenda.sms.ConsoleBackend")

# Celery: Redis when configured, otherwise kombu's filesystem transport, so that a first run
# goes through the same asynchronous path with a real worker process.
REDIS_URL = env_str("REDIS_URL", "")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "") or REDIS_URL or "filesystem://"
if CELERY_BROKER_URL.split("://")[0] not in {"redis", "rediss", "filesystem"}:
    raise ImproperlyConfigured("CELERY_BROKER_URL must be a redis:// or filesystem:// URL.")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_DIR = VAR_DIR / "celery"
if CELERY_BROKER_URL == "filesystem://":
    _queue_dir = CELERY_DIR / "queue"
    _queue_dir.mkdir(parents=True, exist_ok=True)  # kombu expects the folders to exist
    (CELERY_DIR / "control").mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "control_folder": str(CELERY_DIR / "control"),  # not ./control in the working copy
        "store_processed": False,
    }
    # The filesystem transport has no broadcast channel for remote control.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_IGNORE_RESULT = True  # state lives in our own rows, not in a result backend
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300, minimum=1)
CELERY_TIMEZONE = TIME_ZONE
# Reports run on their own queue, so that a long report never delays an invitation e-mail;
# workers consume both (``-Q celery,reports``), or one worker per queue in a larger set-up.
CELERY_TASK_ROUTES = {"reporting.tasks.report_run_generate": {"queue": "reports"}}
CELERY_DIR.mkdir(parents=True, exist_ok=True)
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DIR / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    "purge-expired-access-log": {
        "task": "accounts.tasks.access_log_purge_expired",
        "schedule": 24 * 3600,
    },
    "expire-unanswered-referrals": {
        "task": "partners.tasks.referrals_expire_overdue",
        "schedule": 6 * 3600,
    },
    # One e-mail per person, early morning, about the referrals of the last 24 hours.
    "referrals-daily-digest": {
        "task": "partners.tasks.referrals_daily_digest",
        "schedule": crontab(hour=7, minute=0),
    },
    # A report whose worker died is queued again (or failed, with its reason, when its attempts
    # are spent): often enough to notice within a minute (REPORT_STALLED_AFTER).
    "check-stuck-report-runs": {
        "task": "reporting.tasks.report_runs_check_stuck",
        "schedule": 20,
    },
    # What the broker could not take when it was asked (Redis down at that moment): sent now.
    "send-due-invitations": {
        "task": "accounts.tasks.memberships_send_due_invitations",
        "schedule": 5 * 60,
    },
    # The retention rule's dry run, the first of the month: each organization's administration
    # sees who would be anonymised and confirms (privacy.services).
    "prepare-anonymisation-reviews": {
        "task": "privacy.tasks.anonymisation_reviews_prepare",
        "schedule": crontab(day_of_month=1, hour=6, minute=0),
    },
    # A participant's document past its retention date is deleted, file and row
    # (privacy.documents).
    "remove-expired-documents": {
        "task": "privacy.tasks.documents_expired_remove",
        "schedule": crontab(hour=2, minute=30),
    },
    # What a relay told about an unnamed neighbour is erased a year after the signal was
    # closed (privacy.anonymisation.signals_expired_erase, issue 21).
    "erase-expired-signals": {
        "task": "privacy.tasks.signals_expired_erase",
        "schedule": crontab(hour=2, minute=45),
    },
    # The reminders of tomorrow's appointments: every hour of the working day, so that one
    # booked this afternoon for tomorrow is reminded too; each is sent once (agenda.services).
    "send-appointment-reminders": {
        "task": "agenda.tasks.appointment_reminders_send",
        "schedule": crontab(hour="8-20", minute=15),
    },
    "send-due-referral-links": {
        "task": "partners.tasks.referral_links_send_due",
        "schedule": 5 * 60,
    },
}

# Reports (issue 6): a report longer than the soft limit fails with "trop long"; the hard limit
# kills the worker's child, whose beats stop: the periodic check above takes the run back.
REPORT_SOFT_TIME_LIMIT = env_int("REPORT_SOFT_TIME_LIMIT", 540, minimum=10)
REPORT_TIME_LIMIT = env_int("REPORT_TIME_LIMIT", 600, minimum=11)
if REPORT_SOFT_TIME_LIMIT >= REPORT_TIME_LIMIT:
    raise ImproperlyConfigured("REPORT_SOFT_TIME_LIMIT must be below REPORT_TIME_LIMIT.")
REPORT_STUCK_MARGIN = 60  # seconds after the hard limit before a running report is called stuck
# A worker rendering a report beats this often; a run with no beat for REPORT_STALLED_AFTER
# seconds has lost its worker and is taken back (services.report_runs_check_stuck).
REPORT_HEARTBEAT_SECONDS = env_int("REPORT_HEARTBEAT_SECONDS", 10, minimum=1)
REPORT_STALLED_AFTER = env_int("REPORT_STALLED_AFTER", 40, minimum=2)
if REPORT_STALLED_AFTER <= 2 * REPORT_HEARTBEAT_SECONDS:
    raise ImproperlyConfigured(
        "REPORT_STALLED_AFTER must be more than twice REPORT_HEARTBEAT_SECONDS."
    )
# Transient errors (database or broker unreachable) are retried this many times, after 10 s,
# 20 s, 40 s...; anything else fails at once with its reason. A run is tried 1 + this many times
# in all, whatever stopped the earlier tries (a transient error, a worker that died).
REPORT_MAX_RETRIES = env_int("REPORT_MAX_RETRIES", 3, minimum=0)
REPORT_RETRY_BACKOFF = env_int("REPORT_RETRY_BACKOFF", 10, minimum=1)
# The person who asked gets an e-mail when their report took longer than this (seconds).
REPORT_EMAIL_AFTER_SECONDS = env_int("REPORT_EMAIL_AFTER_SECONDS", 30, minimum=0)

# How long the log of who opened which personal record is kept
# (GDPR: accountability against minimisation).
ACCESS_LOG_RETENTION_DAYS = env_int("ACCESS_LOG_RETENTION_DAYS", 730, minimum=30)

# Referrals: sent and unanswered for this many days, they expire (a periodic task); the answer
# link e-mailed to a partner without members is valid this many days.
REFERRAL_EXPIRY_DAYS = env_int("REFERRAL_EXPIRY_DAYS", 21, minimum=1)
REFERRAL_LINK_DAYS = env_int("REFERRAL_LINK_DAYS", 14, minimum=1)
REFERRAL_REMINDER_DAYS = env_int("REFERRAL_REMINDER_DAYS", 7, minimum=1)  # dashboard reminder

# Content Security Policy: no inline script, no third-party origin
# (the app must work on closed networks).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        # Bootstrap components set style attributes (progress bars, popovers).
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# Production hardening, on whenever DEBUG is off (``manage.py check --deploy`` passes).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOG_LEVEL = (env_str("LOG_LEVEL", "INFO") or "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured("LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # WeasyPrint narrates every layout step at INFO; its warnings are what matter.
    "loggers": {
        "axes": {"level": "ERROR"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
