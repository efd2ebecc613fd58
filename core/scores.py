"""How well a version's verdicts agree with the partners' decisions, with another version and with itself.

Pure arithmetic over plain values (no Django, no database): the evaluation engine hands in one row per
trial and the partners' decisions, and gets back numbers to print or render. Kept on the ground floor so
the engine, the command and the console all read the same figures.

Outcomes are the strings "advance", "pass" and "abstain" (a verdict that declines to judge, such as
"Insufficient information") or None (the trial produced no verdict). Partners' decisions are "advance",
"pass" or "undecided". Agreement is measured only where both sides judged (advance or pass): abstentions,
failed trials and undecided pitches are excluded and counted, never silently folded into a class.

Choices, documented here because they change the numbers:
- A pitch replayed k times is judged by its modal verdict (the most frequent of advance/pass/abstain;
  a tie goes to the earliest trial among the tied outcomes), so k does not multiply the sample size.
- Cohen's kappa gets a percentile bootstrap 95 % interval: BOOTSTRAP_RESAMPLES resamples of the pitches
  with replacement, drawn from random.Random(seed) (seed 20 unless told), so the same data always gives
  the same interval. Resamples where kappa is undefined (every pitch in one class on both sides) are
  skipped and counted.
- Self-consistency is Fleiss' kappa over the k trials (chance-corrected; the trials are the raters),
  reported beside the plain mean pairwise agreement, which is easier to read.
- Kappa is undefined (None) when there is nothing to compare or when chance agreement is 1.
- Tool misses, cost and time "per pitch" are means per trial (one judgement of one pitch, what a live
  run costs), so they do not grow with k.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import combinations

ADVANCE = "advance"
PASS = "pass"
ABSTAIN = "abstain"
UNDECIDED = "undecided"
JUDGED = (ADVANCE, PASS)
VERDICTS = (ADVANCE, PASS, ABSTAIN)

BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Trial:
    """One replay of one pitch by one version."""

    pitch: Hashable
    verdict: str | None
    trial: int = 1
    tool_misses: int = 0
    cost: Decimal = Decimal("0")
    seconds: float = 0.0


@dataclass(frozen=True)
class Interval:
    low: float
    high: float
    resamples: int
    undefined: int = 0

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class Confusion:
    """Rows are the partners' decisions, columns the version's verdicts (advance first)."""

    advance_advance: int = 0
    advance_pass: int = 0
    pass_advance: int = 0
    pass_pass: int = 0

    @property
    def total(self) -> int:
        return self.advance_advance + self.advance_pass + self.pass_advance + self.pass_pass

    def rows(self) -> list[tuple[str, int, int]]:
        return [(ADVANCE, self.advance_advance, self.advance_pass), (PASS, self.pass_advance, self.pass_pass)]


@dataclass(frozen=True)
class Agreement:
    """Agreement between a rater and a reference over the pitches both judged."""

    compared: int
    accuracy: float | None
    precision: float | None
    recall: float | None
    kappa: float | None
    interval: Interval | None
    confusion: Confusion


@dataclass(frozen=True)
class Consistency:
    pitches: int
    trials_per_pitch: int
    mean_pairwise: float | None
    fleiss_kappa: float | None


@dataclass
class VersionScores:
    pitches: int
    trials: int
    abstained: int
    failed: int
    undecided: int
    versus_decisions: Agreement
    versus_current: Agreement | None
    consistency: Consistency
    tool_misses: int
    tool_misses_per_pitch: float | None
    cost_per_pitch: Decimal | None
    seconds_per_pitch: float | None
    after_cutoff: VersionScores | None = field(default=None)
    cutoff: date | None = None


def cohens_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """κ = (p_o − p_e) / (1 − p_e) over (rater A, rater B) label pairs; None when undefined."""
    n = len(pairs)
    if n == 0:
        return None
    observed = sum(1 for a, b in pairs if a == b) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    expected = sum(first[label] * second[label] for label in first) / (n * n)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def bootstrap_kappa(
    pairs: Sequence[tuple[Hashable, Hashable]],
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    confidence: float = CONFIDENCE,
) -> Interval | None:
    """Percentile interval of kappa over resamples of the pairs (the pitches) with replacement."""
    n = len(pairs)
    if n == 0 or resamples <= 0:
        return None
    rng = random.Random(seed)
    values: list[float] = []
    undefined = 0
    for _ in range(resamples):
        sample = [pairs[rng.randrange(n)] for _ in range(n)]
        kappa = cohens_kappa(sample)
        if kappa is None:
            undefined += 1
        else:
            values.append(kappa)
    if not values:
        return None
    values.sort()
    tail = (1 - confidence) / 2
    return Interval(
        low=_percentile(values, tail), high=_percentile(values, 1 - tail), resamples=resamples, undefined=undefined
    )


def fleiss_kappa(counts: Sequence[Sequence[int]]) -> float | None:
    """Fleiss' kappa from a subjects × categories table of how many raters chose each category.

    Every subject must have the same number of raters (at least two); None when undefined.
    """
    if not counts:
        return None
    raters = sum(counts[0])
    if raters < 2 or any(sum(row) != raters for row in counts):
        return None
    subjects = len(counts)
    per_subject = [(sum(c * c for c in row) - raters) / (raters * (raters - 1)) for row in counts]
    observed = sum(per_subject) / subjects
    categories = len(counts[0])
    shares = [sum(row[j] for row in counts) / (subjects * raters) for j in range(categories)]
    expected = sum(p * p for p in shares)
    if expected >= 1:
        return None
    return (observed - expected) / (1 - expected)


def agreement(pairs: Sequence[tuple[str, str]], resamples: int, seed: int) -> Agreement:
    """Accuracy, precision/recall of "advance", kappa with its interval and the confusion matrix.

    Pairs are (reference, rater): the reference is the partners' decision or the current version.
    """
    cells = Counter(pairs)
    confusion = Confusion(
        advance_advance=cells[(ADVANCE, ADVANCE)],
        advance_pass=cells[(ADVANCE, PASS)],
        pass_advance=cells[(PASS, ADVANCE)],
        pass_pass=cells[(PASS, PASS)],
    )
    n = len(pairs)
    said_advance = confusion.advance_advance + confusion.pass_advance
    truly_advance = confusion.advance_advance + confusion.advance_pass
    return Agreement(
        compared=n,
        accuracy=_ratio(confusion.advance_advance + confusion.pass_pass, n),
        precision=_ratio(confusion.advance_advance, said_advance),
        recall=_ratio(confusion.advance_advance, truly_advance),
        kappa=cohens_kappa(pairs),
        interval=bootstrap_kappa(pairs, resamples=resamples, seed=seed),
        confusion=confusion,
    )


def modal_verdicts(trials: Iterable[Trial]) -> dict[Hashable, str | None]:
    """Each pitch's verdict over its trials: the most frequent outcome, ties to the earliest trial."""
    by_pitch: dict[Hashable, list[Trial]] = {}
    for trial in trials:
        by_pitch.setdefault(trial.pitch, []).append(trial)
    verdicts: dict[Hashable, str | None] = {}
    for pitch, rows in by_pitch.items():
        rows.sort(key=lambda t: t.trial)
        given = [t.verdict for t in rows if t.verdict is not None]
        if not given:
            verdicts[pitch] = None
            continue
        counts = Counter(given)
        top = max(counts.values())
        verdicts[pitch] = next(v for v in given if counts[v] == top)
    return verdicts


