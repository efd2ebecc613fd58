"""classify(): real SDK calls against the emulator or a real local socket, sorted for the run engine.

The question that matters for a create is whether OpenAI may have made the response:
only a failure before the request left us (no connection) is a known outcome.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx2
import openai
import pytest
from openai import OpenAI

from integrations.errors import IntegrationError
from integrations.openai import OpenAIError, classify
from sandbox.emulators.openai import OpenAIEmulator

from .scenarios import MODEL, PITCH
from .support import make_client, wait_until


def failed_create(client: OpenAI) -> OpenAIError:
    with pytest.raises(openai.OpenAIError) as caught:
        client.responses.create(model=MODEL, input=PITCH)
    return classify(caught.value)


def sdk_at(port: int, *, timeout: float = 0.3) -> OpenAI:
    return OpenAI(api_key="sk-test", base_url=f"http://127.0.0.1:{port}/v1", max_retries=0, timeout=timeout)


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound but not listening: connecting is refused, and nobody else can take it meanwhile."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield bound.getsockname()[1]


@pytest.fixture
def full_backlog_port() -> Iterator[int]:
    """A listener that never accepts, its accept queue full: Linux drops further SYNs, connect times out."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        port = listener.getsockname()[1]
        fillers = []
        try:
            while True:  # how many fit depends on the kernel; fill until one does not get in
                filler = socket.socket()
                fillers.append(filler)
                filler.settimeout(0.1)
                try:
                    filler.connect(("127.0.0.1", port))
                except TimeoutError:
                    break
            yield port
        finally:
            for filler in fillers:
                filler.close()


@pytest.fixture
def hang_up_port() -> Iterator[int]:
    """A server that reads the request, then closes the connection without answering."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)

        def serve_once() -> None:
            connection, _ = listener.accept()
            with connection:
                connection.recv(65536)

        thread = threading.Thread(target=serve_once, daemon=True)
        thread.start()
        yield listener.getsockname()[1]
        thread.join(timeout=2)


def test_a_rate_limit_is_transient_and_carries_retry_after(client: OpenAI, emulator: OpenAIEmulator) -> None:
    emulator.faults.add("create", status=429, retry_after=7)

    failure = failed_create(client)

    assert isinstance(failure, IntegrationError) and failure.service == "openai"
    assert (failure.code, failure.status, failure.transient, failure.retry_after) == (
        "rate_limit_exceeded", 429, True, 7.0
    )
    assert failure.outcome_unknown is False


def test_retry_after_ms_wins_over_retry_after(client: OpenAI, emulator: OpenAIEmulator) -> None:
    emulator.faults.add("create", status=429, retry_after_ms=250)

    assert failed_create(client).retry_after == 0.25


def test_a_billing_429_is_permanent(client: OpenAI, emulator: OpenAIEmulator) -> None:
    emulator.faults.add("create", status=429, code="insufficient_quota", type="insufficient_quota")

    failure = failed_create(client)

    assert (failure.code, failure.permanent, failure.transient) == ("insufficient_quota", True, False)


def test_a_server_error_is_transient(client: OpenAI, emulator: OpenAIEmulator) -> None:
    emulator.faults.add("create", status=500)

    failure = failed_create(client)

    assert (failure.status, failure.transient, failure.outcome_unknown) == (500, True, False)


def test_a_bad_request_is_permanent(client: OpenAI, emulator: OpenAIEmulator) -> None:
    emulator.faults.add("create", status=400, code="invalid_value", message="No such model")

    failure = failed_create(client)

    assert (failure.status, failure.code, failure.permanent) == (400, "invalid_value", True)
    assert "No such model" in failure.message


def test_a_refused_connection_never_reached_openai(closed_port: int) -> None:
    with sdk_at(closed_port) as sdk:
        failure = failed_create(sdk)

    assert (failure.code, failure.transient, failure.outcome_unknown) == ("connection_error", True, False)


def test_a_connect_timeout_never_reached_openai(full_backlog_port: int) -> None:
    with sdk_at(full_backlog_port) as sdk:
        with pytest.raises(openai.APITimeoutError) as caught:
            sdk.responses.create(model=MODEL, input=PITCH)

    failure = classify(caught.value)

    assert (failure.code, failure.transient, failure.outcome_unknown) == ("connect_timeout", True, False)


def test_a_read_timeout_leaves_the_outcome_unknown_because_the_response_may_exist(
    emulator: OpenAIEmulator,
) -> None:
    emulator.faults.add("create", delay=5)  # carried out, the reply held back

    with make_client(emulator, timeout=0.3) as sdk:
        with pytest.raises(openai.APITimeoutError) as caught:
            sdk.responses.create(model=MODEL, input=PITCH)

    failure = classify(caught.value)
    assert (failure.code, failure.transient, failure.outcome_unknown) == ("timeout", True, True)
    assert len(emulator.response_ids()) == 1  # it was created: retrying blindly would bill it twice


def test_a_connection_dropped_after_sending_leaves_the_outcome_unknown(hang_up_port: int) -> None:
    with sdk_at(hang_up_port) as sdk:
        failure = failed_create(sdk)

    assert (failure.code, failure.transient, failure.outcome_unknown) == ("connection_lost", True, True)


def test_a_pool_timeout_never_reached_openai(emulator: OpenAIEmulator) -> None:
    # One connection, held by a create whose reply is held back: the second create waits for
    # the pool and gives up before it is ever written.
    emulator.faults.add("create", delay=0.4)
    http_client = httpx2.Client(limits=httpx2.Limits(max_connections=1), timeout=httpx2.Timeout(3, pool=0.1))
    with make_client(emulator, http_client=http_client) as sdk:
        first = threading.Thread(target=sdk.responses.create, kwargs={"model": MODEL, "input": PITCH})
        first.start()
        wait_until(lambda: emulator.create_count == 1)
        with pytest.raises(openai.APITimeoutError) as caught:
            sdk.responses.create(model=MODEL, input=PITCH)
        first.join()

    assert isinstance(caught.value.__cause__, httpx2.PoolTimeout)
    failure = classify(caught.value)
    assert (failure.code, failure.outcome_unknown) == ("connect_timeout", False)
    assert emulator.create_count == 1
