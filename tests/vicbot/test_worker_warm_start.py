"""A fresh worker starts its extraction forkserver as it starts, not at the first page a tool reads.

The first extraction in a fresh worker process waited up to 0.85 s for the forkserver to start and
import the parsers (issue 21): a tool call paid it, in the pitch's time.
"""

import socket
import uuid

import pytest

from tests.conftest import wait_for
from tests.support.process_tree import FORKSERVER_MARK, extraction_children, group_members
from tests.support.worker import CeleryWorker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.mark.parametrize("pool", ["threads", "prefork"])
def test_a_fresh_worker_has_its_extraction_forkserver_before_any_page_is_read(worker_env, tmp_path, pool):
    hostname = f"warm-{pool}-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    worker = CeleryWorker({**worker_env, "CELERY_POOL": pool}, tmp_path, concurrency=1, name=hostname)
    worker.start(ping=False)
    try:
        servers = wait_for(
            lambda: [m for m in group_members(worker.process.pid) if FORKSERVER_MARK in m.cmdline], timeout=90,
            message=f"the worker's forkserver to start with it; see {worker.log_path}")
        members = group_members(worker.process.pid)
        # One, in the process that runs the tools: the worker itself with threads, its pool child with
        # prefork (a prefork parent runs no tool, and a forkserver shared across a fork would be unsafe).
        assert len(servers) == 1
        pool_children = {m.pid for m in members if m.parent == worker.process.pid and FORKSERVER_MARK not in m.cmdline
                         and b"resource_tracker" not in m.cmdline}
        expected_parents = {worker.process.pid} if pool == "threads" else pool_children
        assert servers[0].parent in expected_parents
        assert not extraction_children(members)  # started, with nothing read yet
    finally:
        worker.stop()
