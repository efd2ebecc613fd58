"""An evaluation as the console shows it: both versions' scores (evaluations.report, over core.scores) laid
out side by side, and each pitch's verdicts with the runs behind them (where the versions disagree)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from core import scores
from core.scores import UNDECIDED, Trial, VersionScores
from evaluations.models import DatasetItem, Evaluation, EvaluationTrial
from evaluations.report import evaluation_scores
from evaluations.report import trial as trial_of
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


def evaluation_report(evaluation: Evaluation, *, resamples: int = scores.BOOTSTRAP_RESAMPLES,
                      seed: int = scores.BOOTSTRAP_SEED) -> Report:
    """Both versions' scores (evaluations.report, over the trials that ended: pending and skipped ones were
    never judged) and each pitch's verdicts, with the runs behind them."""
    rows = [row for row in evaluation_trial_rows(evaluation) if row.status in ENDED]
    by_role = evaluation_scores(evaluation, rows=rows, resamples=resamples, seed=seed)
    names = _pitch_names(rows)
    pitches: dict[Hashable, Pitch] = {}
    trials: dict[str, list[Trial]] = {CANDIDATE: [], BASELINE: []}
    for row in rows:
        pitch = pitches.setdefault(row.key, Pitch(
            key=row.key, name=names.get(row.key, row.key), decision=row.decision or UNDECIDED,
            dated=row.pitch_date.date() if row.pitch_date else None))
        trials[row.role].append(trial_of(row))
        if row.run_id is not None:
            (pitch.candidate_runs if row.role == CANDIDATE else pitch.baseline_runs).append(row.run_id)
    candidate_verdicts = scores.modal_verdicts(trials[CANDIDATE])
    baseline_verdicts = scores.modal_verdicts(trials[BASELINE])
    for key, pitch in pitches.items():
        pitch.candidate, pitch.baseline = candidate_verdicts.get(key), baseline_verdicts.get(key)
    empty = scores.score_version([], {}, resamples=resamples, seed=seed)
    ordered = sorted(pitches.values(), key=lambda p: (p.dated or date.min, p.name))
    return Report(evaluation, by_role.get(CANDIDATE, empty), by_role.get(BASELINE, empty), ordered, resamples, seed)


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
