"""The one error every integration raises: what went wrong, and whether trying again can help.

OpenAI, Salesforce, PitchBook and the web fetcher each subclass it (to name where the
failure came from), but callers only ever need these fields: a tool turns any of them
into a message for the model, and the run engine and the pipeline decide from
`permanent` and `retry_after` whether to retry, pause or give up.
"""

from __future__ import annotations


class IntegrationError(Exception):
    """`code`: machine-readable reason (an HTTP status name, an API error code, ...).

    `permanent`: asking again later will not help (bad credentials, no such thing, a
    refused address). `retry_after`: seconds the other side asked us to wait, if it said.
    `status`: the HTTP status, when there was one.
    """

    service = "integration"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        permanent: bool,
        retry_after: float | None = None,
        status: int | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.code = code
        self.permanent = permanent
        self.retry_after = retry_after
        self.status = status

    @property
    def systemic(self) -> bool:
        """About the setup, not this request (a revoked key, exhausted credits): every further
        call fails the same way, so the caller should stop calling, not only give up on this one."""
        return False

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}({self.message!r}, code={self.code!r}, permanent={self.permanent}, "
            f"retry_after={self.retry_after}, status={self.status})"
        )
