"""How a tool's failure reaches the model: an integration's error is expected, anything else a crash."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from integrations.openai import OpenAIError
from integrations.salesforce import SalesforceError
from integrations.web import WebFetchError
from tools.base import Tool, ToolContext, invoke


class NoArguments(BaseModel):
    pass


def failing_with(exc: Exception) -> Tool:
    def function(arguments: NoArguments, context: ToolContext) -> None:
        raise exc

    return Tool(name="failing", description="Always fails.", arguments=NoArguments, function=function)


def error_of(exc: Exception) -> dict:
    result = invoke(failing_with(exc), "{}", ToolContext(run_id=1), max_chars=10_000)
    assert not result.ok
    return json.loads(result.output)["error"]


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (SalesforceError("No such column", code="INVALID_FIELD", permanent=True), "service_error"),
        (SalesforceError("Row locked", code="UNABLE_TO_LOCK_ROW", permanent=False), "service_unavailable"),
        (WebFetchError("example.com answered HTTP 404", code="http_error", permanent=True), "service_error"),
        (WebFetchError("example.com took too long", code="timeout", permanent=False), "service_unavailable"),
        (OpenAIError("HTTP 500: boom", code="server_error", permanent=False), "service_unavailable"),
    ],
)
def test_an_integration_error_reaches_the_model_as_a_service_failure(exc, kind):
    assert error_of(exc) == {"type": kind, "message": exc.message}


def test_an_exception_that_merely_has_a_permanent_attribute_is_a_crash():
    class LooksLikeOne(Exception):
        permanent = True

    assert error_of(LooksLikeOne("not ours"))["type"] == "tool_crashed"
