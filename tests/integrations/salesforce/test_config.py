"""Which credentials win, and where they come from."""

from __future__ import annotations

import pytest

from integrations.salesforce import SalesforceConfig

CLIENT_CREDENTIALS = {"domain": "acme.my", "client_id": "key", "client_secret": "secret"}
JWT = {"username": "bot@acme.com", "consumer_key": "key", "private_key": "-----BEGIN PRIVATE KEY-----"}
DIRECT = {"instance_url": "https://127.0.0.1:8443", "access_token": "00D!token"}


@pytest.mark.parametrize(
    ("fields", "mode"),
    [
        ({**DIRECT, **JWT, **CLIENT_CREDENTIALS}, "client_credentials"),
        ({**DIRECT, **JWT}, "jwt"),
        (DIRECT, "direct"),
        ({**CLIENT_CREDENTIALS, "domain": "login"}, None),  # simple-salesforce refuses the shared login host
        ({}, None),
    ],
)
def test_login_flows_win_over_a_fixed_token_because_they_can_refresh(fields, mode):
    config = SalesforceConfig(**fields)
    assert (config.auth_mode, config.is_configured) == (mode, mode is not None)


def test_secrets_stay_out_of_its_repr():
    assert "secret" not in repr(SalesforceConfig(**CLIENT_CREDENTIALS))


def test_it_reads_django_settings(settings):
    settings.SALESFORCE_USERNAME = "bot@acme.com"
    settings.SALESFORCE_CONSUMER_KEY = "key"
    settings.SALESFORCE_PRIVATE_KEY = "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----"
    settings.SALESFORCE_API_VERSION = "v63.0"
    settings.SALESFORCE_TIMEOUT = "12"
    settings.SALESFORCE_CLIENT_ID = None

    config = SalesforceConfig.from_settings()

    assert (config.auth_mode, config.api_version, config.timeout) == ("jwt", "63.0", 12.0)
    assert config.private_key.splitlines() == [
        "-----BEGIN PRIVATE KEY-----",
        "MIIE",
        "-----END PRIVATE KEY-----",
    ]
