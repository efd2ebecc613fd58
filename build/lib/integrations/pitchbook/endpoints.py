"""Every assumption about PitchBook's API: paths, parameters, field names, error signals.

PitchBook documents its API only behind a customer login, so this module is written from
what is public (PitchBook's own API overview and client code people have published) plus
the brief for Vicbot. What was assumed:

- Base URL https://api.pitchbook.com; every request carries `Authorization: PB-Token <key>`.
- Company search: `GET /companies/search?name=<text>` or `?website=<domain or URL>`.
  People search: `GET /people/search?name=<text>`. Both answer
  `{"stats": {"total": n}, "items": [...]}`; a published client reads `results.items`,
  so an `items` list under `results` is accepted too.
- Company detail: `GET /companies/{companyId}`, companyId like "12345-67"; people ids
  like "12345-67P".
- Fields are camelCase, as listed in the parsers below. Money is
  `{"amount": <number in currency units>, "currency": "USD"}`; dates are ISO `YYYY-MM-DD`.
- Errors: 401 = key rejected, 403 = key not entitled to the endpoint, 404 = no such id,
  429 = rate limited (with Retry-After, seconds or HTTP date). An exhausted plan quota is
  402, or a 429 whose body mentions "quota" — retrying cannot help either.

If the real API differs, change this module; the emulator serves these same shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

COMPANY_SEARCH = "/companies/search"
COMPANY_DETAIL = "/companies/{company_id}"
PERSON_SEARCH = "/people/search"
AUTH_HEADER = "Authorization"
AUTH_SCHEME = "PB-Token"
QUOTA_STATUS = 402
QUOTA_MARKER = "quota"  # looked for, case-insensitively, in the body of a 429


@dataclass(frozen=True)
class Money:
    amount: float
    currency: str


@dataclass(frozen=True)
class CompanyMatch:
    company_id: str
    name: str
    website: str | None
    hq_location: str | None


@dataclass(frozen=True)
class Company:
    company_id: str
    name: str
    website: str | None
    description: str | None
    hq_location: str | None
    year_founded: int | None
    employees: int | None
    total_raised: Money | None
    last_financing_date: str | None
    last_financing_type: str | None
    last_financing_size: Money | None
    investors: tuple[str, ...]


@dataclass(frozen=True)
class Person:
    person_id: str
    full_name: str
    title: str | None
    company_id: str | None
    company_name: str | None


def search_items(payload: dict[str, Any]) -> list[dict[str, Any]]:
    items = payload.get("items")
    if items is None and isinstance(payload.get("results"), dict):
        items = payload["results"].get("items")
    if not isinstance(items, list):
        raise TypeError("search response has no items list")
    return [item for item in items if isinstance(item, dict)]


def company_match(item: dict[str, Any]) -> CompanyMatch:
    return CompanyMatch(
        company_id=str(item["companyId"]),
        name=str(item["companyName"]),
        website=item.get("website"),
        hq_location=item.get("hqLocation"),
    )


def company(item: dict[str, Any]) -> Company:
    return Company(
        company_id=str(item["companyId"]),
        name=str(item["companyName"]),
        website=item.get("website"),
        description=item.get("description"),
        hq_location=item.get("hqLocation"),
        year_founded=item.get("yearFounded"),
        employees=item.get("employees"),
        total_raised=_money(item.get("totalRaised")),
        last_financing_date=item.get("lastFinancingDate"),
        last_financing_type=item.get("lastFinancingType"),
        last_financing_size=_money(item.get("lastFinancingSize")),
        investors=tuple(str(i) for i in item.get("investors") or ()),
    )


def person(item: dict[str, Any]) -> Person:
    return Person(
        person_id=str(item["personId"]),
        full_name=str(item["fullName"]),
        title=item.get("title"),
        company_id=item.get("companyId"),
        company_name=item.get("companyName"),
    )


def _money(value: Any) -> Money | None:
    if not isinstance(value, dict) or value.get("amount") is None:
        return None
    return Money(float(value["amount"]), str(value.get("currency") or "USD"))
