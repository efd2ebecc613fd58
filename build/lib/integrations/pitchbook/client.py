"""A thin PitchBook API client: three read-only calls, bounded retries, clear errors."""

from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from integrations.pitchbook import endpoints
from integrations.pitchbook.config import PitchBookConfig
from integrations.pitchbook.endpoints import Company, CompanyMatch, Person


class PitchBookError(Exception):
    """code: not_configured, unauthorized, forbidden, quota_exceeded, not_found, bad_request,
    rate_limited, server_error, connection_error, timeout or bad_response.
    `permanent`: asking again later will not help (a wrong key, an exhausted quota, no such id)."""

    def __init__(self, message: str, *, code: str, permanent: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.permanent = permanent
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"PitchBookError({self.message!r}, code={self.code!r}, permanent={self.permanent})"


class PitchBookClient:
    def __init__(
        self,
        config: PitchBookConfig,
        *,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,  # tests record waits instead of taking them
    ):
        if not config.is_configured:
            raise PitchBookError("PITCHBOOK_API_KEY is not set", code="not_configured", permanent=True)
        self._config = config
        self._session = session or requests.Session()
        self._sleep = sleep

    def search_companies(self, *, name: str | None = None, website: str | None = None) -> list[CompanyMatch]:
        params = {key: value for key, value in (("name", name), ("website", website)) if value}
        if not params:
            raise ValueError("search_companies needs a name or a website")
        payload = self._get(endpoints.COMPANY_SEARCH, params)
        return self._parse(lambda: [endpoints.company_match(i) for i in endpoints.search_items(payload)])

    def company(self, company_id: str) -> Company:
        payload = self._get(endpoints.COMPANY_DETAIL.format(company_id=quote(company_id, safe="")), {})
        return self._parse(lambda: endpoints.company(payload))

    def search_people(self, name: str) -> list[Person]:
        payload = self._get(endpoints.PERSON_SEARCH, {"name": name})
        return self._parse(lambda: [endpoints.person(i) for i in endpoints.search_items(payload)])

    def _get(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        retrying = Retrying(
            stop=stop_after_attempt(self._config.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(self._worth_retrying),
            sleep=self._sleep,
            reraise=True,  # the caller sees the last PitchBookError, not tenacity's wrapper
        )
        return retrying(self._get_once, path, params)

    def _get_once(self, path: str, params: dict[str, str]) -> dict[str, Any]:
        try:
            response = self._session.get(
                self._config.api_url + path,
                params=params,
                headers={
                    endpoints.AUTH_HEADER: f"{endpoints.AUTH_SCHEME} {self._config.api_key}",
                    "Accept": "application/json",
                },
                timeout=self._config.timeout,
            )
        except requests.Timeout:
            raise PitchBookError(
                "PitchBook did not answer in time", code="timeout", permanent=False
            ) from None
        except requests.ConnectionError as exc:
            raise PitchBookError(
                f"Could not reach PitchBook: {exc}", code="connection_error", permanent=False
            ) from None
        if response.status_code >= 400:
            raise _status_error(response, self._config.max_retry_after)
        try:
            payload = response.json()
        except ValueError:
            raise PitchBookError(
                "PitchBook answered with something that is not JSON", code="bad_response", permanent=False
            ) from None
        if not isinstance(payload, dict):
            raise PitchBookError(
                "PitchBook answered with an unexpected JSON shape", code="bad_response", permanent=False
            )
        return payload

    def _worth_retrying(self, exc: BaseException) -> bool:
        if not isinstance(exc, PitchBookError) or exc.permanent:
            return False
        return exc.retry_after is None or exc.retry_after <= self._config.max_retry_after

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, PitchBookError) and exc.retry_after is not None:
            return exc.retry_after
        return self._config.backoff_seconds * 2 ** (state.attempt_number - 1)

    @staticmethod
    def _parse(build: Callable[[], Any]) -> Any:
        try:
            return build()
        except (KeyError, TypeError, ValueError) as exc:
            raise PitchBookError(
                f"PitchBook's answer is missing an expected field ({type(exc).__name__}: {exc})",
                code="bad_response",
                permanent=True,
            ) from None


def _status_error(response: requests.Response, max_retry_after: float) -> PitchBookError:
    status = response.status_code
    detail = _detail(response)
    if status == 401:
        return PitchBookError(
            f"PitchBook rejected the API key (401){detail}", code="unauthorized", permanent=True
        )
    if status == 403:
        return PitchBookError(
            f"The PitchBook API key is not entitled to this data (403){detail}",
            code="forbidden",
            permanent=True,
        )
    if status == endpoints.QUOTA_STATUS or (
        status == 429 and endpoints.QUOTA_MARKER in response.text[:2000].lower()
    ):
        return PitchBookError(
            f"The PitchBook API quota is used up ({status}){detail}", code="quota_exceeded", permanent=True
        )
    if status == 429:
        retry_after = _retry_after(response)
        wait = f"; it asks to wait {retry_after:.0f} s" if retry_after is not None else ""
        too_long = (
            " (longer than Vicbot waits)" if retry_after is not None and retry_after > max_retry_after else ""
        )
        return PitchBookError(
            f"PitchBook is rate-limiting requests (429){wait}{too_long}",
            code="rate_limited",
            permanent=False,
            retry_after=retry_after,
        )
    if status == 404:
        return PitchBookError(f"PitchBook has no such record (404){detail}", code="not_found", permanent=True)
    if status >= 500:
        return PitchBookError(
            f"PitchBook had a server error ({status})", code="server_error", permanent=False
        )
    return PitchBookError(
        f"PitchBook refused the request ({status}){detail}", code="bad_request", permanent=True
    )


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        return max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0)
    except (TypeError, ValueError):
        return None


def _detail(response: requests.Response) -> str:
    """PitchBook's own error message, if the body has one, for the humans reading logs."""
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return f": {message}" if isinstance(message, str) and message else ""
