"""An emulator per test (state never leaks), and clients reaching it the two ways production does."""

from __future__ import annotations

import pytest

from integrations.salesforce import SalesforceClient, SalesforceConfig
from sandbox.emulators.salesforce import SalesforceEmulator


@pytest.fixture
def emulator():
    with SalesforceEmulator() as emulator:
        yield emulator


@pytest.fixture
def direct_config(emulator, monkeypatch) -> SalesforceConfig:
    """Direct mode, trusting the emulator's CA through the environment, as a worker process does."""
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", emulator.ca_bundle)
    return SalesforceConfig(instance_url=emulator.instance_url, access_token=emulator.access_token, timeout=5)


@pytest.fixture
def client(direct_config) -> SalesforceClient:
    return SalesforceClient(direct_config)


@pytest.fixture
def login_client(emulator) -> SalesforceClient:
    """The client credentials flow, unchanged, through a session mapping *.salesforce.com to the emulator."""
    config = SalesforceConfig(
        domain=emulator.my_domain,
        client_id=emulator.client_id,
        client_secret=emulator.client_secret,
        timeout=5,
    )
    return SalesforceClient(config, session=emulator.session())
