"""The final answer: validated on our side even though OpenAI enforced the schema."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from vicbot.models import Run, RunStatus
from vicbot.services.runs.state import run_end, run_move
from vicbot.services.runs.usage import response_increments


def run_finish(run: Run, response) -> None:
    """Turn a completed response with no tool calls into the run's outcome."""
    if run.status == RunStatus.WAITING_MODEL:
        started = run_move(run.pk, "finish", where={"response_id": response.id}, **response_increments(run, response))
        if not started:
            return
    text, refusal = _answer_parts(response)
    if refusal:
        run_end(run.pk, RunStatus.FAILED, code="refusal", message="The model refused to answer",
                where={"status": RunStatus.FINISHING}, refusal=refusal, output_text=text)
    else:
        problem, parsed = validate_answer(text, run.assistant.output_schema)
        if problem:
            run_end(run.pk, RunStatus.FAILED, code="invalid_output", message=problem,
                    where={"status": RunStatus.FINISHING}, output_text=text)
        else:
            run_end(run.pk, RunStatus.SUCCEEDED, output_text=text, output_json=parsed)


def validate_answer(text: str, schema: dict) -> tuple[str, object]:
    """(problem, parsed): problem is '' when `text` is JSON valid for `schema`."""
    if not text.strip():
        return "The model's final answer was empty", None
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"The final answer is not JSON: {exc}", None
    errors = sorted(Draft202012Validator(schema).iter_errors(parsed), key=lambda e: list(e.path))
    if errors:
        where = lambda e: "/".join(str(p) for p in e.path) or "(root)"  # noqa: E731
        return "The final answer does not fit the schema: " + "; ".join(
            f"{where(e)}: {e.message}" for e in errors[:5]
        ), parsed
    return "", parsed


def _answer_parts(response) -> tuple[str, str]:
    texts, refusals = [], []
    for item in response.output:
        if item.type != "message":
            continue
        for part in item.content:
            if part.type == "output_text":
                texts.append(part.text)
            elif part.type == "refusal":
                refusals.append(part.refusal)
    return "".join(texts), "\n".join(refusals)

