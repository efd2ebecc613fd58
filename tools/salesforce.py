"""Salesforce tools for the model: find companies and people, save a person (deduplicated by email).

The model reads untrusted text (pitches, websites), so the CRM is written only where the fund
would approve: the one write the model makes directly is creating a new Contact on the pitch's
OWN Account, whose Id the tool takes from the run's trusted metadata (never from the model).
Anything else it would write (a change to an existing Contact, even an empty field; a Contact
for another company; a run with no Account of its own) is returned as a suggested change
(tools.base.Suggested), which an operator approves or rejects in the console; an approved one
is written by `apply_suggestion`, and only to the fields listed in SUGGESTIBLE_FIELDS.
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field, field_validator, model_validator
from simple_salesforce import format_soql

from integrations.salesforce import SalesforceConfig, get_client
from tools.arguments import CompanyFindArgs, blank_to_none
from tools.base import Suggested, Tool, ToolContext

MAX_MATCHES = 5
DESCRIPTION_EXCERPT = 200
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# The only Contact fields the model can give, by argument name. AccountId is not one of them:
# the tool sets it to the pitch's own Account, or the model names another company, which
# only ever becomes a suggestion.
CONTACT_FIELDS = {
    "first_name": "FirstName",
    "last_name": "LastName",
    "email": "Email",
    "title": "Title",
    "phone": "Phone",
    "linkedin_url": "LinkedIn__c",
}
# What an approved suggestion may write, per sObject: even an operator's approval writes no
# other object or field (a tampered row in our database cannot reach the rest of the CRM).
SUGGESTIBLE_FIELDS = {"Contact": frozenset([*CONTACT_FIELDS.values(), "AccountId"])}
# Every org gives Account ids the key prefix 001: how a record id is known to be an Account's.
_ACCOUNT_ID = re.compile(r"001[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?")
ANOTHER_COMPANY = "another company"
SUGGESTED_NOTE = (
    "Not written to Salesforce: recorded as a suggested change for the fund's operators to approve or "
    "reject. Do not try again with other values."
)


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
        description="Email address; if a Contact already has it, changes to it are only suggested for review."
    )
    title: str | None = Field(default=None, description="Job title, e.g. CEO.")
    phone: str | None = Field(default=None, description="Phone number.")
    linkedin_url: str | None = Field(default=None, description="LinkedIn profile URL.")
    works_for: Literal["the company being evaluated", "another company"] = Field(
        description="Whose person this is. For the company being evaluated, a new Contact goes on its own "
        "Account. A person of another company is not created but suggested to the fund for review."
    )
    other_account_id: str | None = Field(
        default=None,
        description="Only with works_for 'another company': that company's Account Id in our Salesforce "
        "(from salesforce_company_find), or null. Ignored otherwise."
    )

    _strip = field_validator("title", "phone", "linkedin_url", "other_account_id")(blank_to_none)

    @model_validator(mode="after")
    def _other_account_is_an_account(self) -> PersonSaveArgs:
        if self.works_for != ANOTHER_COMPANY:
            self.other_account_id = None  # whatever it says: the tool sets the pitch's own Account
        elif self.other_account_id is not None and not _ACCOUNT_ID.fullmatch(self.other_account_id):
            raise ValueError("other_account_id: not a Salesforce Account Id (they start with 001)")
        return self

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


def save_person(args: PersonSaveArgs, context: ToolContext) -> dict[str, Any] | Suggested:
    client = get_client()
    given = {
        field: value for name, field in CONTACT_FIELDS.items() if (value := getattr(args, name)) is not None
    }
    own = own_account_id(context)
    another = args.works_for == ANOTHER_COMPANY
    # The pitch's own Account named as "another company" (even in its 15-character form) is the pitch's.
    if own and args.other_account_id and _same_id(args.other_account_id, own):
        another = False
    other = args.other_account_id if another else None
    existing = next(
        client.query_iter(
            "SELECT Id, AccountId, {fields:literal} FROM Contact WHERE Email = {email} ORDER BY CreatedDate LIMIT 1",
            fields=", ".join(CONTACT_FIELDS.values()),
            email=args.email,
        ),
        None,
    )
    if existing:
        change = {field: value for field, value in given.items() if not _same_value(field, existing.get(field), value)}
        if other and not _same_id(other, existing.get("AccountId") or ""):
            change["AccountId"] = other
        if not change:
            return {"id": existing["Id"], "action": "unchanged"}
        return _suggest(
            record_id=existing["Id"], fields=change, current={field: existing.get(field) for field in change},
            reason="An existing Contact is changed only by an operator, not even its empty fields.",
        )
    if another or not own:
        reason = ("A Contact for another company than the pitch's." if another else
                  "This run has no Account of its own (the pitch is not an Account record) to create the Contact on.")
        return _suggest(record_id=None, fields={**given, **({"AccountId": other} if other else {})}, current={},
                        reason=reason)
    return {"id": client.create("Contact", {**given, "AccountId": own}), "action": "created", "account_id": own}


def own_account_id(context: ToolContext) -> str | None:
    """The pitch's own Account: the record the run evaluates, from the run's metadata (set by the
    pipeline, never by the model), when that record is an Account (the pipeline's sObject says so and
    the Id has an Account's key prefix). A run about another object, or started without a pitch, has none."""
    record = context.metadata.get("salesforce_id", "")
    if context.metadata.get("sobject") == "Account" and _ACCOUNT_ID.fullmatch(record):
        return record
    return None


def _suggest(*, record_id: str | None, fields: dict[str, Any], current: dict[str, Any], reason: str) -> Suggested:
    suggestion = {"object": "Contact", "record_id": record_id, "fields": fields, "current": current, "reason": reason}
    answer = {"id": record_id, "action": "suggested", "fields": sorted(fields), "note": f"{reason} {SUGGESTED_NOTE}"}
    return Suggested(answer, [suggestion])


class SuggestionNotApplicable(ValueError):
    """An approved suggestion that cannot be written as it stands (the reason is shown to the operator)."""


def apply_suggestion(*, sobject: str, record_id: str | None, fields: dict[str, Any]) -> str:
    """Write a suggested change an operator approved; the record's Id (the new one for a create).

    Raises SuggestionNotApplicable, or the integration's SalesforceError. Applying the same
    suggestion twice (a redelivered task) writes the same values again, or, for a new Contact,
    finds the one the first attempt created instead of creating a second.
    """
    allowed = SUGGESTIBLE_FIELDS.get(sobject)
    if allowed is None:
        raise SuggestionNotApplicable(f"Vicbot writes suggested changes to {', '.join(SUGGESTIBLE_FIELDS)} only, "
                                      f"not {sobject}")
    if not fields or not isinstance(fields, dict):
        raise SuggestionNotApplicable("The suggestion has no fields to write")
    if unknown := sorted(set(fields) - allowed):
        raise SuggestionNotApplicable(f"Fields Vicbot never writes on a {sobject}: {', '.join(unknown)}")
    client = get_client()
    if record_id:
        client.update(sobject, record_id, fields)
        return record_id
    if email := fields.get("Email"):
        existing = next(client.query_iter(
            "SELECT Id, {fields:literal} FROM Contact WHERE Email = {email} ORDER BY CreatedDate LIMIT 1",
            fields=", ".join(sorted(fields)), email=email,
        ), None)
        if existing:
            if all(_same_value(field, existing.get(field), value) for field, value in fields.items()):
                return existing["Id"]
            raise SuggestionNotApplicable(f"A Contact with this email exists now ({existing['Id']}): nothing was "
                                          "created")
    return client.create(sobject, fields)


def _same_value(field: str, current: Any, value: Any) -> bool:
    if field == "Email" and isinstance(current, str) and isinstance(value, str):
        return current.casefold() == value.casefold()
    if field == "AccountId" and isinstance(current, str) and isinstance(value, str):
        return _same_id(current, value)
    return current == value


def _same_id(a: str, b: str) -> bool:
    """15- and 18-character forms of one record Id are the same record."""
    return len(a) >= 15 and a[:15] == b[:15]


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
        "Save a person (Contact) of the company being evaluated in our Salesforce. If no Contact has this "
        "email, a new one is created on that company's Account (set by Vicbot). A change to an existing "
        "Contact, or a person of another company, is not written: it is recorded as a suggestion for the "
        "fund to review. Returns the Id and what was done (created, suggested or unchanged).",
        PersonSaveArgs,
        save_person,
        is_available=_salesforce_configured,
        writes=True,
    ),
)
