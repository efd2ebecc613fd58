"""A worker process reports itself: alive when it starts and while it runs, gone as soon as it stops."""

import socket
import uuid

import pytest
from django.core.management import call_command

from tests.conftest import wait_for
from tests.support.worker import CeleryWorker
from vicbot.models import WorkerHeartbeat
from vicbot.selectors import workers_seen

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


def seen(hostname):
    return next((worker for worker in workers_seen() if worker.hostname == hostname), None)


def status_lines(hostname) -> list[str]:
    import io

    out = io.StringIO()
    try:
        call_command("vicbot_status", stdout=out)
    except SystemExit:
        pass  # other problems (or no other worker) are not this test's
    return [line.strip() for line in out.getvalue().splitlines() if line.strip().startswith(hostname)]


def test_a_worker_is_alive_from_its_start_and_gone_when_it_stops_with_no_beat_task(worker_env, tmp_path, settings):
    hostname = f"liveness-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    # Reports every second here, so "still alive while it runs" is seen without waiting 15 s.
    worker = CeleryWorker({**worker_env, "VICBOT_WORKER_HEARTBEAT_SECONDS": "1"}, tmp_path, concurrency=1,
                          name=hostname).start(ping=False)
    try:
        first = wait_for(lambda: (w := seen(hostname)) and w.alive and w, timeout=90,
                         message=f"the worker to report itself alive; see {worker.log_path}")
        assert status_lines(hostname)[0].startswith(f"{hostname}: alive")
        # While it runs, it keeps reporting on its own (no beat row names a heartbeat task).
        wait_for(lambda: seen(hostname).last_seen_at > first.last_seen_at, timeout=60,
                 message="a later report from the running worker")
    finally:
        worker.stop()

    # Gone at once (its shutdown said so), not when its last report grows old.
    row = WorkerHeartbeat.objects.get(hostname=hostname)
    assert row.stopped_at is not None, worker.log_path.read_text()[-3000:]
    assert not seen(hostname).alive
    assert status_lines(hostname)[0].startswith(f"{hostname}: gone")
