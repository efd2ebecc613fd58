"""An evaluation's scores per version (core.scores over the trial rows) and the table the command prints."""

from __future__ import annotations

from dataclasses import asdict
from decimal import Decimal

from core.scores import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, Trial, VersionScores, modal_verdicts, score_version
from evaluations.models import Evaluation
from evaluations.selectors import TrialRow, evaluation_trial_rows

ROLES = ("candidate", "baseline")


def trial(row: TrialRow) -> Trial:
    """A failed trial has no verdict; an answer the map leaves undecided is counted as an abstention."""
    verdict = None
    if row.status == "done":
        verdict = row.outcome if row.outcome in ("advance", "pass") else "abstain"
    return Trial(pitch=row.key, verdict=verdict, trial=row.index + 1, tool_misses=row.tool_misses,
                 cost=row.cost_usd or Decimal(0), seconds=row.seconds or 0.0)


def evaluation_scores(evaluation: Evaluation, *, rows: list[TrialRow] | None = None,
                      resamples: int = BOOTSTRAP_RESAMPLES, seed: int = BOOTSTRAP_SEED) -> dict[str, VersionScores]:
    """{role: scores} for each version that ran; the candidate also against the baseline's verdicts."""
    rows = evaluation_trial_rows(evaluation) if rows is None else rows
    decisions = {row.key: row.decision for row in rows}
    dated = {row.key: row.pitch_date.date() if row.pitch_date else None for row in rows}
    by_role = {role: [row for row in rows if row.role == role] for role in ROLES}
    baseline_verdicts = modal_verdicts([trial(row) for row in by_role["baseline"]]) if by_role["baseline"] else None
    scores = {}
    for role, role_rows in by_role.items():
        if not role_rows:
            continue
        scores[role] = score_version(
            [trial(row) for row in role_rows], decisions, dated=dated, cutoff=role_rows[0].knowledge_cutoff,
            current=baseline_verdicts if role == "candidate" else None, resamples=resamples, seed=seed)
    return scores


def _number(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    return f"{value:.{digits}f}"


def _kappa(agreement) -> str:
    if agreement is None or agreement.kappa is None:
        return "–"
    interval = agreement.interval
    spread = f" [{interval.low:.2f}, {interval.high:.2f}]" if interval else ""
    return f"{agreement.kappa:.2f}{spread}"


def score_table(evaluation: Evaluation, scores: dict[str, VersionScores]) -> str:
    """A plain-text table, one column per version."""
    names = {"candidate": str(evaluation.candidate), "baseline": str(evaluation.baseline)}
    roles = [role for role in ROLES if role in scores]

    def lines_for(label: str, get) -> str:
        return f"{label:<46}" + "".join(f"{get(scores[role]):>26}" for role in roles)

    def after(get):
        return lambda s: get(s.after_cutoff) if s.after_cutoff is not None else "–"

    rows = [
        f"{'':<46}" + "".join(f"{role + ' ' + names[role]:>26}" for role in roles),
        lines_for("pitches / trials", lambda s: f"{s.pitches} / {s.trials}"),
        lines_for("abstained / failed / undecided", lambda s: f"{s.abstained} / {s.failed} / {s.undecided}"),
        lines_for("vs partners: compared", lambda s: str(s.versus_decisions.compared)),
        lines_for("vs partners: accuracy", lambda s: _number(s.versus_decisions.accuracy)),
        lines_for("vs partners: precision (advance)", lambda s: _number(s.versus_decisions.precision)),
        lines_for("vs partners: recall (advance)", lambda s: _number(s.versus_decisions.recall)),
        lines_for("vs partners: kappa [95% CI]", lambda s: _kappa(s.versus_decisions)),
        lines_for("confusion (partners→version) a→a a→p p→a p→p", lambda s: "{} {} {} {}".format(
            s.versus_decisions.confusion.advance_advance, s.versus_decisions.confusion.advance_pass,
            s.versus_decisions.confusion.pass_advance, s.versus_decisions.confusion.pass_pass)),
        lines_for("vs current version: kappa", lambda s: _kappa(s.versus_current)),
        lines_for("self-consistency (Fleiss kappa)", lambda s: _number(s.consistency.fleiss_kappa, 2)),
        lines_for("tool misses (per pitch)", lambda s: f"{s.tool_misses} ({_number(s.tool_misses_per_pitch, 2)})"),
        lines_for("cost per pitch (USD)", lambda s: _number(s.cost_per_pitch, 6)),
        lines_for("seconds per pitch", lambda s: _number(s.seconds_per_pitch, 1)),
        lines_for("after cutoff: pitches", after(lambda a: str(a.pitches))),
        lines_for("after cutoff: kappa [95% CI]", after(lambda a: _kappa(a.versus_decisions))),
        f"Kappa intervals: percentile bootstrap over the pitches, {BOOTSTRAP_RESAMPLES} resamples, seed "
        f"{BOOTSTRAP_SEED}; a pitch replayed k times counts once, with its most frequent verdict.",
    ]
    return "\n".join(rows)


def scores_json(evaluation: Evaluation, scores: dict[str, VersionScores], progress: dict) -> dict:
    return {"evaluation": progress, "candidate": str(evaluation.candidate), "baseline": str(evaluation.baseline),
            "scores": {role: asdict(value) for role, value in scores.items()}}
