"""The field names of PitchBook's answers, written from shared/reference/pitchbook-api.md.

Each entry is `{field: {subfield: ...}}` (an empty dict for a scalar, or for an object the
sheet does not spell out). `reference_fields_from_sheet()` re-reads the same names out of the
sheet itself, so a drift between this table and the sheet fails a test.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

Fields = dict[str, Any]

_LOOKUP = {"code": {}, "description": {}}
_MONEY = {"amount": {}, "currency": {}, "nativeAmount": {}, "nativeCurrency": {}, "estimated": {}}
_SEARCH_STATS = {"total": {}, "perPage": {}, "page": {}, "lastPage": {}}
_OFFICE = {
    "location": {}, "addressLine1": {}, "addressLine2": {}, "city": {}, "stateProvince": {}, "postCode": {},
    "country": {}, "phone": {}, "fax": {}, "email": {}, "globalRegion": {}, "globalSubRegion": {},
}

REFERENCE: dict[str, Fields] = {
    # §1 ErrorDto
    "error": {"reason": {}, "message": {}},
    # §2 GET /companies/search
    "company_search": {"stats": _SEARCH_STATS, "items": {"companyId": {}, "companyName": {}, "sandbox": {}, "website": {}}},
    # §2 GET /search, entity and person items
    "search_entity": {
        "pbId": {}, "name": {}, "sandbox": {}, "website": {}, "pitchBookProfileLink": {},
        "primaryFirmType": {"pbId": {}, "type": {}}, "otherFirmTypes": {}, "stockTicker": {},
    },
    "search_person": {"pbId": {}, "name": {}, "sandbox": {}, "primaryCompanyId": {}, "primaryCompanyName": {}},
    # §3 GET /companies/{pbId}/bio (CompanyBioDto)
    "company_bio": {
        "companyId": {},
        "companyName": {"formalName": {}, "alsoKnownAs": {}, "legalName": {}, "formerlyKnownAs": {}},
        "description": {}, "yearFounded": {},
        "businessStatus": _LOOKUP, "ownershipStatus": _LOOKUP, "financingStatus": _LOOKUP,
        "financingStatusNote": {"note": {}, "asOfDate": {}},
        "employees": {}, "employeeHistory": {"asOfDate": {}, "employeeCount": {}},
        "hqLocation": {"city": {}, "stateProvince": {}, "postCode": {}, "country": {}},
        "website": {}, "totalMoneyRaised": _MONEY, "parentCompanyId": {}, "parentCompanyName": {},
        "universe": _LOOKUP, "sicCodes": _LOOKUP, "exchange": {}, "ticker": {}, "cikCode": {},
        "companySocialURLs": {"facebookProfileUrl": {}, "twitterProfileUrl": {}, "linkedInProfileUrl": {}},
        "pitchBookProfileLink": {}, "morningstarCode": {},
    },
    # §3 GET /companies/{pbId}/most-recent-financing
    "most_recent_financing": {
        "companyId": {}, "lastFinancingDealId": {}, "lastFinancingDate": {}, "lastFinancingStatus": {},
        "lastFinancingSize": {}, "lastFinancingSizeStatus": {}, "lastFinancingValuation": {},
        "lastFinancingValuationStatus": {}, "lastFinancingDealType": {}, "lastFinancingDealType2": {},
        "lastFinancingDealType3": {}, "lastFinancingDealClass": {}, "lastKnownValuation": {},
        "lastKnownValuationDate": {}, "lastKnownValuationDealType": {},
    },
    # §3 GET /companies/{pbId}/investors
    "investors": {
        "countAllInvestors": {},
        "investors": {
            "companyId": {}, "investorId": {}, "investorName": {},
            "investorTypes": {"type": {"code": {}, "description": {}}, "primary": {}},
            "investorSince": {}, "investorExit": {}, "investorStatus": {},
        },
    },
    # §3 GET /companies/{pbId}/active-investors (a bare array of these)
    "active_investor": {
        "companyId": {}, "investorId": {}, "investorName": {}, "investorTypes": {}, "investorSince": {}, "holding": {},
    },
    # §4 GET /people/search
    "people_search": {"stats": _SEARCH_STATS, "items": {"personId": {}, "personName": {}, "firmId": {}, "sandbox": {}}},
    # §4 GET /people/{pbId}/bio (PersonBioDto); primaryOffice has the §3 EntityOfficeDto shape
    "person_bio": {
        "personId": {},
        "personName": {"full": {}, "first": {}, "last": {}, "middle": {}, "prefix": {}, "suffix": {}},
        "yearOfBirth": {}, "biography": {}, "linkedInProfileUrl": {}, "gender": {},
        "primaryEntityId": {}, "primaryEntityName": {}, "primaryEntityType": {}, "primaryEntityWebsite": {},
        "primaryPosition": {}, "primaryOffice": _OFFICE,
    },
    # §5 BulkResultDto
    "bulk": {
        "stats": {"total": {}, "matched": {}, "noData": {}, "unmatched": {}, "duplicates": {}},
        "matched": {}, "noData": {"id": {}}, "unmatched": {"id": {}, "reason": {}, "message": {}},
        "duplicates": {"id": {}, "occurrence": {}},
    },
}


def sheet_path() -> Path:
    """The sheet sits next to the repository (`../shared/reference/`), when it is there."""
    return Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "pitchbook-api.md"


def parse_notation(text: str) -> Fields:
    """The sheet's shorthand `{a, b:{c, d}, e(Money), f:[{g}], "h": int}` as nested field names."""
    text = re.sub(r"//[^\n]*", "", text)
    fields, _ = _object(text, text.index("{"))
    return fields


