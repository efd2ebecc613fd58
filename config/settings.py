"""Vicbot settings: read from the environment only (django-environ).

Every setting that changes between machines comes from an environment variable
listed in README.md. Behaviour never depends on DEBUG; the deployment hardening
below is on unless a variable turns it off (local http development does that).
"""

from __future__ import annotations

import ssl
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

from config.enqueue import Task, beat_entry

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Local state for a machine with no servers: SQLite, the embedded broker, the cache.
VAR_DIR = Path(env.str("VICBOT_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

# --- Core ---------------------------------------------------------------------------
# A missing key gets a throwaway random one so a fresh clone runs; `check --deploy`
# fails loudly on it (vicbot.checks), so production cannot start that way by accident.
SECRET_KEY_FROM_ENV = bool(env.str("DJANGO_SECRET_KEY", default=""))
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="") or get_random_secret_key()
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "core",  # the ground floor (state machines' transition log): first, as nothing of ours is below it
    # First, so its admin/index.html (a link to the dashboard) extends the admin's own.
    "console",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_celery_beat",
    "vicbot",
    "pipelines",
    "evaluations",  # datasets of past pitches, replays and shadow runs of assistant versions (above pipelines)
    # The emulators, demo, benchmark and chaos run: only its commands (demo, benchmark, chaos) need it here.
    "sandbox",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files for the admin without a CDN
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "core.actors.ActorMiddleware",  # a request's state moves are logged as its user's
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'vicbot.sqlite3'}")}
# Heroku Postgres closes idle connections; keep them briefly and check before use.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Worker, beat and web share one file: wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
    # A file, not :memory:, so a test's separately started worker sees the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True
# The admin's own dates in the console's one format, with the zone: "2026-12-06 14:05 UTC".
FORMAT_MODULE_PATH = "console.formats"

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Deployment hardening (on by default; see README for local http) ---------------------
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # Heroku's router terminates TLS
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Health probes and OpenAI's webhook deliveries must not be bounced to https by us.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^webhooks/"]
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# --- Redis, cache -------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Heroku Key-Value Store speaks TLS with a self-signed certificate; only rediss:// gets this,
# because kombu switches to TLS whenever broker_use_ssl is set, whatever the scheme.
REDIS_TLS = REDIS_URL.startswith("rediss://")

if REDIS_URL:
    CACHES = {
        "default": {
            # Django's RedisCache with one connection pool per process (not one per thread): config/cache.py.
            "BACKEND": "config.cache.SharedPoolRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"ssl_cert_reqs": None} if REDIS_TLS else {},
        }
    }
else:
    # Shared by web, worker and beat processes on one machine, unlike locmem.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# The scrape cache holds a day of page texts; it must never share the broker's memory (Heroku
# Redis mini: 25 MB, noeviction, and a full broker refuses every task). By default it is a
# database table culled at WEB_FETCH_CACHE_MAX_ENTRIES (`createcachetable` makes it: see the
# Procfile); WEB_FETCH_CACHE_URL gives it a store of its own instead (e.g. a Redis with an
# eviction policy and a size bound), never the broker's server.
WEB_FETCH_CACHE_TABLE = "vicbot_web_fetch_cache"
WEB_FETCH_CACHE_URL = env.str("WEB_FETCH_CACHE_URL", default="")
if WEB_FETCH_CACHE_URL:
    if REDIS_URL and urlsplit(WEB_FETCH_CACHE_URL).hostname == urlsplit(REDIS_URL).hostname and (
        urlsplit(WEB_FETCH_CACHE_URL).port == urlsplit(REDIS_URL).port
    ):
        raise ImproperlyConfigured("WEB_FETCH_CACHE_URL must not be the broker's server (REDIS_URL)")
    CACHES["web_fetch"] = environ.Env.cache_url_config(WEB_FETCH_CACHE_URL)
    if WEB_FETCH_CACHE_URL.startswith("rediss://"):
        CACHES["web_fetch"]["OPTIONS"] = {"ssl_cert_reqs": None}  # as for REDIS_URL above
else:
    CACHES["web_fetch"] = {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": WEB_FETCH_CACHE_TABLE,
        # When full, a third of the entries (the oldest keys first) are dropped.
        "OPTIONS": {"MAX_ENTRIES": env.int("WEB_FETCH_CACHE_MAX_ENTRIES", default=2000), "CULL_FREQUENCY": 3},
    }

