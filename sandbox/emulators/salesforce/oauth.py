"""`POST /services/oauth2/token`: the client credentials and JWT bearer flows."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import jwt

from .wire import JSON_TYPE, Request, Response

if TYPE_CHECKING:
    from .server import SalesforceEmulator

JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


class _Refused(Exception):
    def __init__(self, error: str, description: str):
        super().__init__(description)
        self.error = error
        self.description = description


def token(emulator: SalesforceEmulator, request: Request) -> Response:
    form = dict(parse_qsl(request.body.decode("utf-8", "replace"), keep_blank_values=True))
    try:
        match form.get("grant_type"):
            case "client_credentials":
                _check_client(emulator, request, form)
                body = _success(emulator) | {"signature": _signature(emulator)}
            case grant if grant == JWT_GRANT:
                _check_assertion(emulator, form.get("assertion", ""))
                body = _success(emulator)
            case _:
                raise _Refused("unsupported_grant_type", "grant type not supported")
    except _Refused as refused:
        return Response(
            400,
            {"error": refused.error, "error_description": refused.description},
            {"Content-Type": JSON_TYPE},
        )
    return Response(200, body, {"Content-Type": JSON_TYPE})


def _check_client(emulator: SalesforceEmulator, request: Request, form: dict[str, str]) -> None:
    """Client id and secret come as HTTP Basic auth (what simple-salesforce sends) or in the form."""
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    scheme, _, encoded = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            client_id, _, client_secret = base64.b64decode(encoded, validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise _Refused("invalid_client", "invalid client credentials") from None
    if client_id != emulator.client_id:
        raise _Refused("invalid_client_id", "client identifier invalid")
    if client_secret != emulator.client_secret:
        raise _Refused("invalid_client", "invalid client credentials")


def _check_assertion(emulator: SalesforceEmulator, assertion: str) -> None:
    try:
        claims = jwt.decode(
            assertion,
            key=emulator.jwt_public_key or "",
            algorithms=["RS256"],
            # simple-salesforce sends `exp` as a string, which Salesforce accepts but PyJWT would
            # refuse; the claims are checked below instead.
            options={
                "verify_signature": emulator.jwt_public_key is not None,
                "verify_exp": False,
                "verify_aud": False,
                "verify_iss": False,
            },
        )
    except jwt.PyJWTError:
        raise _Refused("invalid_grant", "invalid assertion") from None
    if claims.get("iss") != emulator.client_id:
        raise _Refused("invalid_client_id", "client identifier invalid")
    if claims.get("aud") not in emulator.token_audiences:
        raise _Refused("invalid_grant", "audience is invalid")
    if claims.get("sub") != emulator.username:
        raise _Refused("invalid_grant", "user hasn't approved this consumer")
    try:
        expired = float(claims.get("exp")) < time.time()
    except (TypeError, ValueError):
        expired = True
    if expired:
        raise _Refused("invalid_grant", "expired authorization code")


def _success(emulator: SalesforceEmulator) -> dict[str, Any]:
    org = emulator.org
    return {
        "access_token": emulator.access_token,
        "scope": "api",
        "instance_url": emulator.instance_url,
        "id": f"https://login.salesforce.com/id/{org.org_id}/{org.integration_user_id}",
        "token_type": "Bearer",
        "issued_at": str(int(time.time() * 1000)),
    }


def _signature(emulator: SalesforceEmulator) -> str:
    digest = hmac.new(
        emulator.client_secret.encode(), emulator.access_token.encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()
