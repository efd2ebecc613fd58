"""Admission sized by OpenAI's rate limits: a pipeline with no cap starts what the model allows, a cap still
binds, and a 429 from OpenAI slows admission until time restores it. Real worker, real client, the emulator."""

import threading
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connections, transaction

from config.enqueue import Task, enqueue_pitches_admit
from pipelines.models import Pipeline, Pitch
from pipelines.services.admission import admit_pending_key, pitches_admit_soon
from pipelines.services.intake import pitches_pull
from pipelines.services.pipelines import pipeline_create
from tests.conftest import wait_for
from tests.support.broker import BrokerPushes
from tests.support.pitches import add_accounts, make_pipeline, wait_until_written_back
from tests.support.runs import create_outside_a_run
from vicbot.capacity import allowance, remaining_share
from vicbot.models import ModelCapacity, Run
from vicbot.runs import in_flight_allowance
from vicbot.services.capacity import capacity_forget_recorded, turn_profile

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]


@pytest.fixture
def small_limits(openai_emu, settings):
    """Limits that allow 3 runs of the fallback turn (0.8 × 25 requests × 20 s / (60 s × 2) = 3.3), read once."""
    openai_emu.rate_limits.requests_per_minute, openai_emu.rate_limits.tokens_per_minute = 25, 2_000_000
    capacity_forget_recorded()
    create_outside_a_run(settings.OPENAI_MODEL)
    yield settings.OPENAI_MODEL
    capacity_forget_recorded()


def test_a_pipeline_with_no_cap_starts_as_many_as_the_limits_allow_and_the_rest_later(salesforce, small_limits,
                                                                                      operator):
    pipeline = make_pipeline()
    add_accounts(salesforce, 6)
    assert pipeline.max_in_flight is None and in_flight_allowance(small_limits) == 3
    assert "auto (3)" in operator.get("/admin/pipelines/pipeline/", secure=True).content.decode()

    summary = pitches_pull(pipeline_id=pipeline.pk)

    assert (summary.new, summary.started) == (6, 3)
    assert pipeline.pitches.filter(status=Pitch.Status.NEW).count() == 3
    written = wait_until_written_back(pipeline, 6, timeout=90)
    assert {p.status for p in written} == {Pitch.Status.WRITTEN_BACK} and Run.objects.count() == 6


def test_a_cap_below_the_models_allowance_still_applies(salesforce, small_limits, operator):
    pipeline = make_pipeline(max_in_flight=2)
    add_accounts(salesforce, 4)
    page = operator.get("/admin/pipelines/pipeline/", secure=True).content.decode()
    assert '<td class="field-in_flight">2</td>' in page

    assert pitches_pull(pipeline_id=pipeline.pk).started == 2
    wait_until_written_back(pipeline, 4, timeout=90)


def test_a_cap_above_it_is_held_to_the_allowance(salesforce, small_limits):
    pipeline = make_pipeline(max_in_flight=50)
    add_accounts(salesforce, 5)

    assert pitches_pull(pipeline_id=pipeline.pk).started == 3
    wait_until_written_back(pipeline, 5, timeout=90)


def test_a_429_a_run_meets_lowers_the_allowance_and_time_restores_it(salesforce, openai_emu, settings):
    openai_emu.rate_limits.requests_per_minute, openai_emu.rate_limits.tokens_per_minute = 100_000, 100_000_000
    openai_emu.faults.add("create", status=429, code="rate_limit_exceeded", retry_after=0.5)
    pipeline = make_pipeline()
    add_accounts(salesforce, 1)

    pitches_pull(pipeline_id=pipeline.pk)
    (pitch,) = wait_until_written_back(pipeline, 1)

    assert pitch.status == Pitch.Status.WRITTEN_BACK  # the run waited as OpenAI asked, then went on
    row = ModelCapacity.objects.get(model=settings.OPENAI_MODEL)  # written by the worker's client
    assert (row.throttle, row.rate_limited_count) == (0.5, 1)
    assert (row.requests_per_minute, row.tokens_per_minute) == (100_000, 100_000_000)
    profile = turn_profile(settings.OPENAI_MODEL)  # from the run that just finished
    full = allowance(requests_per_minute=100_000, tokens_per_minute=100_000_000, profile=profile)
    lowered = in_flight_allowance(settings.OPENAI_MODEL, now=row.throttled_at)
    # At the 429, the latest reading is fresh: the aim follows what it says is left.
    left = remaining_share(requests_per_minute=100_000, tokens_per_minute=100_000_000,
                           remaining_requests=row.remaining_requests, remaining_tokens=row.remaining_tokens)
    assert full > 2 and lowered == allowance(requests_per_minute=100_000, tokens_per_minute=100_000_000,
                                            profile=profile, throttle=0.5, left=left)
    assert in_flight_allowance(settings.OPENAI_MODEL) < full  # now: a few seconds' recovery is not enough
    assert in_flight_allowance(settings.OPENAI_MODEL, now=row.throttled_at + timedelta(minutes=2)) == full


