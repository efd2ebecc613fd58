"""The emulator's HTTP server: OpenAI's Responses endpoints on a loopback socket.

Real sockets on purpose: the product talks to it through the real ``openai``
client (``base_url=emu.base_url``), so transport, headers, retries and timeouts
behave as they will in production.
"""

from __future__ import annotations

import hashlib
import random
import json
import logging
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any, NamedTuple, Self
from urllib.parse import parse_qs, urlsplit

from sandbox.loopback import NoDelayHTTPServer
from . import content, errors, ids, outcomes, wire
from .clock import Clock
from .errors import ApiError, bad_request
from .faults import Fault, Faults
from .files import FileStore
from .ratelimit import DEFAULT_REQUESTS_PER_MINUTE, DEFAULT_TOKENS_PER_MINUTE, RateLimits
from .store import FOREVER, TERMINAL, ResponseStore, StoredResponse
from .usage import PromptCache, output_tokens_of, prompt_of
from .validation import check_tool_outputs, validate_create
from .webhooks import WebhookSender, new_secret, response_event

log = logging.getLogger(__name__)

_COLLECTION = re.compile(r"^/v1/responses/?$")
_ITEM = re.compile(r"^/v1/responses/(?P<id>[^/]+)$")
_CANCEL = re.compile(r"^/v1/responses/(?P<id>[^/]+)/cancel$")
_MODELS = re.compile(r"^/v1/models/?$")
_FILES = re.compile(r"^/v1/files/?$")
_FILE = re.compile(r"^/v1/files/(?P<id>[^/]+)$")
KNOWN_MODELS = (
    "gpt-6-astra", "gpt-6.1-sol", "gpt-6-sol", "gpt-6-luna", "gpt-5.6-sol", "gpt-5.5", "gpt-5.4", "gpt-5.4-mini",
    "gpt-5.4-nano", "gpt-5", "gpt-5-mini", "gpt-5-nano", "gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o",
    "gpt-4o-mini",
)
_ADVANCER_TICK = 0.02  # seconds between checks for responses that have become terminal


class RecordedRequest(NamedTuple):
    method: str
    path: str
    body: Any  # parsed JSON, or None when there was no (valid) JSON body
    headers: dict[str, str]  # lower-cased names


@dataclass
class _Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    hold: float = 0.0  # seconds to wait before replying (delay / slow faults)
    withhold: bool = False  # never reply (a hung synchronous request), until stop()


