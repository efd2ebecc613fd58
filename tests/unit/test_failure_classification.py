"""Whose failure an OpenAI error is, and what it means for the pitch: the pitch's own content costs
that pitch an attempt; only the setup pauses the pipeline; an unclear 400 needs a second pitch."""

import httpx2
import openai
import pytest

from integrations.openai.errors import Fault, classify
from pipelines.services.outcomes import Verdict, attempt_verdict, unclear_failure
from vicbot.runs import RunStatus


def http_error(status: int, *, code: str | None, type: str = "invalid_request_error") -> openai.APIStatusError:
    """The SDK's own exception for a reply, as the real client raises it."""
    request = httpx2.Request("POST", "https://api.openai.com/v1/responses")
    body = {"error": {"message": "OpenAI's words", "type": type, "param": None, "code": code}}
    response = httpx2.Response(status, request=request, json=body)
    return openai.OpenAI(api_key="sk-test")._make_status_error("OpenAI's words", body=body, response=response)


@pytest.mark.parametrize("code", ["invalid_prompt", "context_length_exceeded", "invalid_image", "invalid_file",
                                  "image_content_policy_violation", "string_above_max_length"])
def test_a_400_about_the_requests_content_is_the_requests_own_and_not_systemic(code):
    failure = classify(http_error(400, code=code))
    assert (failure.fault, failure.systemic, failure.permanent) == (Fault.REQUEST, False, True)


@pytest.mark.parametrize("status, code, type", [
    (401, "invalid_api_key", "invalid_request_error"), (403, None, "permission_error"),
    (404, "model_not_found", "invalid_request_error"), (429, "insufficient_quota", "insufficient_quota"),
    (400, "unsupported_parameter", "invalid_request_error"),
])
def test_setup_failures_are_systemic(status, code, type):
    failure = classify(http_error(status, code=code, type=type))
    assert (failure.fault, failure.systemic) == (Fault.SETUP, True)


def test_a_generic_400_is_unclear_and_systemic_until_the_pipeline_tells():
    failure = classify(http_error(400, code=None))
    assert (failure.code, failure.fault, failure.systemic) == ("invalid_request_error", Fault.UNCLEAR, True)


def test_transient_errors_are_nobodys_fault_and_never_systemic():
    assert not classify(http_error(500, code=None, type="server_error")).systemic
    assert not classify(http_error(429, code="rate_limit_exceeded", type="requests")).systemic


def verdict(code: str, systemic: bool, *, elsewhere: bool = False, outcome: str = RunStatus.FAILED) -> Verdict:
    return attempt_verdict(outcome=outcome, error_code=code, systemic=systemic, failed_alike_elsewhere=elsewhere)


def test_the_pitchs_own_content_failure_is_its_attempt_wherever_else_it_happened():
    assert verdict("invalid_prompt", False) == Verdict.RETRY
    assert verdict("context_length_exceeded", False, elsewhere=True) == Verdict.RETRY


def test_a_setup_failure_pauses_at_once():
    for code in ("invalid_api_key", "model_not_found", "insufficient_quota", "permission_error"):
        assert verdict(code, True) == Verdict.PAUSE, code


def test_an_unclear_400_pauses_only_once_another_pitch_failed_the_same_way():
    assert unclear_failure(error_code="invalid_request_error", systemic=True)
    assert not unclear_failure(error_code="invalid_request_error", systemic=False)
    assert verdict("invalid_request_error", True) == Verdict.RETRY
    assert verdict("invalid_request_error", True, elsewhere=True) == Verdict.PAUSE


def test_answers_cancels_and_answer_problems_keep_their_verdicts():
    assert verdict("", False, outcome=RunStatus.SUCCEEDED) == Verdict.ANSWER
    assert attempt_verdict(outcome=RunStatus.SUCCEEDED, error_code="", systemic=False,
                           answer_problem="invalid_answer: x") == Verdict.RETRY
    assert verdict("cancelled", False, outcome=RunStatus.CANCELLED) == Verdict.FINAL
    assert verdict("cancelled_at_openai", False, outcome=RunStatus.CANCELLED) == Verdict.RETRY
