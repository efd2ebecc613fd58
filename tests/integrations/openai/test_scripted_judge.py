"""The scripted model judges as a version's instructions tell it (VICBOT-TEST-JUDGE), for evaluations."""

from __future__ import annotations

import json

import pytest

from core import scores
from sandbox.emulators.openai.judge import judge_from, value_for

from .scenarios import INSTRUCTIONS, PITCH, turn_kwargs

DEFAULT_VALUES = ["Strong fit", "Possible fit", "Not a fit", "Insufficient information"]
SCHEMA = {
    "type": "object",
    "properties": {
        "Assessment": {"type": "string", "enum": DEFAULT_VALUES},
        "Reasoning": {"type": "string"},
    },
    "required": ["Assessment", "Reasoning"],
    "additionalProperties": False,
}
FORMAT = {"format": {"type": "json_schema", "name": "pitch_verdict", "schema": SCHEMA, "strict": True}}


def verdict(client, pitch: str, marker: str, **extra) -> str:
    response = client.responses.create(
        input=pitch, **turn_kwargs(tools=[], text=FORMAT, instructions=f"{INSTRUCTIONS}\nVICBOT-TEST-JUDGE: {marker}"),
        **extra,
    )
    return json.loads(response.output_text)["Assessment"]


def hinted(decision: str, number: int = 0) -> str:
    return f"{PITCH}\nPitch number {number}.\nVICBOT-TEST-DECISION-HINT: {decision}"


def test_a_judge_marker_fixes_the_verdict_over_the_real_api(client) -> None:
    assert verdict(client, hinted("pass"), "always-advance") == "Strong fit"
    assert verdict(client, hinted("advance"), "always-pass") == "Not a fit"
    assert verdict(client, hinted("advance"), "follow-decision-hint") == "Strong fit"
    assert verdict(client, hinted("pass"), "follow-decision-hint") == "Not a fit"
    assert verdict(client, hinted("pass"), "contrary-to-decision-hint") == "Strong fit"
    assert verdict(client, PITCH, "follow-decision-hint") == "Insufficient information"  # no hint: abstain


def test_without_a_marker_the_hint_is_not_followed(client) -> None:
    # The digest-drawn choice agrees with the hint only by chance: over 12 hinted pitches it disagrees somewhere.
    answers = []
    for number in range(12):
        response = client.responses.create(input=hinted("advance", number), **turn_kwargs(tools=[], text=FORMAT))
        answers.append(json.loads(response.output_text)["Assessment"])
    assert set(answers) != {"Strong fit"}


def test_a_noisy_judge_has_the_kappa_it_was_given_and_is_reproducible() -> None:
    judge = judge_from({"instructions": "Judge.\nVICBOT-TEST-JUDGE: follow-decision-hint noise 0.4 seed 7"})
    assert (judge.mode, judge.noise, judge.seed) == ("follow-decision-hint", 0.4, "7")
    truths = ["advance", "pass"] * 1000
    pairs = [(truth, judge.outcome(hinted(truth, n))) for n, truth in enumerate(truths)]
    # Follows the hint for 60 % of pitches, flips a fair coin for the rest: population kappa 0.6.
    assert scores.cohens_kappa(pairs) == pytest.approx(0.6, abs=0.05)
    assert [judge.outcome(hinted(t, n)) for n, t in enumerate(truths[:50])] == [p[1] for p in pairs[:50]]
    # A trial number in the metadata joins the draw, so repeated trials of a noisy judge can differ.
    assert any(judge.outcome(hinted(t, n), "1") != judge.outcome(hinted(t, n), "2") for n, t in enumerate(truths[:50]))


def test_unknown_modes_and_schemas_without_an_abstain_value() -> None:
    assert judge_from({"instructions": "VICBOT-TEST-JUDGE: be-nice"}) is None
    assert judge_from({"instructions": "no marker"}) is None
    assert value_for("advance", ["Strong", "Promising", "Weak"]) == "Strong"
    assert value_for("pass", ["Strong", "Promising", "Weak"]) == "Weak"
    assert value_for("abstain", DEFAULT_VALUES) == "Insufficient information"
