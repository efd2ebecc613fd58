from __future__ import annotations

from collections.abc import Iterator

import pytest
from openai import OpenAI

from sandbox.emulators.openai import Clock, OpenAIEmulator

from .support import WEBHOOK_SECRET, WebhookReceiver, make_client


@pytest.fixture
def clock() -> Clock:
    return Clock(manual=True)


@pytest.fixture
def emulator(clock: Clock) -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator(clock=clock) as emu:
        yield emu


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver() as rec:
        yield rec


@pytest.fixture
def webhook_emulator(clock: Clock, receiver: WebhookReceiver) -> Iterator[OpenAIEmulator]:
    with OpenAIEmulator(clock=clock, webhook_url=receiver.url, webhook_secret=WEBHOOK_SECRET) as emu:
        yield emu


@pytest.fixture
def client(emulator: OpenAIEmulator) -> Iterator[OpenAI]:
    with make_client(emulator) as sdk:
        yield sdk


@pytest.fixture
def webhook_client(webhook_emulator: OpenAIEmulator) -> Iterator[OpenAI]:
    with make_client(webhook_emulator, webhook_secret=WEBHOOK_SECRET) as sdk:
        yield sdk
