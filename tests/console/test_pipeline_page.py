"""A pipeline's schedule is edited on it and kept in step with its beat task; pauses are shown and resumable."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from pipelines.models import Pipeline
from pipelines.services.pipelines import pipeline_schedule
from tests.console.support import staff_user
from tests.support.runs import make_assistant
from tests.support.worker import only_these_workers

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/admin/pipelines/pipeline/"


def form(**changes) -> dict:
    data = {"name": "pitches", "enabled": "on", "sobject": "Account", "selection": "VicBot_Assessment__c = null",
            "fields": '["Name", "Website", "Description"]', "assistant_name": "tester", "prompt_template": "{record}",
            "answer_mapping": '{"Assessment": "VicBot_Assessment__c", "Reasoning": "VicBot_Reasoning__c"}',
            "field_max_chars": 4000, "batch_size": 500, "max_in_flight": 5, "max_attempts": 3,
            "deck_file_types": "PDF", "deck_oversize": "cut", "backlog_service_tier": "standard",
            "every_minutes": 15}
    return {**data, **changes}


@pytest.fixture
def operator(client, salesforce):
    make_assistant()  # the form's assistant: a pipeline naming an unknown one is refused
    client.force_login(User.objects.create_superuser("op", "op@example.com", "pw"))
    return client


def test_the_schedule_is_set_on_the_pipeline_and_follows_enabled(operator):
    response = operator.post(f"{URL}add/", form(), secure=True)
    assert response.status_code == 302, response.content.decode()[-2000:]
    pipeline = Pipeline.objects.get(name="pitches")
    assert (pipeline.schedule.interval.every, pipeline.schedule.interval.period) == (900, "seconds")
    assert pipeline.schedule.enabled

    changed = form(every_minutes=2)
    del changed["enabled"]  # unticked
    assert operator.post(f"{URL}{pipeline.pk}/change/", changed, secure=True).status_code == 302

    task = PeriodicTask.objects.get(pk=pipeline.schedule_id)
    assert (task.interval.every, task.enabled) == (120, False)
    page = operator.get(f"{URL}{pipeline.pk}/change/", secure=True).content.decode()
    assert 'name="every_minutes" value="2"' in page and "disabled</strong>: switched off on its page" in page


def test_a_paused_pipeline_shows_why_and_resume_now_resumes_it(operator):
    pipeline = Pipeline.objects.create(name="p", fields=["Name"], answer_mapping={}, paused_at=timezone.now(),
                                       state="paused", pause_reason="Run 7: invalid_api_key " + "x" * 400,
                                       # Its probe not yet due: a worker's tick left running by an earlier test
                                       # would otherwise probe it and record its own intake error over this one.
                                       probe_at=timezone.now() + timedelta(hours=1),
                                       last_intake_summary="12 new, 3 changed, 0 deleted",
                                       last_intake_error="INVALID_FIELD: No such column 'Foo__c' " + "y" * 300,
                                       last_intake_error_at=timezone.now())
    pipeline_schedule(pipeline=pipeline, every_seconds=300)

    page = operator.get(f"{URL}{pipeline.pk}/change/", secure=True).content.decode()
    assert "paused</strong> since" in page and "invalid_api_key " + "x" * 400 in page  # whole, not clipped
    assert "12 new, 3 changed, 0 deleted" in page and "No such column &#x27;Foo__c&#x27; " + "y" * 300 in page
    assert 'value="resume_now"' in page and "every 5 min" in page

    operator.post(URL, {"action": "resume_now", "_selected_action": [pipeline.pk]}, secure=True)

    pipeline.refresh_from_db()
    assert pipeline.paused_at is None and pipeline.pause_reason == ""


def test_resume_needs_the_change_permission(client, salesforce):
    pipeline = Pipeline.objects.create(name="p", fields=["Name"], answer_mapping={}, paused_at=timezone.now(),
                                       state="paused", pause_reason="quota")
    client.force_login(staff_user("pipelines.view_pipeline"))

    assert 'value="resume_now"' not in client.get(f"{URL}{pipeline.pk}/change/", secure=True).content.decode()
    client.post(URL, {"action": "resume_now", "_selected_action": [pipeline.pk]}, secure=True)

    pipeline.refresh_from_db()
    assert pipeline.paused_at is not None


@pytest.mark.parametrize("cap, says", [
    (2, "Its cap of 2 in flight, not OpenAI&#x27;s limits (10 now), is what holds its pitches back"),
    (50, "OpenAI&#x27;s rate limits (10 at once now), not its cap of 50, are what hold its pitches back."),
    (None, "No cap: OpenAI&#x27;s rate limits decide how many run at once (10 now)."),
])
def test_the_page_says_whether_its_cap_or_openais_limits_hold_pitches_back(operator, cap, says):
    """No reading of OpenAI's limits yet: the allowance is its starting 10 (vicbot.capacity.DEFAULT_ALLOWANCE)."""
    pipeline = Pipeline.objects.create(name="capped", fields=["Name"], answer_mapping={}, assistant_name="tester",
                                       max_in_flight=cap)

    page = operator.get(f"{URL}{pipeline.pk}/change/", secure=True).content.decode()

    assert says in page


