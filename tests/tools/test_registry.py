"""Which tools an assistant is offered: configured ones, and write tools only when it allows writes."""

from __future__ import annotations

import pytest

from tools.registry import Registry, registry

NAMES = ["web_scrape", "salesforce_company_find", "salesforce_person_find", "salesforce_person_save"]


@pytest.fixture
def salesforce_configured(settings):
    settings.SALESFORCE_INSTANCE_URL, settings.SALESFORCE_ACCESS_TOKEN = "https://127.0.0.1:1", "token"


def test_write_tools_are_left_out_unless_the_assistant_allows_writes(salesforce_configured):
    offered = [tool.name for tool in registry().offered(NAMES, allow_writes=False)]

    assert offered == ["web_scrape", "salesforce_company_find", "salesforce_person_find"]


def test_an_assistant_that_allows_writes_gets_them_in_its_order(salesforce_configured):
    offered = [tool.name for tool in registry().offered(reversed(NAMES), allow_writes=True)]

    assert offered == list(reversed(NAMES))


def test_tools_of_unconfigured_integrations_and_unknown_names_are_never_offered(settings):
    settings.SALESFORCE_INSTANCE_URL = settings.SALESFORCE_ACCESS_TOKEN = None
    for name in ("DOMAIN", "CLIENT_ID", "USERNAME"):
        setattr(settings, f"SALESFORCE_{name}", None)

    offered = [tool.name for tool in registry().offered([*NAMES, "no_such_tool"], allow_writes=True)]

    assert offered == ["web_scrape"]


def test_allow_writes_must_be_said_explicitly():
    with pytest.raises(TypeError):
        Registry([]).offered(["web_scrape"])  # type: ignore[call-arg]
