"""The operator hears about trouble: the worker sends each event to the Slack-compatible webhook (and/or
email), once per kind and pipeline per interval, and records it; nothing goes out when nothing is set."""

import pytest
from django.core import mail

from pipelines.models import Notification
from pipelines.services.notifications import Kind, notification_send
from pipelines.services.pause import pipeline_pause, pipeline_resume
from tests.conftest import wait_for
from tests.support.pitches import make_pipeline


def about(receiver, pipeline) -> list[str]:
    """The posts about `pipeline` (another event, e.g. a silent fleet, may be posted meanwhile)."""
    return [post["text"] for post in receiver.posts if f"Pipeline {pipeline.name} " in post["text"]]


@pytest.fixture
def receiver(slack_receiver):
    slack_receiver.clear()
    yield slack_receiver
    slack_receiver.clear()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker")
def test_a_pipeline_pausing_posts_one_message_from_the_worker_and_records_it(receiver):
    pipeline = make_pipeline()
    pipeline_pause(pipeline_id=pipeline.pk, reason="invalid_api_key: the key was revoked")
    wait_for(lambda: about(receiver, pipeline), message="the worker's post")
    assert about(receiver, pipeline) == [f"Vicbot: Pipeline {pipeline.name} paused: invalid_api_key: the key was revoked"]
    notification = wait_for(lambda: Notification.objects.filter(kind=Kind.PIPELINE_PAUSED, sent_at__isnull=False).first())
    assert (notification.kind, notification.pipeline_id, notification.channels) == (
        Kind.PIPELINE_PAUSED, pipeline.pk, {"slack": "ok"})


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker")
def test_two_pauses_within_the_interval_post_one_message_and_a_resume_posts_its_own(receiver):
    pipeline = make_pipeline()
    pipeline_pause(pipeline_id=pipeline.pk, reason="quota")
    pipeline_pause(pipeline_id=pipeline.pk, reason="quota again")  # a failed probe: paused again
    # Both events reach the worker; the second is recorded as a repeat of the first.
    wait_for(lambda: Notification.objects.filter(kind=Kind.PIPELINE_PAUSED).count() == 2, message="both pauses")
    repeat = Notification.objects.get(kind=Kind.PIPELINE_PAUSED, duplicate_of__isnull=False)
    assert repeat.sent_at is None and repeat.duplicate_of.sent_at is not None
    assert about(receiver, pipeline) == [f"Vicbot: Pipeline {pipeline.name} paused: quota"]

    assert pipeline_resume(pipeline_id=pipeline.pk)
    wait_for(lambda: len(about(receiver, pipeline)) == 2, message="the resume's post")
    assert about(receiver, pipeline)[1] == f"Vicbot: Pipeline {pipeline.name} resumed: runs start again."


@pytest.mark.django_db
def test_nothing_is_sent_when_no_channel_is_set_but_the_event_is_recorded(receiver, settings):
    settings.NOTIFY_SLACK_WEBHOOK_URL = ""
    settings.NOTIFY_EMAIL_TO = []
    pipeline = make_pipeline()
    notification = notification_send(kind=Kind.PIPELINE_PAUSED, pipeline_id=pipeline.pk, text=f"Pipeline {pipeline.name} paused: quota")
    assert about(receiver, pipeline) == []
    assert (notification.sent_at, notification.channels) == (None, {})


@pytest.mark.django_db
def test_email_goes_to_the_addresses_set_and_a_failing_webhook_is_recorded_not_raised(settings):
    settings.NOTIFY_SLACK_WEBHOOK_URL = "http://127.0.0.1:9/nothing-listens-here"
    settings.NOTIFY_EMAIL_TO = ["ops@fund.example"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    notification = notification_send(kind=Kind.NO_LIVE_WORKER, pipeline_id=None, text="No live worker")
    assert [(m.to, m.body) for m in mail.outbox] == [(["ops@fund.example"], "Vicbot: No live worker")]
    assert notification.channels["email"] == "ok"
    assert notification.channels["slack"].startswith("error: ")
    assert notification.sent_at is not None
