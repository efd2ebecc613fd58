"""A thin, read-only PitchBook API v2 client: searches and single-entity reads, bounded
retries, errors on the shared base, and the credits each call spends.

Paths, parameters and prices come from endpoints.py; field names from models.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt

from integrations.kit import ClientSlot, retry_after_seconds
from integrations.pitchbook import endpoints, models
from integrations.pitchbook.config import PitchBookConfig
from integrations.pitchbook.credits import CreditMeter
from integrations.pitchbook.errors import CREDITS_EXHAUSTED, PitchBookError

T = TypeVar("T")

DEFAULT_PER_PAGE = 10  # a screener needs the first few hits, not every page


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

    # --- searches: {stats, items} -------------------------------------------------------

    def search_companies(
        self, *, names: Sequence[str], per_page: int = DEFAULT_PER_PAGE, meter: CreditMeter | None = None
    ) -> list[models.CompanyHit]:
        """Exact matches for company names, pbIds, websites or tickers (`companyNames`)."""
        params = {endpoints.COMPANY_NAMES: _comma_list(names), endpoints.PER_PAGE: str(per_page)}
        payload = self._get(endpoints.COMPANY_SEARCH, endpoints.COMPANY_SEARCH, params, meter)
        hits = self._parse(lambda: [models.company_hit(i) for i in _items(payload)])
        return [hit for hit in hits if hit is not None]

    def search(
        self, *, query: str, per_page: int = DEFAULT_PER_PAGE, meter: CreditMeter | None = None
    ) -> list[models.EntityHit | models.PersonHit]:
        """PitchBook's general search: one term, names matched exactly and partially."""
        if not query.strip():
            raise ValueError("search needs a query")
        params = {endpoints.QUERY: query.strip(), endpoints.PER_PAGE: str(per_page)}
        payload = self._get(endpoints.GENERAL_SEARCH, endpoints.GENERAL_SEARCH, params, meter)
        hits = self._parse(lambda: [models.general_hit(i) for i in _items(payload)])
        return [hit for hit in hits if hit is not None]

    def search_people(
        self,
        *,
        names: Sequence[str],
        firms: Sequence[str] = (),
        per_page: int = DEFAULT_PER_PAGE,
        meter: CreditMeter | None = None,
    ) -> list[models.PersonHit]:
        """Exact matches for person names, optionally only at firms (names, pbIds or websites)."""
        params = {endpoints.PERSON_NAMES: _comma_list(names), endpoints.PER_PAGE: str(per_page)}
        if firms:
            params[endpoints.FIRM_NAMES] = _comma_list(firms)
        payload = self._get(endpoints.PEOPLE_SEARCH, endpoints.PEOPLE_SEARCH, params, meter)
        hits = self._parse(lambda: [models.person_hit(i) for i in _items(payload)])
        return [hit for hit in hits if hit is not None]

    # --- single entities: a bare object, or None for a 404 --------------------------------

    def company_bio(self, pb_id: str, *, meter: CreditMeter | None = None) -> models.CompanyBio | None:
        return self._entity(endpoints.COMPANY_BIO, pb_id, models.company_bio, meter)

    def most_recent_financing(self, pb_id: str, *, meter: CreditMeter | None = None) -> models.Financing | None:
        return self._entity(endpoints.COMPANY_MOST_RECENT_FINANCING, pb_id, models.financing, meter)

    def investors(self, pb_id: str, *, meter: CreditMeter | None = None) -> models.Investors | None:
        return self._entity(endpoints.COMPANY_INVESTORS, pb_id, models.investors, meter)

    def person_bio(self, pb_id: str, *, meter: CreditMeter | None = None) -> models.PersonBio | None:
        return self._entity(endpoints.PERSON_BIO, pb_id, models.person_bio, meter)

    def _entity(
        self, endpoint: str, pb_id: str, read: Callable[..., T], meter: CreditMeter | None
    ) -> T | None:
        if not pb_id.strip():
            raise ValueError("a PitchBook id is needed")
        # Quoted whole, so an id can never reach another path ("../people/search").
        path = endpoint.format(pbId=quote(pb_id.strip(), safe=""))
        payload = self._get(endpoint, path, {}, meter)
        if payload is None:
            return None
        return self._parse(lambda: read(payload, pb_id=pb_id.strip()))

    # --- transport -------------------------------------------------------------------------

    def _get(self, endpoint: str, path: str, params: dict[str, str], meter: CreditMeter | None) -> Any:
        retrying = Retrying(
            stop=stop_after_attempt(self._config.max_attempts),
            wait=self._wait,
            retry=retry_if_exception(self._worth_retrying),
            sleep=self._sleep,
            reraise=True,  # the caller sees the last PitchBookError, not tenacity's wrapper
        )
        return retrying(self._get_once, endpoint, path, params, meter)

    def _get_once(self, endpoint: str, path: str, params: dict[str, str], meter: CreditMeter | None) -> Any:
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
            raise PitchBookError("PitchBook did not answer in time", code="timeout", permanent=False) from None
        except requests.ConnectionError as exc:
            raise PitchBookError(
                f"Could not reach PitchBook: {type(exc).__name__}", code="connection_error", permanent=False
            ) from None
        if response.status_code == 404:
            return None  # no such entity: an answer
        if response.status_code >= 400:
            raise self._status_error(response)
        if meter is not None:  # charged once PitchBook answered, even if the body then disappoints
            meter.add(endpoint, endpoints.CREDITS.get(endpoint, 1))
        try:
            return response.json()
        except ValueError:
            raise PitchBookError(
                "PitchBook answered with something that is not JSON",
                code="bad_response",
                permanent=True,
                status=response.status_code,
            ) from None

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
    def _parse(build: Callable[[], T]) -> T:
        try:
            return build()
        except (KeyError, TypeError, ValueError) as exc:
            raise PitchBookError(
                f"PitchBook's answer is not in the documented shape ({exc})", code="bad_response", permanent=True
            ) from None

    def _status_error(self, response: requests.Response) -> PitchBookError:
        status = response.status_code
        if status == 401:  # its message echoes the rejected key: never repeated (§1)
            return PitchBookError(
                "PitchBook rejected the API key (401)", code="unauthorized", permanent=True, status=status
            )
        detail = _detail(response, self._config.api_key or "")
        if status == 403:
            return PitchBookError(
                f"The PitchBook API key is not entitled to this data (403{detail})",
                code="forbidden",
                permanent=True,
                status=status,
            )
        if status == endpoints.CREDITS_EXHAUSTED_STATUS:
            return PitchBookError(
                f"PitchBook credits are exhausted, or this endpoint is not in the contract (402{detail}); "
                "no PitchBook call will work until credits are added",
                code=CREDITS_EXHAUSTED,
                permanent=True,
                status=status,
            )
        if status == 429:
            retry_after = retry_after_seconds(response.headers)
            wait = f"; it asks to wait {retry_after:.0f} s" if retry_after is not None else ""
            if retry_after is not None and retry_after > self._config.max_retry_after:
                wait += " (longer than Vicbot waits)"
            return PitchBookError(
                f"PitchBook is rate-limiting requests (429{detail}){wait}",
                code="rate_limited",
                permanent=False,
                retry_after=retry_after,
                status=status,
            )
        if status >= 500:
            return PitchBookError(
                f"PitchBook had a server error ({status}{detail})", code="server_error", permanent=False, status=status
            )
        return PitchBookError(
            f"PitchBook refused the request ({status}{detail})", code="bad_request", permanent=True, status=status
        )


