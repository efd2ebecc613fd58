"""A loopback PitchBook API v2 serving the sample companies, for tests and the offline demo.

Written from the fact sheet shared/reference/pitchbook-api.md (section numbers are its), not
from Vicbot's client, so the client's tests can catch the client misreading the API. It
imports nothing of the client.

What it serves (every answer is JSON; field names exactly as in the sheet):
- GET  /companies/search   companyNames (names, pbIds, websites; exact), page, perPage   (§2)
- GET  /search             query (id, website exact; name exact or partial), page, perPage (§2)
- GET  /companies/{pbId}/bio | /most-recent-financing | /investors | /active-investors   (§3)
- GET  /people/search      personNames, firmNames, firstName, lastName, page, perPage     (§4)
- GET  /people/{pbId}/bio                                                                 (§4)
- POST /companies/bio, POST /people/bio   bulk `{"items": [{"id": ...}]}`                 (§5)
- GET  /sandbox-entities?entityType=COMPANIES|PEOPLE, GET /calls/costs?pricingModel=      (§1)
- GET  /_stats             the emulator's own: credits and requests per endpoint (no key needed)

Rules it applies: `Authorization: PB-Token <key>` or 401 with an ErrorDto whose message
echoes the key, as PitchBook's does (§1, §6.2); errors are `{"reason": "404 NOT_FOUND",
"message": ...}` (§1); searches answer `{stats, items}`, single entities a bare object,
active-investors a bare array, bulk calls `{stats, matched, noData, unmatched, duplicates}`.

The emulator's own choices, where the sheet is silent (each marked so in the code):
- Credits: 1 per successful data request and per matched bulk item (§1 MD1); searches also 1
  (assumed, §6.9); errors and account endpoints (/calls/costs, /sandbox-entities) are free.
  `credit_limit=N` makes it answer 402 once N credits are spent.
- Money amounts are in MILLIONS of USD (the unit is undocumented, §6.10).
- Exact matching folds case (not accents); websites are compared without scheme, `www.`
  and trailing `/` (§6.3). Partial matching (GET /search) folds case and accents.
- perPage defaults to 25 and is capped at 100; lookup codes (business status, deal types,
  investor types) are invented but shaped `{code, description}`.
- Retry-After is sent on a 429 only when a fault asks for one (none is documented, §6.8).

Faults, answered in order before serving normally (optionally only on paths containing `match`):
    emu.faults.add("rate_limit", times=2, retry_after=1)     # 429, with Retry-After
    emu.faults.add("rate_limit")                             # 429, without
    emu.faults.add("payment_required", match="/bio")         # 402
    emu.faults.add("server_error", status=503)               # 5xx (500 by default)
    emu.faults.add("unauthorized") / ("forbidden")           # 401 / 403

    python -m sandbox.emulators.pitchbook --port 8766 --api-key demo-key
"""

from __future__ import annotations

import argparse
import json
import math
import re
import threading
import unicodedata
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sandbox.loopback import LoopbackServer
from sandbox.sample_companies import COMPANIES, SampleCompany

FAULT_KINDS = ("rate_limit", "server_error", "unauthorized", "forbidden", "payment_required")

STATUS_NAMES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    402: "PAYMENT_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}

# Credits per successful request, by route (see the module docstring). Bulk routes charge
# per matched item.
CREDITS = {
    "GET /companies/search": 1,
    "GET /search": 1,
    "GET /people/search": 1,
    "GET /companies/{pbId}/bio": 1,
    "GET /companies/{pbId}/most-recent-financing": 1,
    "GET /companies/{pbId}/investors": 1,
    "GET /companies/{pbId}/active-investors": 1,
    "GET /people/{pbId}/bio": 1,
    "POST /companies/bio": 1,
    "POST /people/bio": 1,
    "GET /sandbox-entities": 0,
    "GET /calls/costs": 0,
}

