"""Scripted judging: a marker in the instructions makes the scripted model judge in a chosen way.

Without a marker the answer's enum values are drawn from the conversation digest (model.AnswerValues), which
agrees with nobody in particular. To let a test or the demo evaluate assistant versions that judge better or
worse, a version's instructions can carry one line:

    VICBOT-TEST-JUDGE: always-advance | always-pass | always-abstain
    VICBOT-TEST-JUDGE: follow-decision-hint [noise P] [seed N]
    VICBOT-TEST-JUDGE: contrary-to-decision-hint
    VICBOT-TEST-JUDGE: random [seed N]

``follow-decision-hint`` answers what a ``VICBOT-TEST-DECISION-HINT: advance|pass`` line in the pitch (the
input) says — the partners' later decision planted in the sample data — and abstains when there is none;
with ``noise P`` it instead answers a coin flip (advance or pass, even odds) for a share P of the pitches,
chosen by a hash of the seed and the input, so the version's true Cohen's kappa against the hints is 1 − P
when the hints are half advance. ``random`` is the coin flip for every pitch. The same input always gets
the same answer (replays are reproducible) unless the request's metadata carries a ``trial_index`` value
(the k-th replay of a pitch), which joins the hash so repeated trials of a noisy judge can differ.

The judged field is ``Assessment`` if the schema has it, else the first string enum. Outcomes map to its
values by position: advance is the first value, abstain a value starting "Insufficient", pass the last
other value (the default schema: "Strong fit", "Not a fit", "Insufficient information").
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

JUDGE_MARKER = "VICBOT-TEST-JUDGE"
HINT_MARKER = "VICBOT-TEST-DECISION-HINT"
_JUDGE = re.compile(rf"{JUDGE_MARKER}:[ \t]*([^\n]+)")
_HINT = re.compile(rf"{HINT_MARKER}:[ \t]*(advance|pass)\b", re.IGNORECASE)
_NOISE = re.compile(r"\bnoise[ \t]+([0-9]*\.?[0-9]+)")
_SEED = re.compile(r"\bseed[ \t]+(\S+)")
MODES = ("always-advance", "always-pass", "always-abstain", "follow-decision-hint", "contrary-to-decision-hint",
         "random")
JUDGED_FIELD = "Assessment"


@dataclass(frozen=True)
class Judge:
    mode: str
    noise: float = 0.0
    seed: str = "0"

    def outcome(self, conversation: str, trial: str = "") -> str:
        """advance, pass or abstain for this conversation."""
        if self.mode.startswith("always-"):
            return self.mode.removeprefix("always-")
        if self.mode == "random" or (self.noise and self._draw(conversation, trial, "noise") < self.noise):
            return "advance" if self._draw(conversation, trial, "coin") < 0.5 else "pass"
        hint = _HINT.search(conversation)
        if hint is None:
            return "abstain"
        said = hint.group(1).lower()
        if self.mode == "contrary-to-decision-hint":
            return "pass" if said == "advance" else "advance"
        return said

    def _draw(self, conversation: str, trial: str, purpose: str) -> float:
        digest = hashlib.sha256(f"{self.seed}:{purpose}:{trial}:{conversation}".encode()).hexdigest()
        return int(digest[:12], 16) / float(16**12)


def judge_from(request: Mapping[str, Any]) -> Judge | None:
    """The judge a request's instructions ask for, or None (no marker, or an unknown mode)."""
    found = _JUDGE.search(str(request.get("instructions") or ""))
    if found is None:
        return None
    words = found.group(1).strip()
    mode = words.split()[0].lower() if words else ""
    if mode not in MODES:
        return None
    noise = _NOISE.search(words)
    seed = _SEED.search(words)
    return Judge(mode=mode, noise=min(1.0, float(noise.group(1))) if noise else 0.0,
                 seed=seed.group(1) if seed else "0")


def trial_of(request: Mapping[str, Any]) -> str:
    metadata = request.get("metadata") or {}
    return str(metadata.get("trial_index", "")) if isinstance(metadata, Mapping) else ""


def judged_field(schema: Mapping[str, Any]) -> str | None:
    properties = schema.get("properties") or {}
    if JUDGED_FIELD in properties and properties[JUDGED_FIELD].get("enum"):
        return JUDGED_FIELD
    return next((name for name, prop in properties.items() if isinstance(prop, Mapping) and prop.get("enum")), None)


def value_for(outcome: str, values: Sequence[Any]) -> Any:
    """The enum value that says this outcome (by position; see the module docstring)."""
    abstain = [v for v in values if str(v).lower().startswith("insufficient")]
    others = [v for v in values if v not in abstain]
    if outcome == "abstain" and abstain:
        return abstain[0]
    if outcome == "advance" or not others:
        return (others or list(values))[0]
    return others[-1]
