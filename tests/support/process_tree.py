"""A worker's processes and their memory, read from /proc (psutil is not a dependency).

The test worker runs in a session of its own (tests/support/worker.py), so its process group
holds everything it started: the Celery process, the embedded beat, multiprocessing's resource
tracker and forkserver, and the extraction children the forkserver forks. The sampler leaves
the embedded beat out: a dyno does not run it.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass

FORKSERVER_MARK = b"multiprocessing.forkserver"


@dataclass(frozen=True)
class Member:
    pid: int
    parent: int
    rss_bytes: int
    cmdline: bytes


def group_members(group: int) -> list[Member]:
    """The live processes of process group `group` (zombies hold no memory and are left out)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # The command name is in parentheses and may hold spaces: split after it.
                state, parent, pgrp = stat.read().rsplit(")", 1)[1].split()[:3]
            if int(pgrp) != group or state == "Z":
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read()
            members.append(Member(int(entry), int(parent), _rss_bytes(entry), command))
        except (OSError, ValueError):
            continue  # it ended while we looked
    return members


def _rss_bytes(pid: str) -> int:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0  # a kernel thread or a process on its way out


def extraction_children(members: list[Member]) -> list[Member]:
    """The processes forked by a forkserver: text extractions (integrations/web/isolated.py)."""
    servers = {m.pid for m in members if FORKSERVER_MARK in m.cmdline}
    return [m for m in members if m.parent in servers]


class TreeSampler:
    """Samples a process group in a thread until stopped; keeps the peaks.

    RSS is summed over the processes, so pages they share (the forkserver's, in each child) count
    once per process: an upper bound on what the group holds, never an underestimate.
    """

    def __init__(self, group: int):
        self.group = group  # the worker's pid: it leads its group
        self.samples = 0
        self.peak_rss_bytes = 0
        self.peak_members: list[Member] = []
        self.most_children = 0
        self.extraction_pids: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tree-sampler", daemon=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(10)

    def sample(self) -> None:
        members = [m for m in group_members(self.group) if not self._embedded_beat(m)]
        children = extraction_children(members)
        total = sum(m.rss_bytes for m in members)
        self.samples += 1
        if total > self.peak_rss_bytes:
            self.peak_rss_bytes, self.peak_members = total, members
        self.most_children = max(self.most_children, len(children))
        self.extraction_pids |= {m.pid for m in children}

    def _embedded_beat(self, member: Member) -> bool:
        """The test worker runs beat inside itself (`--beat`), as a forked child; a dyno does not
        (beat has its own, Procfile). With the threads pool it is the worker's only Celery child."""
        return member.parent == self.group and b"celery" in member.cmdline

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(0.02)
