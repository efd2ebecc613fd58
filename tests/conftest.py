"""Shared fixtures: a real Celery worker process on the real broker and test database."""

from __future__ import annotations

import importlib
import os

import pytest

from tests.support import emulators
from tests.support.worker import CeleryWorker
from sandbox.demo.processes import database_url


# Settings shared by this test process and the worker it starts (as environment).
ENGINE_SETTINGS = {
    "OPENAI_API_KEY": emulators.OPENAI_API_KEY,
    "OPENAI_WEBHOOK_SECRET": emulators.WEBHOOK_SECRET,
    "OPENAI_TIMEOUT": "2",
    "OPENAI_MAX_ATTEMPTS": "3",
    "OPENAI_QUEUED_TIMEOUT": "2",
    "VICBOT_TICK_SECONDS": "0.5",
    "OPENAI_WEBHOOK_SAFETY_POLL_SECONDS": "1",  # lost webhooks and stuck responses found in tests' time
    "VICBOT_LOST_TASK_GRACE_SECONDS": "2",
    "VICBOT_EXTRA_TOOL_MODULES": "tests.support.tools",
    "VICBOT_EXTRA_HANDLER_MODULES": "tests.support.handlers",
    "SALESFORCE_WRITEBACK_RETRY_SECONDS": "1",
    "SALESFORCE_WRITEBACK_DELAY_SECONDS": "1",
    "PIPELINE_RETRY_SECONDS": "0.5",
    "PIPELINE_PROBE_SECONDS": "1",
    "OPENAI_WEBHOOK_RETRY_SECONDS": "0.2",  # a webhook event that cannot be processed gives up in tests' time
    "OPENAI_WEBHOOK_MAX_ATTEMPTS": "3",
}


@pytest.fixture(scope="session", autouse=True)
def test_tools_registered():
    """The misbehaving tools of tests/support/tools.py, in this process as in the worker."""
    from django.conf import settings

    from tools.registry import registry

    settings.VICBOT_EXTRA_TOOL_MODULES = [ENGINE_SETTINGS["VICBOT_EXTRA_TOOL_MODULES"]]
    registry.cache_clear()
    importlib.import_module(ENGINE_SETTINGS["VICBOT_EXTRA_HANDLER_MODULES"])  # as VicbotConfig.ready does


@pytest.fixture(scope="session")
def openai_emulator():
    from sandbox.emulators.openai import OpenAIEmulator

    emulator = OpenAIEmulator(
        api_key=emulators.OPENAI_API_KEY, webhook_secret=emulators.WEBHOOK_SECRET,
        queued_seconds=0.05, run_seconds=0.15,
    ).start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def salesforce_emulator():
    from sandbox.emulators.salesforce import SalesforceEmulator

    emulator = SalesforceEmulator(page_size=200).start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def pitchbook_emulator():
    from sandbox.emulators.pitchbook import PitchBookEmulator

    emulator = PitchBookEmulator(api_key=emulators.PITCHBOOK_API_KEY).start()
    yield emulator
    emulator.stop()


@pytest.fixture(scope="session")
def sample_sites():
    from sandbox.sample_sites import SampleSites

    sites = SampleSites().start()
    yield sites
    sites.stop()


@pytest.fixture(scope="session")
def slack_receiver():
    """Where the worker's notifications go (NOTIFY_SLACK_WEBHOOK_URL): a loopback incoming webhook."""
    from sandbox.slack import SlackReceiver

    receiver = SlackReceiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="session")
def engine_settings(openai_emulator, salesforce_emulator, pitchbook_emulator, sample_sites, slack_receiver,
                    live_server):
    """Point this process at the emulators, as the worker's environment does."""
    from django.conf import settings

    from integrations import openai, salesforce
    from tools.registry import registry

    openai_emulator.webhook_url = f"{live_server.url}/webhooks/openai/"

    values = {
        **ENGINE_SETTINGS,
        "OPENAI_BASE_URL": openai_emulator.base_url,
        # The direct-session mode, over TLS with the emulator's own CA: how a worker
        # process reaches it unchanged (the login flows are tested in-process).
        "SALESFORCE_INSTANCE_URL": salesforce_emulator.instance_url,
        "SALESFORCE_ACCESS_TOKEN": salesforce_emulator.access_token,
        "PITCHBOOK_API_URL": pitchbook_emulator.base_url,
        "PITCHBOOK_API_KEY": emulators.PITCHBOOK_API_KEY,
        # localhost too: an injected URL's host is reachable, so only the URL policy stands in its way.
        "WEB_FETCH_PRIVATE_ALLOWLIST": f"{sample_sites.host_port},localhost:{sample_sites.port}",
        "NOTIFY_SLACK_WEBHOOK_URL": slack_receiver.url,
    }
    for name, value in values.items():
        current = getattr(settings, name)
        setattr(settings, name, value.split(",") if isinstance(current, list) else type(current)(value))
    os.environ["REQUESTS_CA_BUNDLE"] = str(salesforce_emulator.ca_bundle)
    openai.reset_client()
    salesforce.reset_client()
    registry.cache_clear()
    return {**values, "REQUESTS_CA_BUNDLE": str(salesforce_emulator.ca_bundle)}


