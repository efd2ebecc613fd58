"""PitchBook's answers as small typed records, read by the field names of its published spec.

Field names follow shared/reference/pitchbook-api.md §2-4. The spec marks no field required
or nullable, so every reader here tolerates an absent or null field (§6.12); only an
identifier is needed for a search hit to count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Money:
    """MoneyDto, amount kept verbatim (its unit is assumed: endpoints.MONEY_UNIT)."""

    amount: float
    currency: str | None
    estimated: bool | None = None


@dataclass(frozen=True)
class CompanyHit:
    """An item of GET /companies/search (§2): `companyId`, `companyName` (a string), `website`."""

    company_id: str
    name: str | None
    website: str | None


@dataclass(frozen=True)
class EntityHit:
    """An entity item of GET /search (§2): `pbId`, `name`, `website`, `primaryFirmType.type`."""

    pb_id: str
    name: str | None
    website: str | None
    firm_type: str | None


@dataclass(frozen=True)
class PersonHit:
    """An item of GET /people/search (`personId`, `personName`, `firmId`), or a person item of
    GET /search (`pbId`, `name`, `primaryCompanyId`, `primaryCompanyName`)."""

    person_id: str
    name: str | None
    firm_id: str | None
    firm_name: str | None = None


@dataclass(frozen=True)
class CompanyBio:
    """GET /companies/{pbId}/bio (§3)."""

    company_id: str
    name: str | None
    also_known_as: str | None
    description: str | None
    website: str | None
    year_founded: int | None
    employees: int | None
    hq: str | None
    business_status: str | None
    ownership_status: str | None
    financing_status: str | None
    financing_status_note: str | None
    total_raised: Money | None
    parent_company: str | None
    ticker: str | None
    profile_link: str | None


@dataclass(frozen=True)
class Financing:
    """GET /companies/{pbId}/most-recent-financing (§3)."""

    company_id: str
    deal_id: str | None
    date: str | None
    deal_types: tuple[str, ...]
    status: str | None
    size: Money | None
    size_status: str | None
    valuation: Money | None
    valuation_status: str | None
    last_known_valuation: Money | None
    last_known_valuation_date: str | None


@dataclass(frozen=True)
class Investor:
    investor_id: str | None
    name: str
    types: tuple[str, ...]
    since: str | None
    status: str | None
    exit: str | None


@dataclass(frozen=True)
class Investors:
    """GET /companies/{pbId}/investors (§3): current and former investors."""

    company_id: str
    count: int | None
    investors: tuple[Investor, ...]


@dataclass(frozen=True)
class PersonBio:
    """GET /people/{pbId}/bio (§4)."""

    person_id: str
    name: str | None
    biography: str | None
    position: str | None
    entity_id: str | None
    entity_name: str | None
    entity_type: str | None
    entity_website: str | None
    location: str | None
    linkedin: str | None
    year_of_birth: int | None


def search_items(payload: Any) -> list[dict[str, Any]]:
    """The `items` of a `{stats, items}` search page."""
    if not isinstance(payload, dict) or not isinstance(payload.get("items"), list):
        raise ValueError("a search answer has no `items` list")
    return [item for item in payload["items"] if isinstance(item, dict)]


def company_hit(item: dict[str, Any]) -> CompanyHit | None:
    company_id = _text(item.get("companyId"))
    if company_id is None:
        return None
    return CompanyHit(company_id, _text(item.get("companyName")), _text(item.get("website")))


def general_hit(item: dict[str, Any]) -> EntityHit | PersonHit | None:
    """One item of GET /search, a oneOf entity / fund / person told apart by its fields
    (the spec's `discriminator` values are not shown anywhere). Funds are skipped."""
    pb_id = _text(item.get("pbId"))
    if pb_id is None or "fundId" in item:
        return None
    if "primaryCompanyId" in item or "primaryCompanyName" in item or pb_id.upper().endswith("P"):
        return PersonHit(
            pb_id, _text(item.get("name")), _text(item.get("primaryCompanyId")), _text(item.get("primaryCompanyName"))
        )
    firm_type = _dict(item.get("primaryFirmType")).get("type")
    return EntityHit(pb_id, _text(item.get("name")), _text(item.get("website")), _text(firm_type))


def person_hit(item: dict[str, Any]) -> PersonHit | None:
    person_id = _text(item.get("personId"))
    if person_id is None:
        return None
    return PersonHit(person_id, _text(item.get("personName")), _text(item.get("firmId")))


def company_bio(payload: Any, *, pb_id: str) -> CompanyBio:
    bio = _object(payload, "company bio")
    names = _dict(bio.get("companyName"))
    parent = _text(bio.get("parentCompanyName"))
    parent_id = _text(bio.get("parentCompanyId"))
    return CompanyBio(
        company_id=_text(bio.get("companyId")) or pb_id,
        name=_text(names.get("formalName")) or _text(names.get("legalName")),
        also_known_as=_text(names.get("alsoKnownAs")),
        description=_text(bio.get("description")),
        website=_text(bio.get("website")),
        year_founded=_int(bio.get("yearFounded")),
        employees=_int(bio.get("employees")),
        hq=_place(_dict(bio.get("hqLocation"))),
        business_status=_label(bio.get("businessStatus")),
        ownership_status=_label(bio.get("ownershipStatus")),
        financing_status=_label(bio.get("financingStatus")),
        financing_status_note=_text(_dict(bio.get("financingStatusNote")).get("note")),
        total_raised=money(bio.get("totalMoneyRaised")),
        parent_company=f"{parent} ({parent_id})" if parent and parent_id else parent or parent_id,
        ticker=":".join(v for v in (_text(bio.get("exchange")), _text(bio.get("ticker"))) if v) or None,
        profile_link=_text(bio.get("pitchBookProfileLink")),
    )


def financing(payload: Any, *, pb_id: str) -> Financing:
    deal = _object(payload, "most recent financing")
    types = (_label(deal.get(f)) for f in ("lastFinancingDealType", "lastFinancingDealType2", "lastFinancingDealType3"))
    return Financing(
        company_id=_text(deal.get("companyId")) or pb_id,
        deal_id=_text(deal.get("lastFinancingDealId")),
        date=_text(deal.get("lastFinancingDate")),
        deal_types=tuple(t for t in types if t),
        status=_label(deal.get("lastFinancingStatus")),
        size=money(deal.get("lastFinancingSize")),
        size_status=_text(deal.get("lastFinancingSizeStatus")),
        valuation=money(deal.get("lastFinancingValuation")),
        valuation_status=_text(deal.get("lastFinancingValuationStatus")),
        last_known_valuation=money(deal.get("lastKnownValuation")),
        last_known_valuation_date=_text(deal.get("lastKnownValuationDate")),
    )


def investors(payload: Any, *, pb_id: str) -> Investors:
    body = _object(payload, "investors")
    listed = []
    for item in body.get("investors") or ():
        if not isinstance(item, dict) or not (name := _text(item.get("investorName"))):
            continue
        types = (_label(_dict(t).get("type")) for t in item.get("investorTypes") or ())
        listed.append(
            Investor(
                investor_id=_text(item.get("investorId")),
                name=name,
                types=tuple(t for t in types if t),
                since=_text(item.get("investorSince")),
                status=_label(item.get("investorStatus")),
                exit=_label(item.get("investorExit")),
            )
        )
    return Investors(company_id=pb_id, count=_int(body.get("countAllInvestors")), investors=tuple(listed))


def person_bio(payload: Any, *, pb_id: str) -> PersonBio:
    bio = _object(payload, "person bio")
    names = _dict(bio.get("personName"))
    full = _text(names.get("full")) or " ".join(v for v in (_text(names.get("first")), _text(names.get("last"))) if v)
    return PersonBio(
        person_id=_text(bio.get("personId")) or pb_id,
        name=full or None,
        biography=_text(bio.get("biography")),
        position=_text(bio.get("primaryPosition")),
        entity_id=_text(bio.get("primaryEntityId")),
        entity_name=_text(bio.get("primaryEntityName")),
        entity_type=_text(bio.get("primaryEntityType")),
        entity_website=_text(bio.get("primaryEntityWebsite")),
        location=_place(_dict(bio.get("primaryOffice"))),
        linkedin=_text(bio.get("linkedInProfileUrl")),
        year_of_birth=_int(bio.get("yearOfBirth")),
    )


def money(value: Any) -> Money | None:
    value = _dict(value)
    amount = value.get("amount")
    if isinstance(amount, bool) or not isinstance(amount, int | float | str):
        return None
    try:
        number = float(amount)
    except ValueError:
        return None
    estimated = value.get("estimated")
    return Money(number, _text(value.get("currency")), estimated if isinstance(estimated, bool) else None)


def _object(payload: Any, what: str) -> dict[str, Any]:
    if not isinstance(payload, dict):
        raise ValueError(f"a {what} answer is not a JSON object")
    return payload


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, bool | dict | list):
        return None
    text = str(value).strip()
    return text or None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _label(value: Any) -> str | None:
    """A `{code, description}` lookup value as its description (its code if that is all)."""
    value = _dict(value)
    return _text(value.get("description")) or _text(value.get("code"))


def _place(location: dict[str, Any]) -> str | None:
    parts = (_text(location.get(f)) for f in ("city", "stateProvince", "country"))
    return ", ".join(p for p in parts if p) or None
