"""Fixtures for calling tools in this process (no worker)."""

from collections.abc import Iterator

import pytest

from integrations.salesforce import reset_client
from sandbox.emulators.salesforce import SalesforceEmulator


@pytest.fixture
def salesforce_alone(settings, monkeypatch) -> Iterator[SalesforceEmulator]:
    """A fresh Salesforce emulator of this test's own; settings point the process-wide client at it (direct mode)."""
    with SalesforceEmulator() as emulator:
        for name in ("DOMAIN", "CLIENT_ID", "CLIENT_SECRET", "USERNAME", "CONSUMER_KEY", "PRIVATE_KEY"):
            setattr(settings, f"SALESFORCE_{name}", None)
        settings.SALESFORCE_INSTANCE_URL = emulator.instance_url
        settings.SALESFORCE_ACCESS_TOKEN = emulator.access_token
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", emulator.ca_bundle)
        reset_client()
        yield emulator
    reset_client()
