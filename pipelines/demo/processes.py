"""A Celery worker and beat for the demo: the same commands as the Procfile's dynos."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.db import connection

REPO = Path(settings.BASE_DIR)


def database_url() -> str:
    """This process's database, as a URL for the processes it starts (demo and tests)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    auth = s["USER"] or ""
    if s.get("PASSWORD"):
        auth += f":{s['PASSWORD']}"
    return f"postgres://{auth}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{s['NAME']}"


def start_processes(stack: ExitStack, *, environment: dict[str, str], log_dir: Path, concurrency: int) -> None:
    env = {**os.environ, **environment, "DATABASE_URL": database_url(), "VICBOT_VAR_DIR": str(settings.VAR_DIR)}
    celery = [sys.executable, "-m", "celery", "-A", "config"]
    commands = {
        "worker": [*celery, "worker", "-l", "INFO", "--concurrency", str(concurrency), "--without-gossip",
                   "--without-mingle", "-n", f"demo-{os.getpid()}@%h"],
        "beat": [*celery, "beat", "-l", "INFO", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"],
    }
    for name, command in commands.items():
        log = stack.enter_context(open(log_dir / f"{name}.log", "w"))
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                   start_new_session=True)
        stack.callback(_stop, process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