# --- Celery (config/celery_app.py reads the CELERY_* names) -----------------------------------
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
else:
    # Embedded broker: messages are files under var/broker, so worker and beat on one
    # machine need no server. Not for more than one machine.
    CELERY_BROKER_URL = "filesystem://"
    _broker_dir = VAR_DIR / "broker"
    _broker_dir.mkdir(exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # The transport polls the folder; its 1 s default would add a second to every hop of a run.
        "polling_interval": 0.1,
    }
if REDIS_TLS:
    CELERY_BROKER_USE_SSL = {"ssl_cert_reqs": ssl.CERT_NONE}
if REDIS_URL:
    # An unacknowledged message is redelivered after this long; every task's hard time
    # limit and every countdown we use stay far below it.
    # priority_steps: one list per config.enqueue.Priority value, polled in this order (kombu's default
    # 0, 3, 6, 9 had no step between a new pitch's first step and the backlog's; nothing is sent at 3).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "priority_steps": [0, 6, 8, 9]}
    # Heroku Redis mini allows 20 connections across web, worker and beat.
    CELERY_BROKER_POOL_LIMIT = env.int("CELERY_BROKER_POOL_LIMIT", default=4)

# Run state lives in the database; nothing reads Celery results.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]  # never unpickle what a broker hands us
CELERY_TIMEZONE = TIME_ZONE
# Ack after the task body returns, so a worker killed mid-task leaves the message to
# be redelivered; every task is idempotent (compare-and-set on the Run row).
CELERY_TASK_ACKS_LATE = True
# A child killed by the OS (OOM, SIGKILL) also requeues its message; the Run row's
# attempt counter keeps a poison message from looping forever.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Tasks are uneven (a tool call can take a minute): take one at a time.
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Threads, not processes: every task waits on OpenAI, Salesforce, a website or PostgreSQL, and
# the CPU-heavy work (PDF and HTML extraction) runs in its own capped child process anyway.
# Measured with `manage.py benchmark` (1,000 pitches): two prefork processes used ~430 MB and
# waited on round trips most of the time; threads share one interpreter. Each thread keeps its
# own PostgreSQL connection, so worker connections = concurrency (plus web and beat): mind the
# plan's limit. Celery ignores task time limits in this pool: every outbound call has its own
# timeout (OPENAI_TIMEOUT, SALESFORCE_TIMEOUT, each tool's), which is what bounds a task.
CELERY_WORKER_POOL = env.str("CELERY_POOL", default="threads")
CELERY_WORKER_CONCURRENCY = env.int("CELERY_CONCURRENCY", default=8)
# Every task is short by design; these catch the ones that hang anyway.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery's Django fixup closes the database connection around every task unless this is set,
# so DATABASE_CONN_MAX_AGE did nothing in the worker: every task opened a new PostgreSQL
# connection (1.0 per task in `manage.py benchmark`). Keep it for this many tasks; before each
# task config/celery_app.py still drops a connection that is broken or older than CONN_MAX_AGE.
CELERY_DB_REUSE_MAX = env.int("CELERY_DB_REUSE_MAX", default=1000)
# With acks_late, a task whose broker connection died would otherwise keep running
# while its message is redelivered elsewhere, possibly in parallel.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
# Heroku sends SIGTERM 30 s before SIGKILL; with REMAP_SIGTERM=SIGQUIT (Procfile) the
# worker finishes running tasks for this long, then requeues the rest.
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", default=20.0)
CELERY_WORKER_ENABLE_SOFT_SHUTDOWN_ON_IDLE = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# With CELERY_POOL=prefork only: a child is replaced after this many tasks: memory that parsers and abandoned tool threads
# leave behind (fragmentation, caches) goes back to the OS, and such threads end with it.
CELERY_WORKER_MAX_TASKS_PER_CHILD = env.int("CELERY_WORKER_MAX_TASKS_PER_CHILD", default=200)
# KiB of resident memory after which a child is replaced once its task ends: two children must
# fit a 512 MB dyno beside the parent (extraction itself runs capped in its own process).
CELERY_WORKER_MAX_MEMORY_PER_CHILD = env.int("CELERY_WORKER_MAX_MEMORY_PER_CHILD", default=200_000)
# No task events: nothing of ours reads them, and each task published three or four (sent, received,
# started, succeeded), about 7 % of the worker's CPU per pitch. A monitor (Flower, `celery events`)
# turns them on at run time with `celery -A config control enable_events`.
CELERY_WORKER_SEND_TASK_EVENTS = False
CELERY_TASK_SEND_SENT_EVENT = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# --- Logging ---------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Each line names the run and pitch it is about (config/log_context.py), e.g. "[run=12 pitch=4]".
    "filters": {"ids": {"()": "config.log_context.LogIdsFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(log_ids)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["ids"]}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # Never log request bodies from the SDKs: they carry pitch data and headers.
    "loggers": {"httpx2": {"level": "WARNING"}, "openai": {"level": "WARNING"}},
}

# --- Sentry: errors reported when SENTRY_DSN is set (nothing is sent otherwise) ---------------
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        # Pitches, answers and keys live in request bodies and local variables: never sent.
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
    )

