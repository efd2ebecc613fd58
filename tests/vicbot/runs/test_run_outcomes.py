"""Every way a run can end other than success, each recorded with its reason."""

import pytest

from tests.conftest import wait_for
from tests.support.handlers import EXPLODE, RECORD_OUTCOME, calls_for
from tests.support.runs import make_assistant, start_with_faults, wait_until_done
from vicbot.models import CompletionState, RunStatus

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]



def run_with(emulator, *faults, **assistant_fields):
    make_assistant(**{"tool_names": [], **assistant_fields})
    return wait_until_done(start_with_faults(emulator, list(faults), on_complete=RECORD_OUTCOME))


def test_a_refusal_fails_the_run_and_keeps_the_refusal(openai_emu):
    run = run_with(openai_emu, ("create", {"outcome": "refusal"}))

    assert (run.status, run.error_code) == (RunStatus.FAILED, "refusal")
    assert run.refusal
    assert calls_for(run.pk) == [f"run-{run.pk}-failed"]


def test_output_that_violates_the_schema_fails_the_run_with_the_raw_text_kept(openai_emu):
    run = run_with(openai_emu, ("create", {"outcome": "invalid_json"}))

    assert (run.status, run.error_code) == (RunStatus.FAILED, "invalid_output")
    assert run.output_text and run.output_json is None
    assert "not JSON" in run.error_message or "schema" in run.error_message


def test_an_incomplete_response_fails_with_its_reason(openai_emu):
    run = run_with(openai_emu, ("create", {"outcome": "incomplete", "reason": "max_output_tokens"}))

    assert (run.status, run.error_code) == (RunStatus.FAILED, "incomplete:max_output_tokens")


def test_an_in_band_server_error_is_retried_and_the_run_succeeds(openai_emu):
    run = run_with(openai_emu, ("create", {"outcome": "failed", "error_code": "server_error"}))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert run.attempts == 1 and len(run.response_ids) == 2


def test_an_in_band_permanent_error_fails_at_once(openai_emu):
    run = run_with(openai_emu, ("create", {"outcome": "failed", "error_code": "invalid_prompt"}))

    assert (run.status, run.error_code) == (RunStatus.FAILED, "invalid_prompt")
    assert len(run.response_ids) == 1


def test_it_stops_a_model_that_keeps_calling_tools_at_the_turn_cap(openai_emu):
    run = run_with(openai_emu, ("create", {"outcome": "loop", "times": 10}), tool_names=["test_lookup"], max_turns=3)

    assert (run.status, run.error_code) == (RunStatus.FAILED, "turn_cap_reached")
    assert run.turn == 3
    assert calls_for(run.pk) == [f"run-{run.pk}-failed"]


def test_a_run_past_its_deadline_is_cancelled_at_openai_and_timed_out(openai_emu):
    run = run_with(openai_emu, ("create", {"outcome": "slow", "seconds": 60}), run_deadline_seconds=3)

    assert (run.status, run.error_code) == (RunStatus.TIMED_OUT, "deadline_exceeded")
    wait_for(lambda: openai_emu.get_response(run.response_id)["status"] == "cancelled",
             message="the response to be cancelled at OpenAI")
    assert calls_for(run.pk) == [f"run-{run.pk}-timed_out"]


def test_a_response_stuck_in_the_queue_is_cancelled_and_created_again(openai_emu):
    run = run_with(openai_emu, ("create", {"outcome": "stuck"}))  # OPENAI_QUEUED_TIMEOUT is 2 s here

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    stuck, fresh = run.response_ids
    assert openai_emu.get_response(stuck)["status"] == "cancelled"
    assert run.attempts == 1


def test_rate_limits_are_retried_after_the_delay_openai_asks_for(openai_emu):
    run = run_with(openai_emu, ("create", {"status": 429, "retry_after": 1, "code": "rate_limit_exceeded"}),
                   ("create", {"status": 503}))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert run.attempts == 2


@pytest.mark.parametrize("fault", [{"status": 500}, {"status": 429, "code": "rate_limit_exceeded"}])
def test_a_transient_error_without_retry_after_backs_off_and_succeeds(openai_emu, fault):
    run = run_with(openai_emu, ("create", fault))

    assert run.status == RunStatus.SUCCEEDED
    assert run.attempts == 1


def test_an_in_band_rate_limit_is_retried(openai_emu):
    run = run_with(openai_emu, ("create", {"outcome": "failed", "error_code": "rate_limit_exceeded"}))

    assert run.status == RunStatus.SUCCEEDED
    assert run.attempts == 1


@pytest.mark.parametrize(
    "fault, code",
    [
        ({"status": 429, "type": "insufficient_quota", "code": "insufficient_quota"}, "insufficient_quota"),
        ({"status": 401}, "invalid_api_key"),
        ({"status": 403}, None),
        ({"status": 400}, None),
    ],
)
def test_permanent_errors_fail_the_run_at_once_with_the_reason(openai_emu, fault, code):
    run = run_with(openai_emu, ("create", fault))

    assert run.status == RunStatus.FAILED
    assert run.attempts == 1 and run.response_ids == []
    if code:
        assert run.error_code == code
    assert run.error_message.startswith(f"HTTP {fault['status']}")


def test_transient_errors_stop_being_retried_after_the_attempt_limit(openai_emu, settings):
    run = run_with(openai_emu, ("create", {"status": 503, "times": 10}))

    assert run.status == RunStatus.FAILED
    assert run.attempts == 3  # OPENAI_MAX_ATTEMPTS in the worker's environment
    # The final error replaced the retries' messages; the first one is kept.
    assert run.first_error.startswith("Will retry: HTTP 503") and not run.error_message.startswith("Will retry")


def test_a_completion_handler_that_raises_is_recorded_for_an_operator(openai_emu):
    make_assistant(tool_names=[])
    run = wait_until_done(start_with_faults(openai_emu, [], on_complete=EXPLODE))

    assert run.status == RunStatus.SUCCEEDED
    assert run.completion_state == CompletionState.FAILED
    assert "handler is broken" in run.completion_error


def test_a_handler_key_no_longer_registered_when_the_run_ends_is_recorded_not_looped(openai_emu):
    from django.db import transaction

    from vicbot.models import Run

    make_assistant(tool_names=[])
    with transaction.atomic():
        run = start_with_faults(openai_emu, [], on_complete=RECORD_OUTCOME)
        # As if a deploy removed the handler while the run was in flight.
        Run.objects.filter(pk=run.pk).update(completion_handler="tests.retired")
    run = wait_until_done(run)

    assert run.status == RunStatus.SUCCEEDED
    assert run.completion_state == CompletionState.FAILED
    assert "No completion handler is registered under 'tests.retired'" in run.completion_error
    assert run.next_check_at is None  # nothing left for the tick to try again
    assert calls_for(run.pk) == []