def as_the_browser_sends(operator, pipeline: Pipeline) -> dict:
    """The change form as a browser posts it back untouched: every field as shown, textareas with CRLF."""
    shown = operator.get(f"{URL}{pipeline.pk}/change/", secure=True).context["adminform"].form
    data = {}
    for field in shown:
        value = field.value()
        if isinstance(value, bool):
            if value:
                data[field.name] = "on"
        elif value is not None:
            data[field.name] = str(value).replace("\r\n", "\n").replace("\n", "\r\n")
            if field.field.show_hidden_initial:  # the hidden input a field with a callable default renders
                data[field.html_initial_name] = data[field.name]
    return data


def test_a_save_keeps_the_schedule_the_beat_task_switch_and_the_text_it_was_not_asked_to_change(operator):
    assert operator.post(f"{URL}add/", form(prompt_template="Evaluate:\r\n\r\n{record}\r\n"),
                         secure=True).status_code == 302
    pipeline = Pipeline.objects.get(name="pitches")
    assert pipeline.prompt_template == "Evaluate:\n\n{record}\n"  # as typed in the textarea
    # Set elsewhere: every 5 s (Periodic tasks), the beat task switched off; a prompt stored with CRLF.
    task = pipeline.schedule
    task.interval = IntervalSchedule.objects.create(every=5, period=IntervalSchedule.SECONDS)
    task.enabled = False
    task.save()
    Pipeline.objects.filter(pk=pipeline.pk).update(selection="VicBot_Assessment__c = null\r\nAND Name != null")
    pipeline.refresh_from_db()

    posted = as_the_browser_sends(operator, pipeline)
    response = operator.post(f"{URL}{pipeline.pk}/change/", posted, secure=True)
    assert response.status_code == 302, response.context["adminform"].form.errors

    pipeline.refresh_from_db()
    task = PeriodicTask.objects.get(pk=pipeline.schedule_id)
    assert (task.interval.every, task.interval.period, task.enabled) == (5, "seconds", False)
    assert pipeline.selection == "VicBot_Assessment__c = null\r\nAND Name != null"  # byte for byte
    assert pipeline.prompt_template == "Evaluate:\n\n{record}\n"
    change = LogEntry.objects.filter(object_id=str(pipeline.pk)).order_by("-pk").first()
    assert change.get_change_message() == "No fields changed."
    assert "schedule" not in operator.get(f"{URL}{pipeline.pk}/change/", secure=True).context["adminform"].form.fields

    # Asked to: the interval and the switch follow the form's own fields.
    assert operator.post(f"{URL}{pipeline.pk}/change/", {**posted, "every_minutes": 3, "max_attempts": 4},
                         secure=True).status_code == 302
    task.refresh_from_db()
    assert (task.interval.every, task.enabled) == (180, False)


def test_the_state_says_why_nothing_runs(operator):
    assert operator.post(f"{URL}add/", form(), secure=True).status_code == 302
    pipeline = Pipeline.objects.get(name="pitches")
    PeriodicTask.objects.filter(pk=pipeline.schedule_id).update(enabled=False)

    listing = operator.get(URL, secure=True).content.decode()
    assert "intake off: its beat task &#x27;Pull pitches: pitches&#x27; is switched off" in listing, listing[listing.find("field-state"):][:300]
    page = operator.get(f"{URL}{pipeline.pk}/change/", secure=True).content.decode()
    assert "intake off</strong>: its beat task" in page

    Pipeline.objects.filter(pk=pipeline.pk).update(assistant_name="gone")
    assert "not configured: No assistant is named &#x27;gone&#x27;" in operator.get(URL, secure=True).content.decode()


def test_an_empty_install_shows_what_it_lacks_instead_of_a_running_default_pipeline(client, settings):
    from django.contrib.auth.models import Permission  # noqa: PLC0415

    settings.OPENAI_API_KEY = ""
    Pipeline.objects.create(name="default", fields=["Name"], answer_mapping={})  # what migrations leave
    client.force_login(User.objects.create_superuser("op", "op@example.com", "pw"))
    assert Permission.objects.filter(codename="view_dashboard").exists()

    # No worker, whatever an earlier test left running: its heartbeat waits on the lock until the pages are read.
    with transaction.atomic():
        only_these_workers()
        for page in (client.get("/admin/console/", secure=True), client.get(URL, secure=True)):
            text = page.content.decode()
            assert 'id="setup-checklist"' in text, page.request
            assert "missing</span> <strong>An OpenAI API key" in text
            assert "missing</span> <strong>An assistant" in text
            assert "missing</span> <strong>A live worker" in text
        dashboard = client.get("/admin/console/", secure=True).content.decode()
    assert "not configured</span>: No assistant is named &#x27;vicbot&#x27;" in dashboard