def _items(payload: Any) -> list[dict[str, Any]]:
    return [] if payload is None else models.search_items(payload)  # a 404 finds nothing


def _comma_list(values: Sequence[str]) -> str:
    """`companyNames`-style lists are comma-separated, so a value with a comma cannot be sent."""
    cleaned = [value.strip() for value in values if value and value.strip()]
    if not cleaned:
        raise ValueError("give at least one value to search for")
    if any("," in value for value in cleaned):
        raise ValueError("PitchBook's exact search splits values on commas; use search(query=...) instead")
    return ",".join(cleaned)


def _detail(response: requests.Response, api_key: str) -> str:
    """The ErrorDto's reason and message (`{"reason": "402 PAYMENT_REQUIRED", "message": ...}`),
    short, and with the key removed should PitchBook ever echo it."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    parts = [str(body[k]).strip() for k in ("reason", "message") if isinstance(body.get(k), str) and body[k].strip()]
    text = ": ".join(parts)[:300]
    if api_key:
        text = text.replace(api_key, "[key]")
    return f" {text}" if text else ""


# One client per process for the settings it was built from (integrations.kit.client_slot): rebuilt when
# they change, so a process whose settings are switched (the tests, the demo) never talks to a stale URL.
_slot = ClientSlot(PitchBookClient, PitchBookConfig.from_settings)


def get_client() -> PitchBookClient:
    """The process-wide client (one connection pool), built from Django settings."""
    return _slot.get()


def reset_client() -> None:
    """Forget the process-wide client (tests, or after settings change)."""
    _slot.reset()