# --- Vicbot ------------------------------------------------------------------------------
VICBOT_EXTRA_TOOL_MODULES = env.list("VICBOT_EXTRA_TOOL_MODULES", default=[])
# Modules imported at start-up for the completion handlers they register (apps register their own).
VICBOT_EXTRA_HANDLER_MODULES = env.list("VICBOT_EXTRA_HANDLER_MODULES", default=[])
TOOL_OUTPUT_MAX_CHARS = env.int("TOOL_OUTPUT_MAX_CHARS", default=20_000)
# Tool calls run per model turn and per run; calls past either are answered with an error the
# model reads, not run (a pitch's text can ask for twenty pages at once). A thorough evaluation
# makes 6 in its first turn (every tool of the default assistant once, as test_run_with_every_tool
# does) and a few follow-ups: 8 leaves room for a second page or founder, and 24 is three such
# turns. Each output may be TOOL_OUTPUT_MAX_CHARS (~5k tokens), re-sent on every later turn, so
# 24 also caps a run's tool context near 120k tokens.
VICBOT_MAX_TOOL_CALLS_PER_TURN = env.int("VICBOT_MAX_TOOL_CALLS_PER_TURN", default=8)
VICBOT_MAX_TOOL_CALLS_PER_RUN = env.int("VICBOT_MAX_TOOL_CALLS_PER_RUN", default=24)
# How often beat's tick looks for runs whose next check is due (and recovers lost messages).
VICBOT_TICK_SECONDS = env.float("VICBOT_TICK_SECONDS", default=10.0)
# Most polls of runs waiting on the model the tick sends in a minute (spread over its ticks):
# a safety net must never become a burst against OpenAI's request limit.
VICBOT_POLL_BUDGET_PER_MINUTE = env.int("VICBOT_POLL_BUDGET_PER_MINUTE", default=600)
# Admission starts new runs only while fewer messages than this wait in the broker: the worker's
# own back-pressure. Past it, new runs' first steps would only queue behind work in flight, their
# pitches waiting inside Celery instead of visibly as "new" (measured: 1,000 pitches admitted at
# once took 51 s each from admission at p50; see `manage.py benchmark`).
VICBOT_ADMIT_MAX_BACKLOG = env.int("VICBOT_ADMIT_MAX_BACKLOG", default=4 * CELERY_WORKER_CONCURRENCY)
# A tool call's task that has not reported this long past the tool's timeout is re-sent.
VICBOT_LOST_TASK_GRACE_SECONDS = env.float("VICBOT_LOST_TASK_GRACE_SECONDS", default=60.0)
# Each worker reports itself alive this often (a thread of the worker, vicbot/worker_liveness.py)...
VICBOT_WORKER_HEARTBEAT_SECONDS = env.float("VICBOT_WORKER_HEARTBEAT_SECONDS", default=15.0)
# ...and is presumed gone once its last report is this old (or at once, when it says it stops): the
# dashboard, the actions' warning, vicbot_status and /healthz (503) read it. Twice the interval.
HEALTH_HEARTBEAT_MAX_AGE_SECONDS = env.int("HEALTH_HEARTBEAT_MAX_AGE_SECONDS", default=30)
CELERY_BEAT_SCHEDULE = {
    "vicbot-tick": beat_entry(Task.TICK, VICBOT_TICK_SECONDS),
    "vicbot-pipelines-tick": beat_entry(Task.PIPELINES_TICK, VICBOT_TICK_SECONDS),
}

