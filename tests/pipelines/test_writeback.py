"""Write-back: batched sObject Collections calls, per-record errors, exactly once."""

import pytest

from sandbox.emulators.salesforce import Field
from tests.conftest import wait_for
from tests.support.pitches import (add_accounts, answered_pitches, make_pipeline, run_in_threads,
                                   wait_until_written_back)
from pipelines.models import Pitch
from pipelines.services.intake import pitches_pull
from pipelines.services.writeback import writeback_flush, writeback_retry
from vicbot.models import Run, RunStatus

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.mark.usefixtures("celery_worker")
def test_answers_are_written_to_the_record_fields_in_few_collection_calls(salesforce, openai_emu):
    pipeline = make_pipeline(max_in_flight=10)
    record_ids = add_accounts(salesforce, 10)
    salesforce.calls_by_endpoint.clear()

    pitches_pull(pipeline_id=pipeline.pk)
    written = wait_until_written_back(pipeline, 10)

    assert {p.status for p in written} == {Pitch.Status.WRITTEN_BACK}
    for record_id in record_ids:
        record = salesforce.org.get(record_id)
        pitch = Pitch.objects.get(salesforce_id=record_id)
        assert record["VicBot_Assessment__c"] == pitch.assessment != ""
        assert record["VicBot_Reasoning__c"] == pitch.reasoning != ""
    # Ten answers that finish close together share sObject Collections calls.
    assert salesforce.calls_by_endpoint["collection_update"] < 10
    assert salesforce.calls_by_endpoint["sobject_update"] == 0


def test_concurrent_and_repeated_flushes_write_each_answer_once(salesforce):
    pipeline = make_pipeline()
    pitches = answered_pitches(salesforce, pipeline, 210)

    run_in_threads(writeback_flush, 3, pipeline_id=pipeline.pk)
    writeback_flush(pipeline_id=pipeline.pk)  # a redelivered message

    assert pipeline.pitches.filter(status=Pitch.Status.WRITTEN_BACK).count() == 210
    # One insert by the test, then exactly one write-back, for every record.
    assert {salesforce.org.writes[p.salesforce_id] for p in pitches} == {2}


def test_per_record_errors_are_sorted_into_deleted_retried_and_failed(salesforce, settings):
    settings.SALESFORCE_WRITEBACK_RETRY_SECONDS = 0
    salesforce.org.define("Account", Field("Frozen__c", "string", 255, updateable=False))
    pipeline = make_pipeline()
    deleted, locked, fine = answered_pitches(salesforce, pipeline, 3)
    salesforce.org.delete(deleted.salesforce_id)
    salesforce.faults.add("lock_row", match=locked.salesforce_id)

    writeback_flush(pipeline_id=pipeline.pk)

    deleted.refresh_from_db(), locked.refresh_from_db(), fine.refresh_from_db()
    assert (deleted.status, deleted.writeback_state) == (Pitch.Status.DELETED, Pitch.WriteBack.FAILED)
    assert "ENTITY_IS_DELETED" in deleted.writeback_error
    assert locked.status == Pitch.Status.WRITTEN_BACK and locked.writeback_attempts == 2  # retried at once
    assert fine.status == Pitch.Status.WRITTEN_BACK

    pipeline.answer_mapping = {"Assessment": "Frozen__c"}
    pipeline.save()
    (frozen,) = answered_pitches(salesforce, pipeline, 1)
    writeback_flush(pipeline_id=pipeline.pk)
    frozen.refresh_from_db()
    assert frozen.writeback_state == Pitch.WriteBack.FAILED and frozen.status == Pitch.Status.EVALUATED
    assert frozen.writeback_error.startswith("INVALID_FIELD_FOR_INSERT_UPDATE")


@pytest.mark.parametrize("fault", ["request_limit", "unavailable"])
def test_a_call_refused_as_a_whole_is_retried_later_and_nothing_is_lost(salesforce, settings, fault):
    settings.SALESFORCE_WRITEBACK_RETRY_SECONDS = 0
    pipeline = make_pipeline()
    pitches = answered_pitches(salesforce, pipeline, 3)
    salesforce.faults.add(fault, match="composite/sobjects")

    writeback_flush(pipeline_id=pipeline.pk)

    for pitch in pitches:
        pitch.refresh_from_db()
        assert pitch.status == Pitch.Status.WRITTEN_BACK
        assert pitch.writeback_attempts == 2


