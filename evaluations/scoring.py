"""An evaluation's scores, read from its trials: what the command prints and the console shows.

The arithmetic is core.scores (pure, unit-tested); the rows are evaluations.selectors' (each trial's
outcome, the partners' decision and date of its pitch, its model's knowledge cutoff); this module turns
one into the other and lays the result out as a table or as JSON.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import asdict, dataclass, field, is_dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from core import scores
from core.scores import ABSTAIN, JUDGED, UNDECIDED, Trial, VersionScores
from evaluations.models import DatasetItem, Evaluation, EvaluationTrial
from evaluations.selectors import TrialRow, evaluation_trial_rows
from pipelines.models import Pitch as PitchModel

ENDED = (EvaluationTrial.Status.DONE, EvaluationTrial.Status.FAILED)
CANDIDATE, BASELINE = EvaluationTrial.Role.CANDIDATE, EvaluationTrial.Role.BASELINE


@dataclass
class Pitch:
    key: Hashable
    name: str
    decision: str
    dated: date | None
    candidate: str | None = None
    baseline: str | None = None
    candidate_runs: list[int] = field(default_factory=list)
    baseline_runs: list[int] = field(default_factory=list)

    @property
    def disagree(self) -> bool:
        """The two versions judged this pitch differently (an abstention or failure counts as different)."""
        return self.candidate != self.baseline


@dataclass
class Report:
    evaluation: Evaluation
    candidate: VersionScores
    baseline: VersionScores
    pitches: list[Pitch]
    resamples: int
    seed: int

    @property
    def disagreements(self) -> list[Pitch]:
        return [pitch for pitch in self.pitches if pitch.disagree]


def verdict_of(row: TrialRow) -> str | None:
    """The trial's outcome as the scores count it: a failed trial has none; undecided is an abstention."""
    if row.status != EvaluationTrial.Status.DONE:
        return None
    return row.outcome if row.outcome in JUDGED else ABSTAIN


def evaluation_report(
    evaluation: Evaluation, *, resamples: int = scores.BOOTSTRAP_RESAMPLES, seed: int = scores.BOOTSTRAP_SEED
) -> Report:
    """Both versions' scores over the trials that ended (pending and skipped ones were never judged)."""
    rows = [row for row in evaluation_trial_rows(evaluation) if row.status in ENDED]
    names = _pitch_names(rows)
    pitches: dict[Hashable, Pitch] = {}
    trials: dict[str, list[Trial]] = {CANDIDATE: [], BASELINE: []}
    cutoffs: dict[str, date | None] = {}
    for row in rows:
        pitch = pitches.setdefault(row.key, Pitch(
            key=row.key, name=names.get(row.key, row.key), decision=row.decision or UNDECIDED,
            dated=row.pitch_date.date() if row.pitch_date else None))
        cutoffs.setdefault(row.role, row.knowledge_cutoff)
        trials[row.role].append(Trial(
            pitch=row.key, verdict=verdict_of(row), trial=row.index, tool_misses=row.tool_misses,
            cost=row.cost_usd or Decimal("0"), seconds=row.seconds or 0.0,
        ))
        if row.run_id is not None:
            (pitch.candidate_runs if row.role == CANDIDATE else pitch.baseline_runs).append(row.run_id)
    decisions = {key: pitch.decision for key, pitch in pitches.items()}
    dated = {key: pitch.dated for key, pitch in pitches.items()}
    baseline_verdicts = scores.modal_verdicts(trials[BASELINE])
    candidate_verdicts = scores.modal_verdicts(trials[CANDIDATE])
    for key, pitch in pitches.items():
        pitch.candidate, pitch.baseline = candidate_verdicts.get(key), baseline_verdicts.get(key)
    options = {"resamples": resamples, "seed": seed, "dated": dated}
    candidate = scores.score_version(trials[CANDIDATE], decisions, current=baseline_verdicts,
                                     cutoff=cutoffs.get(CANDIDATE), **options)
    baseline = scores.score_version(trials[BASELINE], decisions, cutoff=cutoffs.get(BASELINE), **options)
    ordered = sorted(pitches.values(), key=lambda p: (p.dated or date.min, p.name))
    return Report(evaluation, candidate, baseline, ordered, resamples, seed)


def _pitch_names(rows: list[TrialRow]) -> dict[str, str]:
    """What to call each pitch on the page: the dataset item's name, else the live pitch's."""
    item_ids = {int(row.key.split(":")[1]) for row in rows if row.key.startswith("item:")}
    pitch_ids = {int(row.key.split(":")[1]) for row in rows if row.key.startswith("pitch:")}
    names = {f"item:{pk}": name or salesforce_id or f"#{position}" for pk, name, salesforce_id, position
             in DatasetItem.objects.filter(pk__in=item_ids).values_list("pk", "name", "salesforce_id", "position")}
    names |= {f"pitch:{pitch.pk}": str(pitch) for pitch in PitchModel.objects.filter(pk__in=pitch_ids)}
    return names


