"""The scripted model's building blocks, without a server: values, facts, schema rules, clock."""

from __future__ import annotations

import jsonschema
import pytest

from integrations.openai.emulator import Clock
from integrations.openai.emulator.model import AnswerValues, ArgumentValues, Facts
from integrations.openai.emulator.ratelimit import go_duration
from integrations.openai.emulator.validation import strict_schema_problem
from integrations.openai.emulator.values import synthesize

from .scenarios import PITCH

TREE = {
    "type": "object",
    "properties": {
        "label": {"type": "string"},
        "children": {"type": "array", "items": {"$ref": "#"}},
        "parent": {"anyOf": [{"$ref": "#"}, {"type": "null"}]},
    },
    "required": ["label", "children", "parent"],
    "additionalProperties": False,
}


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "object", "properties": {"n": {"type": "integer", "minimum": 5, "maximum": 9}}},
        {"type": "object", "properties": {"x": {"type": "number", "exclusiveMaximum": 0}}},
        {
            "type": "object",
            "properties": {"tags": {"type": "array", "items": {"type": "string"}, "minItems": 2}},
        },
        {"type": "object", "properties": {"code": {"type": "string", "maxLength": 3, "minLength": 3}}},
        {"type": "object", "properties": {"when": {"type": "string", "format": "date-time"}}},
        {
            "type": "object",
            "properties": {"kind": {"const": "pitch"}, "maybe": {"type": ["integer", "null"]}},
        },
        TREE,
    ],
)
def test_synthesized_values_satisfy_their_schema(schema: dict) -> None:
    facts = Facts(PITCH)

    for strategy in (ArgumentValues(facts), AnswerValues(facts, "summary", "0" * 64)):
        jsonschema.validate(synthesize(schema, strategy), schema)


def test_facts_come_from_labelled_lines_urls_and_emails() -> None:
    facts = Facts(PITCH)

    assert facts.name_for("company_name") == "Acme Robotics"
    assert facts.name_for("founder") == "Jane Doe"
    assert facts.url() == "https://acme-robotics.example/about"
    assert facts.email() == "jane@acme-robotics.example"


def test_facts_fall_back_to_the_first_line_and_made_up_contacts() -> None:
    facts = Facts("\n  Robots for warehouses  \nmore text")

    assert facts.name_for("person") == "Robots for warehouses"
    assert facts.url() == "https://example.com"
    assert facts.email() == "contact@example.com"


def test_answer_enums_are_chosen_by_the_conversation_digest() -> None:
    facts = Facts(PITCH)
    choices = {AnswerValues(facts, "s", f"{n:064x}").choice("Assessment", ["a", "b", "c"]) for n in range(30)}

    assert AnswerValues(facts, "s", "1" * 64).choice("Assessment", ["a", "b", "c"]) == AnswerValues(
        facts, "s", "1" * 64
    ).choice("Assessment", ["a", "b", "c"])
    assert choices == {"a", "b", "c"}


def test_strict_mode_rules_find_the_first_problem_with_its_context() -> None:
    schema = {
        "type": "object",
        "properties": {"inner": {"type": "object", "properties": {"a": {"type": "string"}}, "required": []}},
        "required": ["inner"],
        "additionalProperties": False,
    }

    assert strict_schema_problem(TREE) is None
    assert strict_schema_problem(schema) == (
        "In context=('properties', 'inner'), "
        "'additionalProperties' is required to be supplied and to be false."
    )
    assert 'type: "array"' in strict_schema_problem({"type": "array", "items": {}})


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (0.012, "12ms"), (1.5, "1.5s"), (360, "6m0s"), (3723, "1h2m3s")]
)
def test_reset_durations_are_formatted_like_go(seconds: float, text: str) -> None:
    assert go_duration(seconds) == text


def test_a_manual_clock_moves_only_when_advanced() -> None:
    clock = Clock(manual=True, start=1_000.0)
    woken = []
    clock.subscribe(lambda: woken.append(True))

    assert clock.now() == clock.now() == 1_000.0
    clock.advance(2.5)
    assert clock.now() == 1_002.5 and woken == [True]
    with pytest.raises(ValueError):
        clock.advance(-1)
