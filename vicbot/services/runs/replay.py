"""Replay: a run's tool calls answered from a recording instead of running the tools.

The recording is plain data (a list of {"name", "arguments", "output"}), set on the run when it
starts (Run.replay_calls): the engine knows nothing of datasets or pitches. A call is answered by
the first recorded call of the same tool with the same arguments; failing that, by one whose
arguments match after a declared normalisation (REPLAY_NORMALISATION); failing that, the model is
told there is no recorded result, and the call is counted as a miss. Nothing is ever invoked, so a
replay reaches no Salesforce, PitchBook or web server and writes nothing anywhere.
"""

from __future__ import annotations

import json
import re
from typing import Any

NO_RECORDED_RESULT = ("No recorded result: this is a replay of an earlier evaluation, and that evaluation "
                      "made no call like this one. Continue with what you have.")
# What two arguments may differ by and still be the same question (said to operators in the README).
REPLAY_NORMALISATION = (
    "strings are compared without surrounding spaces, with runs of spaces as one and case ignored; "
    "URLs also without their scheme (http/https), a leading www. and a trailing slash"
)
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*://)?(?:www\.)?", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def _parsed(arguments: Any) -> Any:
    if isinstance(arguments, str):
        try:
            return json.loads(arguments) if arguments.strip() else {}
        except ValueError:
            return arguments
    return arguments


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def normalised(value: Any) -> Any:
    """Arguments in the declared normal form (REPLAY_NORMALISATION), recursively."""
    if isinstance(value, dict):
        return {key: normalised(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalised(item) for item in value]
    if isinstance(value, str):
        text = _SPACES.sub(" ", value.strip()).casefold()
        if "://" in text or text.startswith("www."):
            text = _URL.sub("", text).rstrip("/")
        return text
    return value


def recorded_answer(recorded: list[dict], name: str, arguments: str) -> tuple[str | None, str]:
    """(output, how): how is "exact", "normalised" or "miss" (output None)."""
    asked = _parsed(arguments)
    same_tool = [call for call in recorded if call.get("name") == name]
    exact = _canonical(asked)
    for call in same_tool:
        if _canonical(_parsed(call.get("arguments"))) == exact:
            return str(call.get("output") or ""), "exact"
    wanted = _canonical(normalised(asked))
    for call in same_tool:
        if _canonical(normalised(_parsed(call.get("arguments")))) == wanted:
            return str(call.get("output") or ""), "normalised"
    return None, "miss"
