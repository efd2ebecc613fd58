"""A pipeline's schedule is edited on it and kept in step with its beat task; pauses are shown and resumable."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from pipelines.models import Pipeline
from pipelines.services.pipelines import pipeline_schedule
from tests.console.support import staff_user
from tests.support.runs import make_assistant

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/admin/pipelines/pipeline/"


def form(**changes) -> dict:
    data = {"name": "pitches", "enabled": "on", "sobject": "Account", "selection": "VicBot_Assessment__c = null",
            "fields": '["Name", "Website", "Description"]', "assistant_name": "tester", "prompt_template": "{record}",
            "answer_mapping": '{"Assessment": "VicBot_Assessment__c", "Reasoning": "VicBot_Reasoning__c"}',
            "field_max_chars": 4000, "batch_size": 500, "max_in_flight": 5, "max_attempts": 3,
            "deck_file_types": "PDF", "deck_oversize": "cut",
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
    assert 'name="every_minutes" value="2"' in page and "disabled</strong> (its beat task is off)" in page


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