# --- OpenAI ----------------------------------------------------------------------------
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-5.4-mini")
OPENAI_TIMEOUT = env.float("OPENAI_TIMEOUT", default=30.0)
OPENAI_WEBHOOK_SECRET = env.str("OPENAI_WEBHOOK_SECRET", default="")
OPENAI_MAX_ATTEMPTS = env.int("OPENAI_MAX_ATTEMPTS", default=5)
OPENAI_POLL_MAX_SECONDS = env.float("OPENAI_POLL_MAX_SECONDS", default=30.0)
# With webhooks on, the tick polls a waiting response only this long after the last news of it:
# a safety net for a lost webhook (it polled every few seconds before: requests against OpenAI's
# rate limits that webhooks made useless).
OPENAI_WEBHOOK_SAFETY_POLL_SECONDS = env.float("OPENAI_WEBHOOK_SAFETY_POLL_SECONDS", default=180.0)
OPENAI_QUEUED_TIMEOUT = env.int("OPENAI_QUEUED_TIMEOUT", default=600)
OPENAI_RECONCILE_SECONDS = env.int("OPENAI_RECONCILE_SECONDS", default=600)
# A webhook event whose processing fails (a response OpenAI answers 404 for, an outage) is tried
# again after this long, doubling, and marked failed after OPENAI_WEBHOOK_MAX_ATTEMPTS: ~30 min
# with the defaults, and it never holds back the events behind it.
OPENAI_WEBHOOK_RETRY_SECONDS = env.float("OPENAI_WEBHOOK_RETRY_SECONDS", default=60.0)
OPENAI_WEBHOOK_MAX_ATTEMPTS = env.int("OPENAI_WEBHOOK_MAX_ATTEMPTS", default=6)
# What a run is expected to cost before any run of its assistant has a price (vicbot/services/runs/
# cost_estimate.py): reserved against a pipeline's daily spend cap while the run is in flight. About a
# 6-turn gpt-5.4-mini evaluation at list price (~40k input and ~3k output tokens); recent runs replace it.
VICBOT_RUN_COST_ESTIMATE_USD = Decimal(env.str("VICBOT_RUN_COST_ESTIMATE_USD", default="0.05"))

# --- Salesforce (client credentials, JWT bearer, or a direct session) ---------------------
SALESFORCE_DOMAIN = env.str("SALESFORCE_DOMAIN", default="")
SALESFORCE_CLIENT_ID = env.str("SALESFORCE_CLIENT_ID", default="")
SALESFORCE_CLIENT_SECRET = env.str("SALESFORCE_CLIENT_SECRET", default="")
SALESFORCE_USERNAME = env.str("SALESFORCE_USERNAME", default="")
SALESFORCE_CONSUMER_KEY = env.str("SALESFORCE_CONSUMER_KEY", default="")
SALESFORCE_PRIVATE_KEY = env.str("SALESFORCE_PRIVATE_KEY", default="")
SALESFORCE_INSTANCE_URL = env.str("SALESFORCE_INSTANCE_URL", default="")
SALESFORCE_ACCESS_TOKEN = env.str("SALESFORCE_ACCESS_TOKEN", default="")
SALESFORCE_API_VERSION = env.str("SALESFORCE_API_VERSION", default="62.0")
SALESFORCE_TIMEOUT = env.float("SALESFORCE_TIMEOUT", default=30.0)
SALESFORCE_PITCH_OBJECT = env.str("SALESFORCE_PITCH_OBJECT", default="Account")
SALESFORCE_PITCH_FILTER = env.str("SALESFORCE_PITCH_FILTER", default="VicBot_Assessment__c = null")
# Re-read this far behind the watermark: transactions commit later than their SystemModstamp.
SALESFORCE_WATERMARK_OVERLAP_SECONDS = env.int("SALESFORCE_WATERMARK_OVERLAP_SECONDS", default=300)
# Batching window under load (pipelines/services/writeback.py), at first: an answer with nothing else waiting
# is written at once; answers finishing while a write is under way go together this much later, in one call.
# Each batch costs two API calls (re-read, update), so a stream of R answers a second costs about
# 200 / (R × window) calls per 100 pitches, and adds up to the window to each pitch's time under load.
# `manage.py benchmark --pitches 1000` (R ≈ 10/s on 2 cores): 7 s made 3.1 calls per 100 pitches
# (intake included) at p95 12.5 s from admission to write; 8 s, 2.7 calls at p95 13.7 s — the
# issue's budget is 3 calls and 10 s over the model's 4 s. A pitch alone never waits for it.
SALESFORCE_WRITEBACK_DELAY_SECONDS = env.float("SALESFORCE_WRITEBACK_DELAY_SECONDS", default=8.0)
# The window widens while a stream of answers lasts, doubling each window up to this: batches fill towards
# the 200 records one call takes, so calls no longer follow the wall time. A pitch alone, a pass's last
# answers and a new pitch's answer while a backlog runs never wait for it.
SALESFORCE_WRITEBACK_MAX_DELAY_SECONDS = env.float("SALESFORCE_WRITEBACK_MAX_DELAY_SECONDS", default=30.0)
SALESFORCE_WRITEBACK_MAX_ATTEMPTS = env.int("SALESFORCE_WRITEBACK_MAX_ATTEMPTS", default=8)
# First retry of a failed write-back after this long, doubling each time (at most an hour).
SALESFORCE_WRITEBACK_RETRY_SECONDS = env.float("SALESFORCE_WRITEBACK_RETRY_SECONDS", default=30.0)
# A pitch whose run ended for a reason worth another try gets its next run after this long, doubling.
PIPELINE_RETRY_SECONDS = env.float("PIPELINE_RETRY_SECONDS", default=60.0)
# An evaluation's runs in flight at once (each replay is a full run on OpenAI, sharing its rate limits).
EVALUATION_MAX_IN_FLIGHT = env.int("EVALUATION_MAX_IN_FLIGHT", default=4)
# A paused pipeline tries one run after this long, doubling (to 30 minutes) while the problem lasts.
PIPELINE_PROBE_SECONDS = env.float("PIPELINE_PROBE_SECONDS", default=30.0)