DEFAULT_PER_PAGE = 25
MAX_PER_PAGE = 100
PROFILE = "https://my.pitchbook.com/profile/{pb_id}/{kind}/profile"


def company_id(index: int) -> str:
    return f"{10000 + 137 * index}-{(31 * index + 7) % 100:02d}"


def person_id(index: int) -> str:
    return f"{50000 + 211 * index}-{(17 * index + 3) % 100:02d}P"


def investor_id(index: int) -> str:
    return f"{30000 + 89 * index}-{(13 * index + 5) % 100:02d}"


def deal_id(index: int) -> str:
    return f"{70000 + 353 * index}-{(23 * index + 11) % 100:02d}T"


def _money(usd: int | None) -> dict[str, Any] | None:
    if usd is None:
        return None
    millions = round(usd / 1_000_000, 4)  # the emulator's unit: millions (module docstring)
    return {"amount": millions, "currency": "USD", "nativeAmount": millions, "nativeCurrency": "USD", "estimated": False}


# Invented lookup codes, shaped as the spec's {code, description}.
_DEAL_TYPES = {
    "Pre-seed": ({"code": "SEED", "description": "Seed Round"}, {"code": "PRESEED", "description": "Pre-seed"}),
    "Seed": ({"code": "SEED", "description": "Seed Round"}, None),
    "Series A": ({"code": "EVC", "description": "Early Stage VC"}, {"code": "SERA", "description": "Series A"}),
    "Series B": ({"code": "LVC", "description": "Later Stage VC"}, {"code": "SERB", "description": "Series B"}),
}
_VC = {"code": "VC", "description": "Venture Capital"}
_ANGEL = {"code": "ANG", "description": "Angel (individual)"}


def _site(website: str) -> str:
    """How the emulator compares websites: no scheme, `www.`, or trailing `/`; lower case."""
    text = website.strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    return text.removeprefix("www.").rstrip("/")


