"""Credits recorded while a turn's calls shared one running total are told again from each call's own output."""

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("vicbot", "0022_tool_usage_unknown")]
AFTER = [("vicbot", "0023_recompute_tool_usage")]


def migrate(vicbot_target):
    executor = MigrationExecutor(connection)
    targets = [node for node in executor.loader.graph.leaf_nodes() if node[0] != "vicbot"] + vicbot_target
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def credits(n):
    return {"pitchbook_credits": n}


def test_each_calls_credits_are_told_from_its_own_output_and_the_runs_totals_summed_again():
    old = migrate(BEFORE)
    Run, ToolCall, Assistant = (old.get_model("vicbot", "Run"), old.get_model("vicbot", "ToolCall"),
                                old.get_model("vicbot", "Assistant"))
    now = timezone.now()
    assistant = Assistant.objects.create(name="old", instructions="x", output_schema={})
    # One turn as the shared dict recorded it: each call wrote the running total when it ended.
    mixed = Run.objects.create(assistant=assistant, model="m", input="x", deadline_at=now, finished_at=now,
                               tool_usage=credits(4 + 6 + 6 + 7))
    company = json.dumps({"company": {"name": "Kestrel"}, "credits_spent": 4})
    person = json.dumps({"person": None, "note": "none", "credits_spent": 2})
    failed = json.dumps({"error": {"type": "tool_error", "message": "PitchBook rate_limited"}})
    rows = [("pitchbook_company_find", company, credits(4)), ("pitchbook_person_find", person, credits(6)),
            ("salesforce_person_save", '{"id": "003"}', credits(6)), ("pitchbook_company_find", failed, credits(7)),
            ("web_scrape", "<p>hi</p>", {})]
    for n, (name, output, usage) in enumerate(rows):
        ToolCall.objects.create(run=mixed, turn=1, call_id=f"c{n}", name=name, output=output, usage=usage,
                                status="succeeded")
    known = Run.objects.create(assistant=assistant, model="m", input="x", deadline_at=now, finished_at=now,
                               tool_usage=credits(8))
    ToolCall.objects.create(run=known, turn=1, call_id="a", name="pitchbook_company_find", output=company,
                            usage=credits(4))
    ToolCall.objects.create(run=known, turn=1, call_id="b", name="salesforce_account_read", output="{}",
                            usage=credits(4))
    going = Run.objects.create(assistant=assistant, model="m", input="x", deadline_at=now)  # no total yet
    ToolCall.objects.create(run=going, turn=1, call_id="g", name="web_scrape", output="x", usage=credits(3))
    try:
        new = migrate(AFTER)
        Run, ToolCall = new.get_model("vicbot", "Run"), new.get_model("vicbot", "ToolCall")
        calls = list(ToolCall.objects.filter(run_id=mixed.pk).order_by("call_id").values_list("usage", "usage_unknown"))
        assert calls == [(credits(4), False), (credits(2), False), ({}, False), ({}, True), ({}, False)]
        assert Run.objects.filter(pk=mixed.pk).values_list("tool_usage", "tool_usage_unknown").get() == (credits(6), True)
        assert Run.objects.filter(pk=known.pk).values_list("tool_usage", "tool_usage_unknown").get() == (credits(4), False)
        assert Run.objects.filter(pk=going.pk).values_list("tool_usage", "tool_usage_unknown").get() == ({}, False)
        assert ToolCall.objects.get(run_id=going.pk).usage == {}
    finally:
        migrate([node for node in MigrationExecutor(connection).loader.graph.leaf_nodes() if node[0] == "vicbot"])
