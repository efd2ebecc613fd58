"""Request pieces shared by the emulator tests: a pitch-evaluation tool loop."""

from __future__ import annotations

from typing import Any

MODEL = "gpt-5.4-mini"

PITCH = """Account Name: Acme Robotics
Website: https://acme-robotics.example/about.
Founder: Jane Doe
Contact: jane@acme-robotics.example
We build warehouse robots that pick 600 items an hour."""

LOOKUP_COMPANY: dict[str, Any] = {
    "type": "function",
    "name": "lookup_company",
    "description": "Look up a company in the CRM.",
    "parameters": {
        "type": "object",
        "properties": {
            "company_name": {"type": "string"},
            "website": {"type": "string"},
            "region": {"type": "string", "enum": ["emea", "amer", "apac"]},
        },
        "required": ["company_name", "website", "region"],
        "additionalProperties": False,
    },
    "strict": True,
}

SEARCH_WEB: dict[str, Any] = {
    "type": "function",
    "name": "search_web",
    "description": "Search the web.",
    "parameters": {
        "type": "object",
        "properties": {
            "query": {"type": "string"},
            "max_results": {"type": "integer"},
            "contact_email": {"type": ["string", "null"]},
            "filters": {
                "type": "object",
                "properties": {
                    "recent_only": {"type": "boolean"},
                    "sites": {"type": "array", "items": {"type": "string"}},
                },
                "required": ["recent_only", "sites"],
                "additionalProperties": False,
            },
        },
        "required": ["query", "max_results", "contact_email", "filters"],
        "additionalProperties": False,
    },
    "strict": True,
}

TOOLS = [LOOKUP_COMPANY, SEARCH_WEB]

VERDICT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "Assessment": {"type": "string", "enum": ["Strong", "Promising", "Weak"]},
        "Reasoning": {"type": "string"},
    },
    "required": ["Assessment", "Reasoning"],
    "additionalProperties": False,
}

VERDICT_FORMAT: dict[str, Any] = {
    "format": {"type": "json_schema", "name": "pitch_verdict", "schema": VERDICT_SCHEMA, "strict": True}
}

INSTRUCTIONS = "You evaluate startup pitches. Call the tools, then answer with the verdict JSON."


def turn_kwargs(**overrides: Any) -> dict[str, Any]:
    """The per-turn settings a client resends on every turn of the loop."""
    return {"model": MODEL, "instructions": INSTRUCTIONS, "tools": TOOLS, "text": VERDICT_FORMAT, **overrides}


def tool_outputs(response: Any) -> list[dict[str, Any]]:
    """A ``function_call_output`` for every call in ``response``."""
    return [
        {
            "type": "function_call_output",
            "call_id": item.call_id,
            "output": f'{{"tool": "{item.name}", "found": true}}',
        }
        for item in response.output
        if item.type == "function_call"
    ]
