"""Failures the caller must tell apart: retry later, or give up; and what every call costs."""

from __future__ import annotations

import time

import pytest

from integrations.salesforce import SalesforceClient, SalesforceConfig, SalesforceError
from sandbox.emulators.salesforce import SalesforceEmulator


@pytest.mark.parametrize(
    ("fault", "status", "code"),
    [("request_limit", 403, "REQUEST_LIMIT_EXCEEDED"), ("unavailable", 503, "SERVER_UNAVAILABLE")],
)
def test_a_collection_call_refused_as_a_whole_is_a_transient_error(emulator, client, fault, status, code):
    record_id = emulator.org.insert("Account", {"Name": "Acme"})
    emulator.faults.add(fault, match="composite/sobjects")

    with pytest.raises(SalesforceError) as refused:
        client.update_many("Account", [{"Id": record_id, "VicBot_Assessment__c": "Yes"}])

    assert (refused.value.status, refused.value.code, refused.value.permanent) == (status, code, False)
    assert client.update_many("Account", [{"Id": record_id, "VicBot_Assessment__c": "Yes"}])[0].ok


@pytest.mark.parametrize(("fault", "status"), [("request_limit", 403), ("unavailable", 503)])
def test_a_refusal_with_retry_after_says_how_long_to_wait(emulator, client, fault, status):
    emulator.faults.add(fault, match="/limits", retry_after=120)

    with pytest.raises(SalesforceError) as refused:
        client.limits()

    error = refused.value
    assert (error.status, error.permanent, error.retry_after) == (status, False, 120.0)


def test_a_refusal_without_retry_after_has_none_even_right_after_one_with_it(emulator, client):
    emulator.faults.add("unavailable", retry_after=120)
    with pytest.raises(SalesforceError):
        client.limits()
    emulator.faults.add("unavailable")

    with pytest.raises(SalesforceError) as refused:
        client.limits()

    assert (refused.value.status, refused.value.retry_after) == (503, None)


def test_a_slow_answer_times_out_as_a_transient_error(emulator, direct_config):
    client = SalesforceClient(SalesforceConfig(**{**direct_config.__dict__, "timeout": 0.3}))
    emulator.faults.add("slow", delay=2)

    started = time.monotonic()
    with pytest.raises(SalesforceError) as refused:
        client.limits()

    assert time.monotonic() - started < 1.5
    assert refused.value.permanent is False
    assert "Timeout" in refused.value.message


def test_the_timeout_also_applies_to_a_session_the_caller_brings(emulator):
    config = SalesforceConfig(
        domain=emulator.my_domain,
        client_id=emulator.client_id,
        client_secret=emulator.client_secret,
        timeout=0.3,
    )
    client = SalesforceClient(config, session=emulator.session())
    client.limits()  # logs in
    emulator.faults.add("slow", delay=2, match="/limits")

    with pytest.raises(SalesforceError) as refused:
        client.limits()

    assert refused.value.permanent is False


def test_it_records_api_usage_from_every_response(emulator, client):
    calls = []
    client.on_call = lambda *call: calls.append(call)
    record_id = client.create("Account", {"Name": "Acme"})
    client.update("Account", record_id, {"Industry": "Fintech"})
    client.limits()

    assert [(method, status, usage) for method, _, status, _, usage in calls] == [
        ("POST", 201, (1, 15000)),
        ("PATCH", 204, (2, 15000)),
        ("GET", 200, (3, 15000)),
    ]
    assert all(url.startswith(emulator.instance_url) and elapsed >= 0 for _, url, _, elapsed, _ in calls)
    assert (client.api_usage, client.calls_made) == ((3, 15000), 3)


def test_reaching_the_daily_limit_is_a_transient_error(monkeypatch):
    with SalesforceEmulator(daily_api_limit=2) as emulator:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", emulator.ca_bundle)
        client = SalesforceClient(
            SalesforceConfig(instance_url=emulator.instance_url, access_token=emulator.access_token)
        )
        assert client.limits()["DailyApiRequests"] == {"Max": 2, "Remaining": 1}
        client.limits()

        with pytest.raises(SalesforceError) as refused:
            client.limits()

    assert (refused.value.code, refused.value.permanent, client.api_usage) == (
        "REQUEST_LIMIT_EXCEEDED",
        False,
        (2, 2),
    )
