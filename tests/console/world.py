"""Realistic console data: the demo's sample companies as pitches in the emulated Salesforce, with
runs whose tool calls are the real tools' answers from the emulators (PitchBook, the companies'
websites), spread over 30 days, some failed, one pipeline paused on its spend cap."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from sandbox.sample_companies import COMPANIES
from pipelines.models import Pipeline, Pitch
from pipelines.services.pipelines import pipeline_create
from tools.base import WEBSITE_METADATA_KEY, ToolContext, invoke
from tools.registry import registry
from vicbot.models import Assistant, ModelPrice, Run, RunStatus, ToolCall, WorkerHeartbeat

VERDICTS = ("Strong fit", "Possible fit", "Not a fit")


def _turn_usage(run: Run, turns: int, tokens_in: int, tokens_out: int, started) -> list[dict]:
    """Each turn's share of the run's tokens (they sum to its totals), as the worker records them."""
    entries = []
    for t in range(1, turns + 1):
        last = t == turns
        created = started.timestamp() + 7 * (t - 1)
        entries.append({
            "turn": t, "response_id": f"resp_{run.pk:04d}{t}",
            # A later turn re-reads the earlier ones from the cache (1,800 of its 2,100 input tokens).
            "input_tokens": 2100 if t > 1 else tokens_in - 2100 * (turns - 1),
            "cached_input_tokens": 0 if t == 1 else 1800,
            "output_tokens": tokens_out - (turns - 1) * (tokens_out // turns) if last else tokens_out // turns,
            "reasoning_tokens": 64, "tier": "default", "created_at": int(created),
            "ended_at": int(created) + 2 + t,
        })
    return entries


def _call(run: Run, turn: int, index: int, name: str, arguments: dict, started) -> ToolCall:
    """Run the real tool against the emulators, and keep what it answered and how long it took (with the
    record's website as the worker passes it: web_scrape reads the pitch's own site)."""
    context = ToolContext(run_id=run.pk, run_input=run.input, website=run.metadata.get(WEBSITE_METADATA_KEY, ""))
    clock = time.monotonic()
    result = invoke(registry().get(name), json.dumps(arguments), context, max_chars=settings.TOOL_OUTPUT_MAX_CHARS)
    elapsed_ms = int((time.monotonic() - clock) * 1000) + 300 + 150 * index  # plus the queue's hop
    return ToolCall.objects.create(
        run=run, turn=turn, call_id=f"call_{run.pk}_{turn}_{index}", name=name, arguments=json.dumps(arguments),
        output=result.output, error=result.error, usage=result.usage, attempts=1, duration_ms=elapsed_ms,
        status=ToolCall.Status.SUCCEEDED if result.ok else ToolCall.Status.FAILED,
        started_at=started, finished_at=started + timedelta(milliseconds=elapsed_ms),
    )


def _reasoning(company, verdict: str) -> str:
    founders = ", ".join(f"{f.first} {f.last} ({f.title})" for f in company.founders)
    return (
        f"## {company.name}: {verdict.lower()}\n\n"
        f"{company.pitch}\n\n"
        f"**Traction.** {company.traction}\n\n"
        f"- Stage: {company.stage}, founded {company.founded}, {company.employees} people in {company.city}\n"
        f"- Raised ${company.total_raised_usd / 1e6:.1f}M in total; last round {company.last_round.kind} "
        f"led by *{company.last_round.lead_investor}*\n"
        f"- Founders: {founders}\n\n"
        f"Sources: the company's website and PitchBook."
    )


def seed_world(*, sites, salesforce, companies: int = 12) -> dict:
    """Pitches, runs and pipelines as a week of real use leaves them. Returns the objects tests use."""
    assistant = Assistant.objects.current("vicbot")
    ModelPrice.objects.get_or_create(model=assistant.effective_model, defaults={
        "input_per_million": Decimal("0.75"), "cached_input_per_million": Decimal("0.075"),
        "output_per_million": Decimal("4.50")})
    pipeline = Pipeline.objects.filter(name="default").first() or pipeline_create(name="default")
    Pipeline.objects.filter(pk=pipeline.pk).update(
        api_usage="4210/100000", salesforce_calls=57, last_intake_at=timezone.now() - timedelta(minutes=3),
        last_intake_summary=f"{companies} records read, 2 new, 1 changed, 2 runs started")
    eu = pipeline_create(name="eu-pitches", sobject="Account", daily_spend_cap_usd=Decimal("0.05"))
    Pipeline.objects.filter(pk=eu.pk).update(
        paused_at=timezone.now() - timedelta(minutes=40), state="paused_for_spend", api_usage="4210/100000",
        probe_at=timezone.now().replace(hour=0, minute=0, second=0) + timedelta(days=1),
        pause_reason="Today's OpenAI spend $0.05 reached the daily cap of $0.05; resumes at 00:00 UTC.",
        last_intake_at=timezone.now() - timedelta(minutes=12), last_intake_summary="3 records read, 0 new",
        last_intake_error="INVALID_FIELD: No such column 'Region__c' on entity 'Account'",
        last_intake_error_at=timezone.now() - timedelta(hours=5))
    WorkerHeartbeat.objects.update_or_create(hostname="celery@worker.1", defaults={"last_seen_at": timezone.now()})
    WorkerHeartbeat.objects.update_or_create(hostname="celery@worker.2",
                                             defaults={"last_seen_at": timezone.now() - timedelta(hours=6)})

    runs = []
    now = timezone.now()
    for index, company in enumerate(COMPANIES[:companies]):
        website = sites.url(f"/{company.slug}/")
        record_id = salesforce.org.insert("Account", {"Name": company.name, "Website": website,
                                                      "Industry": company.sector, "Description": company.pitch},
                                          modified_by=salesforce.org.human_user_id)
        started = now - timedelta(days=(index * 5) % 29, hours=index % 7, minutes=index * 3)
        failed = index in (4, 9)
        run = Run.objects.create(
            assistant=assistant, model=assistant.effective_model, trigger=Run.Trigger.SCHEDULE,
            input=(f"Evaluate this pitch from our Salesforce Account record {record_id}.\n\nName: {company.name}\n"
                   f"Website: {website}\nIndustry: {company.sector}\nDescription: {company.pitch}\n"),
            metadata={"pitch": "", "pipeline": "default", "salesforce_id": record_id, WEBSITE_METADATA_KEY: website},
            tool_definitions=[tool.openai_definition()
                              for tool in registry().offered(assistant.tool_names, allow_writes=assistant.write_tools)],
            deadline_at=started + timedelta(minutes=30), started_at=started,
        )
        calls = [
            _call(run, 1, 0, "web_scrape", {"url": website}, started + timedelta(seconds=2)),
            _call(run, 1, 1, "pitchbook_company_find", {"name": company.name, "website": website,
                                                         "include": ["financing"]}, started + timedelta(seconds=2)),
        ]
        if index % 3 == 0:
            founder = company.founders[0]
            calls.append(_call(run, 2, 0, "pitchbook_person_find",
                               {"person_name": f"{founder.first} {founder.last}", "company": company.name},
                               started + timedelta(seconds=9)))
        turns = max(call.turn for call in calls) + 1
        credits = sum(call.usage.get("pitchbook_credits", 0) for call in calls)
        tokens_in, tokens_out = 2400 + 900 * turns + index * 37, 380 + index * 11
        cost = (Decimal(tokens_in) * Decimal("0.75") + Decimal(tokens_out) * Decimal("4.50")) / 1_000_000
        verdict = VERDICTS[index % 3]
        fields = dict(turn=turns, response_ids=[f"resp_{run.pk:04d}{t}" for t in range(1, turns + 1)],
                      turn_usage=_turn_usage(run, turns, tokens_in, tokens_out, started),
                      input_tokens=tokens_in, cached_input_tokens=1800 * (turns - 1), output_tokens=tokens_out,
                      reasoning_tokens=64 * turns, cost_usd=cost, tool_usage={"pitchbook_credits": credits},
                      finished_at=started + timedelta(seconds=14 + 6 * turns + index % 5), completion_state="done")
        if failed:
            fields.update(status=RunStatus.FAILED, error_code="rate_limited" if index == 4 else "invalid_answer",
                          error_message="OpenAI rate limit (429) on 5 tries of turn 2" if index == 4 else
                          "The answer does not match the schema: 'Assessment' is not one of the allowed values")
        else:
            answer = {"Assessment": verdict, "Reasoning": _reasoning(company, verdict)}
            fields.update(status=RunStatus.SUCCEEDED, output_json=answer, output_text=json.dumps(answer))
        Run.objects.filter(pk=run.pk).update(created_at=started - timedelta(seconds=1), **fields)
        run.refresh_from_db()
        pitch = Pitch.objects.create(
            pipeline=pipeline, salesforce_id=record_id, name=company.name, latest_run=run,
            snapshot={"Name": company.name, "Website": website, "Industry": company.sector,
                      "Description": company.pitch},
            status=Pitch.Status.FAILED if failed else Pitch.Status.WRITTEN_BACK, attempts=1,
            assessment="" if failed else verdict, reasoning="" if failed else run.output_json["Reasoning"],
            error=f"No usable answer after 1 attempts (run {run.pk}: {run.error_code})" if failed else "",
            writeback_state=Pitch.WriteBack.NOT_DUE if failed else Pitch.WriteBack.DONE,
            written_back_at=None if failed else run.finished_at + timedelta(seconds=2),
            attempt_log=[{"run": run.pk, "outcome": run.status, "verdict": "retry" if failed else "answer",
                          "reason": run.error_code, "at": run.finished_at.isoformat(timespec="seconds")}],
        )
        pitch.runs.add(run)
        Run.objects.filter(pk=run.pk).update(metadata={**run.metadata, "pitch": str(pitch.pk)})
        runs.append(run)
    return {"runs": runs, "pipeline": pipeline, "paused": eu, "assistant": assistant}
