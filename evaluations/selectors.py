"""Reads of the evaluation lab for the scores, the console and the commands: plain values only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from evaluations.models import Evaluation, EvaluationTrial
from vicbot.models import ModelPrice


@dataclass(frozen=True)
class TrialRow:
    """One trial as the scores need it: which pitch, which version, what it said, what partners said."""

    trial_id: int
    key: str  # the pitch: "item:<id>" (replay) or "pitch:<id>" (shadow)
    role: str  # candidate / baseline
    version: str  # "name vN"
    index: int
    status: str
    outcome: str  # advance / pass / undecided / abstain; "" when the run gave no answer
    decision: str  # the partners': advance / pass / undecided
    pitch_date: datetime | None
    knowledge_cutoff: date | None  # of the version's model (ModelPrice), None when unknown
    run_id: int | None
    tool_calls: int
    tool_misses: int
    cost_usd: Decimal | None
    seconds: float | None

    @property
    def after_cutoff(self) -> bool | None:
        """Dated after the model's knowledge cutoff (None: either date unknown)."""
        if self.pitch_date is None or self.knowledge_cutoff is None:
            return None
        return self.pitch_date.date() > self.knowledge_cutoff


def knowledge_cutoff(model: str) -> date | None:
    """The price row's cutoff for `model`: the exact row, else the longest prefix row (as prices are found)."""
    rows = [p for p in ModelPrice.objects.all() if model == p.model or model.startswith(p.model)]
    row = max(rows, key=lambda p: len(p.model), default=None)
    return row.knowledge_cutoff if row else None


def evaluation_trial_rows(evaluation: Evaluation) -> list[TrialRow]:
    cutoffs: dict[int, date | None] = {}
    rows = []
    trials = (EvaluationTrial.objects.filter(evaluation=evaluation)
              .select_related("item", "pitch", "assistant").order_by("item__position", "pitch_id", "role", "index"))
    for trial in trials:
        version = trial.assistant
        if version.pk not in cutoffs:
            cutoffs[version.pk] = knowledge_cutoff(version.effective_model)
        if trial.item_id:
            key, decision, dated = f"item:{trial.item_id}", trial.item.decision, trial.item.pitch_date
        else:
            pitch = trial.pitch
            key = f"pitch:{trial.pitch_id}"
            decision = (pitch.decision_outcome or "undecided") if pitch else "undecided"
            dated = pitch.created_at if pitch else None
        rows.append(TrialRow(
            trial_id=trial.pk, key=key, role=trial.role, version=str(version), index=trial.index,
            status=trial.status, outcome=trial.outcome, decision=decision, pitch_date=dated,
            knowledge_cutoff=cutoffs[version.pk], run_id=trial.run_id, tool_calls=trial.tool_calls,
            tool_misses=trial.tool_misses, cost_usd=trial.cost_usd, seconds=trial.seconds))
    return rows


def evaluation_progress(evaluation: Evaluation) -> dict:
    """Counts the command and the console show while it runs."""
    evaluation.refresh_from_db()
    return {"id": evaluation.pk, "status": evaluation.status, "total": evaluation.trials_total,
            "answered": evaluation.trials_done, "failed": evaluation.trials_failed,
            "skipped": evaluation.trial_rows.filter(status=EvaluationTrial.Status.SKIPPED).count(),
            "tool_misses": evaluation.tool_misses, "spent_usd": str(evaluation.spent_usd)}
