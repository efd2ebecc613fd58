"""Can Vicbot do its work? The checks behind GET /healthz.

Each returns None when its part is fine, else what went wrong, for the log only: the public
answer names failing parts, never exception text (it can carry hosts, users and paths).

A reachable broker is not enough: Heroku Redis mini refuses every write once its 25 MB are
full (noeviction), and then no task can be sent. So the broker check writes a probe and reads
it back. A worker is alive when its own heartbeat (vicbot/worker_liveness.py, every 15 s) is
recent and it has not said it stopped: that proves a worker process and the database.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from config.celery_app import app as celery_app
from vicbot.models import WorkerHeartbeat

PROBE_PREFIX = "vicbot:healthz:probe:"
PROBE_SECONDS = 30  # a probe left behind (the process died mid-check) expires by itself


def database_is_reachable() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def broker_accepts_writes() -> str | None:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            driver = conn.transport.driver_type
            if driver == "redis":
                return _redis_round_trip(conn.default_channel.client)
            if driver == "filesystem":
                return _folder_round_trip(conn.transport_options)
            return None  # another transport: a connection is all we can check
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"


def worker_is_alive() -> str | None:
    max_age = timedelta(seconds=settings.HEALTH_HEARTBEAT_MAX_AGE_SECONDS)
    try:
        last = WorkerHeartbeat.objects.filter(stopped_at__isnull=True).aggregate(last=Max("last_seen_at"))["last"]
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    if last is None:
        return "no running worker has written a heartbeat"
    age = timezone.now() - last
    if age > max_age:
        return f"the last worker heartbeat is {age.total_seconds():.0f} s old (more than {max_age.total_seconds():.0f} s)"
    return None


def _redis_round_trip(client) -> str | None:
    key, token = PROBE_PREFIX + uuid.uuid4().hex, uuid.uuid4().hex
    client.set(key, token, ex=PROBE_SECONDS)  # raises OOM on a full noeviction Redis
    try:
        if client.get(key) != token.encode():
            return "the broker did not return the probe it had just stored"
    finally:
        client.delete(key)
    return None


def _folder_round_trip(options: dict) -> str | None:
    # The embedded broker's messages are files: the folder must take a new one.
    folder = Path(options.get("data_folder_out") or ".")
    token = uuid.uuid4().hex.encode()
    fd, path = tempfile.mkstemp(dir=folder, prefix=".healthz-", suffix=".probe")
    try:
        os.write(fd, token)
        os.close(fd)
        if Path(path).read_bytes() != token:
            return f"the broker folder {folder} did not keep the probe written to it"
    finally:
        Path(path).unlink(missing_ok=True)
    return None
