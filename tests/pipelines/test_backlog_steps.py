"""A backlog's run waits behind new pitches' work at every step: each message the worker and the web send
for it (its first step, later turns, tool calls, webhooks) is at the broker's lowest priority, and a
pipeline whose backlog tier is flex sends the backlog (only) to OpenAI's flex tier, falling back to the
standard tier when flex has no capacity, each response priced at the tier it reports.

The messages are read off Redis itself (tests.support.broker.BrokerPushes), so what is checked is what the
worker really takes first."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from config.enqueue import Priority, Task
from pipelines.models import Pipeline, Pitch
from pipelines.services.intake import pitches_pull
from tests.support.broker import BrokerPushes
from tests.support.pitches import add_accounts, make_pipeline, wait_until_written_back
from vicbot.models import ModelPrice, Run, ToolCall, WebhookEvent
from vicbot.services.runs.usage import price_for, tokens_cost

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

def backdate(salesforce, record_ids, *, days):
    """Records last modified `days` ago (a first pass over an old org), as the benchmark's backlog."""
    stamp = timezone.now() - timedelta(days=days)
    org = salesforce.org
    with org.lock:
        for record_id in record_ids:
            org._records[record_id].values.update(SystemModstamp=stamp, LastModifiedDate=stamp)


def run_of_message(task: str, first: int) -> int | None:
    if task == Task.RUN_ADVANCE:
        return first
    if task == Task.TOOL_CALL_EXECUTE:
        return ToolCall.objects.filter(pk=first).values_list("run_id", flat=True).first()
    if task == Task.WEBHOOK_EVENT_PROCESS:
        response_id = WebhookEvent.objects.get(pk=first).response_id
        return Run.objects.filter(response_ids__contains=[response_id]).values_list("pk", flat=True).first()
    return None


def pitch_run(pipeline, record_id) -> Run:
    return Pitch.objects.get(pipeline=pipeline, salesforce_id=record_id).latest_run


def test_every_step_of_a_backlog_run_is_sent_after_every_step_of_a_new_pitchs_run(salesforce, openai_emu):
    pipeline = make_pipeline(backlog_older_than_days=30, tool_names=["test_lookup"])
    old = add_accounts(salesforce, 1)
    backdate(salesforce, old, days=400)
    new = add_accounts(salesforce, 1, Name="Fresh Startup")

    with BrokerPushes(settings.CELERY_BROKER_URL) as pushes:
        pitches_pull(pipeline_id=pipeline.pk)
        wait_until_written_back(pipeline, 2, timeout=90)

    backlog_run, new_run = pitch_run(pipeline, old[0]), pitch_run(pipeline, new[0])
    assert backlog_run.background and not new_run.background
    by_run: dict[int, list[tuple[str, int]]] = {backlog_run.pk: [], new_run.pk: []}
    for task, first, priority in pushes.seen:
        if (run_id := run_of_message(task, first)) in by_run:
            by_run[run_id].append((task, priority))
    # Its tool calls run in the task that found them (vicbot.services.runs.inline): no message of their own.
    steps = {Task.RUN_ADVANCE.value, Task.WEBHOOK_EVENT_PROCESS.value}
    assert {task for task, _ in by_run[backlog_run.pk]} == steps  # its first step, turns, webhooks
    # Its first step last of all, its later steps after every other run's.
    assert [p for task, p in by_run[backlog_run.pk]][0] == Priority.BACKLOG
    assert {p for task, p in by_run[backlog_run.pk]} == {Priority.BACKLOG, Priority.BACKLOG_CONTINUE}
    assert {task for task, _ in by_run[new_run.pk]} == steps
    assert max(priority for _, priority in by_run[new_run.pk]) < Priority.BACKLOG_CONTINUE
    # Standard tier for both: the pipeline's backlog tier is standard by default.
    assert pipeline.backlog_service_tier == Pipeline.BacklogTier.STANDARD
    assert {openai_emu.get_response(r)["service_tier"] for r in backlog_run.response_ids} == {"default"}


def priced_at_standard(run) -> bool:
    price = price_for(run.model)
    return run.cost_usd == tokens_cost(price, input_tokens=run.input_tokens,
                                       cached_input_tokens=run.cached_input_tokens, output_tokens=run.output_tokens)


def test_a_flex_backlog_asks_flex_falls_back_on_a_429_and_is_priced_at_the_tier_reported(salesforce, openai_emu):
    # The migrations' price row for the model may be there (a fresh database) or not (after a flush).
    ModelPrice.objects.update_or_create(model=settings.OPENAI_MODEL, defaults={
        "input_per_million": 1, "cached_input_per_million": 0, "output_per_million": 10})
    pipeline = make_pipeline(backlog_older_than_days=30, backlog_service_tier="flex")
    old = add_accounts(salesforce, 2)
    backdate(salesforce, old, days=400)
    new = add_accounts(salesforce, 1, Name="Fresh Startup")
    # Flex out of capacity for the second backlog pitch's first turn only.
    openai_emu.faults.add("create", tier="flex", status=429, code="resource_unavailable", times=1,
                          contains="Startup 001")

    pitches_pull(pipeline_id=pipeline.pk)
    wait_until_written_back(pipeline, 3, timeout=90)

    flex, fell_back, fresh = (pitch_run(pipeline, record_id) for record_id in (old[0], old[1], new[0]))
    asked = {run.pk: [body.get("service_tier") for method, path, body, _ in openai_emu.requests
                      if method == "POST" and path.endswith("/responses")
                      and body["metadata"]["vicbot_run"] == str(run.pk)] for run in (flex, fell_back, fresh)}
    # The backlog asked flex and was served (and priced) at flex.
    assert set(asked[flex.pk]) == {"flex"} and not flex.flex_fell_back
    assert {openai_emu.get_response(r)["service_tier"] for r in flex.response_ids} == {"flex"}
    assert flex.flex_input_tokens == flex.input_tokens > 0
    price = price_for(flex.model)
    assert flex.cost_usd == tokens_cost(price, input_tokens=flex.input_tokens,
                                        cached_input_tokens=flex.cached_input_tokens,
                                        output_tokens=flex.output_tokens, flex=True)
    # Refused once at flex, the other went to the standard tier at once and was priced at it.
    assert asked[fell_back.pk][0] == "flex" and set(asked[fell_back.pk][1:]) == {"default"}
    assert fell_back.flex_fell_back and fell_back.flex_input_tokens == 0 and priced_at_standard(fell_back)
    # A new pitch keeps the assistant's own tier.
    assert "flex" not in asked[fresh.pk] and not fresh.background and priced_at_standard(fresh)
