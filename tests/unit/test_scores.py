"""The evaluation's scores: kappa against published worked examples, the bootstrap, and every count."""

import random
from datetime import date
from decimal import Decimal

import pytest

from core import scores
from core.scores import ABSTAIN, ADVANCE, PASS, UNDECIDED, Trial


def wikipedia_cohen_pairs():
    # Wikipedia "Cohen's kappa": 50 grant applications, readers A and B; 20 yes/yes, 15 no/no,
    # A yes & B no 5, A no & B yes 10 → p_o = 0.7, p_e = 0.5, κ = 0.4.
    return [("yes", "yes")] * 20 + [("no", "no")] * 15 + [("yes", "no")] * 5 + [("no", "yes")] * 10


def test_cohens_kappa_matches_the_published_worked_example():
    assert scores.cohens_kappa(wikipedia_cohen_pairs()) == pytest.approx(0.4)


def test_cohens_kappa_is_symmetric_in_the_raters():
    swapped = [(b, a) for a, b in wikipedia_cohen_pairs()]
    assert scores.cohens_kappa(swapped) == pytest.approx(0.4)


def test_perfect_agreement_is_one_and_perfect_disagreement_is_minus_one():
    assert scores.cohens_kappa([(ADVANCE, ADVANCE), (PASS, PASS)] * 5) == pytest.approx(1.0)
    assert scores.cohens_kappa([(ADVANCE, PASS), (PASS, ADVANCE)] * 5) == pytest.approx(-1.0)


def test_kappa_is_undefined_when_chance_agreement_is_one_or_nothing_is_compared():
    # Both raters always said the same single class: p_e = 1, the formula divides by zero.
    assert scores.cohens_kappa([(PASS, PASS)] * 7) is None
    assert scores.cohens_kappa([]) is None
    assert scores.bootstrap_kappa([]) is None


def test_fleiss_kappa_matches_the_published_worked_example():
    # Wikipedia "Fleiss' kappa": 10 subjects, 14 raters, 5 categories → P̄ = 0.378, P̄e = 0.213, κ = 0.210.
    table = [
        [0, 0, 0, 0, 14],
        [0, 2, 6, 4, 2],
        [0, 0, 3, 5, 6],
        [0, 3, 9, 2, 0],
        [2, 2, 8, 1, 1],
        [7, 7, 0, 0, 0],
        [3, 2, 6, 3, 0],
        [2, 5, 3, 2, 2],
        [6, 5, 2, 1, 0],
        [0, 2, 2, 3, 7],
    ]
    assert scores.fleiss_kappa(table) == pytest.approx(0.210, abs=0.0005)


def test_fleiss_kappa_edge_cases():
    assert scores.fleiss_kappa([]) is None
    assert scores.fleiss_kappa([[1, 0], [0, 1]]) is None  # one rater: no pairs to agree
    assert scores.fleiss_kappa([[2, 0], [1, 0]]) is None  # unequal raters per subject
    assert scores.fleiss_kappa([[3, 0], [3, 0]]) is None  # everyone chose one category: p_e = 1
    assert scores.fleiss_kappa([[3, 0], [0, 3]]) == pytest.approx(1.0)


def synthetic_pairs(n, true_kappa, seed):
    """Rater B copies A with probability κ, else draws independently from the same 50/50 marginal.

    Then p_o = κ + (1 − κ)/2 and p_e = 1/2, so the population kappa is exactly κ.
    """
    rng = random.Random(seed)
    pairs = []
    for _ in range(n):
        a = ADVANCE if rng.random() < 0.5 else PASS
        b = a if rng.random() < true_kappa else (ADVANCE if rng.random() < 0.5 else PASS)
        pairs.append((a, b))
    return pairs


def test_bootstrap_interval_covers_the_true_kappa_on_a_large_sample():
    pairs = synthetic_pairs(2000, 0.6, seed=7)
    interval = scores.bootstrap_kappa(pairs, resamples=500, seed=1)
    assert interval.covers(0.6)
    assert interval.high - interval.low < 0.1  # tight with 2000 pitches, so covering is not trivial
    assert interval.low < scores.cohens_kappa(pairs) < interval.high
    assert interval.resamples == 500


def test_bootstrap_interval_covers_the_truth_about_95_percent_of_the_time():
    covered = sum(
        scores.bootstrap_kappa(synthetic_pairs(150, 0.5, seed=s), resamples=300, seed=s).covers(0.5)
        for s in range(40)
    )
    assert 33 <= covered <= 40  # binomial(40, 0.95): below 33 has probability < 1 %


def test_bootstrap_is_reproducible_for_a_seed_and_varies_with_it():
    pairs = synthetic_pairs(80, 0.4, seed=3)
    first = scores.bootstrap_kappa(pairs, resamples=200, seed=5)
    assert first == scores.bootstrap_kappa(pairs, resamples=200, seed=5)
    assert first != scores.bootstrap_kappa(pairs, resamples=200, seed=6)


def test_bootstrap_counts_resamples_where_kappa_is_undefined():
    # One disagreement among 3 pitches: some resamples draw only the agreeing (PASS, PASS) pitch.
    interval = scores.bootstrap_kappa([(PASS, PASS), (PASS, PASS), (ADVANCE, PASS)], resamples=200, seed=2)
    assert interval.undefined > 0


