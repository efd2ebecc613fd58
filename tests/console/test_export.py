"""export_runs and the admin action write finished runs as JSONL, one run per line, streamed."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.console.support import finished_run, staff_user
from vicbot.models import Run, RunExport, RunStatus
from vicbot.services.export import export_runs_jsonl, runs_for_export

pytestmark = pytest.mark.django_db


def lines(text: str) -> list[dict]:
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_each_line_is_one_finished_run_with_turns_answer_usage_cost_and_version(tmp_path):
    done = finished_run()
    failed = finished_run(status=RunStatus.FAILED, error_code="rate_limited", error_message="429")
    finished_run(status=RunStatus.RUNNING_TOOLS)  # not finished: not exported
    out = tmp_path / "runs.jsonl"

    call_command("export_runs", "--output", str(out), stderr=io.StringIO())

    records = lines(out.read_text())
    assert [r["run_id"] for r in records] == [done.pk, failed.pk]
    first = records[0]
    assert first["assistant"] == {"name": "tester", "version": done.assistant.version}
    assert first["outcome"] == "succeeded" and first["error"] is None and first["input"] == done.input
    assert first["answer"]["Assessment"] == "Strong fit"
    assert [t["turn"] for t in first["turns"]] == [1] and first["model_turns"] == 2
    lookup, scrape = first["turns"][0]["tool_calls"]
    assert lookup["arguments"] == {"company": "Acme"} and lookup["output"].endswith("TAIL")
    assert scrape["status"] == "failed" and "Timed out" in scrape["error"]
    assert first["usage"]["input_tokens"] == 1200 and first["usage"]["tools"] == {"pitchbook_credits": 4}
    assert first["cost_usd"] == "0.012345"
    assert records[1]["error"] == {"code": "rate_limited", "message": "429"}


def test_filters_by_since_assistant_and_status():
    old = finished_run()
    Run.objects.filter(pk=old.pk).update(finished_at=timezone.now() - timedelta(days=10))
    new = finished_run(status=RunStatus.FAILED)
    since = (timezone.now() - timedelta(days=1)).date().isoformat()

    out = io.StringIO()
    call_command("export_runs", "--since", since, stdout=out, stderr=io.StringIO())
    assert [r["run_id"] for r in lines(out.getvalue())] == [new.pk]

    out = io.StringIO()
    call_command("export_runs", "--status", "succeeded", "--assistant", "tester", stdout=out, stderr=io.StringIO())
    assert [r["run_id"] for r in lines(out.getvalue())] == [old.pk]


def test_bad_arguments_are_refused_clearly():
    with pytest.raises(CommandError, match="no assistant has that name"):
        call_command("export_runs", "--assistant", "nobody")
    with pytest.raises(CommandError, match="expected a date"):
        call_command("export_runs", "--since", "yesterday")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("export_runs", "--status", "pending")


@pytest.mark.django_db(transaction=True)
def test_it_reads_runs_in_chunks_with_one_tool_call_query_per_chunk():
    for _ in range(7):
        finished_run()
    out = io.StringIO()

    with CaptureQueriesContext(connection) as queries:
        count = export_runs_jsonl(runs_for_export(), out=out, chunk_size=3)

    assert count == 7 and len(out.getvalue().splitlines()) == 7
    tool_call_queries = [q for q in queries.captured_queries if 'FROM "vicbot_toolcall"' in q["sql"]]
    assert len(tool_call_queries) == 3  # ceil(7 / 3): per chunk, not per run and not all at once


def test_the_admin_action_streams_the_selected_runs_and_needs_staff(client):
    run = finished_run()
    client.force_login(staff_user("vicbot.view_run", "vicbot.export_run"))

    response = client.post("/admin/vicbot/run/", {"action": "export_jsonl", "_selected_action": [run.pk]},
                           secure=True)

    assert response.streaming and response["Content-Type"].startswith("application/x-ndjson")
    assert "attachment" in response["Content-Disposition"]
    assert [r["run_id"] for r in lines(b"".join(response.streaming_content).decode())] == [run.pk]

    client.force_login(User.objects.create_user("clerk", password="pw"))
    refused = client.post("/admin/vicbot/run/", {"action": "export_jsonl", "_selected_action": [run.pk]}, secure=True)
    assert refused.status_code == 302 and refused["Location"].startswith("/admin/login/")


def post_export(client, run_ids):
    return client.post("/admin/vicbot/run/", {"action": "export_jsonl", "_selected_action": run_ids}, secure=True)


def test_the_admin_export_needs_its_own_permission_and_is_recorded_with_who_and_how_many(client):
    # The last is not finished: not exported, not counted.
    runs = [finished_run(), finished_run(), finished_run(status=RunStatus.RUNNING_TOOLS)]
    ids = [run.pk for run in runs]
    viewer = staff_user("vicbot.view_run", name="viewer")
    client.force_login(viewer)

    refused = post_export(client, ids)

    assert not getattr(refused, "streaming", False) and not RunExport.objects.exists()
    assert "export_jsonl" not in client.get("/admin/vicbot/run/", secure=True).content.decode()

    exporter = staff_user("vicbot.view_run", "vicbot.export_run", name="exporter")
    client.force_login(exporter)
    response = post_export(client, ids)

    assert len(lines(b"".join(response.streaming_content).decode())) == 2
    export = RunExport.objects.get()
    assert (export.user, export.exported_by, export.source) == (exporter, "exporter", "admin")
    assert export.run_count == 2
    assert export.filters == {"run_ids": ids[:2]} and export.exported_at is not None


def test_the_command_records_its_export_with_the_os_user():
    import getpass

    finished_run()
    finished_run()

    call_command("export_runs", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("export_runs", "--status", "failed", stdout=io.StringIO(), stderr=io.StringIO())

    first, second = RunExport.objects.order_by("pk")
    assert (first.user, first.exported_by, first.source) == (None, getpass.getuser(), "command")
    assert first.run_count == 2
    assert (second.run_count, second.filters) == (0, {"status": "failed"})


def test_exports_are_listed_read_only_in_the_admin(operator):
    finished_run()
    call_command("export_runs", stdout=io.StringIO(), stderr=io.StringIO())
    export = RunExport.objects.get()

    listing = operator.get("/admin/vicbot/runexport/", secure=True).content.decode()

    assert export.exported_by in listing and ">command<" in listing
    assert operator.get("/admin/vicbot/runexport/add/", secure=True).status_code == 403
    assert operator.post(f"/admin/vicbot/runexport/{export.pk}/delete/", secure=True).status_code == 403
