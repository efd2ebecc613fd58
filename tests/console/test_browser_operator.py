"""What an operator scans for, in a real headless browser (issue 18 points 8 and 9; 2, 3 and 7 below).

The runs list: pitch, assessment, duration, a "tool failed" mark, rows in progress refreshing
themselves; the run page: a heading that follows the status, each error once, a cancelled run that
never says the model answered; after an action the operator stays on the page it was taken from;
one date format with its zone; cents in lists and full precision on a detail page; the Model
capacities table at 1280 px; "Needs attention" with each row's action. Screenshots go to docs/.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from pipelines.models import Pitch
from tests.console.test_browser import (CHROMIUM, browser, no_horizontal_scroll, page_as, shot,  # noqa: F401
                                        superuser, world)
from tests.console.test_browser import pytestmark as browser_marks
from vicbot.models import ModelCapacity, Run, RunStatus, SuggestedChange, ToolCall, WebhookEvent

pytestmark = browser_marks
NARROW = {"width": 1280, "height": 900}
STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d UTC$")


def _fail_a_tool_call(run: Run) -> ToolCall:
    return ToolCall.objects.create(
        run=run, turn=1, call_id=f"call_fail_{run.pk}", name="salesforce_person_save",
        arguments='{"first_name": "Lena", "last_name": "Hartmann", "email": "not-an-email"}',
        output='{"error": "invalid_arguments: email is not an email address"}',
        error="invalid_arguments: email is not an email address", status=ToolCall.Status.FAILED,
        duration_ms=40, started_at=run.started_at, finished_at=run.started_at + timedelta(milliseconds=40))


def test_the_runs_list_shows_what_an_operator_scans_for_and_rows_in_progress_refresh(page_as, live_server, world):
    runs = world["runs"]
    answered = next(r for r in runs if r.status == RunStatus.SUCCEEDED)
    _fail_a_tool_call(answered)
    going = next(r for r in runs if r.status == RunStatus.SUCCEEDED and r.pk != answered.pk)
    answer, cost = going.output_json, going.cost_usd
    Run.objects.filter(pk=going.pk).update(status=RunStatus.RUNNING_TOOLS, finished_at=None, output_json=None,
                                           cost_usd=None)
    page = page_as(superuser())
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}/admin/vicbot/run/")

    headers = page.locator("#result_list thead").inner_text().lower()
    for column in ("pitch", "assessment", "duration", "tool calls", "cost", "created"):
        assert column in headers, column
    row = page.locator(f"#result_list tr:has(a[href$='/vicbot/run/{answered.pk}/change/'])")
    failed_calls = answered.tool_calls.filter(status=ToolCall.Status.FAILED).count()
    assert row.locator(".tool-failed").inner_text() == f"{failed_calls} failed"
    pitch = answered.pitches.get()
    assert row.locator(f"a[href$='/pipelines/pitch/{pitch.pk}/change/']").inner_text() == pitch.name
    assert answered.output_json["Assessment"] in row.inner_text()
    assert re.search(r"\$\d+\.\d\d\b(?!\d)", row.locator("td.field-cost").inner_text())  # cents in a list
    assert STAMP.match(row.locator("td.field-created").inner_text())
    assert no_horizontal_scroll(page)  # usable at 1280 px
    shot(page, "runs-list.png")

    live = page.locator(f".run-live[data-run='{going.pk}'][data-field='status_label']")
    assert live.inner_text() == "Running Tools"
    page.evaluate("window.__loadedOnce = 'yes'")
    Run.objects.filter(pk=going.pk).update(status=RunStatus.SUCCEEDED, finished_at=timezone.now(), output_json=answer,
                                           cost_usd=cost)
    page.wait_for_function(
        f"document.querySelector(\"tr [data-field='status_label'][data-run='{going.pk}'], "
        f"tr:has(a[href$='/vicbot/run/{going.pk}/change/']) [data-field='status_label']\").textContent === 'Succeeded'",
        timeout=30_000)
    going_row = page.locator(f"#result_list tr:has(a[href$='/vicbot/run/{going.pk}/change/'])")
    assert answer["Assessment"] in going_row.inner_text()
    assert page.evaluate("window.__loadedOnce") == "yes" and page.js_errors == [] and page.bad_responses == []

    # The dashboard's "Failures by reason" counts the failed tool call too, linked to those runs.
    page.goto(f"{live_server.url}/admin/console/")
    page.click("#failures >> text=tool failed: salesforce_person_save")
    page.wait_for_selector(f"#result_list a[href*='/vicbot/run/{answered.pk}/change/']")  # with the filter kept
    with_person_save_failed = ToolCall.objects.filter(status=ToolCall.Status.FAILED, name="salesforce_person_save")
    assert page.locator("#result_list tbody tr").count() == with_person_save_failed.values("run").distinct().count()


def test_the_run_page_heading_follows_the_status_and_each_error_shows_once(page_as, live_server, world):
    run = next(r for r in world["runs"] if r.status == RunStatus.SUCCEEDED and r.turn == 3)
    answer = run.output_json
    Run.objects.filter(pk=run.pk).update(status=RunStatus.WAITING_MODEL, finished_at=None, output_json=None)
    page = page_as(superuser())
    page.goto(f"{live_server.url}/admin/vicbot/run/{run.pk}/change/")
    assert page.locator("#run-heading .run-heading-status").inner_text() == "Waiting Model"
    Run.objects.filter(pk=run.pk).update(status=RunStatus.SUCCEEDED, finished_at=timezone.now(), output_json=answer)
    page.wait_for_function("document.querySelector('#run-heading .run-heading-status').textContent === 'Succeeded'",
                           timeout=30_000)
    assert "Waiting" not in page.locator("#run-heading").inner_text()
    assert STAMP.match(page.locator("#run-finished").inner_text())
    assert re.fullmatch(r"\$\d+\.\d{4}", page.locator("#run-cost").inner_text())  # full precision on a detail page
    assert "tools took" in page.locator("#run-turns li.turn").first.inner_text()

    failed = next(r for r in world["runs"] if r.error_code == "rate_limited")
    Run.objects.filter(pk=failed.pk).update(first_error=f"Will retry: {failed.error_message}")
    _fail_a_tool_call(failed)
    page.goto(f"{live_server.url}/admin/vicbot/run/{failed.pk}/change/")
    body = page.locator("#content").inner_text()
    assert body.count(failed.error_message) == 1  # the first error ("Will retry: …") is the same one
    person_save = page.locator("details.tool-call.status-failed", has_text="salesforce_person_save")
    person_save.locator("summary").click()
    assert person_save.inner_text().count("email is not an email address") == 1
    assert "The model answered" not in page.locator("#run-turns").inner_text()
    assert page.js_errors == [] and page.bad_responses == []


def test_a_cancelled_run_never_says_the_model_answered(page_as, live_server, world):
    run = next(r for r in world["runs"] if r.status == RunStatus.SUCCEEDED and r.turn == 2)
    Run.objects.filter(pk=run.pk).update(status=RunStatus.CANCELLED, error_code="cancelled",
                                         error_message="Cancelled by op0")
    page = page_as(superuser())
    page.goto(f"{live_server.url}/admin/vicbot/run/{run.pk}/change/")

    turns = page.locator("#run-turns").inner_text()
    assert "The model answered" not in turns and "The run ended here: Cancelled." in turns
    assert page.locator("#run-heading .run-heading-status").inner_text() == "Cancelled"


def test_an_action_taken_on_a_pitch_page_returns_to_that_page(page_as, live_server, world, settings):
    # The browser says https through the router header; its Origin is the live server's http one.
    settings.CSRF_TRUSTED_ORIGINS = [live_server.url]
    pitch = Pitch.objects.filter(status=Pitch.Status.FAILED).first()
    page = page_as(superuser())
    page.goto(f"{live_server.url}/admin/pipelines/pitch/{pitch.pk}/change/")
    page.click("button:has-text('Evaluate again')")

    page.wait_for_load_state()
    assert page.url.endswith(f"/admin/pipelines/pitch/{pitch.pk}/change/")
    assert "Queued 1 pitches for a new evaluation" in page.locator(".messagelist").inner_text()


def test_dates_money_and_throttle_read_the_same_everywhere_and_capacities_fit_1280(page_as, live_server, world):
    ModelCapacity.objects.update_or_create(model="gpt-5.4-mini", defaults={
        "requests_per_minute": 30000, "tokens_per_minute": 150000000, "remaining_requests": 29998,
        "remaining_tokens": 149990000, "read_at": timezone.now()})
    page = page_as(superuser())
    page.set_viewport_size(NARROW)
    page.goto(f"{live_server.url}/admin/vicbot/modelcapacity/")
    row = page.locator("#result_list tbody tr").first
    assert row.locator("td.field-throttle_now").inner_text() == "none"  # 100% of the limits: no throttle
    assert "149,990,000 / 150,000,000" in row.inner_text()
    assert STAMP.match(row.locator("td.field-read").inner_text())
    assert no_horizontal_scroll(page)
    page.goto(f"{live_server.url}/admin/vicbot/modelprice/")
    assert STAMP.match(page.locator("#result_list tbody td.field-updated_at").first.inner_text())  # Django's own
    for listing in ("vicbot/run", "pipelines/pitch", "pipelines/pipeline", "vicbot/assistant"):
        page.goto(f"{live_server.url}/admin/{listing}/")
        assert no_horizontal_scroll(page), listing
    page.goto(f"{live_server.url}/admin/console/")
    assert page.locator(".console-dashboard .console-muted").first.inner_text().startswith("As of ")
    assert "UTC UTC" not in page.content()


def test_needs_attention_lists_each_kind_of_trouble_with_its_action(page_as, live_server, world):
    runs = world["runs"]
    answered = next(r for r in runs if r.status == RunStatus.SUCCEEDED)
    _fail_a_tool_call(answered)
    written = Pitch.objects.filter(status=Pitch.Status.WRITTEN_BACK).exclude(runs=answered).first()
    Pitch.objects.filter(pk=written.pk).update(writeback_state=Pitch.WriteBack.FAILED,
                                               writeback_error="INVALID_FIELD: VicBot_Assessment__c is read-only")
    suggestion = SuggestedChange.objects.create(
        run=answered, sobject="Contact", record_id="003000000000001AAA", fields={"Title": "CEO"},
        current={"Title": "Founder"}, reason="An existing Contact's title differs.")
    WebhookEvent.objects.create(webhook_id="wh_r3_1", event_type="response.completed", response_id="resp_gone",
                                attempts=5, failed_at=timezone.now(), error="No run has response resp_gone")
    page = page_as(superuser())
    page.goto(f"{live_server.url}/admin/")
    page.click("text=Needs attention")
    assert page.url.endswith("/admin/console/attention/")

    failed = page.locator("#attention-pitches").inner_text()
    assert all(p.name in failed for p in Pitch.objects.filter(status=Pitch.Status.FAILED))
    assert written.name in page.locator("#attention-writebacks").inner_text()
    assert "read-only" in page.locator("#attention-writebacks").inner_text()
    assert f"Run {answered.pk}" in page.locator("#attention-tool-failures").inner_text()
    assert "eu-pitches" in page.locator("#attention-pipelines").inner_text()
    assert "003000000000001AAA" in page.locator("#attention-suggestions").inner_text()
    assert "resp_gone" in page.locator("#attention-webhooks").inner_text()
    assert no_horizontal_scroll(page) and page.js_errors == [] and page.bad_responses == []
    shot(page, "needs-attention.png")

    page.locator("#attention-writebacks a.attention-action").first.click()
    assert page.url.endswith(f"/admin/pipelines/pitch/{written.pk}/change/")
    page.go_back()
    page.locator("#attention-suggestions a.attention-action").first.click()
    assert page.url.endswith(f"/admin/vicbot/suggestedchange/{suggestion.pk}/change/")
    page.goto(f"{live_server.url}/admin/console/")
    page.click("#attention-link")
    assert page.url.endswith("/admin/console/attention/")


def test_needs_attention_needs_its_permission(page_as, live_server, world):
    from django.contrib.auth.models import Permission, User

    clerk = User.objects.create_user("clerk", password="pw", is_staff=True)
    clerk.user_permissions.add(Permission.objects.get(codename="view_pitch"))
    page = page_as(clerk)
    response = page.goto(f"{live_server.url}/admin/console/attention/")
    assert response.status == 403
    assert page.goto(f"{live_server.url}/admin/").ok and page.locator("text=Needs attention").count() == 0
    clerk.user_permissions.add(Permission.objects.get(codename="view_attention"))
    page.goto(f"{live_server.url}/admin/console/attention/")
    assert page.locator("#attention-pitches").count() == 1
    assert page.locator("#attention-tool-failures, #attention-suggestions, #attention-webhooks").count() == 0
