"""Runs, pitches and users for the console's tests, written as the engine writes them."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import Permission, User
from django.utils import timezone

from tests.support.runs import PITCH, make_assistant
from vicbot.models import Assistant, Run, RunStatus, ToolCall

HOSTILE_REASONING = (
    "## Why\n\nStrong **team** and *traction*.\n\n- ARR $2M\n- 3 pilots\n\n"
    "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned = 2\">"
    "[docs](javascript:window.__pwned=3) [site](https://acme-robotics.example)"
)


def finished_run(*, reasoning: str = HOSTILE_REASONING, status: str = RunStatus.SUCCEEDED, output_chars: int = 900,
                 **fields) -> Run:
    assistant = Assistant.objects.filter(name="tester").order_by("-version").first() or make_assistant()
    started = timezone.now() - timedelta(seconds=42)
    # Each response's own usage, summing to the run's totals below.
    fields.setdefault("turn_usage", [
        {"turn": 1, "response_id": "resp_one", "input_tokens": 500, "cached_input_tokens": 0, "output_tokens": 40,
         "reasoning_tokens": 20, "tier": "default", "created_at": started.timestamp(),
         "ended_at": started.timestamp() + 3.2},
        {"turn": 2, "response_id": "resp_two", "input_tokens": 700, "cached_input_tokens": 200, "output_tokens": 300,
         "reasoning_tokens": 80, "tier": "flex", "created_at": started.timestamp() + 20,
         "ended_at": started.timestamp() + 41},
    ])
    run = Run.objects.create(
        assistant=assistant, model="gpt-5.4-mini", input=PITCH, status=status, turn=2,
        response_ids=["resp_one", "resp_two"], deadline_at=started + timedelta(minutes=30),
        output_json={"Assessment": "Strong fit", "Reasoning": reasoning},
        output_text='{"Assessment": "Strong fit"}', input_tokens=1200, cached_input_tokens=200, output_tokens=340,
        reasoning_tokens=100, cost_usd=Decimal("0.012345"), tool_usage={"pitchbook_credits": 4},
        started_at=started, finished_at=started + timedelta(seconds=41.5),
        tool_definitions=[{"type": "function", "name": "test_lookup", "parameters": {"type": "object"}}],
        **fields,
    )
    ToolCall.objects.create(
        run=run, turn=1, call_id="call_a", name="test_lookup", arguments='{"company": "Acme"}',
        output="x" * (output_chars - 4) + "TAIL", status=ToolCall.Status.SUCCEEDED, duration_ms=1530,
        started_at=started, finished_at=started + timedelta(seconds=2),
    )
    ToolCall.objects.create(
        run=run, turn=1, call_id="call_b", name="web_scrape", arguments='{"url": "https://acme.example"}',
        output="", status=ToolCall.Status.FAILED, error="Timed out <b>reading</b> the page", duration_ms=15000,
    )
    return run


def staff_user(*perms: str, name: str | None = None) -> User:
    user = User.objects.create_user(name or f"staff{User.objects.count()}", password="pw", is_staff=True)
    for perm in perms:
        app_label, codename = perm.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user
