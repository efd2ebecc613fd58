"""Over https, the connection goes to the checked IP while TLS still checks the hostname."""

from __future__ import annotations

import datetime
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import certifi
import pytest
import requests.adapters
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from integrations.web import WebFetchConfig, WebFetchError, fetch
from tests.integrations.web.fakes import FakeResolver


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str, issuer: str, public_key, signing_key, *, ca: bool, dns_name: str | None = None
):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if dns_name:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(dns_name)]), critical=False)
    return builder.sign(signing_key, hashes.SHA256())


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><head><title>Pinned</title></head><body><p>Hello over TLS.</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def tls_site(tmp_path, monkeypatch):
    """An https server on 127.0.0.1 whose certificate names `pinned.test`, signed by a test CA
    that requests is told to trust. Yields (port, server names the clients sent via SNI)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = _certificate("Vicbot Test CA", "Vicbot Test CA", ca_key.public_key(), ca_key, ca=True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate(
        "pinned.test", "Vicbot Test CA", leaf_key.public_key(), ca_key, ca=False, dns_name="pinned.test"
    )
    (tmp_path / "ca.pem").write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.key").write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", str(tmp_path / "ca.pem"))

    sni_names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "leaf.key")
    context.sni_callback = lambda sock, name, ctx: sni_names.append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    server.daemon_threads = True
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield server.server_address[1], sni_names
    server.shutdown()
    server.server_close()


def test_it_pins_https_to_the_checked_address_and_verifies_the_hostname(tls_site):
    port, sni_names = tls_site
    resolver = FakeResolver(["127.0.0.1"], ["169.254.169.254"])
    config = WebFetchConfig(private_allowlist=(f"pinned.test:{port}",), total_timeout=5)
    page = fetch(f"https://pinned.test:{port}/", config, resolver=resolver)
    assert page.title == "Pinned" and "Hello over TLS." in page.text
    assert sni_names == ["pinned.test"]
    assert resolver.calls == ["pinned.test"]


def test_it_refuses_a_certificate_for_another_hostname(tls_site):
    port, _ = tls_site
    resolver = FakeResolver(["127.0.0.1"])
    config = WebFetchConfig(private_allowlist=(f"impostor.test:{port}",), total_timeout=5)
    with pytest.raises(WebFetchError) as caught:
        fetch(f"https://impostor.test:{port}/", config, resolver=resolver)
    assert caught.value.code == "tls_error"


def test_it_refuses_a_certificate_from_an_untrusted_issuer(tls_site, monkeypatch):
    port, _ = tls_site
    monkeypatch.setattr(requests.adapters, "DEFAULT_CA_BUNDLE_PATH", certifi.where())
    config = WebFetchConfig(private_allowlist=(f"pinned.test:{port}",), total_timeout=5)
    with pytest.raises(WebFetchError) as caught:
        fetch(f"https://pinned.test:{port}/", config, resolver=FakeResolver(["127.0.0.1"]))
    assert caught.value.code == "tls_error"
