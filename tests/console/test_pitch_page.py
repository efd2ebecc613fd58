"""A pitch's page: one status that agrees with its write-back, its runs as links, readable fields, buttons."""

import pytest
from django.utils import timezone

from pipelines.models import Pipeline, Pitch
from tests.console.support import finished_run, staff_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def pitch(settings):
    settings.SALESFORCE_INSTANCE_URL = "https://acme.my.salesforce.com"
    pipeline = Pipeline.objects.create(name="p1", fields=["Name", "Description"], answer_mapping={})
    run = finished_run()
    pitch = Pitch.objects.create(
        pipeline=pipeline, salesforce_id="001000000000001AAA", name="Acme Robotics",
        snapshot={"Name": "Acme Robotics", "Description": "Line one\nLine <b>two</b>"},
        status=Pitch.Status.EVALUATED, assessment="Strong fit", latest_run=run,
        writeback_state=Pitch.WriteBack.FAILED, writeback_error="FIELD_CUSTOM_VALIDATION_EXCEPTION: too long",
        writeback_claimed_at=timezone.now(), writeback_values={"VicBot_Assessment__c": "Strong fit"},
        attempt_log=[{"run": run.pk, "outcome": "succeeded", "verdict": "answer", "reason": "", "at": "2026-11-30T10:00:00+00:00"}],
    )
    pitch.runs.add(run)
    return pitch


def page(client, pitch):
    response = client.get(f"/admin/pipelines/pitch/{pitch.pk}/change/", secure=True)
    assert response.status_code == 200
    return response.content.decode()


def test_the_pitch_page_reads_as_fields_links_and_one_status(client, pitch):
    client.force_login(staff_user("pipelines.view_pitch"))
    html = page(client, pitch)
    run = pitch.latest_run

    assert "answered, but the write-back failed" in html and "write-back pending" not in html
    assert f'<a href="/admin/vicbot/run/{run.pk}/change/">Run {run.pk}</a> (latest)' in html
    assert "$0.0123" in html and "Succeeded" in html
    assert 'href="https://acme.my.salesforce.com/001000000000001AAA"' in html
    assert "<th>Description</th><td class=\"pre\">Line one\nLine &lt;b&gt;two&lt;/b&gt;</td>" in html
    assert "\\n" not in html.split('id="pitch-snapshot"')[1].split("</table>")[0]
    assert "2026-11-30T10:00:00+00:00" in html and "FIELD_CUSTOM_VALIDATION_EXCEPTION" in html
    assert "claimed" not in html.lower()  # internal claim fields are not shown
    assert "Evaluate again" not in html and "Retry write-back" not in html  # no permission, no button


def test_the_buttons_post_to_the_actions_and_need_their_permission(client, pitch):
    client.force_login(staff_user("pipelines.view_pitch", "pipelines.evaluate_pitch", "pipelines.retry_writeback"))
    html = page(client, pitch)
    assert 'value="evaluate_again"' in html and 'value="retry_writeback"' in html

    response = client.post("/admin/pipelines/pitch/", {"action": "retry_writeback", "_selected_action": [pitch.pk]},
                           secure=True)

    assert response.status_code == 302
    pitch.refresh_from_db()
    assert pitch.writeback_state == Pitch.WriteBack.QUEUED


def test_the_pitch_list_shows_one_status_that_agrees_with_the_write_back(client, pitch):
    client.force_login(staff_user("pipelines.view_pitch"))
    html = client.get("/admin/pipelines/pitch/", secure=True).content.decode()
    assert '<td class="field-status_and_writeback">answered, but the write-back failed</td>' in html
