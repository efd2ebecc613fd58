"""One Retry-After reading for every client: seconds or an HTTP date, OpenAI's milliseconds, bounded."""

from datetime import UTC, datetime
from email.utils import format_datetime

import requests
from requests.structures import CaseInsensitiveDict

from integrations.kit import MAX_RETRY_AFTER_SECONDS, retry_after_seconds

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC).timestamp()


def test_it_reads_delta_seconds_in_any_spelling_of_the_header():
    assert retry_after_seconds({"Retry-After": "7"}) == 7.0
    assert retry_after_seconds({"retry-after": " 1.5 "}) == 1.5
    assert retry_after_seconds(CaseInsensitiveDict({"RETRY-AFTER": "3"})) == 3.0


def test_it_reads_an_http_date_as_the_seconds_left_until_then():
    in_two_minutes = format_datetime(datetime.fromtimestamp(NOW + 120, UTC), usegmt=True)
    assert retry_after_seconds({"Retry-After": in_two_minutes}, now=NOW) == 120.0
    a_minute_ago = format_datetime(datetime.fromtimestamp(NOW - 60, UTC), usegmt=True)
    assert retry_after_seconds({"Retry-After": a_minute_ago}, now=NOW) == 0.0


def test_openai_milliseconds_win_over_the_seconds():
    assert retry_after_seconds({"retry-after-ms": "250", "retry-after": "9"}) == 0.25


def test_it_is_none_when_absent_or_unreadable():
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"Retry-After": ""}) is None
    assert retry_after_seconds({"Retry-After": "soon"}) is None
    assert retry_after_seconds({"Retry-After": "nan"}) is None


def test_it_is_bounded_never_negative_and_never_endless():
    assert retry_after_seconds({"Retry-After": "-5"}) == 0.0
    assert retry_after_seconds({"Retry-After": "1e12"}) == MAX_RETRY_AFTER_SECONDS
    assert retry_after_seconds({"Retry-After": "inf"}) == MAX_RETRY_AFTER_SECONDS
    far = "Fri, 31 Dec 9999 23:59:59 GMT"
    assert retry_after_seconds({"Retry-After": far}, now=NOW) == MAX_RETRY_AFTER_SECONDS
    assert retry_after_seconds({"Retry-After": "600"}, bound=60) == 60


def test_it_reads_a_real_requests_response():
    response = requests.Response()
    response.headers["Retry-After"] = "12"
    assert retry_after_seconds(response.headers) == 12.0
