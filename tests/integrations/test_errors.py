"""Every integration's error is one IntegrationError, and each maps its service's failures onto it.

Pure logic: the wire-level behaviour is tested beside each integration (openai/test_classify.py,
salesforce/test_client_failures.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import openai
import pytest
import requests
from simple_salesforce import exceptions as sf

from integrations.errors import IntegrationError
from integrations.openai import OpenAIError, classify
from integrations.salesforce import SalesforceError
from integrations.salesforce.errors import note_refusal, retry_after_seconds
from integrations.web import WebFetchError

URL = "https://vicbot.my.salesforce.com/services/data/v62.0/sobjects/Account/001000000000001AAA"


def status_error(status: int, headers: dict[str, str] | None = None, body: dict | None = None) -> Exception:
    """What the SDK raises for an HTTP error reply (built by the SDK itself, from a real httpx2 response)."""
    request = httpx2.Request("POST", "https://api.openai.com/v1/responses")
    response = httpx2.Response(status, headers=headers or {}, json=body or {}, request=request)
    client = openai.OpenAI(api_key="sk-test", max_retries=0)
    return client._make_status_error_from_response(response)


def refusal(status: int, headers: dict[str, str] | None = None, url: str = URL) -> requests.Response:
    response = requests.Response()
    response.status_code, response.url = status, url
    response.headers.update(headers or {})
    return response


@pytest.mark.parametrize(
    ("error", "service"),
    [
        (SalesforceError("locked", code="UNABLE_TO_LOCK_ROW", permanent=False, status=400), "salesforce"),
        (WebFetchError("no such host", code="dns_error", permanent=False), "web"),
        (OpenAIError("slow down", code="rate_limit_exceeded", permanent=False, status=429), "openai"),
    ],
)
def test_each_integration_error_is_an_integration_error_naming_its_service(error, service):
    assert isinstance(error, IntegrationError)
    assert error.service == service
    assert (error.message, error.permanent, error.retry_after) == (str(error), False, None)
    assert type(error).__name__ in repr(error) and "permanent=False" in repr(error)


def test_an_openai_error_is_transient_exactly_when_not_permanent():
    error = OpenAIError("gone", code="http_500", permanent=False, status=500, outcome_unknown=True)

    assert error.transient is True
    error.permanent = True
    assert error.transient is False
    with pytest.raises(AttributeError):
        error.transient = True  # derived, never set on its own
    assert "outcome_unknown=True" in repr(error)


def test_classify_reads_retry_after_seconds_from_a_429():
    failure = classify(status_error(429, {"retry-after": "12"}, {"error": {"code": "rate_limit_exceeded"}}))

    assert (failure.code, failure.transient, failure.retry_after, failure.status) == (
        "rate_limit_exceeded", True, 12.0, 429
    )


def test_classify_prefers_retry_after_ms():
    failure = classify(status_error(429, {"retry-after-ms": "1500", "retry-after": "9"}))

    assert failure.retry_after == 1.5


def test_classify_reads_retry_after_given_as_an_http_date():
    at = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)

    assert 25 <= classify(status_error(503, {"retry-after": at})).retry_after <= 30


@pytest.mark.parametrize(
    "error",
    [
        {"code": "insufficient_quota"},
        {"type": "insufficient_quota"},
        {"code": "organization_spend_limit_exceeded"},
    ],
)
def test_classify_treats_a_billing_429_as_permanent(error):
    assert classify(status_error(429, body={"error": error})).permanent is True


@pytest.mark.parametrize(
    ("status", "transient"),
    [(500, True), (502, True), (408, True), (409, True), (400, False), (401, False), (404, False)],
)
def test_classify_sorts_other_statuses(status, transient):
    failure = classify(status_error(status, body={"error": {"message": "nope"}}))

    assert (failure.status, failure.transient, failure.outcome_unknown) == (status, transient, False)
    assert failure.message == f"HTTP {status}: nope"


def test_classify_lets_a_bug_of_ours_surface():
    with pytest.raises(KeyError):
        classify(KeyError("model"))


@pytest.mark.parametrize(
    ("exc", "code", "permanent"),
    [
        (sf.SalesforceRefusedRequest(URL, 403, "", [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "x"}]),
         "REQUEST_LIMIT_EXCEEDED", False),
        (sf.SalesforceMalformedRequest(URL, 400, "", [{"errorCode": "UNABLE_TO_LOCK_ROW", "message": "x"}]),
         "UNABLE_TO_LOCK_ROW", False),
        (sf.SalesforceGeneralError(URL, 429, "", [{"errorCode": "TOO_MANY_REQUESTS", "message": "x"}]),
         "TOO_MANY_REQUESTS", False),
        (sf.SalesforceGeneralError(URL, 500, "", b"<html>oops</html>"), None, False),
        (sf.SalesforceExpiredSession(URL, 401, "", [{"errorCode": "INVALID_SESSION_ID", "message": "x"}]),
         "INVALID_SESSION_ID", False),
        (sf.SalesforceMalformedRequest(URL, 400, "", [{"errorCode": "INVALID_FIELD", "message": "x"}]),
         "INVALID_FIELD", True),
        (sf.SalesforceResourceNotFound(URL, 404, "", [{"errorCode": "NOT_FOUND", "message": "x"}]),
         "NOT_FOUND", True),
    ],
)
def test_salesforce_errors_are_sorted_by_code_and_status(exc, code, permanent):
    error = SalesforceError.from_simple_salesforce(exc)

    assert (error.code, error.permanent, error.status) == (code, permanent, exc.status)
    assert error.retry_after is None


def test_a_salesforce_error_takes_the_retry_after_of_the_response_it_came_from():
    note_refusal(refusal(503, {"Retry-After": "20"}))
    error = SalesforceError.from_simple_salesforce(sf.SalesforceGeneralError(URL, 503, "", []))

    assert (error.retry_after, error.permanent) == (20.0, False)


def test_a_salesforce_error_never_takes_the_retry_after_of_another_response():
    note_refusal(refusal(503, {"Retry-After": "20"}, url=URL + "/other"))
    error = SalesforceError.from_simple_salesforce(sf.SalesforceGeneralError(URL, 503, "", []))

    assert error.retry_after is None


def test_salesforce_retry_after_reads_seconds_and_dates_and_ignores_junk():
    at = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)

    assert retry_after_seconds({"Retry-After": "3"}) == 3.0
    assert 55 <= retry_after_seconds({"Retry-After": at}) <= 60
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({}) is None


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        (sf.SalesforceAuthenticationFailed("invalid_client", "bad secret"), True),
        (sf.SalesforceAuthenticationFailed(503, "maintenance"), False),
        (sf.SalesforceAuthenticationFailed(400, "bad request"), True),
    ],
)
def test_a_failed_salesforce_login_is_permanent_unless_the_server_failed(exc, permanent):
    error = SalesforceError.from_simple_salesforce(exc)

    assert error.permanent is permanent and error.message.startswith("Salesforce login failed")


@pytest.mark.parametrize(
    ("exc", "permanent"),
    [
        (requests.ConnectionError("refused"), False),
        (requests.Timeout("slow"), False),
        (requests.exceptions.SSLError("bad certificate"), True),
        (requests.exceptions.InvalidURL("no host"), True),
    ],
)
def test_salesforce_transport_failures_are_transient_except_configuration(exc, permanent):
    assert SalesforceError.from_requests(exc).permanent is permanent
