"""A worker dyno's own CPU on a shared benchmark machine (`benchmark --worker-cpu CORES`).

On Heroku each worker dyno has its own CPU; on the benchmark machine the workers share its cores with the
emulators, web, beat and PostgreSQL, so a second worker process soon measures the machine, not the scale-out.
Capping each worker's process tree (a Linux CPU cgroup: quota per period) makes the workers the bound, as
dynos are, while the machine keeps room for the rest: then `--workers 2` against `--workers 1` shows what a
second dyno adds, and whether anything they share (tick, admission, write-back flush, allowance) holds it back.
Needs a writable CPU cgroup controller (root, cgroup v1 `cpu` or v2 with `cpu` enabled).
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PERIOD_US = 100_000


class CpuCapUnavailable(RuntimeError):
    pass


class CpuCap:
    """One cgroup capped at `cores`; a command wrapped by `wrap` runs in it, and its children with it."""

    def __init__(self, cores: float, name: str):
        if not 0 < cores <= (os.cpu_count() or 1):
            raise CpuCapUnavailable(f"--worker-cpu must be above 0 and at most the machine's {os.cpu_count()} cores")
        quota = max(int(cores * PERIOD_US), 1000)
        v1 = CGROUP_ROOT / "cpu"
        if (v1 / "cpu.cfs_quota_us").exists():
            self.path, writes = v1 / name, {"cpu.cfs_period_us": str(PERIOD_US), "cpu.cfs_quota_us": str(quota)}
        elif "cpu" in _read(CGROUP_ROOT / "cgroup.subtree_control").split():
            self.path, writes = CGROUP_ROOT / name, {"cpu.max": f"{quota} {PERIOD_US}"}
        else:
            raise CpuCapUnavailable("--worker-cpu needs a CPU cgroup controller (cgroup v1 'cpu', or v2 with 'cpu' "
                                    f"in {CGROUP_ROOT / 'cgroup.subtree_control'})")
        try:
            self.path.mkdir(exist_ok=True)
            for file, value in writes.items():
                (self.path / file).write_text(value)
        except OSError as exc:
            raise CpuCapUnavailable(f"--worker-cpu cannot make a CPU cgroup at {self.path} ({exc}); it needs root") \
                from exc

    def wrap(self, command: list[str]) -> list[str]:
        """The shell joins the cgroup, then becomes the command (same pid): nothing it starts escapes the cap."""
        return ["sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.path / "cgroup.procs"), *command]

    def throttled_share(self) -> float | None:
        """Of the periods in which the tree wanted CPU, the share it was held back: near 1, the cap was the bound."""
        stat = dict(line.split() for line in _read(self.path / "cpu.stat").splitlines() if line.count(" ") == 1)
        periods = int(stat.get("nr_periods", 0))
        return int(stat.get("nr_throttled", 0)) / periods if periods else None

    def close(self) -> None:
        """Called once its worker has stopped: what of the tree is still exiting (the extraction forkserver and its
        children outlive the worker by a moment) is killed, and the cgroup removed once empty (one with members
        cannot be; left behind, it would outlive the benchmark)."""
        deadline = time.monotonic() + 10
        while (members := [int(pid) for pid in _read(self.path / "cgroup.procs").split()]) \
                and time.monotonic() < deadline:
            for pid in members:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            time.sleep(0.05)
        try:
            self.path.rmdir()
        except OSError:
            pass


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""
