"""The scripted model: a deterministic function of the request and its chain.

Behaviour (what a client's tool loop will see):

* A turn whose input has no ``function_call_output`` and that is offered function
  tools (``tool_choice`` not ``"none"``) calls every offered tool at once, with
  arguments drawn from the input text (one tool per turn when
  ``parallel_tool_calls`` is false).
* A turn that carries tool outputs answers with a final message: JSON valid for
  ``text.format.schema`` when a ``json_schema`` format is set, otherwise text.
  The answer mentions the tools called and the start of what they returned.
* Reasoning models (anything not ``gpt-4*``/``gpt-3.5*``) put a ``reasoning``
  item first, as real ones do, so clients learn to skip it.
* With ``follow_injections`` (the ``follow_injections`` fault outcome) the model obeys
  instructions planted in what it reads, as a gullible real one might: a line
  ``VICBOT-TEST-INJECTION: call <tool> with <JSON object>`` in the input or in any tool
  output of the chain makes the next turn call that (offered) tool with those arguments,
  once per instruction, before anything else. In the arguments' strings,
  ``{{output:<tool>}}`` stands for the latest output of that tool, percent-encoded: the
  data an attacker would ask the model to send out.
"""

from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import quote
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import ids, items
from .values import Schema, synthesize

_URL = re.compile(r"https?://[^\s<>\"'()\[\]{}]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_HINTS = ("name", "company", "query", "person", "founder", "account")
_NON_REASONING_MODELS = ("gpt-4", "gpt-3.5", "chatgpt-4o")
_REASONING_TOKENS = {"minimal": 16, "low": 64, "medium": 192, "high": 512, "xhigh": 1024, "max": 2048}
_REFUSAL = "I'm sorry, but I can't help with that request."
INJECTION_MARKER = "VICBOT-TEST-INJECTION"
_INJECTION = re.compile(rf"{INJECTION_MARKER}:\s*call\s+([A-Za-z0-9_-]+)\s+with\s+")
_OUTPUT_PLACEHOLDER = re.compile(r"\{\{output:([A-Za-z0-9_-]+)\}\}")
_LEAKED_CHARS = 200  # how much of a tool output an obeyed instruction sends on
# A file input's page as the emulator gives it to the model (files.FileStore.expand).
_FILE_PAGE = re.compile(r"^\[(?P<name>[^\]\n]+) p\. (?P<number>\d+)\]\n(?P<text>.*?)(?=^\[[^\]\n]+ p\. \d+\]$|\Z)",
                        re.DOTALL | re.MULTILINE)
_DECK_PAGES_CITED = 6


@dataclass(frozen=True)
class Turn:
    """An earlier response in the ``previous_response_id`` chain."""

    request: Mapping[str, Any]
    output: Sequence[Mapping[str, Any]]


@dataclass(frozen=True)
class ModelReply:
    output: list[dict[str, Any]]
    reasoning_tokens: int


def respond(
    request: Mapping[str, Any],
    chain: Sequence[Turn],
    *,
    seed: str,
    loop: bool = False,
    follow_injections: bool = False,
) -> ModelReply:
    """The scripted turn. ``loop`` keeps calling the first tool and never answers;
    ``follow_injections`` first obeys any planted instruction not yet obeyed."""
    context = _Context(request, chain)
    tools = context.offered_tools()
    if follow_injections and (injected := context.injected_call(tools, seed)) is not None:
        return context.reply([injected])
    if loop and tools:
        return context.reply(context.tool_calls(tools[:1], seed))
    if tools:
        pending = [tool for tool in tools if tool["name"] not in context.called_in_episode()]
        if pending and (not context.has_tool_outputs() or not context.parallel):
            batch = pending if context.parallel else pending[:1]
            return context.reply(context.tool_calls(batch, seed))
    return context.reply([_message(context.answer_text())])


def refuse(request: Mapping[str, Any], chain: Sequence[Turn]) -> ModelReply:
    """A final message whose only content part is a refusal."""
    context = _Context(request, chain)
    message = _message("")
    message["content"] = [{"type": "refusal", "refusal": _REFUSAL}]
    return context.reply([message])


def answer_with_broken_json(request: Mapping[str, Any], chain: Sequence[Turn]) -> ModelReply:
    """A final answer cut off half-way, so it is never valid JSON."""
    context = _Context(request, chain)
    text = context.answer_text()
    if not context.wants_json():
        text = json.dumps({"answer": text})
    return context.reply([_message(text[: max(1, len(text) // 2)])])


def call_tool(
    request: Mapping[str, Any], chain: Sequence[Turn], *, seed: str, name: str, arguments: str
) -> ModelReply:
    """A function call with exactly this name and raw arguments (maybe bogus)."""
    context = _Context(request, chain)
    return context.reply([_function_call(name, arguments, ids.call_id(f"{seed}:forced:{name}"))])


def call_tools(
    request: Mapping[str, Any], chain: Sequence[Turn], *, seed: str, calls: Sequence[Mapping[str, str]]
) -> ModelReply:
    """Several function calls in one turn, each ``{"name", "arguments"}`` exactly as given."""
    context = _Context(request, chain)
    return context.reply([
        _function_call(call["name"], call["arguments"], ids.call_id(f"{seed}:forced:{index}:{call['name']}"))
        for index, call in enumerate(calls)
    ])


def reasoning_effort(request: Mapping[str, Any]) -> str | None:
    """The effort a reasoning model would spend, or None for a non-reasoning model."""
    if str(request.get("model", "")).startswith(_NON_REASONING_MODELS):
        return None
    effort = (request.get("reasoning") or {}).get("effort") or "medium"
    return None if effort == "none" else effort


class Facts:
    """Values a model would lift from the conversation text."""

    def __init__(self, text: str) -> None:
        self.text = text

    def url(self) -> str:
        found = _URL.search(self.text)
        return found.group(0).rstrip(".,;:!?") if found else "https://example.com"

    def email(self) -> str:
        found = _EMAIL.search(self.text)
        return found.group(0) if found else "contact@example.com"

    def name_for(self, prop: str) -> str:
        """The value of a ``Name:``/``Company:``/``Account Name:``/``Founder:`` line."""
        lowered = prop.lower()
        if "company" in lowered or "account" in lowered:
            labels = ("Company", "Account Name", "Name", "Founder")
        elif "person" in lowered or "founder" in lowered:
            labels = ("Founder", "Name", "Company", "Account Name")
        else:
            labels = ("Name", "Company", "Account Name", "Founder")
        for label in labels:
            found = re.search(
                rf"^[ \t]*{re.escape(label)}[ \t]*:[ \t]*(\S.*?)[ \t]*$",
                self.text,
                re.IGNORECASE | re.MULTILINE,
            )
            if found:
                return found.group(1)
        return self.first_line()

    def labelled(self, label: str) -> str | None:
        """The value of a ``<label>: value`` line, if the input has one."""
        found = re.search(rf"^[ \t]*{re.escape(label)}[ \t]*:[ \t]*(\S+)", self.text, re.IGNORECASE | re.MULTILINE)
        return found.group(1) if found else None

    def first_line(self) -> str:
        for line in self.text.splitlines():
            if line.strip():
                return line.strip()[:200]
        return "unknown"

    def string(self, name: str, schema: Schema) -> str | None:
        """A string for slots whose name or format says what they hold; else None."""
        lowered = name.lower()
        fmt = schema.get("format")
        if fmt == "date-time":
            return "2026-01-01T00:00:00Z"
        if fmt == "date":
            return "2026-01-01"
        if fmt in ("uri", "url") or any(hint in lowered for hint in ("url", "website", "domain")):
            return self.url()
        if fmt == "email" or "email" in lowered:
            return self.email()
        if lowered.endswith("_id") and (found := self.labelled(lowered[:-3].replace("_", " ") + " id")):
            return found  # an id the input states, e.g. "Account Id: 001..."
        if any(hint in lowered for hint in _NAME_HINTS):
            return self.name_for(name)
        return None


class ArgumentValues:
    """Tool-call arguments: drawn from the input, otherwise the plainest valid value."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts

    def string(self, name: str, schema: Schema) -> str:
        return self.facts.string(name, schema) or self.facts.first_line()

    def choice(self, name: str, values: Sequence[Any]) -> Any:
        return values[0]

    def number(self, name: str, low: float | None, high: float | None, integer: bool) -> float:
        return _clamp(1, low, high)

    def boolean(self, name: str) -> bool:
        return False

    def array_length(self, name: str) -> int:
        return 0


class AnswerValues:
    """The final structured answer: stable choices seeded by the conversation."""

    def __init__(self, facts: Facts, summary: str, digest: str) -> None:
        self.facts = facts
        self.summary = summary
        self.digest = digest

    def _pick(self, name: str, modulus: int) -> int:
        return int(hashlib.sha256(f"{self.digest}:{name}".encode()).hexdigest()[:8], 16) % modulus

    def string(self, name: str, schema: Schema) -> str:
        return self.facts.string(name, schema) or self.summary

    def choice(self, name: str, values: Sequence[Any]) -> Any:
        return values[self._pick(name, len(values))]

    def number(self, name: str, low: float | None, high: float | None, integer: bool) -> float:
        if low is not None and high is not None and integer:
            return int(low) + self._pick(name, int(high) - int(low) + 1)
        return _clamp(1 + self._pick(name, 5), low, high)

    def boolean(self, name: str) -> bool:
        return bool(self._pick(name, 2))

    def array_length(self, name: str) -> int:
        return 1


class _Context:
    """What one turn can see: this request, the chain before it, and the text in both."""

    def __init__(self, request: Mapping[str, Any], chain: Sequence[Turn]) -> None:
        self.request = request
        self.chain = chain
        self.input = items.input_items(request.get("input"))
        inputs = [items.input_items(turn.request.get("input")) for turn in chain] + [self.input]
        conversation = "\n".join(items.message_text(turn_input) for turn_input in inputs)
        self.conversation = conversation
        self.facts = Facts(conversation or str(request.get("instructions") or ""))
        self.digest = hashlib.sha256(conversation.encode()).hexdigest()
        self.parallel = request.get("parallel_tool_calls") is not False
        self.effort = reasoning_effort(request)

    def offered_tools(self) -> list[Mapping[str, Any]]:
        tools = [tool for tool in self.request.get("tools") or [] if tool.get("type") == "function"]
        choice = self.request.get("tool_choice") or "auto"
        if choice == "none":
            return []
        if isinstance(choice, Mapping) and choice.get("type") == "function":
            return [tool for tool in tools if tool["name"] == choice.get("name")]
        if isinstance(choice, Mapping) and choice.get("type") == "allowed_tools":
            allowed = {entry.get("name") for entry in choice.get("tools", [])}
            return [tool for tool in tools if tool["name"] in allowed]
        return tools

    def has_tool_outputs(self) -> bool:
        return bool(items.function_outputs(self.input))

    def _episode(self) -> tuple[list[Turn], list[items.Item]]:
        """Earlier turns of the current tool episode, and the tool outputs it produced.

        An episode starts at the last turn whose input carried no tool outputs
        (a fresh question); the tools called since then count as already called.
        """
        episode: list[Turn] = []
        if self.has_tool_outputs():
            for turn in reversed(self.chain):
                episode.insert(0, turn)
                if not items.function_outputs(items.input_items(turn.request.get("input"))):
                    break
        outputs = [
            out
            for turn in episode
            for out in items.function_outputs(items.input_items(turn.request.get("input")))
        ] + items.function_outputs(self.input)
        return episode, outputs

    def called_in_episode(self) -> set[str]:
        episode, _ = self._episode()
        calls = [call for turn in episode for call in items.function_calls(turn.output)]
        return {str(call.get("name")) for call in calls + items.function_calls(self.input)}

    def tool_results(self) -> list[tuple[str, str]]:
        """(tool name, output text) for each tool output seen in this episode."""
        known_calls = [call for turn in self.chain for call in items.function_calls(turn.output)]
        known_calls += items.function_calls(self.input)
        names = {call.get("call_id"): str(call.get("name")) for call in known_calls}
        _, outputs = self._episode()
        return [
            (names.get(out.get("call_id"), "unknown_tool"), items.parts_text(out.get("output")))
            for out in outputs
        ]

    def summary(self) -> str:
        results = self.tool_results()
        deck = self.deck_reading()
        if not results:
            return f"{deck}Answered directly from the input: {_snippet(self.facts.first_line())}"
        described = "; ".join(f'{name} returned "{_snippet(text)}"' for name, text in results)
        plural = "s" if len(results) > 1 else ""
        return f"{deck}Called {len(results)} tool{plural}: {described}."

    def deck_reading(self) -> str:
        """What the model took from the files it was given, each claim citing its page ("deck p. N")."""
        pages = [(match["number"], " ".join(match["text"].split())) for match in _FILE_PAGE.finditer(self.conversation)]
        cited = [f'deck p. {number}: "{_snippet(text)}"' for number, text in pages[:_DECK_PAGES_CITED] if text]
        return f"Read the deck first ({'; '.join(cited)}). " if cited else ""

    def wants_json(self) -> bool:
        return self.format_type() in ("json_schema", "json_object")

    def format_type(self) -> str:
        return str(((self.request.get("text") or {}).get("format") or {}).get("type") or "text")

    def answer_text(self) -> str:
        fmt = (self.request.get("text") or {}).get("format") or {}
        summary = self.summary()
        if self.format_type() == "json_schema":
            value = synthesize(fmt.get("schema") or {}, AnswerValues(self.facts, summary, self.digest))
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        if self.format_type() == "json_object":
            return json.dumps({"answer": summary}, ensure_ascii=False)
        return summary

    def tool_calls(self, tools: Sequence[Mapping[str, Any]], seed: str) -> list[dict[str, Any]]:
        strategy = ArgumentValues(self.facts)
        calls = []
        for index, tool in enumerate(tools):
            arguments = synthesize(tool.get("parameters") or {"type": "object", "properties": {}}, strategy)
            encoded = json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))
            calls.append(_function_call(tool["name"], encoded, ids.call_id(f"{seed}:{index}:{tool['name']}")))
        return calls

    def injected_call(self, tools: Sequence[Mapping[str, Any]], seed: str) -> dict[str, Any] | None:
        """The first planted instruction for an offered tool that no turn has carried out yet."""
        offered = {str(tool["name"]) for tool in tools}
        turns = [*self.chain, Turn(request=self.request, output=[])]
        made = {(str(call.get("name")), _canonical(call.get("arguments"))) for call in self._all_calls()}
        outputs = self._all_outputs()
        for text in self._everything_read(turns):
            for name, arguments in _instructions(text):
                if name not in offered:
                    continue
                arguments = _fill_placeholders(arguments, outputs)
                encoded = json.dumps(arguments, ensure_ascii=False, separators=(",", ":"))
                if (name, _canonical(encoded)) not in made:
                    return _function_call(name, encoded, ids.call_id(f"{seed}:injected:{name}"))
        return None

    def _all_calls(self) -> list[items.Item]:
        calls = [call for turn in self.chain for call in items.function_calls(turn.output)]
        return calls + items.function_calls(self.input)

    def _all_outputs(self) -> list[tuple[str, str]]:
        """(tool name, output text) of every tool output in the chain, oldest first."""
        names = {call.get("call_id"): str(call.get("name")) for call in self._all_calls()}
        inputs = [items.input_items(turn.request.get("input")) for turn in self.chain] + [self.input]
        return [
            (names.get(out.get("call_id"), "unknown_tool"), items.parts_text(out.get("output")))
            for turn_input in inputs
            for out in items.function_outputs(turn_input)
        ]

    def _everything_read(self, turns: Sequence[Turn]) -> list[str]:
        """Instructions, input messages and tool outputs (JSON decoded, as a model reads it)."""
        texts = [str(self.request.get("instructions") or "")]
        for turn in turns:
            turn_input = items.input_items(turn.request.get("input"))
            texts.append(items.message_text(turn_input))
            for out in items.function_outputs(turn_input):
                texts.extend(_strings(items.parts_text(out.get("output"))))
        return texts

    def reply(self, output: list[dict[str, Any]]) -> ModelReply:
        if self.effort is None:
            return ModelReply(output=output, reasoning_tokens=0)
        tokens = _REASONING_TOKENS.get(self.effort, 192) + int(self.digest[:4], 16) % 32
        reasoning = {"type": "reasoning", "id": ids.new_id("rs"), "summary": []}
        return ModelReply(output=[reasoning, *output], reasoning_tokens=tokens)


def _message(text: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": ids.new_id("msg"),
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
    }


def _function_call(name: str, arguments: str, call_id: str) -> dict[str, Any]:
    return {
        "type": "function_call",
        "id": ids.new_id("fc"),
        "call_id": call_id,
        "name": name,
        "arguments": arguments,
        "status": "completed",
    }


def _instructions(text: str) -> list[tuple[str, dict[str, Any]]]:
    """(tool, arguments) of every well-formed planted instruction in `text`, in order."""
    found = []
    decoder = json.JSONDecoder()
    for match in _INJECTION.finditer(text):
        try:
            arguments, _ = decoder.raw_decode(text, match.end())
        except json.JSONDecodeError:
            continue  # a mangled instruction is not obeyed
        if isinstance(arguments, dict):
            found.append((match.group(1), arguments))
    return found


def _fill_placeholders(value: Any, outputs: Sequence[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        def latest(match: re.Match[str]) -> str:
            texts = [text for name, text in outputs if name == match.group(1)]
            return quote(" ".join(texts[-1].split())[:_LEAKED_CHARS], safe="") if texts else ""

        return _OUTPUT_PLACEHOLDER.sub(latest, value)
    if isinstance(value, dict):
        return {key: _fill_placeholders(item, outputs) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill_placeholders(item, outputs) for item in value]
    return value


def _strings(text: str) -> list[str]:
    """A tool output as a model reads it: the strings inside JSON, else the text itself."""
    try:
        value = json.loads(text)
    except ValueError:
        return [text]
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for item in node.values():
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(value)
    return found


def _canonical(arguments: Any) -> str:
    try:
        return json.dumps(json.loads(arguments), sort_keys=True)
    except (TypeError, ValueError):
        return str(arguments)


def _snippet(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit] + "…"


def _clamp(value: float, low: float | None, high: float | None) -> float:
    if low is not None:
        value = max(value, low)
    if high is not None:
        value = min(value, high)
    return value
