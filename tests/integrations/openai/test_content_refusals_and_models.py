"""Refusals for what a request carries, per pitch, and the model list: the real SDK against the emulator."""

from __future__ import annotations

import openai
import pytest
from openai import OpenAI

from integrations.openai import classify
from sandbox.emulators.openai import OpenAIEmulator
from sandbox.emulators.openai.content import FLAGGED_MARKER
from integrations.openai.errors import Fault

from .scenarios import MODEL, PITCH


def refused(client: OpenAI, text: str) -> openai.BadRequestError:
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.create(model=MODEL, input=text)
    return caught.value


def test_text_openai_flags_gets_invalid_prompt_and_is_the_requests_own_fault(client: OpenAI):
    error = refused(client, f"{PITCH}\nPlanted: {FLAGGED_MARKER}")

    assert (error.status_code, error.code, error.type) == (400, "invalid_prompt", "invalid_request_error")
    failure = classify(error)
    assert (failure.fault, failure.systemic, failure.permanent) == (Fault.REQUEST, False, True)
    assert client.responses.create(model=MODEL, input=PITCH).status == "completed"  # other text goes through


def test_an_input_over_the_context_window_gets_context_length_exceeded(emulator: OpenAIEmulator, client: OpenAI):
    emulator.context_window_tokens = 200

    error = refused(client, "word " * 400)

    assert (error.code, error.param) == ("context_length_exceeded", "input")
    assert classify(error).fault == Fault.REQUEST
    assert client.responses.create(model=MODEL, input="A short pitch.").status == "completed"


def test_a_fault_can_pick_one_pitch_by_its_text(emulator: OpenAIEmulator, client: OpenAI):
    emulator.faults.add("create", times=None, status=400, contains="Startup 007")

    error = refused(client, "Name: Startup 007")

    assert (error.code, classify(error).fault) == (None, Fault.UNCLEAR)
    assert client.responses.create(model=MODEL, input="Name: Startup 008").status == "completed"
    with pytest.raises(ValueError):
        emulator.faults.add("retrieve", status=500, contains="x")


def test_the_model_list_is_what_the_emulator_knows(emulator: OpenAIEmulator, client: OpenAI):
    listed = [model.id for model in client.models.list()]
    assert "gpt-5.4-mini" in listed and all(model.object == "model" for model in client.models.list())

    emulator.models = ["gpt-6-sol"]
    assert [model.id for model in client.models.list()] == ["gpt-6-sol"]
