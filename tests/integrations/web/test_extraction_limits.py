"""Text extraction runs in a child process bounded in time, memory and pages, over real sockets."""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import billiard.process
import pytest

from integrations.web import WebFetchError, fetch
from sandbox.sample_sites import LONG_PDF_PAGES, SampleSites


def descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children, grandchildren, ...), from /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    # The command name is in parentheses and may hold spaces: split after it.
                    fields = stat.read().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended while we looked
            if fields[0] != "Z" and not _is_celery(entry):  # a zombie is gone but for its exit status
                parents[int(entry)] = int(fields[1])
    found: set[int] = set()
    frontier = {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _is_celery(pid: str) -> bool:
    """The session's Celery worker (a child of this process too) replaces its pool children as it likes."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"celery" in cmdline.read()
    except OSError:
        return False


@pytest.fixture
def warm(sites: SampleSites, config):
    """One extraction first, so the long-lived forkserver is running before a test counts processes."""
    fetch(sites.url("/pdf"), config)
    return config


def test_a_pdf_that_would_take_seconds_of_cpu_is_stopped_at_the_deadline(sites, warm):
    config = replace(warm, extract_timeout=1.5)
    before = descendants(os.getpid())
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()

    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/heavy-pdf"), config)

    elapsed = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    assert caught.value.code == "timeout" and caught.value.permanent
    assert "too complex to read" in caught.value.message
    # Read in-process, this PDF takes ~9 s of CPU; here the caller is back within the deadline.
    assert 1.5 <= elapsed < 3.5
    # The parsing happened elsewhere: this process (every thread of it) spent next to nothing.
    assert (cpu_after.ru_utime - cpu_before.ru_utime) < 0.5
    # The killed reader is gone, not left running or as a zombie.
    assert descendants(os.getpid()) == before


def test_extraction_ends_when_the_callers_time_is_up(sites, warm):
    started = time.monotonic()

    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/heavy-pdf"), warm, finish_by=time.monotonic() + 1.0)

    assert caught.value.code == "timeout"
    assert time.monotonic() - started < 2.5


def test_no_time_left_means_no_extraction_at_all(sites, warm):
    before = descendants(os.getpid())

    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/pdf"), warm, finish_by=time.monotonic() - 1)

    assert caught.value.code == "timeout"
    assert descendants(os.getpid()) == before


def test_a_pdf_that_needs_more_memory_than_the_cap_is_refused(sites, warm):
    config = replace(warm, extract_timeout=30, extract_memory_mb=40)
    before = descendants(os.getpid())
    started = time.monotonic()

    with pytest.raises(WebFetchError) as caught:
        fetch(sites.url("/heavy-pdf"), config)

    assert caught.value.code == "too_large" and caught.value.permanent
    assert time.monotonic() - started < 15  # the cap ended it, not the 30 s deadline
    assert descendants(os.getpid()) == before


def test_only_the_first_pages_of_a_long_pdf_are_read(sites, config):
    page = fetch(sites.url("/long-pdf"), replace(config, pdf_max_pages=3))

    assert "Page 3 of" in page.text and "Page 4 of" not in page.text
    assert page.text.endswith(f"[Vicbot read only the first 3 of the PDF's {LONG_PDF_PAGES} pages]")


def test_html_is_extracted_in_the_child_too(sites, warm):
    before = descendants(os.getpid())

    page = fetch(sites.url("/brightloop-energy/about"), warm)

    assert page.title.startswith("About us") and "Lena Hartmann" in page.text
    assert descendants(os.getpid()) == before


def test_many_extractions_in_a_row_leave_no_process_behind(sites, warm):
    before = descendants(os.getpid())

    for _ in range(5):
        fetch(sites.url("/pdf"), warm)
        fetch(sites.url("/ledgerleaf/"), warm)

    assert descendants(os.getpid()) == before


def test_it_extracts_from_a_process_set_up_as_celerys_pool_children_are(sites, config, monkeypatch):
    # billiard makes its daemonic Process, with its own authkey type, multiprocessing's current
    # process in each prefork child; multiprocessing then refuses to start children ("daemonic
    # processes are not allowed to have children") or to pickle the key.
    flags = multiprocessing.current_process()._config
    billiard_key = billiard.process.AuthenticationString(bytes(flags["authkey"]))
    monkeypatch.setitem(flags, "daemon", True)
    monkeypatch.setitem(flags, "authkey", billiard_key)

    page = fetch(sites.url("/pdf"), config)

    assert "Investor summary" in page.text
    assert flags["daemon"] is True and flags["authkey"] is billiard_key  # put back after the start


def forkserver_children(pid: int) -> set[int]:
    """The extraction children running now: whatever the forkserver below `pid` has forked."""
    servers = {p for p in descendants(pid) if _cmdline(p).find(b"multiprocessing.forkserver") >= 0}
    return {p for p in descendants(pid) if _parent(p) in servers}


def _cmdline(pid: int) -> bytes:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return cmdline.read()
    except OSError:
        return b""


def _parent(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except OSError:
        return 0


def test_fetches_side_by_side_share_a_bounded_number_of_children(sites, warm):
    config = replace(warm, extract_concurrency=2, extract_timeout=60, total_timeout=30)
    urls = [sites.url(f"/heavy-pdf?copy={n}") if n == 1 else sites.url(f"/huge?copy={n}") for n in range(6)]
    seen: list[set[int]] = []
    with ThreadPoolExecutor(len(urls)) as pool:
        pages = [pool.submit(fetch, url, config, finish_by=time.monotonic() + 120) for url in urls]
        while not all(page.done() for page in pages):
            seen.append(forkserver_children(os.getpid()))
            time.sleep(0.05)

    assert [len(page.result().text) > 0 for page in pages] == [True] * 6  # each waited its turn and was read
    assert max(map(len, seen)) == 2  # never more at once, though six documents were waiting
    assert len(set().union(*seen)) >= 3  # one child per document, two at a time


def test_a_fetch_that_finds_no_free_child_in_its_time_is_told_the_worker_is_busy(sites, warm):
    config = replace(warm, extract_concurrency=1, total_timeout=30)
    with ThreadPoolExecutor(1) as pool:
        # The one child is busy with seconds of PDF, and killed once this test has no more need of it.
        holder = pool.submit(fetch, sites.url("/heavy-pdf"), replace(config, extract_timeout=5))
        wait_for_child = time.monotonic() + 30
        while not forkserver_children(os.getpid()) and time.monotonic() < wait_for_child:
            time.sleep(0.01)
        assert forkserver_children(os.getpid()), "the heavy PDF should be in its child by now"
        started = time.monotonic()

        with pytest.raises(WebFetchError) as caught:
            fetch(sites.url("/pdf"), config, finish_by=time.monotonic() + 1.0)

        waited = time.monotonic() - started
    assert caught.value.code == "busy" and not caught.value.permanent
    assert "already reading 1 other document" in caught.value.message
    assert 0.9 <= waited < 3  # it waited for its own time, no longer