@pytest.fixture(scope="session")
def worker_env(django_db_setup, django_db_blocker, engine_settings) -> dict[str, str]:
    """Environment for the processes the tests start."""
    with django_db_blocker.unblock():
        url = database_url()
    return {"DATABASE_URL": url, **engine_settings}


_session_worker: list[CeleryWorker] = []  # the worker below, while it runs


@pytest.fixture(scope="session")
def celery_worker(worker_env, tmp_path_factory, django_db_blocker):
    from config.celery_app import app

    app.control.purge()  # nothing left over from an earlier, interrupted session
    worker = CeleryWorker(worker_env, tmp_path_factory.mktemp("worker")).start()
    _session_worker.append(worker)
    yield worker
    _session_worker.clear()
    worker.stop()
    with django_db_blocker.unblock():
        wait_for_other_connections_to_close()
    if os.environ.get("CI"):
        print(worker.log_path.read_text()[-20000:])


@pytest.fixture
def default_assistant(db):
    """The `vicbot` assistant as `migrate` creates it (a transactional test's flush removes it)."""
    from django.apps import apps

    importlib.import_module("vicbot.migrations.0002_default_assistant_and_prices").create(apps, None)
    importlib.import_module("vicbot.migrations.0008_run_lifecycle_fields").existing_rows(apps, None)


@pytest.fixture
def salesforce(salesforce_emulator, engine_settings):
    """The Salesforce emulator with an empty org and no faults."""
    salesforce_emulator.org.clear()
    salesforce_emulator.faults.clear()
    salesforce_emulator.page_size = 200
    yield salesforce_emulator
    salesforce_emulator.faults.clear()


@pytest.fixture
def openai_emu(openai_emulator):
    """The emulator, with no faults (nor rate limits, nor their use) left over from another test."""
    from sandbox.emulators.openai.ratelimit import DEFAULT_REQUESTS_PER_MINUTE, DEFAULT_TOKENS_PER_MINUTE
    from sandbox.emulators.openai.server import KNOWN_MODELS

    def reset():
        openai_emulator.faults.clear()
        openai_emulator.duplicate_webhooks = False
        openai_emulator.context_window_tokens = None
        openai_emulator.models = list(KNOWN_MODELS)
        openai_emulator.rate_limits.requests_per_minute = DEFAULT_REQUESTS_PER_MINUTE
        openai_emulator.rate_limits.tokens_per_minute = DEFAULT_TOKENS_PER_MINUTE
        openai_emulator.flex_slowdown, openai_emulator.flex_unavailable_share = 2.0, 0.0
        openai_emulator.rate_limits.clear()  # it enforces its limits: no test spends another's minute

    reset()
    yield openai_emulator
    reset()


@pytest.fixture
def operator(client):
    """The test client, logged in as a superuser."""
    from django.contrib.auth.models import User

    client.force_login(User.objects.create_superuser("op", "op@example.com", "pw"))
    return client


@pytest.fixture
def staff(client):
    """Log in a staff user holding only the given permissions ("app.codename")."""
    from django.contrib.auth.models import Permission, User

    def login(*perms: str):
        user = User.objects.create_user(f"staff{User.objects.count()}", password="pw", is_staff=True)
        for perm in perms:
            app_label, codename = perm.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        client.force_login(user)
        return client

    return login


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Before a transactional test's tables are flushed, let the worker finish what the test started.

    A task the test enqueued last (an admission after "Resume now", say) may still hold row locks
    when the flush's TRUNCATE takes its table locks one by one: PostgreSQL then breaks the deadlock
    by failing the flush, and the next test finds the last one's rows.
    """
    if _session_worker and _is_transactional(item):
        from django.db import connection

        if connection.vendor == "postgresql":
            _wait_for_worker_quiet(connection)
    yield


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


def _wait_for_worker_quiet(connection, *, settle: int = 3, timeout: float = 10) -> None:
    """No message waiting in the broker's queues and no other session in a transaction, `settle` checks running."""
    import time

    import redis
    from django.conf import settings

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    quiet, deadline = 0, time.monotonic() + timeout
    while quiet < settle and time.monotonic() < deadline:
        queued = sum(broker.llen(key) for key in broker.scan_iter(match="celery*", _type="list"))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND state <> 'idle'")
            busy = cursor.fetchone()[0]
        quiet = quiet + 1 if not (queued or busy) else 0
        time.sleep(0.05)


def wait_for_other_connections_to_close() -> None:
    """The worker's connections end a moment after it does; the test database is dropped next."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return

    def others_gone():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid()")
            return cursor.fetchone()[0] == 0

    try:
        wait_for(others_gone, timeout=10, message="the worker's database connections to close")
    except AssertionError:
        pass  # the live server may keep one; dropping the database will say so


def wait_for(predicate, *, timeout: float = 30, interval: float = 0.1, message: str = "condition"):
    """Poll `predicate` until it returns something truthy; fail the test after `timeout` seconds."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")
