"""Salesforce tools for the model: find companies and people, save a person (deduplicated by email).

The model reads untrusted text (pitches, websites), so the one write it may make is narrow:
create a Contact, or fill only the EMPTY fields of FILLABLE_FIELDS on the Contact that has the
email. An existing Contact's Account, owner, name, email and every filled-in field stay as they
are, whatever a planted instruction asks for.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator, model_validator
from simple_salesforce import format_soql

from integrations.salesforce import SalesforceConfig, get_client
from tools.arguments import CompanyFindArgs, blank_to_none
from tools.base import Tool, ToolContext

MAX_MATCHES = 5
DESCRIPTION_EXCERPT = 200
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# The only Contact fields the model can ever write, by argument name.
CONTACT_FIELDS = {
    "first_name": "FirstName",
    "last_name": "LastName",
    "email": "Email",
    "title": "Title",
    "phone": "Phone",
    "linkedin_url": "LinkedIn__c",
    "account_id": "AccountId",
}
# What may be added to an existing Contact, and only where it is empty.
FILLABLE_FIELDS = ("FirstName", "Title", "Phone", "LinkedIn__c")


class PersonFindArgs(BaseModel):
    name: str | None = Field(default=None, description="The person's full name, or part of it.")
    email: str | None = Field(default=None, description="The person's email address.")

    _strip = field_validator("name", "email")(blank_to_none)

    @model_validator(mode="after")
    def _needs_a_clue(self) -> PersonFindArgs:
        if not (self.name or self.email):
            raise ValueError("give a name or an email")
        return self


class PersonSaveArgs(BaseModel):
    first_name: str = Field(description="Given name.")
    last_name: str = Field(description="Family name.")
    email: str = Field(
        description="Email address; a Contact with this email is updated instead of duplicated."
    )
    title: str | None = Field(default=None, description="Job title, e.g. CEO.")
    phone: str | None = Field(default=None, description="Phone number.")
    linkedin_url: str | None = Field(default=None, description="LinkedIn profile URL.")
    account_id: str | None = Field(
        default=None, description="Salesforce Id of the person's company (Account)."
    )

    _strip = field_validator("title", "phone", "linkedin_url", "account_id")(blank_to_none)

    @field_validator("email")
    @classmethod
    def _is_an_email(cls, value: str) -> str:
        value = value.strip()
        if not _EMAIL.fullmatch(value):
            raise ValueError("not an email address")
        return value


def find_companies(args: CompanyFindArgs, context: ToolContext) -> list[dict[str, Any]]:
    conditions = []
    if args.name:
        conditions.append(format_soql("Name LIKE '%{name:like}%'", name=args.name))
    if args.website:
        conditions.append(format_soql("Website LIKE '%{domain:like}%'", domain=_domain(args.website)))
    soql = format_soql(
        "SELECT Id, Name, Website, Industry, Description FROM Account WHERE {conditions:literal} "
        "ORDER BY Name LIMIT {limit}",
        conditions=" OR ".join(conditions),
        limit=MAX_MATCHES,
    )
    return [_compact_account(record) for record in get_client().query_iter(soql)]


def find_people(args: PersonFindArgs, context: ToolContext) -> list[dict[str, Any]]:
    conditions = []
    if args.name:
        conditions.append(format_soql("Name LIKE '%{name:like}%'", name=args.name))
    if args.email:
        conditions.append(format_soql("Email = {email}", email=args.email))
    soql = format_soql(
        "SELECT Id, Name, Email, Title, AccountId FROM Contact WHERE {conditions:literal} "
        "ORDER BY Name LIMIT {limit}",
        conditions=" OR ".join(conditions),
        limit=MAX_MATCHES,
    )
    return list(get_client().query_iter(soql))


def save_person(args: PersonSaveArgs, context: ToolContext) -> dict[str, Any]:
    client = get_client()
    given = {
        field: value for name, field in CONTACT_FIELDS.items() if (value := getattr(args, name)) is not None
    }
    existing = next(
        client.query_iter(
            "SELECT Id, {fields:literal} FROM Contact WHERE Email = {email} ORDER BY CreatedDate LIMIT 1",
            fields=", ".join(CONTACT_FIELDS.values()),
            email=args.email,
        ),
        None,
    )
    if not existing:
        return {"id": client.create("Contact", given), "action": "created"}
    fill = {field: value for field, value in given.items() if field in FILLABLE_FIELDS and _empty(existing[field])}
    # Told back to the model, so it does not try again with other spellings.
    kept = sorted(field for field, value in given.items() if field not in fill and value != existing.get(field))
    if fill:
        client.update("Contact", existing["Id"], fill)
    result: dict[str, Any] = {"id": existing["Id"], "action": "updated" if fill else "unchanged"}
    result["filled"] = sorted(fill)
    if kept:
        result["not_changed"] = kept
        result["note"] = (
            "An existing Contact's account, owner, name, email and filled-in fields are never changed; "
            f"only empty {', '.join(FILLABLE_FIELDS)} are filled."
        )
    return result


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _domain(website: str) -> str:
    """`https://www.Acme.com/about` → `acme.com`: how the Website field is most likely to contain it."""
    host = urlsplit(website if "//" in website else f"//{website}").hostname or website
    return host.removeprefix("www.")


def _compact_account(record: dict[str, Any]) -> dict[str, Any]:
    description = record.get("Description") or ""
    if len(description) > DESCRIPTION_EXCERPT:
        description = description[:DESCRIPTION_EXCERPT] + "…"
    return {**record, "Description": description or None}


def _salesforce_configured() -> bool:
    return SalesforceConfig.from_settings().is_configured


TOOLS = (
    Tool(
        "salesforce_company_find",
        "Find companies (Accounts) in our Salesforce by name or website domain. Returns at most "
        f"{MAX_MATCHES}: Id, Name, Website, Industry and the start of the Description.",
        CompanyFindArgs,
        find_companies,
        is_available=_salesforce_configured,
    ),
    Tool(
        "salesforce_person_find",
        f"Find people (Contacts) in our Salesforce by name or email. Returns at most {MAX_MATCHES}: "
        "Id, Name, Email, Title and AccountId (their company).",
        PersonFindArgs,
        find_people,
        is_available=_salesforce_configured,
    ),
    Tool(
        "salesforce_person_save",
        "Save a person (Contact) in our Salesforce. If no Contact has this email, a new one is "
        "created; if one does, only its empty first name, title, phone and LinkedIn fields are "
        "filled in (its account, owner and other fields never change). Returns its Id and what "
        "was done.",
        PersonSaveArgs,
        save_person,
        is_available=_salesforce_configured,
        writes=True,
    ),
)