def test_a_failed_write_back_can_be_retried_by_an_operator(salesforce, settings):
    settings.SALESFORCE_WRITEBACK_MAX_ATTEMPTS = 1
    pipeline = make_pipeline()
    (pitch,) = answered_pitches(salesforce, pipeline, 1)
    salesforce.faults.add("unavailable", match="composite/sobjects")
    writeback_flush(pipeline_id=pipeline.pk)
    pitch.refresh_from_db()
    assert pitch.writeback_state == Pitch.WriteBack.FAILED and pitch.writeback_error

    assert writeback_retry(pitch_ids=[pitch.pk]) == 1  # its flush goes to the worker
    writeback_flush(pipeline_id=pipeline.pk)  # or this one writes it, if it comes first

    wait_for(lambda: Pitch.objects.get(pk=pitch.pk).status == Pitch.Status.WRITTEN_BACK,
             message="the retried write-back")
    assert salesforce.org.get(pitch.salesforce_id)["VicBot_Assessment__c"] == "Possible fit"


def test_values_are_fitted_to_the_fields_lengths(salesforce):
    pipeline = make_pipeline()
    (pitch,) = answered_pitches(salesforce, pipeline, 1, answer={"Assessment": "A" * 300, "Reasoning": "R" * 140_000})

    writeback_flush(pipeline_id=pipeline.pk)

    record = salesforce.org.get(pitch.salesforce_id)
    assert len(record["VicBot_Assessment__c"]) == 255 and len(record["VicBot_Reasoning__c"]) == 131072
    assert "[truncated by Vicbot:" in record["VicBot_Reasoning__c"]


