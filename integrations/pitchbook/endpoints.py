"""What Vicbot knows about PitchBook's API v2, and what it still assumes.

Written from the fact sheet `shared/reference/pitchbook-api.md` (section numbers below are
that sheet's; it cites PitchBook's published OpenAPI 3.0.1 and public clients). Facts are
stated plainly; every line marked ASSUMED is a default chosen where the sources are
silent, and is the first thing to check against a real account.

Transport (§1)
- Base URL `https://api.pitchbook.com`, paths straight off the root, no version segment
  ("v2" is the product name). ASSUMED: some code uses `https://api-v2.pitchbook.com`, so
  the base URL is a setting (PITCHBOOK_API_URL).
- Every request carries `Authorization: PB-Token <key>` (not Bearer) and
  `Accept: application/json`. Numbers in the query are sent as decimal strings.

Errors (§1, §6.7-8)
- Every operation declares 400, 402, 403, 404, 429, 500, 503, 504 with an ErrorDto body
  `{"reason": "404 NOT_FOUND", "message": ...}`; `reason` may also be the bare name.
- 401 is undeclared but happens; its message echoes the key, so it is never logged verbatim.
- 402 "Payment Required": credits exhausted, or the endpoint is outside the contract
  (inference in the sheet). Final: the client raises code `credits_exhausted`.
- 429: rate limited per class of endpoint ("... rate limit exceeded; wait until the period
  renews"). No Retry-After is documented; the client honours one if it ever appears.
- 404: no such entity. The client returns None: an answer, not an error.

Credits (§1, §6.9)
- Every data request costs credits; the cost is not visible on responses (no header or
  field is documented). `GET /calls/costs?pricingModel=` lists `initialCost`/`refreshCost`
  per endpoint, and `/calls/history` what was charged.
- 1 credit each for company bio, most-recent-financing and investors, and for people bio
  (third-party price table MD1).
- ASSUMED: a search request costs 1 (MD1 prices no search; MD2 says people search costs 1);
  only a 2xx answer is charged; a refresh costs the same as a first pull.

Still ASSUMED elsewhere (§6)
- `companyNames` is exact-match; how it compares websites is undocumented: we send the bare
  registrable domain (`acme.co.uk`), as returned `website` values look like `www.acme.com`.
- MoneyDto does not state its unit; its example and the search filters suggest millions.
  `MONEY_UNIT` says what the tools print; amounts are kept verbatim.
- No field is marked required: every field may be absent or null.
"""

from __future__ import annotations

AUTH_HEADER = "Authorization"
AUTH_SCHEME = "PB-Token"

# Searches (§2, §4): `{stats: {total, perPage, page, lastPage}, items: [...]}`.
COMPANY_SEARCH = "/companies/search"  # companyNames=<names, pbIds, websites, tickers; exact>
GENERAL_SEARCH = "/search"  # query=<one term: id, name (exact and partial), website, ticker>
PEOPLE_SEARCH = "/people/search"  # personNames=<exact>, firmNames=<names, pbIds, websites; exact>

# Single entities (§3, §4): a bare JSON object each.
COMPANY_BIO = "/companies/{pbId}/bio"
COMPANY_MOST_RECENT_FINANCING = "/companies/{pbId}/most-recent-financing"
COMPANY_INVESTORS = "/companies/{pbId}/investors"
PERSON_BIO = "/people/{pbId}/bio"

COMPANY_NAMES = "companyNames"
QUERY = "query"
PERSON_NAMES = "personNames"
FIRM_NAMES = "firmNames"
PAGE = "page"  # starts at 1
PER_PAGE = "perPage"  # 25 in the spec's examples; the maximum is undocumented

# Credits per successful request (see above; searches are ASSUMED).
CREDITS = {
    COMPANY_SEARCH: 1,
    GENERAL_SEARCH: 1,
    PEOPLE_SEARCH: 1,
    COMPANY_BIO: 1,
    COMPANY_MOST_RECENT_FINANCING: 1,
    COMPANY_INVESTORS: 1,
    PERSON_BIO: 1,
}

CREDITS_EXHAUSTED_STATUS = 402

# ASSUMED: MoneyDto.amount is in millions of `currency` (§6.10).
MONEY_UNIT = 1_000_000
