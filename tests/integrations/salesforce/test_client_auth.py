"""How the client logs in, reuses its token, and recovers from an expired session."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from integrations.salesforce import SalesforceClient, SalesforceConfig, SalesforceError
from sandbox.emulators.salesforce import SalesforceEmulator


def rsa_key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private.decode(), public.decode()


def count_accounts(client: SalesforceClient) -> int:
    return len(list(client.query_iter("SELECT Id FROM Account")))


def test_it_logs_in_with_client_credentials_once_and_reuses_the_token(emulator, login_client):
    record_id = emulator.org.insert("Account", {"Name": "Acme"})

    assert count_accounts(login_client) == 1
    login_client.limits()
    login_client.get("Account", record_id)

    assert emulator.token_requests == 1
    assert emulator.api_calls == 3


def test_it_logs_in_with_a_jwt_bearer_assertion():
    private_key, public_key = rsa_key_pair()
    with SalesforceEmulator(jwt_public_key=public_key) as emulator:
        config = SalesforceConfig(
            username=emulator.username, consumer_key=emulator.client_id, private_key=private_key, timeout=5
        )
        client = SalesforceClient(config, session=emulator.session())

        assert count_accounts(client) == 0
        assert emulator.token_requests == 1


def test_it_refuses_a_jwt_signed_with_another_key_as_a_permanent_error():
    _, public_key = rsa_key_pair()
    other_private_key, _ = rsa_key_pair()
    with SalesforceEmulator(jwt_public_key=public_key) as emulator:
        config = SalesforceConfig(
            username=emulator.username,
            consumer_key=emulator.client_id,
            private_key=other_private_key,
            timeout=5,
        )
        with pytest.raises(SalesforceError) as refused:
            count_accounts(SalesforceClient(config, session=emulator.session()))

    assert (refused.value.code, refused.value.permanent) == ("invalid_grant", True)


def test_a_wrong_client_secret_is_a_permanent_error(emulator):
    config = SalesforceConfig(domain=emulator.my_domain, client_id=emulator.client_id, client_secret="wrong")
    with pytest.raises(SalesforceError) as refused:
        SalesforceClient(config, session=emulator.session()).limits()

    assert (refused.value.code, refused.value.permanent) == ("invalid_client", True)


def test_it_refreshes_the_session_once_after_invalid_session_id(emulator, login_client):
    record_id = login_client.create("Account", {"Name": "Acme"})
    emulator.faults.add("invalid_session")

    login_client.update("Account", record_id, {"Industry": "Fintech"})

    assert emulator.org.get(record_id)["Industry"] == "Fintech"
    assert emulator.token_requests == 2
    assert emulator.faults.pending() == []


def test_a_session_that_stays_invalid_after_re_logins_is_a_transient_error(emulator, login_client):
    login_client.limits()
    emulator.faults.add("invalid_session", times=10)

    with pytest.raises(SalesforceError) as refused:
        login_client.limits()

    assert (refused.value.code, refused.value.status, refused.value.permanent) == (
        "INVALID_SESSION_ID",
        401,
        False,
    )
    assert emulator.token_requests == 5  # simple-salesforce gives up after its own re-logins


def test_it_reaches_the_instance_directly_trusting_the_ca_bundle_from_the_environment(emulator, client):
    assert client.session.trust_env  # requests reads REQUESTS_CA_BUNDLE only then
    assert count_accounts(client) == 0
    assert emulator.token_requests == 0


def test_an_untrusted_certificate_is_a_permanent_error(emulator, monkeypatch):
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    client = SalesforceClient(
        SalesforceConfig(instance_url=emulator.instance_url, access_token=emulator.access_token)
    )

    with pytest.raises(SalesforceError) as refused:
        client.limits()

    assert refused.value.permanent
    assert "SSLError" in refused.value.message


def test_an_expired_session_in_direct_mode_is_reported_as_transient(emulator, client):
    emulator.faults.add("invalid_session")

    with pytest.raises(SalesforceError) as refused:
        client.limits()

    assert (refused.value.code, refused.value.status, refused.value.permanent) == (
        "INVALID_SESSION_ID",
        401,
        False,
    )


def test_it_says_so_when_salesforce_is_not_configured():
    with pytest.raises(SalesforceError) as refused:
        SalesforceClient(SalesforceConfig()).limits()

    assert (refused.value.code, refused.value.permanent) == ("NOT_CONFIGURED", True)
