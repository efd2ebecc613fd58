"""The operator's console: pages render, actions need their permission, history stays,
and an assistant OpenAI would refuse is not saved."""

import json

import pytest
from django.contrib import admin

from tests.support.admin import assert_sent_to_login, outsiders
from tests.support.runs import PITCH, VERDICT_SCHEMA, make_assistant
from vicbot.models import Assistant, CompletionState, Run, RunStatus, ToolCall, WebhookEvent
from vicbot.runs import start_run

pytestmark = pytest.mark.django_db

RUNS = "/admin/vicbot/run/"


def a_run(**changes) -> Run:
    make_assistant()
    run = start_run(assistant="tester", input=PITCH)
    if changes:
        Run.objects.filter(pk=run.pk).update(**changes)
        run.refresh_from_db()
    return run


def act(client, action: str, *objects, url: str = RUNS):
    return client.post(url, {"action": action, "_selected_action": [o.pk for o in objects]}, secure=True)


def offered(client, action: str, url: str = RUNS) -> bool:
    page = client.get(url, secure=True)
    assert page.status_code == 200
    return f'value="{action}"' in page.content.decode()


def test_every_admin_list_page_renders(operator):
    a_run()
    for page in ("run", "assistant", "modelprice", "webhookevent", "workerheartbeat"):
        response = operator.get(f"/admin/vicbot/{page}/", secure=True)
        assert response.status_code == 200, page


def admin_pages() -> list[str]:
    pages = ["/admin/"]
    for model in admin.site._registry:
        opts = model._meta
        pages += [f"/admin/{opts.app_label}/{opts.model_name}/", f"/admin/{opts.app_label}/{opts.model_name}/add/"]
    return pages


def test_every_admin_page_sends_anonymous_and_non_staff_users_to_the_login(client):
    run = a_run()
    pages = [*admin_pages(), f"{RUNS}{run.pk}/change/", f"{RUNS}{run.pk}/delete/"]
    assert any(page.startswith("/admin/pipelines/") for page in pages)  # both apps' models are covered

    for who in outsiders(client):
        assert_sent_to_login(client, pages, who)
        response = act(client, "cancel_runs", run)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/"), who
    run.refresh_from_db()
    assert run.status == RunStatus.PENDING


# -- actions need their permission ------------------------------------------------


def test_a_view_only_user_is_not_offered_cancel_and_its_post_cancels_nothing(staff):
    run = a_run()
    viewer = staff("vicbot.view_run")

    assert not offered(viewer, "cancel_runs")
    act(viewer, "cancel_runs", run)

    run.refresh_from_db()
    assert run.status == RunStatus.PENDING


def test_cancelling_a_run_needs_the_cancel_permission_and_ends_it_with_the_reason(staff):
    run = a_run()
    canceller = staff("vicbot.view_run", "vicbot.cancel_run")

    assert offered(canceller, "cancel_runs") and not offered(canceller, "rerun_runs")
    act(canceller, "cancel_runs", run)

    run.refresh_from_db()
    assert (run.status, run.error_code) == (RunStatus.CANCELLED, "cancelled")


def test_a_view_only_user_cannot_rerun(staff):
    run = a_run()
    viewer = staff("vicbot.view_run", "vicbot.cancel_run")  # another action's permission is not this one's

    assert not offered(viewer, "rerun_runs")
    act(viewer, "rerun_runs", run)

    assert Run.objects.count() == 1


def test_rerun_needs_the_rerun_permission_and_starts_a_new_run_keeping_the_old_one(staff):
    run = a_run()
    rerunner = staff("vicbot.view_run", "vicbot.rerun_run")

    assert offered(rerunner, "rerun_runs")
    act(rerunner, "rerun_runs", run)

    newer = Run.objects.exclude(pk=run.pk).get()
    assert newer.input == run.input and newer.metadata["rerun_of"] == str(run.pk)
    assert newer.trigger == Run.Trigger.ADMIN


def test_retrying_a_failed_completion_handler_needs_its_permission(staff):
    run = a_run(status=RunStatus.SUCCEEDED, completion_state=CompletionState.FAILED, completion_error="boom")

    viewer = staff("vicbot.view_run")
    assert not offered(viewer, "retry_completion")
    act(viewer, "retry_completion", run)
    run.refresh_from_db()
    assert run.completion_state == CompletionState.FAILED

    retrier = staff("vicbot.view_run", "vicbot.retry_run_completion")
    assert offered(retrier, "retry_completion")
    act(retrier, "retry_completion", run)
    run.refresh_from_db()
    assert (run.completion_state, run.completion_error) == (CompletionState.PENDING, "")


# -- history cannot be deleted --------------------------------------------------------


def test_not_even_a_superuser_can_delete_a_run_or_its_tool_calls(operator):
    run = a_run()
    ToolCall.objects.create(run=run, turn=1, call_id="call_1", name="test_lookup", arguments="{}")

    assert not offered(operator, "delete_selected")
    act(operator, "delete_selected", run)  # the bulk action, posted anyway
    assert operator.get(f"{RUNS}{run.pk}/delete/", secure=True).status_code == 403
    assert operator.post(f"{RUNS}{run.pk}/delete/", {"post": "yes"}, secure=True).status_code == 403
    # Tool calls have no page of their own, and the run's page offers no delete box for them.
    assert operator.get("/admin/vicbot/toolcall/", secure=True).status_code == 404
    page = operator.get(f"{RUNS}{run.pk}/change/", secure=True).content.decode()
    assert "call_1" in page or "test_lookup" in page
    assert "tool_calls-0-DELETE" not in page

    assert Run.objects.filter(pk=run.pk).exists() and ToolCall.objects.filter(run=run).count() == 1


