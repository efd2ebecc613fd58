"""PitchBook tools for the model: find a company and its bio (its last round and investors on
request), and find a person and their bio, spending as few PitchBook credits as possible.

Every PitchBook request costs credits (integrations/pitchbook/endpoints.py), so a company
lookup is one search and one bio unless the model asks for more, and each tool adds what it
spent to `context.usage["pitchbook_credits"]`, also when it fails half-way.

A run spends at most VICBOT_MAX_PITCHBOOK_CREDITS_PER_RUN: before its first request a lookup
sets aside the most it could cost (one credit per request it might make) in the run's usage
(`context.run_usage`, shared with the calls running beside it), and is refused, at no cost,
when that would pass the limit.
"""

from __future__ import annotations

import unicodedata
from typing import Any, Literal

from django.conf import settings
from pydantic import BaseModel, Field, field_validator

from integrations.pitchbook import (
    CREDITS_EXHAUSTED,
    CompanyBio,
    CreditMeter,
    EntityHit,
    Financing,
    Investors,
    Money,
    PersonBio,
    PersonHit,
    PitchBookClient,
    PitchBookConfig,
    PitchBookError,
    get_client,
)
from integrations.pitchbook.endpoints import MONEY_UNIT
from integrations.pitchbook.websites import registrable_domain
from tools.arguments import CompanyFindArgs, blank_to_none
from tools.base import Tool, ToolContext, ToolError

MAX_OTHER_MATCHES = 4
MAX_INVESTORS = 10
MAX_TEXT = 600  # characters of a description or biography
USAGE_KEY = "pitchbook_credits"
# The most requests (1 credit each) a lookup makes: a search by website, one by name, the bio;
# a company lookup adds one per `include`d extra.
COMPANY_FIND_MAX_REQUESTS = 3
PERSON_FIND_MAX_REQUESTS = 3

Extra = Literal["financing", "investors"]


class PitchBookCompanyFindArgs(CompanyFindArgs):
    include: list[Extra] = Field(
        default_factory=list,
        description="Extra facts, 1 PitchBook credit each: 'financing' (the most recent round: date, type, "
        "size, valuation) and 'investors' (current and former). Leave empty for the bio alone.",
    )