# --- Notifications (pipelines.services.notifications) ----------------------------------------
# A Slack-compatible incoming webhook and/or email addresses (comma-separated); unset: nothing is sent.
NOTIFY_SLACK_WEBHOOK_URL = env.str("NOTIFY_SLACK_WEBHOOK_URL", default="")
NOTIFY_EMAIL_TO = env.list("NOTIFY_EMAIL_TO", default=[])
# At most one message per event kind and pipeline per this many seconds (a flapping pipeline pages once).
NOTIFY_MIN_INTERVAL_SECONDS = env.int("NOTIFY_MIN_INTERVAL_SECONDS", default=900)
NOTIFY_TIMEOUT_SECONDS = env.float("NOTIFY_TIMEOUT_SECONDS", default=10.0)
# How email leaves (django-environ's EMAIL_URL: smtp://user:password@host:587, consolemail://, filemail://…).
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="vicbot@localhost")
# No worker has reported for this long: the operator is told (checked by the pipelines' tick).
NOTIFY_NO_WORKER_AFTER_SECONDS = env.int("NOTIFY_NO_WORKER_AFTER_SECONDS", default=300)

# --- PitchBook ------------------------------------------------------------------------------
PITCHBOOK_API_URL = env.str("PITCHBOOK_API_URL", default="https://api.pitchbook.com")
PITCHBOOK_API_KEY = env.str("PITCHBOOK_API_KEY", default="")
PITCHBOOK_TIMEOUT = env.float("PITCHBOOK_TIMEOUT", default=15.0)
# PitchBook credits one run may spend (README, "PitchBook"): a typical evaluation spends 4, with
# financing and investors 6, at most 8. A lookup that could take the run past this is refused
# unmade; 12 lets every normal evaluation through with room for one retried lookup.
VICBOT_MAX_PITCHBOOK_CREDITS_PER_RUN = env.int("VICBOT_MAX_PITCHBOOK_CREDITS_PER_RUN", default=12)

# --- Decks (pipelines.services.decks) --------------------------------------------------------
# What OpenAI takes per request in files: 100 pages and 32 MB (its file-inputs guide, 2025; assumed:
# the published OpenAPI description states no such limit). A deck past either is cut or sent as text
# (the pipeline's deck_oversize).
DECK_MAX_SEND_BYTES = env.int("DECK_MAX_SEND_BYTES", default=32 * 1024 * 1024)
DECK_MAX_SEND_PAGES = env.int("DECK_MAX_SEND_PAGES", default=100)
# Past these the file is not a deck worth cutting (a 60 MB or 300-page file): the pitch is assessed
# without it, the reason recorded. A larger file is never downloaded (Salesforce states its size).
DECK_MAX_FILE_BYTES = env.int("DECK_MAX_FILE_BYTES", default=40 * 1024 * 1024)
DECK_MAX_FILE_PAGES = env.int("DECK_MAX_FILE_PAGES", default=200)
# Text sent when a deck goes as text (a PowerPoint, or a PDF per deck_oversize).
DECK_MAX_TEXT_CHARS = env.int("DECK_MAX_TEXT_CHARS", default=60_000)
# The upload's life at OpenAI (expires_after, 3600-2592000 s); a pitch evaluated after it is uploaded again.
DECK_UPLOAD_EXPIRY_SECONDS = env.int("DECK_UPLOAD_EXPIRY_SECONDS", default=2_592_000)
# Decks read at once per worker process: each holds its file in memory (up to DECK_MAX_FILE_BYTES)
# while the extraction child checks it and OpenAI receives it; more wait (queued, not in memory).
DECK_READ_CONCURRENCY = env.int("DECK_READ_CONCURRENCY", default=2)
# How long reading one deck's pages may take in the extraction child (its memory: WEB_FETCH_EXTRACT_MEMORY_MB).
DECK_EXTRACT_TIMEOUT = env.float("DECK_EXTRACT_TIMEOUT", default=60.0)