class OpenAIEmulator:
    """A local, scriptable stand-in for ``/v1/responses``.

    Attributes tests use: ``base_url``, ``faults``, ``duplicate_webhooks``,
    ``requests``, ``create_count``, ``webhook_deliveries``, ``webhook_secret``,
    ``clock``, ``rate_limits`` (the per-minute limits its headers announce and it enforces; set
    ``rate_limits.requests_per_minute`` / ``tokens_per_minute`` to change them while
    it runs), ``flex_slowdown`` and ``flex_unavailable_share`` (see below), and ``get_response(id)``.

    Flex (``service_tier="flex"``), as OpenAI's guide describes it: "slower response times and
    occasional resource unavailability". A flex background response takes ``flex_slowdown`` times
    as long in each phase; a share ``flex_unavailable_share`` of flex creates (drawn from a seeded
    generator, so a run repeats) is answered 429 ``resource_unavailable``, nothing created nor billed.
    A response reports the tier it was served at (flex, or default for a standard request).
    """

    def __init__(
        self,
        api_key: str = "sk-emulator",
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        queued_seconds: float = 0.05,
        run_seconds: float = 0.2,
        clock: Clock | None = None,
        *,
        requests_per_minute: int = DEFAULT_REQUESTS_PER_MINUTE,
        tokens_per_minute: int = DEFAULT_TOKENS_PER_MINUTE,
        host: str = "127.0.0.1",
        port: int = 0,
        flex_slowdown: float = 2.0,
        flex_unavailable_share: float = 0.0,
    ) -> None:
        self.api_key = api_key
        self.webhook_url = webhook_url
        # OpenAI always signs; with no secret given, make one and expose it.
        self.webhook_secret = webhook_secret or new_secret()
        self.queued_seconds = queued_seconds
        self.run_seconds = run_seconds
        self.flex_slowdown = flex_slowdown
        self.flex_unavailable_share = flex_unavailable_share
        self._flex_draws = random.Random(0)
        self.clock = clock or Clock()
        self.faults = Faults()
        self.duplicate_webhooks = False
        self.requests: list[RecordedRequest] = []
        self.files = FileStore()  # /v1/files and the input_file items that name them
        self.webhook_deliveries: list[dict[str, Any]] = []
        self.create_count = 0  # POST /v1/responses received, whatever became of them
        # What GET /v1/models lists (the models of Vicbot's price table, and the older ones tests use).
        self.models: list[str] = list(KNOWN_MODELS)
        # Prompt tokens a model takes (None: no limit); a longer prompt gets 400 context_length_exceeded.
        self.context_window_tokens: int | None = None

        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._store = ResponseStore(self._announce)
        self._cache = PromptCache()
        self.rate_limits = RateLimits(requests_per_minute, tokens_per_minute)
        self._seeds: Counter[str] = Counter()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._httpd: NoDelayHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._sender: WebhookSender | None = None

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> Self:
        if self._httpd is not None or self._stopping.is_set():
            raise RuntimeError("an emulator starts once; create a new one instead")
        self._httpd = _Server((self._host, self._port), self)
        self._sender = WebhookSender(self.webhook_deliveries)
        self._sender.start()
        self.clock.subscribe(self._wake.set)
        self._threads = [
            threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},  # how long stop() waits for the loop to notice
                name="openai-emulator-http",
                daemon=True,
            ),
            threading.Thread(target=self._advance, name="openai-emulator-advancer", daemon=True),
        ]
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is None:
            return
        self._stopping.set()  # releases held replies
        self._wake.set()
        self.clock.unsubscribe(self._wake.set)
        self._httpd.shutdown()
        self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        if self._sender is not None:
            self._sender.stop()
        self._httpd = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("start() the emulator first")
        return f"http://{self._host}:{self._httpd.server_port}/v1"

    # -- introspection -------------------------------------------------------------

    def get_response(self, response_id: str) -> dict[str, Any] | None:
        """The stored response's current body, as ``GET`` would return it (or None)."""
        now = self.clock.now()
        record = self._store.get(response_id, now)
        return None if record is None else wire.response_body(record, now)

    def response_ids(self) -> list[str]:
        return self._store.ids()

    # -- request handling ----------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        started = time.monotonic()
        split = urlsplit(handler.path)
        length = int(handler.headers.get("content-length") or 0)
        raw = handler.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in handler.headers.items()}
        body = None if _FILES.match(split.path) else _parse_json(raw)
        self.requests.append(RecordedRequest(handler.command, handler.path, body, headers))
        if handler.command == "POST" and _COLLECTION.match(split.path):
            with self._lock:
                self.create_count += 1

        try:
            self._authenticate(headers.get("authorization"))
            reply = self._route(handler.command, split.path, parse_qs(split.query), raw, body,
                                content_type=headers.get("content-type", ""))
        except ApiError as error:
            reply = _Reply(error.status, error.body(), error.headers)
        except Exception as exc:  # a bug in the emulator: fail loudly but keep serving
            log.exception("OpenAI emulator failed on %s %s", handler.command, handler.path)
            reply = _Reply(500, ApiError(500, f"Emulator error: {exc!r}", type="server_error").body())

        if reply.withhold:
            self._stopping.wait()
            handler.close_connection = True
            return
        if reply.hold:
            self._stopping.wait(reply.hold)
        self._send(handler, reply, started)

    def _authenticate(self, authorization: str | None) -> None:
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or presented.strip() != self.api_key:
            raise errors.invalid_api_key(presented.strip() or None)

    def _route(self, method: str, path: str, query: dict[str, list[str]], raw: bytes, body: Any, *,
               content_type: str = "") -> _Reply:
        if _COLLECTION.match(path) and method == "POST":
            if raw and body is None:
                raise bad_request(
                    "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
                    "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was "
                    "sent was not valid JSON.)"
                )
            return self._create(body)
        if (match := _ITEM.match(path)) and method == "GET":
            if query.get("stream", ["false"])[0].lower() == "true":
                raise bad_request("The emulator does not support stream=true.", param="stream")
            return self._retrieve(match["id"])
        if (match := _ITEM.match(path)) and method == "DELETE":
            self._store.delete(match["id"])
            return _Reply(200, wire.deleted_body(match["id"]))
        if (match := _CANCEL.match(path)) and method == "POST":
            return self._cancel(match["id"])
        if _FILES.match(path) and method == "POST":
            return _Reply(200, self.files.upload(raw, content_type, self.clock.now()))
        if (match := _FILE.match(path)) and method == "GET":
            return _Reply(200, self.files.get(match["id"], self.clock.now()).body())
        if (match := _FILE.match(path)) and method == "DELETE":
            return _Reply(200, self.files.delete(match["id"], self.clock.now()))
        if _MODELS.match(path) and method == "GET":
            return _Reply(200, {"object": "list", "data": [
                {"id": model, "object": "model", "created": 1_767_225_600, "owned_by": "system"}
                for model in self.models]})
        raise errors.not_found(f"Invalid URL ({method} {path})")

    def _create(self, body: Any) -> _Reply:
        now = self.clock.now()
        metadata = body.get("metadata") if isinstance(body, dict) else None
        fault = self.faults.take("create", metadata if isinstance(metadata, dict) else None,
                                 content.input_text(body),
                                 body.get("service_tier") if isinstance(body, dict) else None)
        self._raise_http_fault(fault, body.get("model") if isinstance(body, dict) else None)
        flex = isinstance(body, dict) and body.get("service_tier") == "flex"
        if flex and self._flex_unavailable():
            raise errors.injected(429, model=str(body.get("model") or "gpt-5.4-mini"), code="resource_unavailable")

        # The model reads each input_file as its pages' text; the expanded request is what is stored,
        # so later turns of the chain read the file too (as previous_response_id carries it).
        request = self.files.expand(validate_create(body), now)
        previous = self._previous(request, now)
        chain = self._store.chain(previous.id, now) if previous else []
        check_tool_outputs(request.get("input"), chain[-1].output if chain else [])
        content.refuse_for_content(request, chain, prompt_tokens=prompt_of(request, chain).tokens,
                                   context_window=self.context_window_tokens)

        in_band = fault if fault is not None and fault.outcome else None
        kind = in_band.outcome if in_band else None
        loop = kind == "loop" or bool(previous and previous.loop)
        reply = outcomes.model_reply(request, chain, seed=self._seed(request), fault=in_band, loop=loop)
        prompt = prompt_of(request, chain)
        # Counted when the request is made, its output too (OpenAI counts its estimate of a request's
        # output then): input and output are what the benchmark's bound divides by the limit.
        if refusal := self.rate_limits.take(now, prompt.tokens + output_tokens_of(reply.output,
                                                                                  reply.reasoning_tokens)):
            # Over the limits it announces: refused before it runs, costs nothing, as OpenAI does.
            raise ApiError(429, refusal.message(str(request.get("model"))), type=refusal.kind,
                           code="rate_limit_exceeded",
                           headers={"retry-after-ms": str(max(int(refusal.retry_after * 1000), 1))})
        cache = self._cache.read_and_write(prompt, previous.prompt if previous else None)
        outcome = outcomes.decide(request, reply, prompt, cache, in_band)

        background = bool(request.get("background"))
        record = StoredResponse(
            id=ids.new_id("resp"),
            request=request,
            created_at=now,
            background=background,
            outcome=outcome,
            prompt=prompt,
            phases=self._phases(now, background, in_band, slowdown=self.flex_slowdown if flex else 1.0),
            loop=loop,
        )
        if request.get("store") is not False:  # store=false responses can never be fetched again
            self._store.add(record)

        hold = fault.delay if fault is not None and fault.delay else 0.0
        if in_band is not None and kind == "slow" and not background:
            hold += float(in_band.options["seconds"])
        return _Reply(
            200, wire.response_body(record, now), hold=hold, withhold=kind == "stuck" and not background
        )

    def _previous(self, request: dict[str, Any], now: float) -> StoredResponse | None:
        previous_id = request.get("previous_response_id")
        if not previous_id:
            return None
        previous = self._store.get(previous_id, now)
        if previous is None:
            raise bad_request(
                f"Previous response with id '{previous_id}' not found.",
                param="previous_response_id",
                code="previous_response_not_found",
            )
        status = previous.status(now)
        if status not in TERMINAL:
            raise bad_request(
                f"Previous response with id '{previous_id}' is still {status}; wait until it has finished.",
                param="previous_response_id",
            )
        return previous

    def _phases(self, now: float, background: bool, fault: Fault | None,
                slowdown: float = 1.0) -> list[tuple[str, float]]:
        kind = fault.outcome if fault else None
        if kind == "stuck":
            return [("queued" if background else "in_progress", FOREVER)]
        if not background:
            return []
        queued_until = now + self.queued_seconds * slowdown
        run = float(fault.options["seconds"]) if fault is not None and kind == "slow" else self.run_seconds * slowdown
        return [("queued", queued_until), ("in_progress", queued_until + run)]

    def _flex_unavailable(self) -> bool:
        if self.flex_unavailable_share <= 0:
            return False
        with self._lock:
            return self._flex_draws.random() < self.flex_unavailable_share

    def _seed(self, request: dict[str, Any]) -> str:
        """Stable across runs, unique per request: identical requests get a running count."""
        digest = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()
        with self._lock:
            self._seeds[digest] += 1
            return f"{digest}:{self._seeds[digest]}"

    def _retrieve(self, response_id: str) -> _Reply:
        now = self.clock.now()
        record = self._store.get(response_id, now)
        fault = self.faults.take("retrieve", record.metadata() if record else None)
        self._raise_http_fault(fault, record.request["model"] if record else None)
        record = self._store.require(response_id, now)
        return _Reply(
            200, wire.response_body(record, now), hold=fault.delay if fault and fault.delay else 0.0
        )

    def _cancel(self, response_id: str) -> _Reply:
        now = self.clock.now()
        record = self._store.get(response_id, now)
        fault = self.faults.take("cancel", record.metadata() if record else None)
        self._raise_http_fault(fault, record.request["model"] if record else None)
        record = self._store.cancel(response_id, now)
        return _Reply(
            200, wire.response_body(record, now), hold=fault.delay if fault and fault.delay else 0.0
        )

    @staticmethod
    def _raise_http_fault(fault: Fault | None, model: Any) -> None:
        if fault is not None and fault.status is not None:
            raise errors.injected(fault.status, model=str(model or "gpt-5.4-mini"), **fault.options)

    def _send(self, handler: BaseHTTPRequestHandler, reply: _Reply, started: float) -> None:
        payload = json.dumps(reply.body).encode()
        headers = {
            "content-type": "application/json",
            "content-length": str(len(payload)),
            "x-request-id": ids.request_id(),
            "openai-version": "2020-10-01",
            "openai-processing-ms": str(int((time.monotonic() - started) * 1000)),
            **self.rate_limits.headers(self.clock.now()),
            **reply.headers,
        }
        try:
            handler.send_response(reply.status)
            for name, value in headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (e.g. its timeout beat a delay fault); nothing to tell it.
            handler.close_connection = True

    # -- background progress and webhooks ------------------------------------------

    def _advance(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(_ADVANCER_TICK)
            self._wake.clear()
            self._store.settle(self.clock.now())

    def _announce(self, record: StoredResponse, status: str, at: float) -> None:
        # Read at announce time: webhook_url may be set after start() (e.g. once a live server is up).
        if self._sender is not None and self.webhook_url:
            copies = 2 if self.duplicate_webhooks else 1
            event = response_event(status, record.id, at)
            self._sender.send(self.webhook_url, self.webhook_secret, event, copies=copies)


class _Server(NoDelayHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], emulator: OpenAIEmulator) -> None:
        self.emulator = emulator
        super().__init__(address, _Handler)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the SDK's connection pool expects
    server: _Server

    def _dispatch(self) -> None:
        self.server.emulator._handle(self)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = _dispatch

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


def _parse_json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
