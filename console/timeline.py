"""A run as its operator reads it: outcome and answer first, then each turn in order.

The per-turn facts come from the run's ToolCall rows (each knows its turn) and the run's
own fields: each response's tokens and times in `Run.turn_usage`, priced here at the run's
model price. Everything here is plain data: the template escapes it, and the live endpoint
sends the same shape as JSON.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import NoReverseMatch, reverse

from console.formatting import dollars_exact, number, readable_json, seconds, when
from vicbot.models import TERMINAL_STATUSES, Run, RunStatus, ToolCall
from vicbot.runs import price_for, run_answer_keys, turn_cost


def schema_keys(run: Run) -> tuple[str, ...]:
    """The answer's fields in the order its assistant's schema lists them as required (a strict schema
    requires every field; `properties` is no guide: PostgreSQL's jsonb does not keep key order)."""
    assistant = getattr(run, "assistant", None)  # None: not set (the Run's own AttributeError)
    schema = assistant.output_schema if assistant is not None else None
    required = schema.get("required") if isinstance(schema, dict) else None
    return tuple(str(key) for key in required) if isinstance(required, list) else ()


def answer_parts(run: Run) -> dict:
    """The final answer as its completion handler reads it: the headline ("assessment", e.g. a pitch's
    Assessment) and its explanation ("reasoning"), under the keys the handler registered (a run with
    no handler, or one that named none: its assistant's schema's first two fields); the other fields
    apart; the raw text when the answer is not JSON."""
    data = run.output_json if isinstance(run.output_json, dict) else {}
    keys = run_answer_keys(run) or schema_keys(run)
    headline, explanation = (list(keys[:2]) + ["", ""])[:2]
    return {
        "label": headline or "Answer",
        "assessment": str(data.get(headline, "")) if headline else "",
        "reasoning": str(data.get(explanation, "")) if explanation else "",
        "other": {k: v for k, v in data.items() if k not in (headline, explanation)},
        "text": "" if data else run.output_text,
    }


def errors(run: Run) -> list[dict]:
    """Each distinct error once: the first error is often the last one again (or the same text after
    "Will retry: "), and the completion handler's may repeat the run's."""
    found: list[dict] = []
    if run.error_code or run.error_message:
        found.append({"label": run.error_code or "error", "text": run.error_message.strip()})
    for label, text in (("first error", run.first_error), ("refusal", run.refusal),
                        ("completion handler", run.completion_error)):
        core = (text or "").strip().removeprefix("Will retry: ")
        if core and not any(core in seen["text"] for seen in found):
            found.append({"label": label, "text": text.strip()})
    return found


def tool_call_data(call: ToolCall) -> dict:
    output = readable_json(call.output) if call.output else ""
    return {
        "id": call.pk,
        "turn": call.turn,
        "name": call.name,
        "status": call.status,
        "status_label": call.get_status_display(),
        "duration": seconds(call.duration_ms / 1000) if call.duration_ms is not None else "—",
        "started_at": when(call.started_at),
        "arguments": readable_json(call.arguments) if call.arguments else "",
        "output": output,
        "output_chars": len(call.output),
        "error": call.error,
        # A failed call's output is its error as the model was told it: shown once, under Error.
        "output_is_error": bool(call.error) and (not call.output or call.error in output or call.error in call.output),
        "usage": call.usage,
        "attempts": call.attempts,
    }


def turn_time(calls: list[ToolCall]) -> str:
    """How long the turn's tool calls took together (they run in parallel): first start to last finish."""
    starts = [c.started_at for c in calls if c.started_at]
    ends = [c.finished_at for c in calls if c.finished_at]
    if not starts or not ends or len(ends) < len(calls):
        return ""
    return seconds((max(ends) - min(starts)).total_seconds())


def turn_usage(entries: list[dict], price) -> dict:
    """A turn's responses (more than one when OpenAI failed it and it was created again): their tokens
    summed, the model's time on each added up, and their cost at `price` ("—" with no price row)."""
    costs = [turn_cost(price, e) for e in entries]
    model_time = sum(max(0.0, float(e["ended_at"]) - float(e["created_at"])) for e in entries)
    return {
        "responses": len(entries),
        "input": number(sum(e.get("input_tokens", 0) for e in entries)),
        "cached": number(sum(e.get("cached_input_tokens", 0) for e in entries)),
        "output": number(sum(e.get("output_tokens", 0) for e in entries)),
        "time": seconds(model_time),
        "cost": dollars_exact(sum(costs)) if price is not None else "—",
        "tiers": ", ".join(sorted({e["tier"] for e in entries if e.get("tier")})),
    }


def response_of(run: Run, number: int, entries: list[dict], *, last_turn: bool) -> str:
    """The turn's response: the last one its usage names (a turn OpenAI failed was created again, so
    response_ids, every response created, no longer lines up with the turns), the one in flight, or,
    for a run older than turn_usage, its place in response_ids."""
    if entries:
        return entries[-1]["response_id"]
    if last_turn and run.response_id:
        return run.response_id
    return run.response_ids[number - 1] if number - 1 < len(run.response_ids) else ""


def turns(run: Run, calls: list[ToolCall], price=None) -> list[dict]:
    """One entry per model turn: the tool calls it asked for, or the final answer it gave, or how the
    run ended there (a cancelled or failed run never reads as answered); its model time, tokens and
    cost when the run recorded them (None before the response's usage is in, or for an older run)."""
    usage: dict[int, list[dict]] = {}
    for entry in run.turn_usage or []:
        usage.setdefault(entry["turn"], []).append(entry)
    raw: dict[int, list[ToolCall]] = {}
    for call in calls:
        raw.setdefault(call.turn, []).append(call)
    by_turn: dict[int, list[dict]] = {}
    for call in calls:
        by_turn.setdefault(call.turn, []).append(tool_call_data(call))
    count = max([run.turn, *by_turn.keys()], default=0)
    result = []
    for number in range(1, count + 1):
        asked = by_turn.get(number, [])
        last = number == count and run.status in TERMINAL_STATUSES
        answered = last and not asked and run.status == RunStatus.SUCCEEDED
        result.append({
            "number": number,
            "response_id": response_of(run, number, usage.get(number, []), last_turn=number == count),
            "tool_calls": asked,
            "final": answered,
            # Said only where the run stopped: "Cancelled", "Failed", "Timed Out".
            "ended": run.get_status_display() if last and not answered else "",
            "in_flight": number == count and run.status not in TERMINAL_STATUSES,
            "tool_time": turn_time(raw.get(number, [])),
            "failed_calls": sum(1 for c in asked if c["error"]),
            "usage": turn_usage(usage[number], price) if number in usage else None,
        })
    return result


def salesforce_record_url(record_id: str) -> str:
    base = (settings.SALESFORCE_INSTANCE_URL or "").rstrip("/")
    return f"{base}/{record_id}" if base and record_id else ""


def pitches(run: Run) -> list[dict]:
    # Pitch is the pipelines app's model; reached through its relation so this works without it.
    related = getattr(run, "pitches", None)
    if related is None:
        return []
    found = []
    for pitch in related.all():
        try:
            url = reverse("admin:pipelines_pitch_change", args=[pitch.pk])
        except NoReverseMatch:
            url = ""
        found.append({"name": str(pitch), "url": url, "salesforce_id": pitch.salesforce_id,
                      "record_url": salesforce_record_url(pitch.salesforce_id)})
    return found


# Whose pitch a run was about (name, Salesforce id, link, the record's text as input) is pitch
# data: shown only to users who may view pitches.
PITCH_PERMISSION = "pipelines.view_pitch"


def deck_input(run: Run) -> dict | None:
    """The deck the run was given (or why not), from what the pipeline recorded in its metadata."""
    meta = run.metadata or {}
    if not meta.get("deck"):
        return None
    size = meta.get("deck_bytes", "")
    return {
        "title": meta.get("deck_title", ""), "version": meta.get("deck_version", ""),
        "pages": meta.get("deck_pages", ""), "size": f"{int(size) / 2**20:.1f} MB" if size.isdigit() else "",
        "sent_as": meta.get("deck_sent_as", ""), "problem": meta.get("deck_problem", ""),
        "file_url": salesforce_record_url(meta.get("deck_document", "")),
    }


def may_see_pitches(user) -> bool:
    return user.has_perm(PITCH_PERMISSION)


def run_timeline(run: Run, *, show_pitch: bool = True) -> dict:
    calls = list(run.tool_calls.order_by("turn", "id"))
    return {
        "id": run.pk,
        "status": run.status,
        "status_label": run.get_status_display(),
        "is_terminal": run.status in TERMINAL_STATUSES,
        "errors": errors(run),
        "answer": answer_parts(run),
        "turn": run.turn,
        "turns": turns(run, calls, price_for(run.model) if run.turn_usage else None),
        # Null: the run is older than per-turn usage; the page says so rather than show blanks or zeros.
        "turn_usage_recorded": run.turn_usage is not None,
        "tool_call_count": len(calls),
        "created_at": when(run.created_at),
        "started_at": when(run.started_at),
        "finished_at": when(run.finished_at),
        "duration": seconds(run.duration_seconds),
        "tokens": {"input": number(run.input_tokens), "cached": number(run.cached_input_tokens),
                   "output": number(run.output_tokens), "reasoning": number(run.reasoning_tokens)},
        "cost": dollars_exact(run.cost_usd),
        "pitchbook_credits": number((run.tool_usage or {}).get("pitchbook_credits", 0)),
        "model": run.model,
        "trigger": run.get_trigger_display(),
        "show_pitch": show_pitch,
        "pitches": pitches(run) if show_pitch else [],
        "deck": deck_input(run) if show_pitch else None,
        # A pitch's run carries the record's text in its input and metadata: hidden with the pitch.
        "hide_input": not show_pitch and bool(getattr(run, "pitches", None) and run.pitches.exists()),
    }
