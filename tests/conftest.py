"""Shared fixtures: a real Celery worker process on the real broker and test database."""

from __future__ import annotations

import os

import pytest

from tests.support.worker import CeleryWorker, test_database_url


@pytest.fixture(scope="session")
def worker_env(django_db_setup, django_db_blocker, tmp_path_factory) -> dict[str, str]:
    """Environment for processes the tests start; fixtures for emulators add their URLs."""
    with django_db_blocker.unblock():
        url = test_database_url()
    return {"DATABASE_URL": url, "VICBOT_EXTRA_TOOL_MODULES": "tests.support.tools"}


@pytest.fixture(scope="session")
def celery_worker(worker_env, tmp_path_factory):
    from config.celery_app import app

    app.control.purge()  # nothing left over from an earlier, interrupted session
    worker = CeleryWorker(worker_env, tmp_path_factory.mktemp("worker") / "worker.log").start()
    yield worker
    worker.stop()
    if os.environ.get("CI"):
        print(open(worker.log_path).read()[-20000:])


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