def queue_answer(pipeline, pitch, other, state, written_seconds_ago, capture, *, background=False):
    """Queue `pitch`'s answer while `other` is in write-back `state`, written that long ago:
    (flushes sent, seconds until the answer is due), rolled back: nothing reaches the broker."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from pipelines.services.writeback import writeback_queue

    Pitch.objects.filter(pk=other.pk).update(
        writeback_state=state, written_back_at=timezone.now() - timedelta(seconds=written_seconds_ago))
    Pitch.objects.filter(pk=pitch.pk).update(writeback_state=Pitch.WriteBack.NOT_DUE, next_writeback_at=None)
    with transaction.atomic():  # as in the completion handler
        with capture() as sent:
            writeback_queue(pitch_id=pitch.pk, pipeline_id=pipeline.pk, run_id=pitch.latest_run_id,
                            values=pitch.writeback_values, background=background)
        due_in = (Pitch.objects.get(pk=pitch.pk).next_writeback_at - timezone.now()).total_seconds()
        transaction.set_rollback(True)
    return len(sent), due_in


def test_an_answer_alone_is_written_at_once_and_answers_under_load_share_one_delayed_flush(
        salesforce, settings, django_capture_on_commit_callbacks):
    settings.SALESFORCE_WRITEBACK_DELAY_SECONDS = settings.SALESFORCE_WRITEBACK_MAX_DELAY_SECONDS = 3
    pipeline = make_pipeline()
    pitch, other, busy = answered_pitches(salesforce, pipeline, 3)
    # Another pitch is still evaluating: more answers are coming, so batching them is worth it.
    Pitch.objects.filter(pk=busy.pk).update(status=Pitch.Status.EVALUATING, writeback_state=Pitch.WriteBack.DONE)
    Run.objects.filter(pk=busy.latest_run_id).update(status=RunStatus.WAITING_MODEL)

    def queue_while_other_is(state, written_seconds_ago=3600):
        return queue_answer(pipeline, pitch, other, state, written_seconds_ago, django_capture_on_commit_callbacks)

    sent, due_in = queue_while_other_is(Pitch.WriteBack.DONE)
    assert sent == 1 and due_in <= 0.5  # nothing else waiting: written at once, no batching window
    sent, due_in = queue_while_other_is(Pitch.WriteBack.DONE, written_seconds_ago=1)
    assert sent == 1 and 1.5 < due_in <= 3  # another was written a moment ago: a steady stream, so batch
    sent, due_in = queue_while_other_is(Pitch.WriteBack.WRITING)
    assert sent == 0 and 2 < due_in <= 3  # a write under way: its flush sends one more when done (the next test)
    sent, due_in = queue_while_other_is(Pitch.WriteBack.QUEUED)
    assert sent == 0 and 2 < due_in <= 3  # another answer waiting: this one joins its flush


def test_a_first_write_queued_while_a_flush_writes_gets_one_more_flush_when_its_window_ends(salesforce, settings):
    """An answer that arrives while a flush writes sends nothing (it saw the write under way, or
    joined a batch the flush had just claimed): the flush sends one more for it when done. Without
    that it waited for the tick, and under load flushes came 10-12 s apart."""
    from datetime import timedelta

    import psycopg
    from celery.signals import before_task_publish
    from django.db import connection
    from django.utils import timezone

    from config.enqueue import Task

    settings.SALESFORCE_WRITEBACK_DELAY_SECONDS = 3
    pipeline = make_pipeline()
    first, late = answered_pitches(salesforce, pipeline, 2)
    Pitch.objects.filter(pk=late.pk).update(next_writeback_at=timezone.now() + timedelta(seconds=3))
    published = []

    def note(sender=None, headers=None, **_):
        published.append((sender, (headers or {}).get("eta")))

    before_task_publish.connect(note, weak=False)
    try:
        # `late`'s row is held by another transaction, as an answer's handler holds it until it commits.
        with psycopg.connect(**connection.get_connection_params()) as other:
            other.execute("SELECT 1 FROM pipelines_pitch WHERE id = %s FOR UPDATE", [late.pk])
            writeback_flush(pipeline_id=pipeline.pk)
            assert Pitch.objects.get(pk=late.pk).writeback_state == Pitch.WriteBack.QUEUED  # this flush skipped it
    finally:
        before_task_publish.disconnect(note)

    first.refresh_from_db()
    assert first.status == Pitch.Status.WRITTEN_BACK
    follow_ups = [eta for task, eta in published if task == Task.WRITEBACK_FLUSH]
    assert len(follow_ups) == 1 and follow_ups[0] is not None  # due when `late`'s window ends, not at once


def test_a_claim_whose_worker_died_after_its_update_is_recorded_written_not_written_again(salesforce, settings):
    """A worker killed between Salesforce's answer and our record of it leaves the rows claimed
    (`writing`). Once the claim is older than any flush can take, it is queued again, and the
    flush finds the values already on the record: written once, recorded written."""
    from datetime import timedelta

    from django.utils import timezone

    from pipelines.services.writeback import STALE_CLAIM_TIMEOUTS, writebacks_due

    pipeline = make_pipeline()
    died, fresh = answered_pitches(salesforce, pipeline, 2)
    salesforce.org.update(died.salesforce_id, died.writeback_values)  # the update that went out
    longest_flush = timedelta(seconds=STALE_CLAIM_TIMEOUTS * settings.SALESFORCE_TIMEOUT)
    for pitch, claimed_ago in ((died, longest_flush + timedelta(seconds=5)), (fresh, longest_flush / 2)):
        Pitch.objects.filter(pk=pitch.pk).update(writeback_state=Pitch.WriteBack.WRITING, writeback_attempts=1,
                                                 writeback_claimed_at=timezone.now() - claimed_ago)

    assert writebacks_due() == [pipeline.pk]

    wait_for(lambda: Pitch.objects.get(pk=died.pk).status == Pitch.Status.WRITTEN_BACK,
             message="the dead claim's pitch recorded written")
    assert salesforce.org.writes[died.salesforce_id] == 2  # the test's insert, the dead worker's update
    # A claim younger than the longest flush may still be writing: it is left alone.
    assert Pitch.objects.get(pk=fresh.pk).writeback_state == Pitch.WriteBack.WRITING


def test_an_update_salesforce_applied_after_the_client_gave_up_is_not_written_twice(salesforce, settings):
    """The request times out, yet Salesforce applies it: the retry finds the values on the record."""
    from integrations.salesforce import reset_client

    settings.SALESFORCE_TIMEOUT = 1
    settings.SALESFORCE_WRITEBACK_RETRY_SECONDS = 2
    reset_client()
    try:
        pipeline = make_pipeline()
        (pitch,) = answered_pitches(salesforce, pipeline, 1)
        salesforce.faults.add("slow", match="composite/sobjects", delay=1.5)

        writeback_flush(pipeline_id=pipeline.pk)
        pitch.refresh_from_db()
        assert pitch.writeback_state == Pitch.WriteBack.QUEUED and "Will retry" in pitch.writeback_error

        wait_for(lambda: salesforce.org.get(pitch.salesforce_id)["VicBot_Assessment__c"] == "Possible fit",
                 message="the emulator applying the update the client gave up on")
        def retried():  # this test's flush, or the worker's tick when the retry falls due
            writeback_flush(pipeline_id=pipeline.pk)
            return Pitch.objects.get(pk=pitch.pk).status == Pitch.Status.WRITTEN_BACK

        wait_for(retried, message="the retry recording the write")
    finally:
        reset_client()  # the next test's client is built from its own settings
    assert salesforce.org.writes[pitch.salesforce_id] == 2  # the test's insert, then one update
    assert Pitch.objects.get(pk=pitch.pk).writeback_attempts == 2


def test_the_window_widens_while_answers_stream_in_and_never_holds_an_answer_nothing_follows(
        salesforce, settings, django_capture_on_commit_callbacks):
    """Calls per 100 pitches stop following the wall time: each window a stream of answers lasts doubles
    the next, up to SALESFORCE_WRITEBACK_MAX_DELAY_SECONDS. Nothing waits when no more answers are coming
    (nothing else evaluating: a pass's last answer), nor a new pitch's answer while a backlog runs."""
    from django.core.cache import cache

    settings.SALESFORCE_WRITEBACK_DELAY_SECONDS, settings.SALESFORCE_WRITEBACK_MAX_DELAY_SECONDS = 2, 5
    pipeline = make_pipeline()
    cache.delete(f"pipelines:writeback-window:{pipeline.pk}")
    pitch, other, busy = answered_pitches(salesforce, pipeline, 3)

    def queue(**kwargs):
        return queue_answer(pipeline, pitch, other, Pitch.WriteBack.DONE, 1, django_capture_on_commit_callbacks,
                            **kwargs)

    # Nothing else evaluating: however recent the last write, this answer is the last for now.
    sent, due_in = queue()
    assert sent == 1 and due_in <= 0.5
    # Nor when the other's run has ended and only its handler is left (the last two answers, side by side).
    Pitch.objects.filter(pk=busy.pk).update(status=Pitch.Status.EVALUATING, writeback_state=Pitch.WriteBack.DONE)
    sent, due_in = queue()
    assert sent == 1 and due_in <= 0.5
    Run.objects.filter(pk=busy.latest_run_id).update(status=RunStatus.WAITING_MODEL)
    windows = [round(queue()[1]) for _ in range(4)]
    assert windows == [2, 4, 5, 5]  # doubling, up to the bound

    # A backlog's run in flight: a new pitch's answer goes at once (taking what waits along); a backlog's waits.
    Run.objects.filter(pk=busy.latest_run_id).update(background=True)
    sent, due_in = queue()
    assert sent == 1 and due_in <= 0.5
    sent, due_in = queue(background=True)
    assert sent == 1 and due_in > 4


def test_a_full_batchs_remainder_waits_for_the_next_window_while_answers_keep_coming(salesforce):
    """A flush writes a full batch; the few answers beyond it go with the next window's batch while runs are
    still going (each remainder written alone cost two calls of its own), and at once when none is."""
    pipeline = make_pipeline()
    *pitches, busy = answered_pitches(salesforce, pipeline, 231)
    Pitch.objects.filter(pk=busy.pk).update(status=Pitch.Status.EVALUATING, writeback_state=Pitch.WriteBack.DONE)
    Run.objects.filter(pk=busy.latest_run_id).update(status=RunStatus.WAITING_MODEL)
    salesforce.calls_by_endpoint.clear()

    assert writeback_flush(pipeline_id=pipeline.pk) == 200
    assert salesforce.calls_by_endpoint["collection_update"] == 1
    assert pipeline.pitches.filter(writeback_state=Pitch.WriteBack.QUEUED).count() == 30

    Run.objects.filter(pk=busy.latest_run_id).update(status=RunStatus.SUCCEEDED)  # no more answers coming
    assert writeback_flush(pipeline_id=pipeline.pk) == 30
    assert {salesforce.org.writes[p.salesforce_id] for p in pitches} == {2}  # each written once


def test_the_answer_that_fills_a_batch_sends_it_at_once_and_those_after_it_wait_for_the_window(
        salesforce, settings, django_capture_on_commit_callbacks):
    """The full batch goes now; answers racing in as it fills are not due before the next window, so a flush
    writing its 200 leaves them to the next batch instead of writing them as a remainder of a few."""
    settings.SALESFORCE_WRITEBACK_MAX_DELAY_SECONDS = 30
    pipeline = make_pipeline()
    pitch, other, busy, *waiting = answered_pitches(salesforce, pipeline, 202)  # 199 first writes waiting
    Pitch.objects.filter(pk=busy.pk).update(status=Pitch.Status.EVALUATING, writeback_state=Pitch.WriteBack.DONE)
    Run.objects.filter(pk=busy.latest_run_id).update(status=RunStatus.WAITING_MODEL)

    sent, due_in = queue_answer(pipeline, pitch, other, Pitch.WriteBack.DONE, 60, django_capture_on_commit_callbacks)
    assert sent == 1 and due_in > 20
