"""A run's page is a timeline: outcome and answer first, then each turn; live updates read only."""

import json
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pipelines.models import Pipeline, Pitch
from tests.console.support import finished_run, staff_user
from vicbot.models import ModelPrice, RunStatus, ToolCall

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer(client):
    client.force_login(staff_user("vicbot.view_run", "vicbot.view_assistant"))
    return client


def page(client, run) -> str:
    response = client.get(f"/admin/vicbot/run/{run.pk}/change/", secure=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_answer_and_errors_come_before_the_turns_and_the_folded_definitions(viewer):
    run = finished_run(status=RunStatus.FAILED, error_code="invalid_answer", error_message="Reasoning too long")
    html = page(viewer, run)

    error, answer, turn1 = html.index("Reasoning too long"), html.index("Strong fit"), html.index("Turn 1")
    definitions = html.index("Tool definitions (1)")
    assert error < answer < turn1 < definitions
    assert html.index("<details><summary>Tool definitions") == definitions - len("<details><summary>")


def test_reasoning_is_sanitised_markdown_and_hostile_markup_is_text(viewer):
    html = page(viewer, finished_run())

    assert "<strong>team</strong>" in html and "<li>ARR $2M</li>" in html
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    assert "Timed out &lt;b&gt;reading&lt;/b&gt; the page" in html  # a tool's error is text too


def test_every_tool_call_is_shown_whole_with_arguments_duration_and_error(viewer):
    run = finished_run(output_chars=25_000)
    html = page(viewer, run)

    assert "x" * 24_996 + "TAIL" in html  # never cut
    assert "Output (25000 characters)" in html
    assert "&quot;company&quot;: &quot;Acme&quot;" in html  # arguments, indented JSON
    assert "1.5 s" in html and "15.0 s" in html
    assert html.index("test_lookup") < html.index("web_scrape") < html.index("Turn 2")


def pitch_run() -> tuple:
    run = finished_run()
    pipeline = Pipeline.objects.create(name="p1", fields=["Name"], answer_mapping={})
    pitch = Pitch.objects.create(pipeline=pipeline, salesforce_id="001000000000001AAA", name="Acme Robotics")
    pitch.runs.add(run)
    return run, pitch


def test_times_have_their_zone_money_has_full_precision_and_the_pitch_and_record_are_linked(client, settings):
    settings.SALESFORCE_INSTANCE_URL = "https://acme.my.salesforce.com/"
    run, pitch = pitch_run()
    client.force_login(staff_user("vicbot.view_run", "vicbot.view_assistant", "pipelines.view_pitch"))
    html = page(client, run)

    assert run.started_at.strftime("%Y-%m-%d %H:%M UTC") in html  # one format everywhere, with its zone
    assert "$0.0123" in html and "41.5 s" in html
    assert f'href="/admin/pipelines/pitch/{pitch.pk}/change/"' in html
    assert 'href="https://acme.my.salesforce.com/001000000000001AAA"' in html


def test_each_turn_shows_its_model_time_tokens_and_cost_at_the_tier_it_was_served(viewer):
    ModelPrice.objects.update_or_create(model="gpt-5.4-mini", defaults={
        "input_per_million": Decimal("1.25"), "cached_input_per_million": Decimal("0.125"),
        "output_per_million": Decimal("10"), "flex_multiplier": Decimal("0.5")})
    html = page(viewer, finished_run())

    turn1, turn2 = html.index('data-turn="1"'), html.index('data-turn="2"')
    # Turn 1 (standard): 500 in, 40 out: $0.000625 + $0.0004; turn 2 (flex): (500 + 200 cached + 300 out) / 2.
    first = html.index("500 in (0 cached) · 40 out")
    second = html.index("700 in (200 cached) · 300 out")
    assert turn1 < first < turn2 < second
    assert html.index("3.2 s", turn1) < turn2 and html.index("21.0 s", turn2)
    assert html.index("$0.0010", turn1) < turn2 and "$0.0018" in html[turn2:] and "flex tier" in html[turn2:]
    assert "were not recorded" not in html


def test_a_run_from_before_turns_were_recorded_says_so_and_shows_no_zeros(viewer):
    html = page(viewer, finished_run(turn_usage=None))

    assert "Per-turn time, tokens and cost were not recorded for this run" in html
    assert 'class="turn-usage' not in html and "0 in (0 cached)" not in html
    assert "1,200 in (200 cached)" in html  # the run's own totals still stand


def test_an_active_run_page_carries_its_live_endpoint_and_script(viewer):
    run = finished_run(status=RunStatus.RUNNING_TOOLS)
    html = page(viewer, run)

    assert f'data-live-url="/admin/console/runs/{run.pk}/live.json"' in html and 'data-terminal="0"' in html
    assert "console/run_live" in html and "Waiting for the model" in html  # turn 2 has asked nothing yet


def test_the_live_endpoint_reports_status_calls_and_answer_without_writing(viewer):
    run = finished_run(status=RunStatus.RUNNING_TOOLS)
    ToolCall.objects.create(run=run, turn=2, call_id="call_c", name="test_lookup", status=ToolCall.Status.RUNNING)

    with CaptureQueriesContext(connection) as queries:
        response = viewer.get(f"/admin/console/runs/{run.pk}/live.json", secure=True)
    data = json.loads(response.content)

    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert (data["status"], data["is_terminal"]) == ("running_tools", False)
    assert [(c["name"], c["status"]) for t in data["turns"] for c in t["tool_calls"]] == [
        ("test_lookup", "succeeded"), ("web_scrape", "failed"), ("test_lookup", "running")]
    assert data["answer"]["assessment"] == "Strong fit"
    writes = [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []


def test_the_live_endpoint_is_for_staff_who_may_view_runs_and_only_reads(client):
    run = finished_run()
    url = f"/admin/console/runs/{run.pk}/live.json"

    assert client.get(url, secure=True)["Location"].startswith("/admin/login/")
    client.force_login(User.objects.create_user("clerk", password="pw"))
    assert client.get(url, secure=True)["Location"].startswith("/admin/login/")
    client.force_login(staff_user())
    assert client.get(url, secure=True).status_code == 403
    client.force_login(staff_user("vicbot.view_run"))
    assert client.get(url, secure=True).status_code == 200
    assert client.post(url, secure=True).status_code == 405


def test_an_action_that_queues_work_warns_when_no_worker_is_alive(client):
    from django.utils import timezone

    from tests.support.worker import only_these_workers

    only_these_workers()  # none
    run = finished_run(status=RunStatus.PENDING)
    client.force_login(staff_user("vicbot.view_run", "vicbot.cancel_run"))
    post = {"action": "cancel_runs", "_selected_action": [run.pk]}

    page = client.post("/admin/vicbot/run/", post, secure=True, follow=True).content.decode()
    assert "No worker has reported in the last 30 s" in page

    only_these_workers(("celery@w1", timezone.now(), None))
    page = client.post("/admin/vicbot/run/", post, secure=True, follow=True).content.decode()
    assert "No worker has reported" not in page


def test_without_the_pitch_permission_the_run_page_and_live_json_leave_the_pitch_out(client, settings):
    settings.SALESFORCE_INSTANCE_URL = "https://acme.my.salesforce.com/"
    run, pitch = pitch_run()
    url = f"/admin/console/runs/{run.pk}/live.json"

    client.force_login(staff_user("vicbot.view_run", "pipelines.view_pitch"))
    shown = json.loads(client.get(url, secure=True).content)
    assert [(p["name"], p["salesforce_id"]) for p in shown["pitches"]] == [("Acme Robotics", pitch.salesforce_id)]

    client.force_login(staff_user("vicbot.view_run", "vicbot.view_assistant"))
    response = client.get(url, secure=True)
    hidden = json.loads(response.content)
    assert response.status_code == 200 and hidden["pitches"] == [] and hidden["show_pitch"] is False
    assert hidden["answer"]["assessment"] == "Strong fit"  # the run itself is still there
    for text in (response.content.decode(), page(client, run)):
        assert "Acme Robotics" not in text and pitch.salesforce_id not in text
        assert f"/admin/pipelines/pitch/{pitch.pk}/" not in text and "acme.my.salesforce.com" not in text
    assert run.input not in page(client, run)  # the record's text, sent as the run's input