def _exact(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _loose(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return _exact("".join(ch for ch in decomposed if not unicodedata.combining(ch)))


@dataclass
class _Company:
    index: int
    sample: SampleCompany
    pb_id: str
    people: list[_Person]

    @property
    def website(self) -> str:
        return f"www.{self.sample.domain}"  # PitchBook's form: no scheme (§2)

    def matches_exactly(self, value: str) -> bool:
        return value == self.pb_id or _exact(value) == _exact(self.sample.name) or _site(value) == _site(self.website)


@dataclass
class _Person:
    pb_id: str
    first: str
    last: str
    title: str
    company: _Company

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    params: dict[str, str]
    authorization: str
    body: Any = None


class Faults:
    """Failures to answer with, in order, before serving normally again."""

    def __init__(self):
        self._lock = threading.Lock()
        self._queue: list[dict[str, Any]] = []

    def add(
        self,
        kind: str,
        times: int = 1,
        *,
        status: int | None = None,
        retry_after: int | str | None = None,
        match: str | None = None,
    ) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault {kind!r}; one of {FAULT_KINDS}")
        with self._lock:
            self._queue.extend(
                {"kind": kind, "status": status, "retry_after": retry_after, "match": match} for _ in range(times)
            )

    def take(self, path: str) -> dict[str, Any] | None:
        with self._lock:
            for position, fault in enumerate(self._queue):
                if fault["match"] is None or fault["match"] in path:
                    return self._queue.pop(position)
        return None

    def clear(self) -> None:
        with self._lock:
            self._queue.clear()


class PitchBookEmulator(LoopbackServer):
    thread_name = "pitchbook-emulator"

    def __init__(
        self, api_key: str = "emulator-key", port: int = 0, *, sandbox: bool = False, credit_limit: int | None = None
    ):
        super().__init__(port)
        self.api_key = api_key
        self.sandbox = sandbox  # hits say `sandbox: true`, as for a sandbox key (§1)
        self.credit_limit = credit_limit
        self.faults = Faults()
        self.requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._credits: Counter[str] = Counter()
        self._calls: Counter[str] = Counter()
        self.companies: list[_Company] = []
        self.people: list[_Person] = []
        for index, sample in enumerate(COMPANIES):
            company = _Company(index, sample, company_id(index), [])
            for founder in sample.founders:
                person = _Person(person_id(len(self.people)), founder.first, founder.last, founder.title, company)
                company.people.append(person)
                self.people.append(person)
            self.companies.append(company)
        names = sorted({name for c in COMPANIES for name in c.investors})
        self.investor_ids = {name: investor_id(i) for i, name in enumerate(names)}

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def company_id_of(self, name: str) -> str:
        return next(c.pb_id for c in self.companies if c.sample.name == name)

    def person_id_of(self, full_name: str) -> str:
        return next(p.pb_id for p in self.people if p.full_name == full_name)

    # --- credit accounting ------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        with self._lock:
            return {
                "credits": {"total": sum(self._credits.values()), "byEndpoint": dict(self._credits)},
                "requests": {"total": sum(self._calls.values()), "byEndpoint": dict(self._calls)},
            }

    def reset_stats(self) -> None:
        with self._lock:
            self._credits.clear()
            self._calls.clear()
            self.requests.clear()

    def _out_of_credits(self) -> bool:
        with self._lock:
            return self.credit_limit is not None and sum(self._credits.values()) >= self.credit_limit

    def _charge(self, route: str, items: int = 1) -> None:
        credits = CREDITS.get(route, 1) * items
        if credits:
            with self._lock:
                self._credits[route] += credits

    def _log(self, request: LoggedRequest, route: str) -> None:
        with self._lock:
            self.requests.append(request)
            self._calls[route] += 1

    # --- answering --------------------------------------------------------------------------

    def answer(
        self, method: str, path: str, params: dict[str, str], authorization: str, body: Any = None
    ) -> tuple[int, dict[str, str], Any]:
        """(status, extra headers, JSON body) for one request."""
        route, pb_id = _route(method, path)
        self._log(LoggedRequest(method, path, params, authorization, body), route)
        if route == "GET /_stats":
            return 200, {}, self.stats()
        fault = self.faults.take(path)
        if fault is not None:
            return _fault_answer(fault, authorization)
        if authorization != f"PB-Token {self.api_key}":
            presented = authorization.removeprefix("PB-Token ").strip()
            return 401, {}, _error(401, f"Active API key {presented} not found")
        handler = _ROUTES.get(route)
        if handler is None:
            return 404, {}, _error(404, f"No endpoint {method} {path}")
        billable = CREDITS.get(route, 1) > 0
        if billable and self._out_of_credits():
            return 402, {}, _error(402, "Your contract has no credits left for this endpoint")
        status, payload, charged_items = handler(self, pb_id, params, body)
        if status == 200 and charged_items:
            self._charge(route, charged_items)
        return status, {}, payload

    # GET /companies/search (§2)
    def _company_search(self, _: str | None, params: dict[str, str], __: Any) -> tuple[int, Any, int]:
        values = [v.strip() for v in params.get("companyNames", "").split(",") if v.strip()]
        if not values:
            return 400, _error(400, "Give at least one search parameter (this emulator knows companyNames)"), 0
        found = [c for c in self.companies if any(c.matches_exactly(v) for v in values)]
        return self._page(params, [self._company_item(c) for c in found])

    # GET /search (§2)
    def _general_search(self, _: str | None, params: dict[str, str], __: Any) -> tuple[int, Any, int]:
        query = params.get("query", "").strip()
        if not query:
            return 400, _error(400, "query is required"), 0
        wanted = _loose(query)
        exact, partial = [], []
        for company in self.companies:
            name = _loose(company.sample.name)
            if query == company.pb_id or _site(query) == _site(company.website) or name == wanted:
                exact.append(self._entity_item(company))
            elif wanted in name:
                partial.append(self._entity_item(company))
        for person in self.people:
            name = _loose(person.full_name)
            if query == person.pb_id or name == wanted:
                exact.append(self._person_search_item(person))
            elif wanted in name:
                partial.append(self._person_search_item(person))
        return self._page(params, exact + partial)

    # GET /people/search (§4)
    def _people_search(self, _: str | None, params: dict[str, str], __: Any) -> tuple[int, Any, int]:
        raw_names = [v.strip() for v in params.get("personNames", "").split(",") if v.strip()]
        names = [_exact(v) for v in raw_names]
        firms = [v.strip() for v in params.get("firmNames", "").split(",") if v.strip()]
        first, last = _exact(params.get("firstName", "")), _exact(params.get("lastName", ""))
        if not (names or firms or first or last):
            return 400, _error(400, "Give at least one search parameter (this emulator knows personNames, "
                                    "firmNames, firstName and lastName)"), 0
        found = [
            p
            for p in self.people
            if (not names or _exact(p.full_name) in names or p.pb_id in raw_names)
            and (not firms or any(p.company.matches_exactly(f) for f in firms))
            and (not first or _exact(p.first) == first)
            and (not last or _exact(p.last) == last)
        ]
        items = [{"personId": p.pb_id, "personName": p.full_name, "firmId": p.company.pb_id, "sandbox": self.sandbox}
                 for p in found]
        return self._page(params, items)

    def _company_bio(self, pb_id: str | None, _: dict[str, str], __: Any) -> tuple[int, Any, int]:
        return self._one(self._company(pb_id), self._company_bio_dto, f"company {pb_id}")

    def _financing(self, pb_id: str | None, _: dict[str, str], __: Any) -> tuple[int, Any, int]:
        return self._one(self._company(pb_id), self._financing_dto, f"company {pb_id}")

    def _investors(self, pb_id: str | None, _: dict[str, str], __: Any) -> tuple[int, Any, int]:
        return self._one(self._company(pb_id), self._investors_dto, f"company {pb_id}")

    def _active_investors(self, pb_id: str | None, _: dict[str, str], __: Any) -> tuple[int, Any, int]:
        return self._one(self._company(pb_id), self._active_investors_dto, f"company {pb_id}")

    def _person_bio(self, pb_id: str | None, _: dict[str, str], __: Any) -> tuple[int, Any, int]:
        return self._one(self._person(pb_id), self._person_bio_dto, f"person {pb_id}")

    def _bulk_company_bio(self, _: str | None, __: dict[str, str], body: Any) -> tuple[int, Any, int]:
        return self._bulk(body, self._company, self._company_bio_dto)

    def _bulk_person_bio(self, _: str | None, __: dict[str, str], body: Any) -> tuple[int, Any, int]:
        return self._bulk(body, self._person, self._person_bio_dto)

    # GET /sandbox-entities (§1): the fixture set is what a sandbox key may query.
    def _sandbox_entities(self, _: str | None, params: dict[str, str], __: Any) -> tuple[int, Any, int]:
        kind = params.get("entityType", "COMPANIES").upper()
        if kind not in ("COMPANIES", "PEOPLE"):
            return 400, _error(400, "entityType is COMPANIES or PEOPLE in this emulator"), 0
        ids = [c.pb_id for c in self.companies] if kind == "COMPANIES" else [p.pb_id for p in self.people]
        counts = {"COMPANIES": len(self.companies), "PEOPLE": len(self.people)}
        return 200, {"entityTypeCounts": counts, kind.lower(): ids}, 1

    # GET /calls/costs (§1): this emulator's price list.
    def _call_costs(self, _: str | None, params: dict[str, str], __: Any) -> tuple[int, Any, int]:
        if params.get("pricingModel") not in ("SUBSCRIPTION", "PAY_PER_CALL", "INTEGRATION"):
            return 400, _error(400, "pricingModel is required: SUBSCRIPTION, PAY_PER_CALL or INTEGRATION"), 0
        costs = [
            {"group": route.split("/")[1].title(), "endpoint": route.split(" ", 1)[1], "initialCost": cost,
             "refreshCost": cost}
            for route, cost in CREDITS.items() if cost
        ]
        return 200, costs, 1

    # --- DTOs, named and shaped as in the sheet ----------------------------------------------

    def _company_item(self, c: _Company) -> dict[str, Any]:
        return {"companyId": c.pb_id, "companyName": c.sample.name, "sandbox": self.sandbox, "website": c.website}

    def _entity_item(self, c: _Company) -> dict[str, Any]:
        return {
            "pbId": c.pb_id,
            "name": c.sample.name,
            "sandbox": self.sandbox,
            "website": c.website,
            "pitchBookProfileLink": PROFILE.format(pb_id=c.pb_id, kind="company"),
            "primaryFirmType": {"pbId": c.pb_id, "type": "COMPANY"},
            "otherFirmTypes": [],
            "stockTicker": None,
        }

    def _person_search_item(self, p: _Person) -> dict[str, Any]:
        return {"pbId": p.pb_id, "name": p.full_name, "sandbox": self.sandbox,
                "primaryCompanyId": p.company.pb_id, "primaryCompanyName": p.company.sample.name}

    def _company_bio_dto(self, c: _Company) -> dict[str, Any]:
        s = c.sample
        return {
            "companyId": c.pb_id,
            "companyName": {"formalName": s.name, "alsoKnownAs": None, "legalName": s.name, "formerlyKnownAs": None},
            "description": s.description,
            "yearFounded": s.founded,
            "businessStatus": {"code": "GENR", "description": "Generating Revenue"},
            "ownershipStatus": {"code": "PRIVB", "description": "Privately Held (backing)"},
            "financingStatus": {"code": "VCB", "description": "Venture Capital-Backed"},
            "financingStatusNote": None,
            "employees": s.employees,
            "employeeHistory": [{"asOfDate": f"{s.last_round.date[:4]}-12-31", "employeeCount": s.employees}],
            "hqLocation": {"city": s.city, "stateProvince": None, "postCode": None, "country": s.country},
            "website": c.website,
            "totalMoneyRaised": _money(s.total_raised_usd),
            "parentCompanyId": None,
            "parentCompanyName": None,
            "universe": [{"code": "VCB", "description": "Venture Capital"}],
            "sicCodes": [],
            "exchange": None,
            "ticker": None,
            "cikCode": None,
            "companySocialURLs": {"facebookProfileUrl": None, "twitterProfileUrl": None,
                                  "linkedInProfileUrl": f"https://www.linkedin.com/company/{s.slug}"},
            "pitchBookProfileLink": PROFILE.format(pb_id=c.pb_id, kind="company"),
            "morningstarCode": None,
        }

    def _financing_dto(self, c: _Company) -> dict[str, Any]:
        r = c.sample.last_round
        deal_type, deal_type2 = _DEAL_TYPES.get(r.kind, ({"code": "OTH", "description": r.kind}, None))
        return {
            "companyId": c.pb_id,
            "lastFinancingDealId": deal_id(c.index),
            "lastFinancingDate": r.date,
            "lastFinancingStatus": {"code": "COMP", "description": "Completed"},
            "lastFinancingSize": _money(r.amount_usd),
            "lastFinancingSizeStatus": "Actual",
            "lastFinancingValuation": None,
            "lastFinancingValuationStatus": None,
            "lastFinancingDealType": deal_type,
            "lastFinancingDealType2": deal_type2,
            "lastFinancingDealType3": None,
            "lastFinancingDealClass": _VC,
            "lastKnownValuation": None,
            "lastKnownValuationDate": None,
            "lastKnownValuationDealType": None,
        }

    def _investor_types(self, name: str) -> list[dict[str, Any]]:
        kind = _ANGEL if "angel" in name.lower() else _VC
        return [{"type": kind, "primary": True}]

    def _investors_dto(self, c: _Company) -> dict[str, Any]:
        since = c.sample.last_round.date
        investors = [
            {
                "companyId": c.pb_id,
                "investorId": self.investor_ids[name],
                "investorName": name,
                "investorTypes": self._investor_types(name),
                "investorSince": since if name == c.sample.last_round.lead_investor else None,
                "investorExit": None,
                "investorStatus": {"code": "A", "description": "Active"},
            }
            for name in c.sample.investors
        ]
        return {"countAllInvestors": len(investors), "investors": investors}

    def _active_investors_dto(self, c: _Company) -> list[dict[str, Any]]:
        return [
            {"companyId": c.pb_id, "investorId": self.investor_ids[name], "investorName": name,
             "investorTypes": self._investor_types(name), "investorSince": None, "holding": "Minority"}
            for name in c.sample.investors
        ]

    def _person_bio_dto(self, p: _Person) -> dict[str, Any]:
        c = p.company
        return {
            "personId": p.pb_id,
            "personName": {"full": p.full_name, "first": p.first, "last": p.last, "middle": None, "prefix": None,
                           "suffix": None},
            "yearOfBirth": None,
            "biography": f"{p.full_name} is a co-founder and the {p.title} of {c.sample.name}.",
            "linkedInProfileUrl": None,
            "gender": None,
            "primaryEntityId": c.pb_id,
            "primaryEntityName": c.sample.name,
            "primaryEntityType": "Company",
            "primaryEntityWebsite": c.website,
            "primaryPosition": p.title,
            "primaryOffice": {
                "location": c.sample.location, "addressLine1": None, "addressLine2": None, "city": c.sample.city,
                "stateProvince": None, "postCode": None, "country": c.sample.country, "phone": None, "fax": None,
                "email": None, "globalRegion": None, "globalSubRegion": None,
            },
        }

    # --- helpers ----------------------------------------------------------------------------

    def _company(self, pb_id: str | None) -> _Company | None:
        return next((c for c in self.companies if c.pb_id == pb_id), None)

    def _person(self, pb_id: str | None) -> _Person | None:
        return next((p for p in self.people if p.pb_id == pb_id), None)

    @staticmethod
    def _one(entity: Any, dto: Any, what: str) -> tuple[int, Any, int]:
        if entity is None:
            return 404, _error(404, f"No {what}"), 0
        return 200, dto(entity), 1

    def _page(self, params: dict[str, str], items: list[dict[str, Any]]) -> tuple[int, Any, int]:
        try:
            page = max(int(params.get("page", "1")), 1)
            per_page = min(max(int(params.get("perPage", str(DEFAULT_PER_PAGE))), 1), MAX_PER_PAGE)
        except ValueError:
            return 400, _error(400, "page and perPage are numbers"), 0
        start = (page - 1) * per_page
        stats = {"total": len(items), "perPage": per_page, "page": page,
                 "lastPage": max(math.ceil(len(items) / per_page), 1)}
        return 200, {"stats": stats, "items": items[start : start + per_page]}, 1

    @staticmethod
    def _bulk(body: Any, find: Any, dto: Any) -> tuple[int, Any, int]:
        """BulkResultDto (§5): matched DTOs, unmatched FailedItemDtos, duplicates counted."""
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list) or not items:
            return 400, _error(400, 'Send {"items": [{"id": ...}]}'), 0
        seen: Counter[str] = Counter(str(i.get("id")) for i in items if isinstance(i, dict))
        matched, unmatched = [], []
        for pb_id in seen:
            entity = find(pb_id)
            if entity is None:
                unmatched.append({"id": pb_id, "reason": "404 NOT_FOUND", "message": f"No entity {pb_id}"})
            else:
                matched.append(dto(entity))
        duplicates = [{"id": pb_id, "occurrence": n} for pb_id, n in seen.items() if n > 1]
        stats = {"total": len(items), "matched": len(matched), "noData": 0, "unmatched": len(unmatched),
                 "duplicates": len(duplicates)}
        result = {"stats": stats, "matched": matched, "noData": [], "unmatched": unmatched, "duplicates": duplicates}
        return 200, result, len(matched)


_ROUTES = {
    "GET /companies/search": PitchBookEmulator._company_search,
    "GET /search": PitchBookEmulator._general_search,
    "GET /people/search": PitchBookEmulator._people_search,
    "GET /companies/{pbId}/bio": PitchBookEmulator._company_bio,
    "GET /companies/{pbId}/most-recent-financing": PitchBookEmulator._financing,
    "GET /companies/{pbId}/investors": PitchBookEmulator._investors,
    "GET /companies/{pbId}/active-investors": PitchBookEmulator._active_investors,
    "GET /people/{pbId}/bio": PitchBookEmulator._person_bio,
    "POST /companies/bio": PitchBookEmulator._bulk_company_bio,
    "POST /people/bio": PitchBookEmulator._bulk_person_bio,
    "GET /sandbox-entities": PitchBookEmulator._sandbox_entities,
    "GET /calls/costs": PitchBookEmulator._call_costs,
}
_ENTITY_PATH = re.compile(r"^/(companies|people)/([^/]+)/([a-z-]+)$")


def _route(method: str, path: str) -> tuple[str, str | None]:
    """The route template of a path ("GET /companies/{pbId}/bio") and the pbId in it."""
    if path in ("/companies/bio", "/people/bio") and method == "POST":
        return f"POST {path}", None
    found = _ENTITY_PATH.match(path)
    if found and found.group(2) not in ("search",):
        return f"{method} /{found.group(1)}/{{pbId}}/{found.group(3)}", unquote(found.group(2))
    return f"{method} {path}", None


def _error(status: int, message: str) -> dict[str, Any]:
    """ErrorDto (§1): reason is the status code, a space, and the Spring status name."""
    return {"reason": f"{status} {STATUS_NAMES.get(status, 'ERROR')}", "message": message}


def _fault_answer(fault: dict[str, Any], authorization: str) -> tuple[int, dict[str, str], Any]:
    kind = fault["kind"]
    if kind == "rate_limit":
        headers = {} if fault["retry_after"] is None else {"Retry-After": str(fault["retry_after"])}
        return 429, headers, _error(429, "Search & Update rate limit exceeded; wait until the period renews")
    if kind == "server_error":
        status = fault["status"] or 500
        return status, {}, _error(status, "Something went wrong")
    if kind == "unauthorized":
        presented = authorization.removeprefix("PB-Token ").strip()
        return 401, {}, _error(401, f"Active API key {presented} not found")
    if kind == "forbidden":
        return 403, {}, _error(403, "Your API key is not entitled to this dataset")
    return 402, {}, _error(402, "Your contract has no credits left for this endpoint")


class _Handler(BaseHTTPRequestHandler):
    server_version = "PitchBookEmulator/2.0"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def _serve(self, method: str) -> None:
        emulator: PitchBookEmulator = self.server.owner  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        body = None
        if method == "POST":
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"null")
            except ValueError:
                body = None
        status, headers, payload = emulator.answer(
            method, parts.path, params, self.headers.get("Authorization", ""), body
        )
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args) -> None:
        pass


PitchBookEmulator.handler_class = _Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve an emulated PitchBook API v2 on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--api-key", default="emulator-key")
    parser.add_argument("--credit-limit", type=int, default=None, help="answer 402 once this many credits are spent")
    args = parser.parse_args()
    emulator = PitchBookEmulator(api_key=args.api_key, port=args.port, credit_limit=args.credit_limit).start()
    print(
        f"PitchBook emulator at {emulator.base_url} (PITCHBOOK_API_URL={emulator.base_url}, "
        f"PITCHBOOK_API_KEY={args.api_key}); credits spent: {emulator.base_url}/_stats",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        emulator.stop()


if __name__ == "__main__":
    main()