# --- Web scraping ---------------------------------------------------------------------------
# host[:port] entries allowed to resolve to private addresses (tests and the offline demo).
WEB_FETCH_PRIVATE_ALLOWLIST = env.list("WEB_FETCH_PRIVATE_ALLOWLIST", default=[])
WEB_FETCH_CONNECT_TIMEOUT = env.float("WEB_FETCH_CONNECT_TIMEOUT", default=5.0)
WEB_FETCH_TIMEOUT = env.float("WEB_FETCH_TIMEOUT", default=15.0)
WEB_FETCH_MAX_BYTES = env.int("WEB_FETCH_MAX_BYTES", default=2_000_000)
WEB_FETCH_MAX_TEXT_CHARS = env.int("WEB_FETCH_MAX_TEXT_CHARS", default=20_000)
WEB_FETCH_CACHE_SECONDS = env.int("WEB_FETCH_CACHE_SECONDS", default=86_400)
# Page and PDF text is extracted in a child process killed after this long (or when the tool's
# own time runs out), with this much memory and only the first pages of a PDF.
WEB_FETCH_EXTRACT_TIMEOUT = env.float("WEB_FETCH_EXTRACT_TIMEOUT", default=20.0)
# Memory of a worker dyno (whole process tree, summed RSS; tests/vicbot/runs/test_bounded_fan_out.py
# measures it with many heavy pages asked for at once), which must stay under a 1x dyno's 512 MB:
#   worker process, threads pool at CELERY_CONCURRENCY=8, idle       ~150-170 MB (README, CELERY_POOL)
#   + fetches in flight: WEB_FETCH_CONCURRENCY x ~6 MB (a 2 MB body, copies, threads)  4 x 6 =  24 MB
#   + multiprocessing's forkserver and resource tracker                 55 + 13 =  68 MB
#   + WEB_FETCH_EXTRACT_CONCURRENCY children x (55 MB shared with the forkserver, counted again,
#     + at most WEB_FETCH_EXTRACT_MEMORY_MB of their own)                 1 x 215 = 215 MB
#   = at most ~477 MB (measured: 430 MB at the peak, two runs asking for ten heavy pages each).
# A second child would need the cap under 70 MB, too little for real PDFs (the sample /heavy-pdf
# needs 100-128 MB; 160 reads it), and extraction is CPU-bound: a second child on a dyno's CPU
# share would hardly read faster. Further calls wait for the child within their own time, then
# get a "busy" error the model reads. Both bounds are per process: with CELERY_POOL=prefork each
# pool child has its own (and its own forkserver), so the reckoning above is per child.
WEB_FETCH_EXTRACT_MEMORY_MB = env.int("WEB_FETCH_EXTRACT_MEMORY_MB", default=160)
WEB_FETCH_EXTRACT_CONCURRENCY = env.int("WEB_FETCH_EXTRACT_CONCURRENCY", default=1)
# Fetches at once per worker process. Every Celery thread may run a turn of 8 calls: 64 bodies
# waiting for the one extraction child would add ~380 MB. Four keep a download going while the
# child reads; the rest wait within their own time, as for the child.
WEB_FETCH_CONCURRENCY = env.int("WEB_FETCH_CONCURRENCY", default=4)
WEB_FETCH_PDF_MAX_PAGES = env.int("WEB_FETCH_PDF_MAX_PAGES", default=30)
WEB_FETCH_USER_AGENT = env.str(
    "WEB_FETCH_USER_AGENT", default="VicbotResearch/1.0 (+https://github.com/vicbot; pitch screening)"
)
