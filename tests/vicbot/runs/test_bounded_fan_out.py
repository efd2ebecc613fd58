"""Many heavy pages asked for at once keep the worker's whole process tree within a 512 MB dyno.

Two runs start together; in its first turn each model asks for ten large pages and PDFs. The
worker runs the per-turn limit of them side by side, and every one needs a text-extraction
child. A sampler reads the memory of the worker's whole process group from /proc until both
runs have ended: it never holds more than WEB_FETCH_EXTRACT_CONCURRENCY children, and never
more than the dyno's memory (before the bound: one child per call, 796 MB for six).
"""

import json

import pytest
from django.core.cache import caches

from tests.support.process_tree import TreeSampler
from tests.support.runs import make_assistant, start_with_faults, wait_until_done
from vicbot.models import RunStatus, ToolCall

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

DYNO_MEMORY_BYTES = 512 * 2**20  # a Heroku standard-1x dyno
PAGES_PER_RUN = 10


def heavy_pages(sites, run_number: int) -> list[str]:
    """2 MB pages (the fetcher's cap) and PDFs that take pypdf seconds and 100+ MB; each URL new to the cache."""
    return [sites.url(f"/heavy-pdf?copy={run_number}.{n}") if n % 4 == 3 else sites.url(f"/huge?copy={run_number}.{n}")
            for n in range(PAGES_PER_RUN)]


def test_many_heavy_pages_at_once_stay_within_the_dynos_memory(openai_emu, sample_sites, celery_worker, settings):
    caches["web_fetch"].clear()
    # Open browsing: this test is about memory, not about which URLs a run may read.
    make_assistant(tool_names=["web_scrape"], open_browsing=True, run_deadline_seconds=300)
    pages = {n: heavy_pages(sample_sites, n) for n in (1, 2)}
    group = celery_worker.process.pid  # its own session: the group holds everything it starts

    with TreeSampler(group) as sampler:
        runs = [start_with_faults(openai_emu, [("create", {"outcome": "call_tools", "calls": [
            {"name": "web_scrape", "arguments": json.dumps({"url": url})} for url in urls]})],
            input="Read these:\n" + "\n".join(urls)) for urls in pages.values()]
        runs = [wait_until_done(run, timeout=240) for run in runs]

    assert [run.status for run in runs] == [RunStatus.SUCCEEDED] * 2, [run.error_message for run in runs]
    mb = 2**20
    peak = f"{sampler.peak_rss_bytes / mb:.0f} MB: " + ", ".join(
        f"{m.pid} {m.cmdline[:40]!r} {m.rss_bytes / mb:.0f}" for m in sampler.peak_members)
    assert sampler.samples > 10
    assert 1 <= sampler.most_children <= settings.WEB_FETCH_EXTRACT_CONCURRENCY, peak
    assert sampler.peak_rss_bytes < DYNO_MEMORY_BYTES, peak
    calls = ToolCall.objects.filter(run__in=runs)
    ran = calls.exclude(status=ToolCall.Status.REFUSED)
    assert ran.count() == 2 * settings.VICBOT_MAX_TOOL_CALLS_PER_TURN
    assert len(sampler.extraction_pids) >= 2  # children were seen one after another, not all at once
    # Each call read its page, or was told the worker was too busy to read it in its time: none overran.
    outcomes = {c.pk: (c.status, c.output) for c in ran}
    assert all(status in (ToolCall.Status.SUCCEEDED, ToolCall.Status.FAILED) for status, _ in outcomes.values())
    read = [output for status, output in outcomes.values() if status == ToolCall.Status.SUCCEEDED]
    assert any("All work and no play" in output for output in read)
    for status, output in outcomes.values():
        if status == ToolCall.Status.FAILED:
            assert json.loads(output)["error"]["message"].startswith(("busy: ", "timeout: ")), output
    print(f"peak {peak}; {len(read)} of {ran.count()} pages read, {len(sampler.extraction_pids)} children")