def test_agreement_counts_the_confusion_matrix_precision_and_recall_of_advance():
    pairs = [(ADVANCE, ADVANCE)] * 6 + [(ADVANCE, PASS)] * 2 + [(PASS, ADVANCE)] * 3 + [(PASS, PASS)] * 9
    result = scores.agreement(pairs, resamples=100, seed=1)
    assert result.confusion.rows() == [(ADVANCE, 6, 2), (PASS, 3, 9)]
    assert result.compared == 20
    assert result.accuracy == pytest.approx(15 / 20)
    assert result.precision == pytest.approx(6 / 9)
    assert result.recall == pytest.approx(6 / 8)
    assert result.kappa == pytest.approx(scores.cohens_kappa(pairs))
    assert result.interval.low <= result.kappa <= result.interval.high


def test_agreement_with_nothing_to_compare_is_undefined_not_zero():
    result = scores.agreement([], resamples=100, seed=1)
    assert (result.accuracy, result.precision, result.recall, result.kappa, result.interval) == (None,) * 5


def test_modal_verdict_takes_the_majority_and_breaks_ties_by_the_earliest_trial():
    trials = [
        Trial("a", PASS, trial=1), Trial("a", ADVANCE, trial=2), Trial("a", ADVANCE, trial=3),
        Trial("b", ADVANCE, trial=2), Trial("b", PASS, trial=1),
        Trial("c", None, trial=1), Trial("c", ABSTAIN, trial=2),
        Trial("d", None, trial=1),
    ]  # fmt: skip
    assert scores.modal_verdicts(trials) == {"a": ADVANCE, "b": PASS, "c": ABSTAIN, "d": None}


def test_self_consistency_over_k_trials():
    steady = [Trial(p, v, trial=t) for p, v in (("a", ADVANCE), ("b", PASS)) for t in (1, 2, 3)]
    assert scores.self_consistency(steady).mean_pairwise == pytest.approx(1.0)
    assert scores.self_consistency(steady).fleiss_kappa == pytest.approx(1.0)
    split = [Trial("a", ADVANCE, 1), Trial("a", ADVANCE, 2), Trial("a", PASS, 3)] + steady[3:]
    result = scores.self_consistency(split)
    assert result.trials_per_pitch == 3 and result.pitches == 2
    assert result.mean_pairwise == pytest.approx((1 / 3 + 1) / 2)
    assert result.fleiss_kappa < 1
    single = scores.self_consistency([Trial("a", ADVANCE)])
    assert (single.mean_pairwise, single.fleiss_kappa) == (None, None)


def test_score_version_excludes_and_counts_abstentions_failures_and_undecided_pitches():
    decisions = {"a": ADVANCE, "b": PASS, "c": ADVANCE, "d": PASS, "e": UNDECIDED, "f": PASS}
    trials = [
        Trial("a", ADVANCE, tool_misses=1, cost=Decimal("0.02"), seconds=3.0),
        Trial("b", ADVANCE, cost=Decimal("0.04"), seconds=5.0),
        Trial("c", ABSTAIN),
        Trial("d", None),
        Trial("e", ADVANCE, tool_misses=2),
        Trial("f", PASS),
    ]
    result = scores.score_version(trials, decisions, resamples=50)
    assert (result.pitches, result.trials, result.abstained, result.failed, result.undecided) == (6, 6, 1, 1, 1)
    assert result.versus_decisions.compared == 3  # a, b, f: both sides judged
    assert result.versus_decisions.confusion.rows() == [(ADVANCE, 1, 0), (PASS, 1, 1)]
    assert result.tool_misses == 3
    assert result.tool_misses_per_pitch == pytest.approx(0.5)
    assert result.cost_per_pitch == Decimal("0.01")
    assert result.seconds_per_pitch == pytest.approx(8 / 6)
    assert result.versus_current is None and result.after_cutoff is None


def test_score_version_compares_with_the_current_version_and_scores_the_pitches_after_the_cutoff():
    decisions = {p: (ADVANCE if i % 2 else PASS) for i, p in enumerate("abcdefgh")}
    current = {p: PASS for p in "abcdefgh"} | {"h": ABSTAIN}
    trials = [Trial(p, decisions[p]) for p in "abcdefgh"]
    dated = {p: date(2025, 1, 1 + i) for i, p in enumerate("abcdefgh")} | {"a": None}
    result = scores.score_version(
        trials, decisions, current=current, dated=dated, cutoff=date(2025, 1, 4), resamples=50
    )
    assert result.versus_decisions.kappa == pytest.approx(1.0)
    assert result.versus_current.compared == 7  # h: the current version abstained
    assert result.versus_current.confusion.rows() == [(ADVANCE, 0, 0), (PASS, 3, 4)]
    later = result.after_cutoff
    assert result.cutoff == date(2025, 1, 4)
    assert later.pitches == 4  # e, f, g, h are dated after 4 January; a has no date
    assert later.versus_decisions.compared == 4
    assert later.after_cutoff is None