class PersonFindArgs(BaseModel):
    person_name: str = Field(description="The person's full name, e.g. 'Priya Raman'.")
    company: str | None = Field(
        default=None, description="Their company's name or website, to pick the right person."
    )

    _strip = field_validator("company")(blank_to_none)

    @field_validator("person_name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("give a name")
        return value.strip()


def find_company(args: PitchBookCompanyFindArgs, context: ToolContext) -> dict[str, Any]:
    reserved = _reserve(context, COMPANY_FIND_MAX_REQUESTS + len(set(args.include)))
    meter = CreditMeter()
    try:
        client = _client()
        hits, matched_by = _find_company_hits(client, args, meter)
        if not hits:
            return {"company": None, "note": "PitchBook has no matching company.", "credits_spent": meter.total}
        best = hits[0]
        bio = client.company_bio(best.pb_id, meter=meter)
        result: dict[str, Any] = {"pitchbook_id": best.pb_id, "matched_by": matched_by}
        result["company"] = _company(bio) if bio else {"name": best.name, "note": "PitchBook has no bio for it."}
        if "financing" in args.include:
            financing = client.most_recent_financing(best.pb_id, meter=meter)
            result["most_recent_financing"] = _financing(financing) if financing else None
        if "investors" in args.include:
            investors = client.investors(best.pb_id, meter=meter)
            result["investors"] = _investors(investors) if investors else None
        others = [_compact({"pitchbook_id": h.pb_id, "name": h.name, "website": h.website}) for h in hits[1:]]
        if others:
            result["other_matches"] = others[:MAX_OTHER_MATCHES]
        result["credits_spent"] = meter.total
        return result
    except PitchBookError as exc:
        raise _tool_error(exc) from None
    finally:
        _record(context, meter, reserved)


def _find_company_hits(
    client: PitchBookClient, args: PitchBookCompanyFindArgs, meter: CreditMeter
) -> tuple[list[EntityHit], str]:
    """The website's registrable domain first (PitchBook matches websites exactly), then the
    name through PitchBook's general search, which matches names exactly and partially."""
    domain = registrable_domain(args.website) if args.website else None
    if domain:
        found = client.search_companies(names=[domain], meter=meter)
        if found:
            hits = [EntityHit(h.company_id, h.name, h.website, "COMPANY") for h in found]
            return hits, f"website ({domain})"
    if not args.name:
        return [], ""
    found = [h for h in client.search(query=args.name, meter=meter) if isinstance(h, EntityHit)]
    wanted = _fold(args.name)
    # An exact name first, then companies before other firm types, then PitchBook's order.
    found.sort(key=lambda h: (_fold(h.name or "") != wanted, (h.firm_type or "COMPANY") != "COMPANY"))
    return found, "name"


def find_person(args: PersonFindArgs, context: ToolContext) -> dict[str, Any]:
    reserved = _reserve(context, PERSON_FIND_MAX_REQUESTS)
    meter = CreditMeter()
    try:
        client = _client()
        hits, matched_by, note = _find_person_hits(client, args, meter)
        if not hits:
            return {"person": None, "note": note or "PitchBook has no matching person.", "credits_spent": meter.total}
        best = hits[0]
        bio = client.person_bio(best.person_id, meter=meter)
        result: dict[str, Any] = {"pitchbook_id": best.person_id, "matched_by": matched_by}
        result["person"] = _person(bio) if bio else {"name": best.name, "note": "PitchBook has no bio for them."}
        others = [
            _compact({"pitchbook_id": h.person_id, "name": h.name, "company": h.firm_name,
                      "company_pitchbook_id": h.firm_id})
            for h in hits[1:]
        ]
        if others:
            result["other_matches"] = others[:MAX_OTHER_MATCHES]
        if note:
            result["note"] = note
        result["credits_spent"] = meter.total
        return result
    except PitchBookError as exc:
        raise _tool_error(exc) from None
    finally:
        _record(context, meter, reserved)


def _find_person_hits(
    client: PitchBookClient, args: PersonFindArgs, meter: CreditMeter
) -> tuple[list[PersonHit], str, str]:
    """The exact name (at the company, if given: PitchBook's `firmNames` takes names and
    websites), then PitchBook's general search for a partial name."""
    firm = _firm_key(args.company)
    if "," in firm:  # exact lists split on commas: such a company only narrows the partial search below
        firm = ""
    if "," not in args.person_name:
        hits = client.search_people(names=[args.person_name], firms=[firm] if firm else (), meter=meter)
        if hits:
            return hits, "name" + (" and company" if firm else ""), ""
    hits = [h for h in client.search(query=args.person_name, meter=meter) if isinstance(h, PersonHit)]
    if not args.company or not hits:
        return hits, "partial name", ""
    company = _fold(args.company)
    at_company = [h for h in hits if h.firm_name and (company in _fold(h.firm_name) or _fold(h.firm_name) in company)]
    if at_company:
        return at_company, "partial name and company", ""
    return [], "", f"{len(hits)} people match the name, none at a company matching {args.company!r}."


def _firm_key(company: str | None) -> str:
    """A website is sent as its registrable domain; a name as it is."""
    if not company:
        return ""
    looks_like_site = "://" in company or (" " not in company.strip() and "." in company)
    return (registrable_domain(company) if looks_like_site else None) or company.strip()


def _client() -> PitchBookClient:
    try:
        return get_client()
    except PitchBookError as exc:
        raise _tool_error(exc) from None


def _reserve(context: ToolContext, most: int) -> int:
    """Set aside the most this lookup could cost in the run's credits, or refuse it (ToolError)."""
    limit = settings.VICBOT_MAX_PITCHBOOK_CREDITS_PER_RUN
    if not context.run_usage.reserve(USAGE_KEY, most, limit=limit):
        in_use = context.run_usage.in_use(USAGE_KEY)
        raise ToolError(
            f"PitchBook credit limit: this run may spend at most {limit} PitchBook credits, {in_use} are "
            f"spent or set aside by lookups running now, and this lookup could cost up to {most}. It was "
            "not made (no credits spent). Continue with what you have; ask for fewer extras if one lookup "
            "still matters."
        )
    return most


def _record(context: ToolContext, meter: CreditMeter, reserved: int) -> None:
    context.run_usage.settle(USAGE_KEY, reserved=reserved, spent=meter.total)
    if meter.total:
        context.usage[USAGE_KEY] = context.usage.get(USAGE_KEY, 0) + meter.total


def _tool_error(exc: PitchBookError) -> ToolError:
    if exc.code == CREDITS_EXHAUSTED:
        again = "Do not call PitchBook tools again in this run."
    else:
        again = "Retrying will not help." if exc.permanent else "This may work if tried later."
    return ToolError(f"PitchBook {exc.code}: {exc.message}. {again}", systemic=exc.systemic)


def _company(bio: CompanyBio) -> dict[str, Any]:
    status = [s for s in (bio.business_status, bio.ownership_status, bio.financing_status) if s]
    return _compact(
        {
            "name": bio.name,
            "also_known_as": bio.also_known_as,
            "website": bio.website,
            "founded": bio.year_founded,
            "employees": bio.employees,
            "hq": bio.hq,
            "status": "; ".join(status) or None,
            "status_note": bio.financing_status_note,
            "total_raised": _money(bio.total_raised),
            "parent_company": bio.parent_company,
            "ticker": bio.ticker,
            "description": _cut(bio.description),
        }
    )


def _financing(deal: Financing) -> dict[str, Any]:
    return _compact(
        {
            "deal_id": deal.deal_id,
            "date": deal.date,
            "type": " / ".join(deal.deal_types) or None,
            "status": deal.status,
            "size": _money(deal.size, deal.size_status),
            "valuation": _money(deal.valuation, deal.valuation_status),
            "last_known_valuation": _money(deal.last_known_valuation),
            "last_known_valuation_date": deal.last_known_valuation_date,
        }
    )


def _investors(investors: Investors) -> dict[str, Any]:
    listed = [
        _compact(
            {
                "pitchbook_id": i.investor_id,
                "name": i.name,
                "type": ", ".join(i.types) or None,
                "since": i.since,
                "status": i.status,
            }
        )
        for i in investors.investors
    ]
    total = investors.count if investors.count is not None else len(listed)
    result: dict[str, Any] = {"count": total, "list": listed[:MAX_INVESTORS]}
    if total > MAX_INVESTORS:
        result["note"] = f"First {MAX_INVESTORS} of {total} shown."
    return result


def _person(bio: PersonBio) -> dict[str, Any]:
    return _compact(
        {
            "name": bio.name,
            "position": bio.position,
            "company": bio.entity_name,
            "company_pitchbook_id": bio.entity_id,
            "company_type": bio.entity_type,
            "company_website": bio.entity_website,
            "location": bio.location,
            "linkedin": bio.linkedin,
            "biography": _cut(bio.biography),
        }
    )


def _money(money: Money | None, status: str | None = None) -> str | None:
    """A MoneyDto for reading, e.g. "USD 14.5M" (its unit: endpoints.MONEY_UNIT, assumed)."""
    if money is None:
        return None
    value = money.amount * MONEY_UNIT
    if abs(value) >= 1e9:
        text = f"{value / 1e9:.2f}B"
    elif abs(value) >= 1e6:
        text = f"{value / 1e6:.1f}M"
    else:
        text = f"{value:,.0f}"
    estimated = money.estimated or (status or "").lower() == "estimated"
    return f"{money.currency or '?'} {text}" + (" (estimated)" if estimated else "")


def _cut(text: str | None) -> str | None:
    if not text or len(text) <= MAX_TEXT:
        return text
    return text[: MAX_TEXT - 1].rstrip() + "…"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold().split())


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _pitchbook_configured() -> bool:
    return PitchBookConfig.from_settings().is_configured


TOOLS = (
    Tool(
        "pitchbook_company_find",
        "Look a company up in PitchBook by website and/or name (the website is tried first). Returns its "
        "PitchBook id and bio: description, founding year, employees, HQ, status, total raised, and up to "
        f"{MAX_OTHER_MATCHES} other matches. Costs about 2 PitchBook credits; add include=['financing'] "
        "for the most recent round and/or 'investors' for its investors (1 credit each) only when you need "
        "them to check the pitch's claims.",
        PitchBookCompanyFindArgs,
        find_company,
        is_available=_pitchbook_configured,
        # Up to five requests of up to three attempts each, with short waits between them.
        timeout_seconds=120.0,
    ),
    Tool(
        "pitchbook_person_find",
        "Find a person in PitchBook by full name, optionally at a given company (name or website). Returns "
        "their PitchBook id and bio (position, company, location, biography) and up to "
        f"{MAX_OTHER_MATCHES} other matches. Costs about 2 PitchBook credits. Use it to check who founded "
        "or runs a company.",
        PersonFindArgs,
        find_person,
        is_available=_pitchbook_configured,
        timeout_seconds=120.0,
    ),
)
