"""PitchBook tools for the model: find a company (with its funding facts) and find people."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from pydantic import BaseModel, Field, field_validator

from integrations.pitchbook import (
    Company,
    Money,
    Person,
    PitchBookClient,
    PitchBookConfig,
    PitchBookError,
)
from tools.arguments import CompanyFindArgs, blank_to_none
from tools.base import Tool, ToolContext, ToolError

MAX_MATCHES = 5


class PersonFindArgs(BaseModel):
    name: str = Field(description="The person's full name, or part of it.")
    company_name: str | None = Field(
        default=None, description="Their company's name, to keep only people there."
    )

    _strip = field_validator("company_name")(blank_to_none)

    @field_validator("name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("give a name")
        return value.strip()


def find_company(args: CompanyFindArgs, context: ToolContext) -> dict[str, Any]:
    client = _client()
    try:
        # The website is the sharper key, but a pitch's URL often differs from PitchBook's
        # record (a landing page, a redirect): then the name decides.
        matches = client.search_companies(website=args.website) if args.website else []
        if not matches and args.name:
            matches = client.search_companies(name=args.name)
        if not matches:
            return {"best_match": None, "other_matches": [], "note": "PitchBook has no matching company."}
        # An exact name beats PitchBook's own ranking (a search for "Acme" also finds "Acme Labs").
        wanted = (args.name or "").casefold()
        matches.sort(key=lambda m: m.name.casefold() != wanted)
        best = client.company(matches[0].company_id)
    except PitchBookError as exc:
        raise _tool_error(exc) from None
    return {
        "best_match": _company(best),
        "other_matches": [_compact(asdict(m)) for m in matches[1:MAX_MATCHES]],
    }


def find_person(args: PersonFindArgs, context: ToolContext) -> dict[str, Any]:
    client = _client()
    try:
        people = client.search_people(args.name)
        result: dict[str, Any] = {}
        if args.company_name and people:
            company_ids = {m.company_id for m in client.search_companies(name=args.company_name)}
            at_company = [p for p in people if p.company_id in company_ids]
            if not at_company:
                result["note"] = (
                    f"{len(people)} people match the name, none at a company matching {args.company_name!r}."
                )
            people = at_company
    except PitchBookError as exc:
        raise _tool_error(exc) from None
    return {"people": [_person(p) for p in people[:MAX_MATCHES]], **result}


def _client() -> PitchBookClient:
    return PitchBookClient(PitchBookConfig.from_settings())


def _tool_error(exc: PitchBookError) -> ToolError:
    again = "Retrying will not help." if exc.permanent else "This may work if tried later."
    return ToolError(f"PitchBook {exc.code}: {exc.message}. {again}")


def _company(company: Company) -> dict[str, Any]:
    return _compact(
        {
            "pitchbook_id": company.company_id,
            "name": company.name,
            "website": company.website,
            "hq": company.hq_location,
            "founded": company.year_founded,
            "employees": company.employees,
            "total_raised": _money(company.total_raised),
            "last_financing": _compact(
                {
                    "date": company.last_financing_date,
                    "type": company.last_financing_type,
                    "size": _money(company.last_financing_size),
                }
            )
            or None,
            "investors": list(company.investors) or None,
            "description": company.description,
        }
    )


def _person(person: Person) -> dict[str, Any]:
    return _compact(
        {
            "pitchbook_id": person.person_id,
            "name": person.full_name,
            "title": person.title,
            "company": person.company_name,
            "company_pitchbook_id": person.company_id,
        }
    )


def _money(money: Money | None) -> str | None:
    if money is None:
        return None
    if money.amount >= 1_000_000:
        return f"{money.currency} {money.amount / 1_000_000:.1f}M"
    return f"{money.currency} {money.amount:,.0f}"


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}


def _pitchbook_configured() -> bool:
    return PitchBookConfig.from_settings().is_configured


TOOLS = (
    Tool(
        "pitchbook_company_find",
        "Look a company up in PitchBook by name or website. Returns the best match with its "
        "funding facts (total raised, last financing, investors, employees, HQ, founding year) and "
        f"up to {MAX_MATCHES - 1} other matches. Use it to check a pitch's claims about funding and size.",
        CompanyFindArgs,
        find_company,
        is_available=_pitchbook_configured,
        # Up to three attempts per request, two requests, and short waits between them.
        timeout_seconds=120.0,
    ),
    Tool(
        "pitchbook_person_find",
        f"Find people in PitchBook by name, optionally only those at a given company. Returns at most "
        f"{MAX_MATCHES}: name, title and company. Use it to check who founded or runs a company.",
        PersonFindArgs,
        find_person,
        is_available=_pitchbook_configured,
        timeout_seconds=120.0,
    ),
)