# --- Laid out -------------------------------------------------------------------------------------


def _num(value: float | None, places: int = 2) -> str:
    return "—" if value is None else f"{value:.{places}f}"


def _kappa(agreement: scores.Agreement | None) -> str:
    if agreement is None:
        return "—"
    interval = agreement.interval
    around = f" [{interval.low:.2f}, {interval.high:.2f}]" if interval is not None else ""
    return f"{_num(agreement.kappa)}{around}"


def _confusion(agreement: scores.Agreement) -> str:
    c = agreement.confusion
    return f"{c.advance_advance}/{c.advance_pass} | {c.pass_advance}/{c.pass_pass}"


def score_rows(version: VersionScores) -> list[tuple[str, str]]:
    """(label, value) per score of one version, in the order the table and the page show them."""
    partners = version.versus_decisions
    rows = [
        ("Pitches (trials)", f"{version.pitches} ({version.trials})"),
        ("Compared with partners", str(partners.compared)),
        ("Abstained / failed / undecided", f"{version.abstained} / {version.failed} / {version.undecided}"),
        ("Accuracy", _num(partners.accuracy)),
        ("Precision of advance", _num(partners.precision)),
        ("Recall of advance", _num(partners.recall)),
        ("Cohen's kappa [95 % CI]", _kappa(partners)),
        ("Confusion adv→adv/pass | pass→adv/pass", _confusion(partners)),
        ("Kappa with the current version", _kappa(version.versus_current)),
        ("Self-consistency (pairwise, Fleiss)",
         f"{_num(version.consistency.mean_pairwise)}, {_num(version.consistency.fleiss_kappa)}"
         f" (k={version.consistency.trials_per_pitch})"),
        ("Tool misses per pitch", _num(version.tool_misses_per_pitch)),
        ("Cost per pitch (USD)", "—" if version.cost_per_pitch is None else f"{version.cost_per_pitch:.4f}"),
        ("Seconds per pitch", _num(version.seconds_per_pitch, 1)),
    ]
    later = version.after_cutoff
    if later is not None:
        rows += [
            (f"After cutoff {version.cutoff}: pitches compared", f"{later.versus_decisions.compared} of {later.pitches}"),
            ("After cutoff: accuracy", _num(later.versus_decisions.accuracy)),
            ("After cutoff: kappa [95 % CI]", _kappa(later.versus_decisions)),
        ]
    else:
        rows.append(("After the knowledge cutoff", "no cutoff recorded for the model"))
    return rows


def report_table(report: Report) -> str:
    """The plain-text table of both versions' scores (what `evaluate_version` prints)."""
    evaluation = report.evaluation
    left = f"candidate {evaluation.candidate}"
    right = f"baseline {evaluation.baseline}"
    candidate, baseline = score_rows(report.candidate), score_rows(report.baseline)
    labels = [label for label, _ in candidate]
    width = max(len(label) for label in labels + [left]) + 2
    column = max(len(value) for _, value in candidate + [("", left)]) + 2
    lines = [f"{'':<{width}}{left:<{column}}{right}"]
    by_label = dict(baseline)
    for label, value in candidate:
        lines.append(f"{label:<{width}}{value:<{column}}{by_label.get(label, '')}")
    lines.append(f"Kappa intervals: percentile bootstrap, {report.resamples} resamples of the pitches, seed {report.seed}.")
    lines.append(f"Pitches where the versions disagree: {len(report.disagreements)}.")
    return "\n".join(lines)


def report_json(report: Report) -> dict[str, Any]:
    """The same, for machines (`evaluate_version --json`)."""
    evaluation = report.evaluation
    return {
        "evaluation": evaluation.pk,
        "status": evaluation.status,
        "candidate": {"assistant": str(evaluation.candidate), "scores": _plain(report.candidate)},
        "baseline": {"assistant": str(evaluation.baseline), "scores": _plain(report.baseline)},
        "bootstrap": {"resamples": report.resamples, "seed": report.seed, "confidence": scores.CONFIDENCE},
        "disagreements": [
            {"pitch": pitch.name, "decision": pitch.decision, "candidate": pitch.candidate,
             "baseline": pitch.baseline, "candidate_runs": pitch.candidate_runs, "baseline_runs": pitch.baseline_runs}
            for pitch in report.disagreements
        ],
    }


def _plain(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        return _plain(asdict(value))
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
