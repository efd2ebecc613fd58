"""The operator hears about trouble: the worker sends each event to the Slack-compatible webhook (and/or
email), once per kind and pipeline per interval, and records it; nothing goes out when nothing is set."""

import os
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from pipelines.models import Notification, Pitch
from pipelines.services.intake import pitches_pull
from pipelines.services.notifications import Kind, notification_send
from pipelines.services.pause import pipeline_pause, pipeline_resume
from pipelines.services.tick import pipelines_tick
from pipelines.services.writeback import writeback_flush
from config.celery_app import app
from tests.conftest import _session_worker, wait_for
from tests.support.commands import manage
from tests.support.pitches import add_accounts, answered_pitches, make_pipeline
from tests.support.worker import REPO, only_these_workers
from vicbot.models import WorkerHeartbeat


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


def posts_with(receiver, text: str) -> list[str]:
    return [post["text"] for post in receiver.posts if text in post["text"]]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker")
def test_a_pitch_failing_for_good_posts_once_and_a_second_within_the_interval_is_recorded_not_posted(
        receiver, salesforce, openai_emu):
    pipeline = make_pipeline(max_attempts=1)
    add_accounts(salesforce, 2)
    openai_emu.faults.add("create", times=2, outcome="refusal")

    pitches_pull(pipeline_id=pipeline.pk)

    wait_for(lambda: pipeline.pitches.filter(status=Pitch.Status.FAILED).count() == 2, message="both pitches failed")
    def both_recorded_and_the_first_sent():
        rows = list(Notification.objects.filter(kind=Kind.PITCH_FAILED, pipeline=pipeline).order_by("created_at"))
        return rows if len(rows) == 2 and rows[0].sent_at is not None else None

    recorded = wait_for(both_recorded_and_the_first_sent, message="both failures recorded, the first sent")
    sent, repeat = recorded
    assert sent.duplicate_of is None and sent.channels == {"slack": "ok"} and sent.sent_at is not None
    assert repeat.duplicate_of == sent and repeat.sent_at is None
    # Each pitch's failure is on record under its own name, though only the first was posted.
    names = {pitch.name or pitch.salesforce_id for pitch in pipeline.pitches.all()}
    assert len(names) == 2 and {name for name in names if any(name in row.text for row in recorded)} == names
    posts = posts_with(receiver, f"of pipeline {pipeline.name} failed for good")
    assert posts == [f"Vicbot: {sent.text}"] and "refusal" in posts[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker")
def test_a_write_back_that_gives_up_posts_one_message(receiver, salesforce, settings):
    settings.SALESFORCE_WRITEBACK_MAX_ATTEMPTS = 1
    pipeline = make_pipeline()
    (pitch,) = answered_pitches(salesforce, pipeline, 1)
    salesforce.faults.add("unavailable", match="composite/sobjects")

    writeback_flush(pipeline_id=pipeline.pk)

    pitch.refresh_from_db()
    assert pitch.writeback_state == Pitch.WriteBack.FAILED
    wait_for(lambda: posts_with(receiver, f"pitch {pitch.name or pitch.salesforce_id} gave up"),
             message="the worker's post")
    assert posts_with(receiver, "gave up") == [
        f"Vicbot: The write-back of pitch {pitch.name or pitch.salesforce_id} gave up: {pitch.writeback_error}"]
    row = wait_for(lambda: Notification.objects.filter(kind=Kind.WRITEBACK_FAILED, sent_at__isnull=False).first(),
                   message="the message recorded as sent")
    assert Notification.objects.filter(kind=Kind.WRITEBACK_FAILED).count() == 1
    assert (row.pipeline_id, row.channels) == (pipeline.pk, {"slack": "ok"})


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker")
def test_no_live_worker_for_five_minutes_posts_one_message_from_the_ticks_check(receiver, settings):
    now = timezone.now()
    # The last worker reported 4 minutes ago: not yet news.
    with transaction.atomic():
        only_these_workers(("celery@gone", now - timedelta(minutes=4), None))
        pipelines_tick()
    # Past five minutes: the tick's check tells the operator, once per interval however often it runs.
    with transaction.atomic():
        only_these_workers(("celery@gone", now - timedelta(minutes=6), None))
        pipelines_tick()
        pipelines_tick()

    # Both checks recorded (the session worker's own tick may add one more while the rows stand).
    wait_for(lambda: Notification.objects.filter(kind=Kind.NO_LIVE_WORKER).count() >= 2, message="both checks")
    wait_for(lambda: Notification.objects.filter(kind=Kind.NO_LIVE_WORKER, sent_at__isnull=False).exists(),
             message="the first recorded as sent")
    assert posts_with(receiver, "No live worker") == [
        "Vicbot: No live worker: the last one (celery@gone) reported 6 min ago."]
    assert Notification.objects.filter(kind=Kind.NO_LIVE_WORKER, duplicate_of=None).count() == 1


def test_an_event_is_recorded_on_sqlite_too(tmp_path):
    """The demo's database: the PostgreSQL advisory lock that keeps two senders apart is not there."""
    env = {"VICBOT_VAR_DIR": str(tmp_path), "NOTIFY_SLACK_WEBHOOK_URL": "", "NOTIFY_EMAIL_TO": ""}
    migrated = manage("migrate", "--noinput", env_overrides=env, timeout=300)
    assert migrated.returncode == 0, migrated.stderr[-3000:]

    sent = manage("shell", "-c", "from pipelines.services.notifications import notification_send; "
                  "print(notification_send(kind='no_live_worker', pipeline_id=None, text='No live worker').channels)",
                  env_overrides=env)

    assert sent.returncode == 0, sent.stderr[-3000:]
    assert sent.stdout.strip().splitlines()[-1] == "{}"  # recorded, and nothing sent: no channel is set


@pytest.mark.django_db(transaction=True)
def test_with_every_worker_gone_beat_itself_posts_that_no_worker_is_alive(receiver, worker_env, tmp_path):
    """No worker is there to run the tick's check or send its message: beat, a process of its own, does both."""
    session = list(_session_worker)
    for worker in session:  # the whole fleet gone (the session's worker comes back after)
        worker.stop()
    log_path = tmp_path / "beat.log"
    try:
        WorkerHeartbeat.objects.all().delete()
        WorkerHeartbeat.objects.create(hostname="celery@gone", last_seen_at=timezone.now() - timedelta(minutes=6))
        with open(log_path, "a") as log:
            beat = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "INFO",
                 "--scheduler", "celery.beat:PersistentScheduler", "--schedule", str(tmp_path / "beat-schedule")],
                cwd=REPO, env={**os.environ, **worker_env, "VICBOT_WORKER_HEARTBEAT_SECONDS": "1"},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            wait_for(lambda: posts_with(receiver, "No live worker"), timeout=60,
                     message=f"beat's post; see {log_path}")
        finally:
            os.killpg(beat.pid, signal.SIGTERM)
            beat.wait(30)
    finally:
        app.control.purge()  # the ticks beat queued for nobody
        for worker in session:
            worker.start()

    assert posts_with(receiver, "No live worker") == [
        "Vicbot: No live worker: the last one (celery@gone) reported 6 min ago."]
    assert Notification.objects.get(kind=Kind.NO_LIVE_WORKER, duplicate_of=None).channels == {"slack": "ok"}
