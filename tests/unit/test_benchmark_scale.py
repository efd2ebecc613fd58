"""The benchmark's scale-out figures: the rate-limit bound, CPU of a whole process tree, and what fails CI."""

import os
import signal
import subprocess
import sys
import time

import pytest

from sandbox.benchmark.cpu_cap import CpuCap, CpuCapUnavailable
from sandbox.benchmark.figures import SCALE_ROWS, compute_scale, cpu_cap_row, rate_limit_bound_seconds, table
from sandbox.benchmark.monitor import machine_busy_seconds, process_cpu_seconds, tree_cpu_seconds
from sandbox.management.commands.benchmark import scale_out_problems
from tests.conftest import wait_for


def test_the_rate_limit_bound_is_what_binds_at_the_limits_plus_one_pitch():
    # 1,000 pitches of ~50k tokens at 2M tokens a minute: 25 minutes of tokens; requests bind less.
    assert rate_limit_bound_seconds(tokens=50_000_000, requests=4_000, tokens_per_minute=2_000_000,
                                    requests_per_minute=10_000, intrinsic_seconds=4.0) == pytest.approx(1504.0)
    # Requests bind when they are the scarcer.
    assert rate_limit_bound_seconds(tokens=1_000, requests=600, tokens_per_minute=2_000_000,
                                    requests_per_minute=60, intrinsic_seconds=4.0) == pytest.approx(604.0)


def test_scale_figures_per_pitch_with_runs_in_flight_against_the_allowance():
    figures = compute_scale(
        pitches=10, wall_seconds=20.0, intrinsic_seconds=4.0,
        cpu={"worker-0": 1.5, "worker-1": 0.5, "web": 0.2, "beat": 0.1, "emulators": 0.3, "machine": 36.0},
        database_cpu=0.4,
        peak_rss_by_worker={1: 150 * 2**20, 0: 160 * 2**20}, in_flight=[(2, 50), (6, 54), (10, None)],
        tokens=600_000, requests=40, tokens_per_minute=2_000_000, requests_per_minute=5_000,
        tasks_by_worker={"worker-0": 30, "worker-1": 27},
    )
    assert figures["workers"] == 2
    assert (figures["worker_cpu_per_pitch"], figures["web_cpu_per_pitch"], figures["beat_cpu_per_pitch"],
            figures["database_cpu_per_pitch"]) == (0.2, 0.02, 0.01, 0.04)
    assert figures["worker_peak_rss_mb_each"] == [160.0, 150.0]
    # The whole machine's busy CPU over the wall time: how many cores the pass had in use.
    assert (figures["machine_cores_busy"], figures["emulators_cpu_per_pitch"]) == (1.8, 0.03)
    assert (figures["in_flight_mean"], figures["in_flight_max"]) == (6.0, 10)
    assert (figures["allowance_mean"], figures["allowance_max"]) == (52.0, 54)
    assert figures["rate_limit_bound_seconds"] == 22.0  # 600k / 2M tokens a minute = 18 s, + 4 s
    assert figures["wall_over_bound"] == 0.91
    lines = table(figures, title="t", rows=SCALE_ROWS)
    assert any("0.2 / 0.02 / 0.01 / 0.04" in line for line in lines)
    assert any("2 (30, 27)" in line for line in lines)


def test_a_trees_cpu_counts_its_children_that_already_ended():
    """An extraction child spins, ends and is waited for: its CPU stays counted in the tree's root."""
    spinner = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
    # The parent stays alive (its CPU readable) until the test closes its stdin.
    parent = subprocess.Popen([sys.executable, "-c",
                               f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {spinner!r}])\n"
                               "print('done', flush=True)\nsys.stdin.read()"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "done"  # the child ended and was waited for
        assert process_cpu_seconds(parent.pid, with_children=False) < 0.3
        assert tree_cpu_seconds(parent.pid) >= 0.3
    finally:
        parent.stdin.close()
        parent.wait()


FINE = {"pitches": 20, "written_back": 20, "failed": 0, "workers": 2,
        "tasks_by_worker": {"worker-0": 60, "worker-1": 54}}


@pytest.mark.parametrize("broken, says", [
    ({"written_back": 17}, "17 of 20 pitches written back"),
    ({"failed": 2, "written_back": 18}, "2 pitches failed"),
    ({"tasks_by_worker": {"worker-0": 114, "worker-1": 0}}, "workers that ran no task: worker-1"),
    ({"tasks_by_worker": {"worker-0": 114}}, "workers that ran no task"),
])
def test_ci_fails_a_broken_scale_out(broken, says):
    assert scale_out_problems(FINE) == []
    assert any(says in problem for problem in scale_out_problems({**FINE, **broken}))


def test_the_machine_busy_figure_counts_the_cpu_any_process_spends():
    before, spent_from = machine_busy_seconds(), time.process_time()
    while time.process_time() - spent_from < 0.3:  # this process's own CPU: the machine's busy time grows by it
        sum(range(1_000))
    # Others add to it, never take away; a tick (1/100 s) of rounding at each end.
    assert machine_busy_seconds() - before >= time.process_time() - spent_from - 0.02


def test_a_worker_cpu_cap_holds_a_process_tree_to_its_share_of_a_core():
    """--worker-cpu: a spinning child of the capped process is held to the cap (the suite runs as root, as CI
    does; the cgroup is its own and removed after)."""
    cap = CpuCap(0.1, f"vicbot-test-{os.getpid()}")
    try:
        spinner = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\n"
        started = time.monotonic()
        subprocess.run(cap.wrap([sys.executable, "-c", f"import subprocess, sys\n"
                                                       f"subprocess.run([sys.executable, '-c', {spinner!r}])"]),
                       check=True)
        # 0.3 s of CPU at 0.1 core takes at least ~3 s of wall time, however idle the machine (a busy one only
        # adds); uncapped it would take 0.3 s.
        assert time.monotonic() - started >= 2.0
        assert cap.throttled_share() > 0
    finally:
        cap.close()
    assert not cap.path.exists()


def test_a_cap_beyond_the_machine_is_refused_and_the_table_names_each_workers_cap():
    with pytest.raises(CpuCapUnavailable, match="at most the machine's"):
        CpuCap((os.cpu_count() or 1) + 1, "vicbot-test-too-much")
    assert cpu_cap_row({"worker_cpu_cap": None}).startswith("none")
    assert cpu_cap_row({"worker_cpu_cap": 0.5, "worker_cpu_throttled": [0.91, None]}) == "0.5 core (91% / -)"


def test_closing_a_cap_ends_what_of_the_tree_still_runs_and_removes_the_cgroup():
    """A worker's children can outlive it by a moment; the cgroup must not outlive the benchmark."""
    cap = CpuCap(0.5, f"vicbot-test-left-{os.getpid()}")
    straggler = subprocess.Popen(cap.wrap(["sleep", "600"]))
    try:
        wait_for(lambda: str(straggler.pid) in (cap.path / "cgroup.procs").read_text().split(), timeout=30)
        cap.close()
        assert straggler.wait(timeout=30) == -signal.SIGKILL
        assert not cap.path.exists()
    finally:
        straggler.kill()
        cap.close()
