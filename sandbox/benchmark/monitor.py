"""What the benchmark samples while it runs, from /proc: each worker's whole process tree (memory, CPU),
the CPU of the database's backends serving this database, runs in flight, and Redis's memory."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str] | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name is in parentheses and may hold spaces: the fields start after the last ')', at field 3.
    return stat.rsplit(")", 1)[1].split()


def _children() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat_fields(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def tree_pids(root_pid: int, children: dict[int, list[int]] | None = None) -> list[int]:
    children = _children() if children is None else children
    pids, todo = [], [root_pid]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    return pids


def tree_rss_bytes(root_pid: int, children: dict[int, list[int]] | None = None) -> int:
    """Resident memory of `root_pid` and all its descendants (prefork children, forkserver, extraction)."""
    total = 0
    for pid in tree_pids(root_pid, children):
        try:
            total += int((Path(f"/proc/{pid}/statm")).read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


def process_cpu_seconds(pid: int, *, with_children: bool = True) -> float:
    """utime + stime, plus (with_children) the CPU of its children that ended and were waited for."""
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    # utime, stime, cutime, cstime are fields 14-17: indexes 11-14 counted from field 3.
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if with_children else 0)
    return ticks / TICKS


def machine_busy_seconds() -> float:
    """CPU seconds every core of the machine spent busy so far (all processes: /proc/stat's first line,
    less idle and iowait). Divided by a pass's wall time: how many cores the whole machine had in use."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    user, nice, system, idle, iowait, irq, softirq = fields
    return (user + nice + system + irq + softirq) / TICKS


def tree_cpu_seconds(root_pid: int, children: dict[int, list[int]] | None = None) -> float:
    """CPU seconds of a whole tree so far: the live processes' own, and every ended child's (counted in
    the parent that waited for it: extraction children in the forkserver, prefork children in the worker)."""
    return sum(process_cpu_seconds(pid) for pid in tree_pids(root_pid, children))


class PeakSampler:
    """Samples every `interval` seconds in a thread; keeps the peaks, and the samples of `in_flight()`."""

    def __init__(self, *, worker_pids: list[int], redis_url: str | None, interval: float = 0.5,
                 in_flight: Callable[[], tuple[int, int | None]] | None = None,
                 database_backends: Callable[[], list[int]] | None = None):
        self.worker_pids = list(worker_pids)
        self.interval = interval
        self.peak_rss = 0  # all workers' trees together
        self.peak_rss_by_worker: dict[int, int] = {}  # index → its tree's peak
        self.peak_redis = 0
        self.peak_redis_clients = 0  # connections to this Redis db (the server may serve others too)
        self.peak_database_backends = 0  # PostgreSQL connections to this database, the benchmark's own excepted
        self.in_flight_samples: list[tuple[int, int | None]] = []  # (pitches evaluating, allowance)
        self.backend_cpu: dict[int, tuple[float, float]] = {}  # backend pid → (CPU when first seen, latest)
        self._in_flight = in_flight
        self._database_backends = database_backends
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="benchmark-sampler", daemon=True)

    @property
    def worker_pid(self) -> int:
        return self.worker_pids[0]

    @worker_pid.setter
    def worker_pid(self, pid: int) -> None:
        self.worker_pids[0] = pid

    def start(self) -> PeakSampler:
        self.sample(first=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sample()

    def database_cpu_seconds(self) -> float:
        return sum(latest - first for first, latest in self.backend_cpu.values())

    def sample(self, *, first: bool = False) -> None:
        children = _children()
        total = 0
        for index, pid in enumerate(self.worker_pids):
            rss = tree_rss_bytes(pid, children)
            total += rss
            self.peak_rss_by_worker[index] = max(self.peak_rss_by_worker.get(index, 0), rss)
        self.peak_rss = max(self.peak_rss, total)
        if self._redis is not None:
            try:
                self.peak_redis = max(self.peak_redis, int(self._redis.info("memory")["used_memory"]))
                db = self._redis.connection_pool.connection_kwargs.get("db", 0)
                ours = [c for c in self._redis.client_list() if int(c.get("db", -1)) == db]
                self.peak_redis_clients = max(self.peak_redis_clients, len(ours) - 1)  # less the sampler's
            except Exception:  # noqa: BLE001 - a flushed or restarting Redis must not end the benchmark
                pass
        if self._database_backends is not None:
            backends = self._database_backends()
            self.peak_database_backends = max(self.peak_database_backends, len(backends))
            for pid in backends:
                cpu = process_cpu_seconds(pid, with_children=False)
                # A backend that starts during the pass started at 0; one already there counts from now.
                start, _ = self.backend_cpu.get(pid, (cpu if first else 0.0, 0.0))
                self.backend_cpu[pid] = (start, max(cpu, self.backend_cpu.get(pid, (0.0, 0.0))[1]))
        if self._in_flight is not None and not first:
            self.in_flight_samples.append(self._in_flight())

    def _loop(self) -> None:
        from django.db import connection

        try:
            while not self._stop.wait(self.interval):
                self.sample()
        finally:
            connection.close()  # this thread's own
