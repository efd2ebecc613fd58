"""Where the Salesforce client's settings come from (the only module that reads Django settings)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

AuthMode = Literal["client_credentials", "jwt", "direct"]


@dataclass(frozen=True)
class SalesforceConfig:
    # My Domain stem, e.g. "acme.my" → https://acme.my.salesforce.com (token host).
    domain: str | None = None
    # Client credentials flow: the External Client App's consumer key and secret.
    client_id: str | None = None
    client_secret: str | None = None
    # JWT bearer flow: the integration user, the app's consumer key and its PEM private key.
    username: str | None = None
    consumer_key: str | None = None
    private_key: str | None = None
    # Direct mode: a ready access token for an instance (the emulator and the demo).
    instance_url: str | None = None
    access_token: str | None = None
    api_version: str = "62.0"
    timeout: float = 30.0

    @classmethod
    def from_settings(cls) -> SalesforceConfig:
        from django.conf import settings

        def setting(name: str, default=None):
            return getattr(settings, f"SALESFORCE_{name}", default) or default

        private_key = setting("PRIVATE_KEY")
        if private_key and "\\n" in private_key:
            # A PEM pasted into a one-line config var arrives with literal "\n".
            private_key = private_key.replace("\\n", "\n")
        return cls(
            domain=setting("DOMAIN"),
            client_id=setting("CLIENT_ID"),
            client_secret=setting("CLIENT_SECRET"),
            username=setting("USERNAME"),
            consumer_key=setting("CONSUMER_KEY"),
            private_key=private_key,
            instance_url=setting("INSTANCE_URL"),
            access_token=setting("ACCESS_TOKEN"),
            api_version=str(setting("API_VERSION", "62.0")).removeprefix("v"),
            timeout=float(setting("TIMEOUT", 30.0)),
        )

    @property
    def auth_mode(self) -> AuthMode | None:
        """The first complete set of credentials; the login flows win because they can refresh."""
        # simple-salesforce refuses client credentials against the shared login/test hosts.
        if self.client_id and self.client_secret and self.domain and self.domain not in ("login", "test"):
            return "client_credentials"
        if self.username and self.consumer_key and self.private_key:
            return "jwt"
        if self.instance_url and self.access_token:
            return "direct"
        return None

    @property
    def is_configured(self) -> bool:
        return self.auth_mode is not None

    def __repr__(self) -> str:  # secrets stay out of logs and tracebacks
        return (
            f"SalesforceConfig(auth_mode={self.auth_mode!r}, domain={self.domain!r}, "
            f"instance_url={self.instance_url!r})"
        )
