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


CELERY = [sys.executable, "-m", "celery", "-A", "config"]


def worker_command(*, concurrency: int | None = None, pool: str | None = None) -> list[str]:
    """The Procfile's worker (plus a node name, so two demos on one host do not collide); pool and
    concurrency are the settings' (CELERY_POOL, CELERY_CONCURRENCY) unless given."""
    return [*CELERY, "worker", "-l", "INFO", "--without-gossip", "--without-mingle", "-n", f"demo-{os.getpid()}@%h",
            *(["--concurrency", str(concurrency)] if concurrency else []), *(["--pool", pool] if pool else [])]


def beat_command() -> list[str]:
    return [*CELERY, "beat", "-l", "INFO", "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"]


def process_environment(environment: dict[str, str]) -> dict[str, str]:
    return {**os.environ, **environment, "DATABASE_URL": database_url(), "VICBOT_VAR_DIR": str(settings.VAR_DIR)}


def start_processes(stack: ExitStack, *, environment: dict[str, str], log_dir: Path, concurrency: int | None,
                    pool: str | None = None) -> dict[str, subprocess.Popen]:
    env = process_environment(environment)
    commands = {"worker": worker_command(concurrency=concurrency, pool=pool), "beat": beat_command()}
    return {name: start_process(stack, command, env=env, log_path=log_dir / f"{name}.log")
            for name, command in commands.items()}


def start_process(stack: ExitStack, command: list[str], *, env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """One process in its own session (so stopping it stops its children), logging to `log_path`."""
    log = stack.enter_context(open(log_path, "a"))
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    stack.callback(stop_process, process)
    return process


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
