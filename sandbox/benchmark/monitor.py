"""Peak memory while the benchmark runs: the worker's whole process tree (from /proc) and Redis."""

from __future__ import annotations

import os
import threading
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")


def tree_rss_bytes(root_pid: int) -> int:
    """Resident memory of `root_pid` and all its descendants (prefork children included)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: the fields start after the last ')'.
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    total, todo = 0, [root_pid]
    while todo:
        pid = todo.pop()
        try:
            total += int((Path(f"/proc/{pid}/statm")).read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            continue
        todo.extend(children.get(pid, ()))
    return total


class PeakSampler:
    """Samples every `interval` seconds in a thread; keeps the peaks."""

    def __init__(self, *, worker_pid: int, redis_url: str | None, interval: float = 0.5):
        self.worker_pid = worker_pid
        self.interval = interval
        self.peak_rss = 0
        self.peak_redis = 0
        self._redis = None
        if redis_url:
            import redis

            self._redis = redis.Redis.from_url(redis_url)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="benchmark-sampler", daemon=True)

    def start(self) -> PeakSampler:
        self.sample()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sample()

    def sample(self) -> None:
        self.peak_rss = max(self.peak_rss, tree_rss_bytes(self.worker_pid))
        if self._redis is not None:
            try:
                self.peak_redis = max(self.peak_redis, int(self._redis.info("memory")["used_memory"]))
            except Exception:  # noqa: BLE001 - a flushed or restarting Redis must not end the benchmark
                pass

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()
