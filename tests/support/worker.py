"""A real `celery worker` process for the tests, on the same broker and test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


class CeleryWorker:
    def __init__(self, env: dict[str, str], folder: Path, concurrency: int = 3, name: str = ""):
        self.env = env
        self.name = name or f"test-{os.getpid()}@%h"  # another name: a second worker beside the session's
        self.folder = folder
        self.log_path = folder / "worker.log"
        self.concurrency = concurrency
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 60, *, ping: bool = True) -> CeleryWorker:
        """`ping=False`: a worker on a broker of its own (the filesystem one, REDIS_URL empty), which this
        process's app cannot ping; the caller waits for the work it expects instead."""
        from config.celery_app import app

        self.log = open(self.log_path, "a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "INFO",
             "--concurrency", str(self.concurrency), "--without-gossip", "--without-mingle",
             "-n", self.name,
             # Beat inside the worker, on a file schedule: the tick without a second process.
             "--beat", "--scheduler", "celery.beat:PersistentScheduler",
             "--schedule", str(self.folder / "beat-schedule")],
            cwd=REPO, env={**os.environ, **self.env}, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so kill() reaches the pool children too
        )
        if not ping:
            return self
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"celery worker exited early; see {self.log_path}")
            if app.control.ping(timeout=0.5):
                return self
        raise RuntimeError(f"celery worker did not answer a ping in {timeout}s; see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool): a crashed dyno, not a polite stop."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def restart(self) -> CeleryWorker:
        self.kill()
        self.log.close()
        return self.start()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def only_these_workers(*rows):
    """The heartbeat rows this test sets, and no other: the table is locked for the test's transaction,
    so a worker of the session that reports meanwhile waits until the test is over."""
    from django.db import connection

    from vicbot.models import WorkerHeartbeat

    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {WorkerHeartbeat._meta.db_table} IN EXCLUSIVE MODE")
    WorkerHeartbeat.objects.all().delete()
    for hostname, last_seen_at, stopped_at in rows:
        WorkerHeartbeat.objects.create(hostname=hostname, last_seen_at=last_seen_at, stopped_at=stopped_at)
