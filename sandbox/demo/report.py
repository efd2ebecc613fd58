"""What the demo prints: a progress bar while it works, a table when it is done."""

from __future__ import annotations

import re
import sys
import time
from collections import Counter
from statistics import median

from django.db.models import Count, Sum

from pipelines.models import Pipeline, Pitch
from vicbot.runs import Run

DONE = (Pitch.Status.WRITTEN_BACK, Pitch.Status.FAILED, Pitch.Status.DELETED)


class Progress:
    """The demo's progress line: redrawn in place on a terminal; in a log, at most every 5 s
    (and whenever the count of finished pitches changes, at most that often too)."""

    LOG_EVERY_SECONDS = 5.0

    def __init__(self, pipeline: Pipeline, total: int, *, out=None, clock=time.monotonic):
        self.pipeline, self.total, self.out, self.clock = pipeline, total, out or sys.stdout, clock
        self.tty = self.out.isatty()
        self.last_printed_at: float | None = None

    def check(self, *, final: bool = False) -> int:
        """Print the line if it is due; return how many pitches are done."""
        done, line = progress_line(self.pipeline, self.total)
        now = self.clock()
        due = self.tty or final or self.last_printed_at is None or now - self.last_printed_at >= self.LOG_EVERY_SECONDS
        if due:
            self.out.write(line.ljust(110) + ("\r" if self.tty and not final else "\n"))
            self.out.flush()
            self.last_printed_at = now
        return done


def progress_line(pipeline: Pipeline, total: int) -> tuple[int, str]:
    counts = Counter(dict(pipeline.pitches.values_list("status").annotate(n=Count("pk")).values_list("status", "n")))
    done = sum(counts[s] for s in DONE)
    width = 30
    filled = int(width * done / total) if total else width
    line = (f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total} done · "
            f"{counts[Pitch.Status.EVALUATING]} evaluating · {counts[Pitch.Status.NEW]} waiting · "
            f"{counts[Pitch.Status.WRITTEN_BACK]} written back · {counts[Pitch.Status.FAILED]} failed")
    return done, line

def table(pipeline: Pipeline) -> list[str]:
    rows = [("Pitch", "Assessment", "Deck", "Turns", "Tools", "Tokens in/out", "Seconds", "Salesforce")]
    for pitch in pipeline.pitches.select_related("latest_run", "deck").order_by("name"):
        run = pitch.latest_run
        rows.append((
            pitch.name[:34],
            (pitch.assessment or pitch.error or "-")[:26],
            _deck(pitch),
            str(run.turn) if run else "-",
            str(run.tool_calls.count()) if run else "-",
            f"{run.input_tokens}/{run.output_tokens}" if run else "-",
            f"{run.duration_seconds:.1f}" if run and run.duration_seconds is not None else "-",
            pitch.get_status_display(),
        ))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return lines


def _deck(pitch: Pitch) -> str:
    """How the pitch's deck was used: the pages its answer cites, or why the model did not get it."""
    deck = pitch.deck
    if deck is None:
        return "-"
    if deck.status != deck.Status.READY:
        return f"{deck.get_status_display().split(' (')[0]}: {deck.reason}"[:40]
    cited = len(set(re.findall(r"deck p\. ?(\d+)", pitch.reasoning or "", re.IGNORECASE)))
    return f"{deck.pages} pages, {cited} cited"


def totals(pipeline: Pipeline) -> dict:
    runs = Run.objects.filter(pitches__pipeline=pipeline)
    sums = runs.aggregate(input=Sum("input_tokens"), cached=Sum("cached_input_tokens"),
                          output=Sum("output_tokens"), cost=Sum("cost_usd"))
    tools = Counter(dict(runs.values_list("tool_calls__name").annotate(n=Count("tool_calls")).values_list(
        "tool_calls__name", "n")))
    tools.pop(None, None)
    durations = [run.duration_seconds for run in runs if run.duration_seconds is not None]
    return {"runs": runs.count(), "tools": tools, "median_seconds": median(durations) if durations else 0, **sums}
