"""The chaos run: the benchmark's scenario while processes die, Redis forgets, faults fire.

Events fire at fixed seconds after the first intake (or earlier, once most pitches are done,
so that a fast run still meets every one of them); `checks` then reads the emulated org, the
OpenAI emulator's stored responses and our database, and names every violation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from sandbox.benchmark.scenario import Scenario
from core.models import Transition
from pipelines.models import Pitch
from vicbot.runs import TERMINAL_STATUSES, Run, RunStatus

OUTAGE_SECONDS = 20
TRANSIENT_SHARE = 0.10
EDITS = 3
EDIT_MARK = "Edited mid-run"


@dataclass
class Event:
    at: float  # seconds after the first intake
    name: str
    action: Callable[[], str]
    share_done: float = 0.9  # …or as soon as this share of pitches is done
    fired_at: float | None = None
    note: str = ""


@dataclass
class Chaos:
    scenario: Scenario
    say: Callable[[str], None]
    events: list[Event] = field(default_factory=list)
    edited: dict[str, str] = field(default_factory=dict)  # record id → its new first line
    writes_before: Counter = field(default_factory=Counter)
    _restart_at: float | None = None
    _outage: list = field(default_factory=list)
    _outage_ends: float | None = None
    _seen_calls: int = 0
    _transients: int = 0
    _elapsed: float = 0.0

    def __post_init__(self):
        self.events = [
            Event(4, "SIGKILL worker (1 of 3)", self._kill_worker, 0.3),
            Event(6, "person edits 3 records", self._edit_records, 0.3),
            Event(9, "Salesforce: UNABLE_TO_LOCK_ROW, REQUEST_LIMIT_EXCEEDED window, expired session",
                  self._salesforce_faults, 0.5),
            Event(12, "Redis flushed" if _is_redis() else "file broker's queued messages deleted",
                  self._forget_messages, 0.6),
            Event(16, "SIGKILL worker (2 of 3)", self._kill_worker, 0.7),
            Event(20, f"OpenAI answers 401 for {OUTAGE_SECONDS}s", self._outage_start, 0.8),
            Event(46, "SIGKILL worker (3 of 3)", self._kill_worker, 0.9),
        ]

    def begin(self) -> None:
        self.writes_before = Counter(self.scenario.world.salesforce.org.writes)
        self.scenario.world.openai.duplicate_webhooks = True
        self.scenario.beats.append(self.scenario.start_beat())  # two beats at once, all the way
        self.say("chaos: every webhook delivered twice; two beat processes running")

    def on_second(self, elapsed: float) -> None:
        self._elapsed = elapsed
        if self._restart_at is not None and elapsed >= self._restart_at:
            self.scenario.worker = self.scenario.start_worker()
            self._restart_at = None
            self.say(f"  {elapsed:5.1f}s worker restarted")
        if self._outage_ends is not None and elapsed >= self._outage_ends:
            for fault in self._outage:
                fault.remaining = 0
            self._outage_ends = None
            self.say(f"  {elapsed:5.1f}s OpenAI outage over")
        self._transient_faults()
        done_share = self.scenario.done() / self.scenario.options.pitches
        for event in self.events:
            if event.fired_at is None and (elapsed >= event.at or done_share >= event.share_done):
                if event.action is self._kill_worker and self._restart_at is not None:
                    continue  # the worker is already down
                event.fired_at = elapsed
                event.note = event.action() or ""
                self.say(f"  {elapsed:5.1f}s {event.name}{': ' + event.note if event.note else ''}")

    def pending(self) -> bool:
        return (any(e.fired_at is None for e in self.events) or self._restart_at is not None
                or self._outage_ends is not None)

    # -- events ------------------------------------------------------------------------------------

    def _kill_worker(self) -> str:
        self.scenario.kill_worker()
        self._restart_at = self._now() + 1.5
        return ""

    def _edit_records(self) -> str:
        org = self.scenario.world.salesforce.org
        pitches = list(self.scenario.pipeline.pitches.exclude(status__in=(Pitch.Status.WRITTEN_BACK,))
                       .order_by("pk")[:EDITS])
        for pitch in pitches:
            name = f"{EDIT_MARK} {pitch.salesforce_id}"
            org.update(pitch.salesforce_id, {"Name": name}, modified_by=org.human_user_id)
            self.edited[pitch.salesforce_id] = name
        return ", ".join(self.edited)

    def _salesforce_faults(self) -> str:
        faults = self.scenario.world.salesforce.faults
        waiting = self.scenario.pipeline.pitches.exclude(status=Pitch.Status.WRITTEN_BACK).exclude(
            salesforce_id__in=list(self.edited)).order_by("-pk").first()
        if waiting is not None:
            faults.add("lock_row", match=waiting.salesforce_id)
        faults.add("request_limit", times=3)
        faults.add("invalid_session")
        return f"lock_row on {waiting.salesforce_id if waiting else '-'}"

    def _forget_messages(self) -> str:
        if _is_redis():
            import redis

            # FLUSHDB: only our own database number on a server others share.
            redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
            return "FLUSHDB"
        folder = Path(settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"])
        removed = 0
        for message in folder.glob("*"):
            message.unlink(missing_ok=True)
            removed += 1
        return f"{removed} message files"

    def _outage_start(self) -> str:
        faults = self.scenario.world.openai.faults
        self._outage = [faults.add(op, times=None, status=401) for op in ("create", "retrieve", "cancel")]
        self._outage_ends = self._now() + OUTAGE_SECONDS
        return ""

    def _transient_faults(self) -> None:
        """Arm about one transient fault per ten OpenAI calls made since the last look."""
        emulator = self.scenario.world.openai
        calls = len(emulator.requests)
        due = int((calls - self._seen_calls) * TRANSIENT_SHARE)
        if due < 1:
            return
        self._seen_calls = calls
        for _ in range(due):
            kind = self._transients % 4
            if kind == 0:
                emulator.faults.add("create", status=429, retry_after=1)
            elif kind == 1:
                emulator.faults.add("retrieve", status=503)
            elif kind == 2:
                emulator.faults.add("create", outcome="failed", error_code="server_error")
            else:
                emulator.faults.add("create", status=503)
            self._transients += 1

    def _now(self) -> float:
        return self._elapsed

    # -- the verdict ----------------------------------------------------------------------------

    def checks(self) -> list[str]:
        violations: list[str] = []
        scenario = self.scenario
        org = scenario.world.salesforce.org
        mapping = scenario.pipeline.answer_mapping
        assessment_field = next(f for k, f in mapping.items() if k == "Assessment")
        reasoning_field = next(f for k, f in mapping.items() if k == "Reasoning")
        pitches = list(scenario.pipeline.pitches.all())
        if len(pitches) != scenario.options.pitches:
            violations.append(f"{len(pitches)} pitches taken in, {scenario.options.pitches} in Salesforce")
        for pitch in pitches:
            record = org.get(pitch.salesforce_id)
            label = f"pitch {pitch.pk} ({pitch.salesforce_id})"
            if pitch.status != Pitch.Status.WRITTEN_BACK:
                violations.append(f"{label} ended {pitch.status}, write-back {pitch.writeback_state}: "
                                  f"{pitch.error or pitch.writeback_error}")
            for name in (assessment_field, reasoning_field):
                if not str(record.get(name) or "").strip():
                    violations.append(f"{label}: {name} is blank in Salesforce")
            ours = org.writes[pitch.salesforce_id] - self.writes_before[pitch.salesforce_id]
            if pitch.salesforce_id in self.edited:
                ours -= 1  # the person's own edit
                if self.edited[pitch.salesforce_id] not in str(record.get(reasoning_field) or ""):
                    violations.append(f"{label} was edited, but its last write does not answer the edited text")
            elif ours != 1:
                violations.append(f"{label} written {ours} times")
        violations += self._turn_checks()
        runs = Run.objects.filter(pitches__pipeline=scenario.pipeline).distinct()
        for run in runs:
            if run.status not in TERMINAL_STATUSES:
                violations.append(f"run {run.pk} still {run.status}: {_where_it_stands(run)}")
            elif run.status != RunStatus.SUCCEEDED and not run.error_code:
                violations.append(f"run {run.pk} ended {run.status} with no reason")
        return violations

    def _turn_checks(self) -> list[str]:
        """No turn of a run answered twice: two completed responses for one (run, turn) would be
        one model turn paid for twice (a failed or cancelled one, created again, is a retry)."""
        emulator = self.scenario.world.openai
        completed: Counter[tuple[str, str]] = Counter()
        for response_id in emulator.response_ids():
            body = emulator.get_response(response_id) or {}
            metadata = body.get("metadata") or {}
            if body.get("status") == "completed":
                completed[(metadata.get("vicbot_run"), metadata.get("vicbot_turn"))] += 1
        return [f"run {run} turn {turn} created and completed {n} times"
                for (run, turn), n in completed.items() if n > 1]

    def summary(self) -> list[str]:
        runs = Run.objects.filter(pitches__pipeline=self.scenario.pipeline).distinct()
        outcomes = Counter(runs.values_list("status", flat=True))
        reasons = Counter(runs.exclude(status=RunStatus.SUCCEEDED).values_list("error_code", flat=True))
        return [
            "events: " + "; ".join(f"{e.name} at {e.fired_at:.1f}s" if e.fired_at is not None else f"{e.name}: NOT FIRED"
                                   for e in self.events),
            f"transient OpenAI faults armed: {self._transients} over {len(self.scenario.world.openai.requests)} calls",
            f"runs: {dict(outcomes)}; reasons of the others: {dict(reasons)}",
            f"records edited mid-run: {len(self.edited)}",
        ]


def _where_it_stands(run: Run) -> str:
    """What a run left unfinished was waiting on, and how it got there (CI keeps only the printout)."""
    moves = Transition.objects.filter(model=Run._meta.label_lower, object_pk=run.pk).order_by("at", "pk")
    path = ", ".join(f"{m.operation}@{m.at:%H:%M:%S}" for m in moves)
    return (f"turn {run.turn}, create claimed at {run.create_claimed_at}, next check at {run.next_check_at}, "
            f"deadline {run.deadline_at}, attempts {run.attempts}, message {run.error_message!r}; moves: {path}")


def _is_redis() -> bool:
    return str(settings.CELERY_BROKER_URL).startswith(("redis://", "rediss://"))
