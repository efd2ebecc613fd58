"""Helpers for tests that drive runs through the real worker."""

from vicbot.models import Assistant, CompletionState, Run
from tests.conftest import wait_for

VERDICT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["Assessment", "Reasoning"],
    "properties": {
        "Assessment": {"type": "string", "enum": ["Strong fit", "Possible fit", "Not a fit"]},
        "Reasoning": {"type": "string"},
    },
}

PITCH = "Company: Acme Robotics\nWebsite: https://acme-robotics.example\nWe build warehouse robots."


def make_assistant(**overrides) -> Assistant:
    fields = {
        "name": "tester",
        "instructions": "Assess the pitch. Use the tools.",
        "tool_names": ["test_lookup"],
        "output_schema_name": "verdict",
        "output_schema": VERDICT_SCHEMA,
        "max_turns": 4,
        "run_deadline_seconds": 120,
        **overrides,
    }
    return Assistant.objects.create(**fields)


def wait_until_done(run: Run, timeout: float = 30) -> Run:
    """The run, reloaded once it has ended and its completion handler has been called."""

    def done():
        run.refresh_from_db()
        return run.is_terminal and run.completion_state != CompletionState.PENDING

    wait_for(done, timeout=timeout, message=f"run {run.pk} to end (last status: {run.status})")
    return run


def start_with_faults(emulator, faults: list[tuple[str, dict]], **start_kwargs) -> Run:
    """Start a run whose OpenAI requests meet `faults` [(op, kind)], armed before the run's first message."""
    from django.db import transaction

    from vicbot.runs import start_run

    start_kwargs.setdefault("assistant", "tester")
    start_kwargs.setdefault("input", PITCH)
    with transaction.atomic():
        run = start_run(**start_kwargs)
        for op, kind in faults:
            emulator.faults.add(op, match={"vicbot_run": str(run.pk)}, **kind)
    return run


def create_outside_a_run(model: str):
    """One create through the product's client, as no run: its metadata names no run of ours, so tests that
    pick their run's requests out of the session emulator's log (by `vicbot_run`) pass over it."""
    from integrations.openai import get_client

    return get_client().responses.create(model=model, input=PITCH, metadata={"vicbot_run": "", "vicbot_turn": ""})
