"""Every operator action is recorded (who, when, what, on which objects): on the object's page, in the
admin's "Recent actions", and on the site-wide activity page with the state moves users made."""

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from pipelines.models import Pipeline
from tests.console.support import staff_user
from tests.support.runs import make_assistant
from vicbot.models import Assistant

pytestmark = pytest.mark.django_db

PIPELINES = "/admin/pipelines/pipeline/"
ACTIVITY = "/admin/console/activity/"


def paused_pipeline() -> Pipeline:
    return Pipeline.objects.create(name="p", fields=["Name"], answer_mapping={}, paused_at=timezone.now(),
                                   state="paused", pause_reason="quota")


def test_an_admin_action_is_recorded_with_who_what_and_on_which_object_and_shown_everywhere(client):
    pipeline = paused_pipeline()
    untouched = Pipeline.objects.create(name="other", fields=["Name"], answer_mapping={})
    operator = staff_user("pipelines.view_pipeline", "pipelines.change_pipeline", "admin.view_logentry", name="ops1")
    client.force_login(operator)

    client.post(PIPELINES, {"action": "resume_now", "_selected_action": [pipeline.pk]}, secure=True)

    [entry] = LogEntry.objects.all()
    assert (entry.user, entry.object_id, entry.object_repr) == (operator, str(pipeline.pk), "p")
    assert entry.get_change_message() == ("Resume now (paused pipelines start runs again at once) → "
                                          "Resumed 1 of 1 pipelines (running ones are left alone).")
    assert not LogEntry.objects.filter(object_id=str(untouched.pk)).exists()

    page = client.get(f"{PIPELINES}{pipeline.pk}/change/", secure=True).content.decode()
    assert 'id="operator-actions"' in page and "Resumed 1 of 1 pipelines" in page and "ops1" in page
    index = client.get("/admin/", secure=True).content.decode()
    recent = index[index.index('id="recent-actions-module"'):]
    assert f'href="{PIPELINES}{pipeline.pk}/change/"' in recent  # "Recent actions" is no longer empty

    activity = client.get(ACTIVITY, secure=True).content.decode()
    # The action, and the state move the same request made as the user (core.Transition), both linked.
    assert activity.count(f'href="{PIPELINES}{pipeline.pk}/change/"') == 2
    assert "resume: paused → running" in activity and "Resumed 1 of 1 pipelines" in activity


def test_a_confirmation_page_is_not_an_action_taken_and_an_empty_selection_records_nothing(client):
    paused_pipeline()
    client.force_login(staff_user("pipelines.view_pipeline", "pipelines.change_pipeline"))
    client.post(PIPELINES, {"action": "resume_now"}, secure=True)
    assert not LogEntry.objects.exists()


def test_a_rollback_is_recorded_on_the_new_version(client):
    first = make_assistant(instructions="One.")
    make_assistant(instructions="Two.", version=2)
    operator = staff_user("vicbot.view_assistant", "vicbot.change_assistant", name="ops2")
    client.force_login(operator)

    client.post(f"/admin/console/assistants/{first.pk}/restore/", secure=True)

    restored = Assistant.objects.current("tester")
    [entry] = LogEntry.objects.all()
    assert (entry.user, entry.object_id) == (operator, str(restored.pk))
    assert entry.get_change_message().startswith("Rolled back to v1 → Saved v1's configuration as")


def test_the_activity_page_needs_its_permission(client):
    assert client.get(ACTIVITY, secure=True)["Location"].startswith("/admin/login/")
    client.force_login(staff_user())
    assert client.get(ACTIVITY, secure=True).status_code == 403
    client.force_login(staff_user("admin.view_logentry"))
    assert "Nothing recorded yet." in client.get(ACTIVITY, secure=True).content.decode()