def _object(s: str, i: int) -> tuple[Fields, int]:
    i += 1
    result: Fields = {}
    while i < len(s):
        i = _ws(s, i)
        if s[i] == "}":
            return result, i + 1
        if s[i] == ",":
            i += 1
            continue
        match = re.compile(r'"?([A-Za-z_][A-Za-z0-9_]*)"?').match(s, i)
        if not match:  # "…" and the like
            i += 1
            continue
        name, i = match.group(1), _ws(s, match.end())
        children: Fields = {}
        if s[i] == ":":
            i = _ws(s, i + 1)
        if s[i] == "{":
            children, i = _object(s, i)
        elif s[i] == "[":
            i = _ws(s, i + 1)
            if s[i] == "{":
                children, i = _object(s, i)
            i = s.index("]", i) + 1
        elif s[i] == "(":
            i = s.index(")", i) + 1
        else:  # a scalar: up to the next , or }
            while s[i] not in ",}":
                i = s.index('"', i + 1) + 1 if s[i] == '"' else i + 1
        i = _ws(s, i)
        if i < len(s) and s[i] == "(":
            i = s.index(")", i) + 1
        result[name] = children
    raise ValueError("unbalanced braces")


def _ws(s: str, i: int) -> int:
    while i < len(s) and s[i].isspace():
        i += 1
    return i


def reference_fields_from_sheet(sheet: str) -> dict[str, Fields]:
    """The same table as REFERENCE, read out of the sheet's own text."""

    def between(start: str, end: str) -> str:
        begin = sheet.index(start)
        return sheet[begin : sheet.index(end, begin)]

    def row(path: str) -> str:
        line = next(line for line in sheet.splitlines() if line.startswith(f"| `{path}` |"))
        return line.split("|")[2]

    out: dict[str, Fields] = {}
    out["error"] = parse_notation(between("**ErrorDto**", "\n"))
    out["company_search"] = parse_notation(between("AdvancedSearchPageDto", "```\n-"))
    out["search_entity"] = parse_notation(between("  - entity: ", "\n"))
    out["search_person"] = parse_notation(between("  - person: ", "\n"))

    bio: Fields = {}
    for line in between("**`GET /companies/{pbId}/bio`**", "The bio has").splitlines():
        if not line.startswith("| `"):
            continue
        names, shape_cell = re.findall(r"`(\w+)`", line.split("|")[1]), line.split("|")[2]
        # "`employees`, `employeeHistory` | int64; `[{...}]`" pairs names and shapes; else one shape for all
        shapes = shape_cell.split(";") if len(shape_cell.split(";")) == len(names) else [shape_cell] * len(names)
        for name, shape in zip(names, shapes, strict=True):
            bio[name] = parse_notation(shape) if "{" in shape else {}
    out["company_bio"] = bio

    out["most_recent_financing"] = parse_notation(row("/companies/{pbId}/most-recent-financing"))
    out["investors"] = parse_notation(row("/companies/{pbId}/investors"))
    active = row("/companies/{pbId}/active-investors")
    out["active_investor"] = parse_notation(active[active.index("[") :])
    out["people_search"] = parse_notation(between("- Response: `{stats", "\n"))

    person: Fields = {}
    block = between("**`GET /people/{pbId}/bio`**", "\nAlso:")
    for token in re.findall(r"`([^`]+)`", block):
        if token.startswith("personName"):
            person["personName"] = parse_notation(token)
        elif re.fullmatch(r"\w+", token) and token not in ("PersonBioDto", "getPerson"):
            person[token] = {}
    office = row("/entities/{pbId}/locations")
    person["primaryOffice"] = parse_notation(office[office.index("hqOffice") + len("hqOffice") :])
    out["person_bio"] = person

    out["bulk"] = parse_notation(between("Response envelope `BulkResultDto<X>`:", "```\nElements"))
    return out