def test_a_pipeline_another_held_the_models_room_from_starts_when_that_room_frees(salesforce, openai_emu,
                                                                                  small_limits):
    busy = make_pipeline(name="busy", max_in_flight=3, selection="Industry = 'Fintech'")
    add_accounts(salesforce, 3, Industry="Fintech")
    openai_emu.faults.add("create", times=3, outcome="slow", seconds=2)
    assert pitches_pull(pipeline_id=busy.pk).started == 3  # all of the model's room
    waiting = pipeline_create(name="waiting", assistant_name="tester", selection="Industry = 'Robotics'")

    add_accounts(salesforce, 2, Industry="Robotics")
    assert pitches_pull(pipeline_id=waiting.pk).started == 0

    # No run of its own will end to admit it, and its next intake pass is minutes away: the tick does.
    wait_until_written_back(waiting, 2, timeout=60)


@pytest.fixture
def tokens_bind(openai_emu, settings):
    """Limits under which the fallback turn's tokens bind: aim × 300,000 × 20 s / (60 s × 10,000) = 10 × aim runs."""
    openai_emu.rate_limits.requests_per_minute, openai_emu.rate_limits.tokens_per_minute = 100_000, 300_000
    capacity_forget_recorded()
    yield settings.OPENAI_MODEL
    capacity_forget_recorded()


def test_admission_goes_near_the_limit_when_openai_says_the_budget_is_unused(salesforce, openai_emu, tokens_bind):
    create_outside_a_run(tokens_bind)  # a fresh reading: nearly all of the minute's tokens left
    pipeline = make_pipeline()
    add_accounts(salesforce, 12)

    # 0.95 of the limit, not the fixed 0.8 (which started 8).
    assert pitches_pull(pipeline_id=pipeline.pk).started == 9
    wait_until_written_back(pipeline, 12, timeout=90)
    assert ModelCapacity.objects.get(model=tokens_bind).rate_limited_count == 0


def test_admission_pulls_back_when_openai_says_the_budget_is_nearly_spent(salesforce, openai_emu, tokens_bind):
    # Something else using the same key has spent 95 % of this minute's tokens.
    openai_emu.rate_limits.take(openai_emu.clock.now(), 285_000)
    create_outside_a_run(tokens_bind)
    row = ModelCapacity.objects.get(model=tokens_bind)
    assert row.remaining_tokens < 15_000  # the emulator's header says so truthfully
    pipeline = make_pipeline()
    add_accounts(salesforce, 6)

    # Under a twentieth left: aim at under half of the near-limit share (4 runs, not 8 or 9).
    assert pitches_pull(pipeline_id=pipeline.pk).started == 4
    wait_until_written_back(pipeline, 6, timeout=90)
    assert ModelCapacity.objects.get(model=tokens_bind).rate_limited_count == 0  # pulled back before any 429


def test_slots_that_free_while_an_admission_waits_share_that_one_admission(salesforce, settings):
    """One admission message per pipeline while one waits, however many answers free a slot meanwhile; once
    it has started, the next freed slot sends its own."""
    pipeline = make_pipeline()
    other = pipeline_create(name="other", assistant_name="tester")
    locked, release = threading.Event(), threading.Event()

    def hold_the_pipeline_row():  # the admission the worker takes waits here, before it starts
        with transaction.atomic():
            Pipeline.objects.select_for_update().get(pk=pipeline.pk)
            locked.set()
            release.wait(60)
        connections.close_all()

    def admissions_sent(pushes) -> int:
        """Of `pipeline`, once the broker has seen a marker sent after them (its pushes arrive in order)."""
        def sent(pipeline_id):
            return sum(1 for task, first, _ in pushes.seen if task == Task.PITCHES_ADMIT and first == pipeline_id)

        markers = sent(other.pk)
        enqueue_pitches_admit(other.pk, after_commit=False)
        wait_for(lambda: sent(other.pk) > markers, timeout=10, message="the marker's push")
        return sent(pipeline.pk)

    holder = threading.Thread(target=hold_the_pipeline_row)
    holder.start()
    assert locked.wait(10)
    with BrokerPushes(settings.CELERY_BROKER_URL) as pushes:
        for _ in range(3):
            pitches_admit_soon(pipeline.pk)
        assert admissions_sent(pushes) == 1
        release.set()
        holder.join()
        wait_for(lambda: cache.get(admit_pending_key(pipeline.pk)) is None, timeout=60)  # it started
        pitches_admit_soon(pipeline.pk)
        assert admissions_sent(pushes) == 2
