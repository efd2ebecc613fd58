"""A loopback PitchBook API with the sample companies, for tests and the offline demo.

It serves the shapes assumed in endpoints.py, checks the PB-Token, logs every request and
can be told to fail:  emu.faults.add("rate_limit", times=2, retry_after=1).

    python -m integrations.pitchbook.emulator --port 8766 --api-key demo-key
"""

from __future__ import annotations

import argparse
import json
import threading
import unicodedata
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from integrations.loopback import LoopbackServer
from integrations.pitchbook import endpoints
from integrations.sample_companies import COMPANIES, SampleCompany

FAULT_KINDS = ("rate_limit", "server_error", "unauthorized", "forbidden", "quota")


def company_id(index: int) -> str:
    return f"{10000 + 137 * index}-{(31 * index + 7) % 100:02d}"


def person_id(index: int) -> str:
    return f"{50000 + 211 * index}-{(17 * index + 3) % 100:02d}P"


def _money(amount: int) -> dict[str, Any]:
    return {"amount": amount, "currency": "USD"}


def company_record(index: int, c: SampleCompany) -> dict[str, Any]:
    return {
        "companyId": company_id(index),
        "companyName": c.name,
        "website": c.website,
        "description": c.description,
        "hqLocation": c.location,
        "primaryIndustry": c.sector,
        "yearFounded": c.founded,
        "employees": c.employees,
        "totalRaised": _money(c.total_raised_usd),
        "lastFinancingDate": c.last_round.date,
        "lastFinancingType": c.last_round.kind,
        "lastFinancingSize": _money(c.last_round.amount_usd),
        "investors": list(c.investors),
    }


def _people() -> list[dict[str, Any]]:
    people = []
    for index, c in enumerate(COMPANIES):
        for founder in c.founders:
            people.append(
                {
                    "personId": person_id(len(people)),
                    "fullName": founder.full_name,
                    "title": founder.title,
                    "companyId": company_id(index),
                    "companyName": c.name,
                }
            )
    return people


def _fold(text: str) -> str:
    """Case- and accent-insensitive form, so "zurich" finds "Zürich Quantum AG"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _domain(website: str) -> str:
    host = urlsplit(website if "//" in website else f"//{website}").hostname or ""
    return host.removeprefix("www.")


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    params: dict[str, str]
    authorization: str


class Faults:
    """Failures to answer with, in order, before serving normally again."""

    def __init__(self):
        self._lock = threading.Lock()
        self._queue: list[dict[str, Any]] = []

    def add(
        self, kind: str, times: int = 1, *, status: int | None = None, retry_after: int | str = 1
    ) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"Unknown fault {kind!r}; one of {FAULT_KINDS}")
        with self._lock:
            self._queue.extend(
                {"kind": kind, "status": status, "retry_after": retry_after} for _ in range(times)
            )

    def take(self) -> dict[str, Any] | None:
        with self._lock:
            return self._queue.pop(0) if self._queue else None


class PitchBookEmulator(LoopbackServer):
    thread_name = "pitchbook-emulator"

    def __init__(self, api_key: str = "emulator-key", port: int = 0):
        super().__init__(port)
        self.api_key = api_key
        self._lock = threading.Lock()
        self.faults = Faults()
        self.requests: list[LoggedRequest] = []
        self.companies = [company_record(i, c) for i, c in enumerate(COMPANIES)]
        self.people = _people()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def company_id_of(self, name: str) -> str:
        return next(c["companyId"] for c in self.companies if c["companyName"] == name)

    def _log(self, request: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def answer(
        self, path: str, params: dict[str, str], authorization: str
    ) -> tuple[int, dict[str, str], Any]:
        """(status, extra headers, JSON body) for one request."""
        fault = self.faults.take()
        if fault is not None:
            return _fault_answer(fault)
        if authorization != f"{endpoints.AUTH_SCHEME} {self.api_key}":
            return 401, {}, _error("UNAUTHORIZED", "Missing or invalid PB-Token")
        if path == endpoints.COMPANY_SEARCH:
            name, website = params.get("name"), params.get("website")
            if not name and not website:
                return 400, {}, _error("BAD_REQUEST", "Give name or website")
            found = [
                c
                for c in self.companies
                if (not name or _fold(name) in _fold(c["companyName"]))
                and (not website or _domain(website) == _domain(c["website"]))
            ]
            items = [{k: c[k] for k in ("companyId", "companyName", "website", "hqLocation")} for c in found]
            return 200, {}, {"stats": {"total": len(items)}, "items": items}
        if path == endpoints.PERSON_SEARCH:
            name = params.get("name")
            if not name:
                return 400, {}, _error("BAD_REQUEST", "Give name")
            found = [p for p in self.people if _fold(name) in _fold(p["fullName"])]
            return 200, {}, {"stats": {"total": len(found)}, "items": found}
        prefix = endpoints.COMPANY_DETAIL.split("{")[0]
        if path.startswith(prefix) and "/" not in path[len(prefix) :]:
            wanted = unquote(path[len(prefix) :])
            company = next((c for c in self.companies if c["companyId"] == wanted), None)
            if company is None:
                return 404, {}, _error("NOT_FOUND", f"No company {wanted}")
            return 200, {}, company
        return 404, {}, _error("NOT_FOUND", "No such endpoint")


def _error(code: str, message: str) -> dict[str, Any]:
    return {"error": {"code": code, "message": message}}


def _fault_answer(fault: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    kind = fault["kind"]
    if kind == "rate_limit":
        return 429, {"Retry-After": str(fault["retry_after"])}, _error("RATE_LIMITED", "Too many requests")
    if kind == "server_error":
        return fault["status"] or 500, {}, _error("INTERNAL", "Something went wrong")
    if kind == "unauthorized":
        return 401, {}, _error("UNAUTHORIZED", "Missing or invalid PB-Token")
    if kind == "forbidden":
        return 403, {}, _error("FORBIDDEN", "Your subscription does not include this dataset")
    return fault["status"] or 429, {}, _error("QUOTA_EXCEEDED", "Monthly API quota exhausted")


class _Handler(BaseHTTPRequestHandler):
    server_version = "PitchBookEmulator/1.0"

    def do_GET(self) -> None:
        emulator: PitchBookEmulator = self.server.owner  # type: ignore[attr-defined]
        parts = urlsplit(self.path)
        params = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        authorization = self.headers.get(endpoints.AUTH_HEADER, "")
        emulator._log(LoggedRequest("GET", parts.path, params, authorization))
        status, headers, body = emulator.answer(parts.path, params, authorization)
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args) -> None:
        pass


PitchBookEmulator.handler_class = _Handler


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve an emulated PitchBook API on 127.0.0.1.")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--api-key", default="emulator-key")
    args = parser.parse_args()
    emulator = PitchBookEmulator(api_key=args.api_key, port=args.port).start()
    print(
        f"PitchBook emulator at {emulator.base_url} (PITCHBOOK_API_URL={emulator.base_url}, "
        f"PITCHBOOK_API_KEY={args.api_key})",
        flush=True,
    )
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        emulator.stop()


if __name__ == "__main__":
    main()