def self_consistency(trials: Iterable[Trial]) -> Consistency:
    """Agreement of a version with itself over the pitches replayed the most often (k ≥ 2 trials)."""
    by_pitch: dict[Hashable, list[str]] = {}
    for trial in trials:
        if trial.verdict is not None:
            by_pitch.setdefault(trial.pitch, []).append(trial.verdict)
    k = max((len(v) for v in by_pitch.values()), default=0)
    rated = [v for v in by_pitch.values() if len(v) == k] if k >= 2 else []
    if not rated:
        return Consistency(pitches=0, trials_per_pitch=k, mean_pairwise=None, fleiss_kappa=None)
    pairwise = [sum(1 for a, b in combinations(v, 2) if a == b) / (k * (k - 1) / 2) for v in rated]
    table = [[v.count(category) for category in VERDICTS] for v in rated]
    return Consistency(
        pitches=len(rated),
        trials_per_pitch=k,
        mean_pairwise=sum(pairwise) / len(pairwise),
        fleiss_kappa=fleiss_kappa(table),
    )


def score_version(
    trials: Sequence[Trial],
    decisions: Mapping[Hashable, str],
    *,
    current: Mapping[Hashable, str | None] | None = None,
    dated: Mapping[Hashable, date | None] | None = None,
    cutoff: date | None = None,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> VersionScores:
    """Every score of one version on one dataset, and again on the pitches dated after the cutoff.

    decisions maps each pitch to the partners' outcome; current maps each pitch to the current
    version's verdict (for agreement between versions); dated maps each pitch to the date it arrived.
    A pitch with no date is not counted as after the cutoff (it cannot be shown to be unseen).
    """
    scores = _score(trials, decisions, current, resamples, seed)
    if cutoff is not None and dated is not None:
        later = {pitch for pitch, when in dated.items() if when is not None and when > cutoff}
        subset = [t for t in trials if t.pitch in later]
        scores.after_cutoff = _score(subset, decisions, current, resamples, seed)
        scores.cutoff = cutoff
    return scores


def _score(
    trials: Sequence[Trial],
    decisions: Mapping[Hashable, str],
    current: Mapping[Hashable, str | None] | None,
    resamples: int,
    seed: int,
) -> VersionScores:
    verdicts = modal_verdicts(trials)
    pitches = sorted(verdicts, key=str)
    abstained = sum(1 for p in pitches if verdicts[p] == ABSTAIN)
    failed = sum(1 for p in pitches if verdicts[p] is None)
    undecided = sum(1 for p in pitches if decisions.get(p, UNDECIDED) not in JUDGED)
    versus_decisions = [
        (decisions[p], verdicts[p]) for p in pitches if decisions.get(p) in JUDGED and verdicts[p] in JUDGED
    ]
    versus_current = None
    if current is not None:
        shared = [(current[p], verdicts[p]) for p in pitches if current.get(p) in JUDGED and verdicts[p] in JUDGED]
        versus_current = agreement(shared, resamples, seed)
    misses = sum(t.tool_misses for t in trials)
    count = len(pitches)
    return VersionScores(
        pitches=count,
        trials=len(trials),
        abstained=abstained,
        failed=failed,
        undecided=undecided,
        versus_decisions=agreement(versus_decisions, resamples, seed),
        versus_current=versus_current,
        consistency=self_consistency(trials),
        tool_misses=misses,
        tool_misses_per_pitch=_ratio(misses, len(trials)),
        cost_per_pitch=(sum((t.cost for t in trials), Decimal("0")) / len(trials)) if trials else None,
        seconds_per_pitch=_ratio(sum(t.seconds for t in trials), len(trials)),
    )


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def _percentile(ordered: Sequence[float], share: float) -> float:
    """Linear interpolation between order statistics (numpy's default), on a sorted list."""
    position = share * (len(ordered) - 1)
    lower = int(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)