def test_not_even_a_superuser_can_delete_a_webhook_event(operator):
    event = WebhookEvent.objects.create(webhook_id="wh_1", event_type="response.completed", response_id="resp_1")
    url = "/admin/vicbot/webhookevent/"

    assert not offered(operator, "delete_selected", url)
    act(operator, "delete_selected", event, url=url)
    assert operator.post(f"{url}{event.pk}/delete/", {"post": "yes"}, secure=True).status_code == 403
    assert WebhookEvent.objects.filter(pk=event.pk).exists()


# -- assistants: an edit is a new version; a configuration OpenAI would refuse is not saved -----


def assistant_form(**changes) -> dict:
    data = {"name": "tester", "model": "", "instructions": "Be brief.", "tool_names": '["test_lookup"]',
            "output_schema_name": "verdict", "output_schema": json.dumps(VERDICT_SCHEMA), "reasoning_effort": "",
            "service_tier": "auto", "max_turns": 4, "run_deadline_seconds": 60}
    return {**data, **changes}


def test_editing_an_assistant_saves_a_new_version_and_keeps_the_old(operator):
    first = make_assistant()

    response = operator.post(f"/admin/vicbot/assistant/{first.pk}/change/", assistant_form(), secure=True)

    assert response.status_code == 302
    assert list(Assistant.objects.filter(name="tester").values_list("version", "instructions")) == [
        (2, "Be brief."), (1, first.instructions)]


def test_an_assistant_with_an_unknown_tool_is_refused_naming_it(operator):
    response = operator.post("/admin/vicbot/assistant/add/",
                             assistant_form(tool_names='["test_lookup", "web_scarpe"]'), secure=True)

    assert response.status_code == 200
    assert "Unknown tools: web_scarpe" in response.content.decode()
    assert not Assistant.objects.filter(name="tester").exists()


def test_an_assistant_whose_schema_strict_mode_rejects_is_refused_with_the_reason(operator):
    loose = {"type": "object", "properties": {"Assessment": {"type": "string"}, "Score": {"type": "number"}},
             "required": ["Assessment"]}

    response = operator.post("/admin/vicbot/assistant/add/", assistant_form(output_schema=json.dumps(loose)),
                             secure=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "strict mode would refuse this schema" in page
    assert "additionalProperties" in page and "missing: Score" in page
    assert not Assistant.objects.filter(name="tester").exists()


def test_an_edit_that_breaks_the_schema_keeps_the_current_version(operator):
    first = make_assistant()

    response = operator.post(f"/admin/vicbot/assistant/{first.pk}/change/",
                             assistant_form(output_schema='{"anyOf": [{"type": "string"}]}'), secure=True)

    assert response.status_code == 200 and "not an anyOf" in response.content.decode()
    assert list(Assistant.objects.filter(name="tester").values_list("version", flat=True)) == [1]


def test_the_model_capacity_list_shows_the_reading_the_throttle_and_the_last_429_and_is_read_only(operator):
    import re
    from datetime import timedelta

    from django.utils import timezone

    from vicbot.models import ModelCapacity

    row = ModelCapacity.objects.create(model="gpt-5.4-mini", requests_per_minute=600, tokens_per_minute=300_000,
                                       read_at=timezone.now(), throttle=0.5, rate_limited_count=3,
                                       throttled_at=timezone.now() - timedelta(minutes=1))

    page = operator.get("/admin/vicbot/modelcapacity/", secure=True)

    html = page.content.decode()
    assert page.status_code == 200 and "gpt-5.4-mini" in html and "— / 300,000" in html  # nothing left read yet
    # Half at the 429, a quarter back since, a little more while the test runs ("none": no throttle).
    assert re.search(r'<td class="field-throttle_now">to 7[5-9]% of the limits</td>', html)
    assert '<td class="field-allowance">6</td>' in html  # 8 from the fallback turn's tokens, × 0.75
    assert operator.get("/admin/vicbot/modelcapacity/add/", secure=True).status_code == 403
    detail = operator.get(f"/admin/vicbot/modelcapacity/{row.pk}/change/", secure=True).content.decode()
    assert re.search(r"to 7[5-9]% of the limits", detail) and "UTC" in detail  # the last 429's time, with its zone


def test_an_assistant_whose_model_openai_does_not_list_is_refused(operator, engine_settings, openai_emu):
    response = operator.post("/admin/vicbot/assistant/add/", assistant_form(model="gpt-5.4-mimi"), secure=True)

    assert response.status_code == 200
    assert "OpenAI does not list the model &#x27;gpt-5.4-mimi&#x27;" in response.content.decode()
    assert not Assistant.objects.filter(name="tester").exists()

    listed = operator.post("/admin/vicbot/assistant/add/", assistant_form(model="gpt-5.4-mini"), secure=True)
    assert listed.status_code == 302 and Assistant.objects.filter(name="tester").exists()


def test_when_openai_cannot_list_its_models_the_assistant_is_saved_with_a_note(operator, settings):
    from integrations.openai.client import reset_client

    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # nothing listens there
    reset_client()
    try:
        response = operator.post("/admin/vicbot/assistant/add/", assistant_form(model="gpt-5.4-mimi"), secure=True,
                                 follow=True)
    finally:
        reset_client()

    assert Assistant.objects.filter(name="tester", model="gpt-5.4-mimi").exists()
    assert any("saved unchecked" in str(m) for m in response.context["messages"])
