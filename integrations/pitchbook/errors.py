"""PitchBook's failures on the shared integration error base.

`code` is one of:
- `not_configured`   no PITCHBOOK_API_KEY (permanent)
- `unauthorized`     401: the key was rejected (permanent)
- `forbidden`        403: the key is not entitled to this dataset or endpoint (permanent)
- `credits_exhausted` 402: the contract's credits are used up, or the endpoint is outside
                     the contract. Permanent AND systemic: every further call fails the same
                     way until someone buys credits, so whoever sees it should stop calling
                     PitchBook (pause), not only give up on this one request.
- `bad_request`      400 or another 4xx (permanent)
- `rate_limited`     429 (transient; `retry_after` if PitchBook sent one)
- `server_error`     5xx (transient)
- `timeout`, `connection_error` (transient)
- `bad_response`     a 2xx answer that is not the documented JSON (permanent)

A 404 is not an error: the client returns None (no such company or person).
"""

from __future__ import annotations

from integrations.errors import IntegrationError

CREDITS_EXHAUSTED = "credits_exhausted"


class PitchBookError(IntegrationError):
    service = "pitchbook"

    @property
    def systemic(self) -> bool:
        return self.code in (CREDITS_EXHAUSTED, "unauthorized", "forbidden")
