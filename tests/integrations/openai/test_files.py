"""The Files API and input_file items through the real SDK, checked against OpenAI's OpenAPI description
(CreateFileRequest, FileExpirationAfter, OpenAIFile, InputFileContent), and the emulator's model reading
the PDF it is given."""

from __future__ import annotations

import base64
import io

import openai
import pytest
import yaml

from integrations.openai.files import MAX_EXPIRY_SECONDS, MIN_EXPIRY_SECONDS, file_exists, upload_file
from sandbox.decks import deck_pdf

from .scenarios import MODEL, VERDICT_FORMAT
from .test_wire_format import SPEC, validate  # noqa: F401 - the fixture, shared

FACT = "Kelp farms on orbit: 41 paying customers"


@pytest.fixture(scope="module")
def schemas() -> dict:
    with SPEC.open() as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["components"]["schemas"]


def _message(*parts):
    return [{"role": "user", "content": [{"type": "input_text", "text": "Assess this pitch."}, *parts]}]


def test_what_we_send_and_read_is_what_the_description_defines(schemas):
    request = schemas["CreateFileRequest"]
    assert {"file", "purpose", "expires_after"} <= set(request["properties"]) and "user_data" in \
        request["properties"]["purpose"]["enum"]
    seconds = schemas["FileExpirationAfter"]["properties"]["seconds"]
    assert (seconds["minimum"], seconds["maximum"]) == (MIN_EXPIRY_SECONDS, MAX_EXPIRY_SECONDS)
    assert {"file_id", "file_data", "filename", "file_url"} <= set(schemas["InputFileContent"]["properties"])
    assert "expires_at" in schemas["OpenAIFile"]["properties"]


def test_an_upload_is_an_openai_file_that_expires_when_asked(emulator, client, clock, validate):  # noqa: F811
    data = deck_pdf("Acme", [FACT])
    upload = upload_file(io.BytesIO(data), filename="deck.pdf", expires_after_seconds=86_400, client=client)

    body = client.files.with_raw_response.retrieve(upload.file_id).http_response.json()
    validate("OpenAIFile", body)
    assert (body["bytes"], body["purpose"], body["filename"]) == (len(data), "user_data", "deck.pdf")
    assert body["expires_at"] - body["created_at"] == 86_400 == upload.expires_at - body["created_at"]
    sent = next(r for r in emulator.requests if r.method == "POST" and r.path.startswith("/v1/files"))
    assert sent.headers["content-type"].startswith("multipart/form-data")
    assert file_exists(upload.file_id, client=client)
    clock.advance(86_401)
    assert not file_exists(upload.file_id, client=client)


def test_the_model_reads_the_pdf_named_by_file_id_and_cites_its_pages(emulator, client, validate):  # noqa: F811
    upload = upload_file(io.BytesIO(deck_pdf("Acme", [FACT])), filename="deck.pdf", expires_after_seconds=3600,
                         client=client)
    part = {"type": "input_file", "file_id": upload.file_id}
    validate("InputFileContent", part)

    with_deck = client.responses.create(model=MODEL, input=_message(part), text=VERDICT_FORMAT)
    without = client.responses.create(model=MODEL, input=_message(), text=VERDICT_FORMAT)

    assert FACT in with_deck.output_text and "deck p. 2" in with_deck.output_text
    assert FACT not in without.output_text
    assert with_deck.usage.input_tokens > without.usage.input_tokens  # the file's pages are input


def test_file_data_is_read_too(client):
    encoded = base64.b64encode(deck_pdf("Acme", [FACT])).decode()
    part = {"type": "input_file", "filename": "deck.pdf", "file_data": f"data:application/pdf;base64,{encoded}"}
    assert FACT in client.responses.create(model=MODEL, input=_message(part), text=VERDICT_FORMAT).output_text


def test_files_past_the_request_limit_or_missing_are_refused(client):
    heavy = [upload_file(io.BytesIO(deck_pdf("Heavy", padding_bytes=17 * 2**20)), filename=f"h{n}.pdf",
                         expires_after_seconds=3600, client=client) for n in range(2)]
    long = upload_file(io.BytesIO(deck_pdf("Long", page_count=101)), filename="long.pdf", expires_after_seconds=3600,
                       client=client)
    cases = {
        "file_too_large": [{"type": "input_file", "file_id": u.file_id} for u in heavy],  # 34 MB together
        "too_many_pages": [{"type": "input_file", "file_id": long.file_id}],
        "invalid_value": [{"type": "input_file", "file_id": "file-does-not-exist"}],
    }
    for code, parts in cases.items():
        with pytest.raises(openai.BadRequestError) as refused:
            client.responses.create(model=MODEL, input=_message(*parts), text=VERDICT_FORMAT)
        assert refused.value.code == code
    with pytest.raises(openai.BadRequestError):
        client.files.create(file=("x.pdf", b"%PDF"), purpose="not-a-purpose")  # type: ignore[arg-type]
