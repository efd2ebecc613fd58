"""Text extraction in a child process that is killed at a deadline and capped in memory.

pypdf and trafilatura are CPU-bound on hostile input (a 150 KB PDF of text operators took
71 s and 350 MB), and a thread cannot be stopped: the engine abandons a tool's thread at its
timeout, and the thread would go on burning the worker. A process can be killed. The child
also caps itself (RLIMIT_AS for memory, RLIMIT_CPU as a backstop should this process die
without killing it), so nothing it parses can outgrow the worker.

The child comes from a forkserver, not from fork(): the caller is a Celery prefork child
running the tool in a thread, and forking a threaded process copies locks other threads hold
(Python 3.12 warns about it). The forkserver is a fresh single-threaded interpreter that has
already imported the parsers, so an extraction costs ~45 ms of start-up (measured: the first
in a process ~0.7 s while the server starts; spawn ~0.5 s every time; fork ~13 ms). One
forkserver (~55 MB) and multiprocessing's resource tracker (~13 MB) run beside each process
that has extracted, and end with it.

At most `Limits.concurrency` children run at once in a process: a turn's tool calls run side
by side, and every Celery thread of the worker may be running a turn, so without a bound each
call brought its own child (six at once reached 796 MB; a Heroku 1x dyno has 512). A call
waits for a free slot until its caller stops waiting (`Limits.finish_by`), then gets a "busy"
error rather than a child: the worker's memory stays bounded however many calls arrive.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.process import AuthenticationString
from typing import Any

from integrations.web import documents, extract
from integrations.web.errors import WebFetchError
from integrations.web.slots import Slots

# "__main__" too: multiprocessing re-runs the parent's main script in every child unless the
# forkserver already has (for a worker that is the `celery` script, importing all of celery).
_PRELOAD = ["__main__", "integrations.web.extract", "integrations.web.documents"]
_context_lock = threading.Lock()
_context: Any = None
# How long to wait for a killed child to be reaped; a SIGKILLed process goes at once.
_REAP_SECONDS = 5.0
# Children running now in this process, against Limits.concurrency.
_child_slots = Slots()


@dataclass(frozen=True)
class Limits:
    seconds: float  # wall clock for the whole extraction, child start-up included
    memory_bytes: int  # address space the child may add to what it starts with
    max_chars: int  # text beyond this is not sent back (the fetcher cuts at it anyway)
    max_pdf_pages: int
    concurrency: int = 1  # children at once in this process; more calls wait for a slot
    # When the caller stops waiting (a time.monotonic() value): the wait for a slot ends there,
    # and the extraction does too. Without it, a slot is awaited at most `seconds`.
    finish_by: float | None = None


def extract_text(
    kind: str, body: bytes, charset: str | None, *, truncated: bool, limits: Limits
) -> tuple[str | None, str]:
    """(title, text) of an "html" or "pdf" body, extracted in a child process within `limits`.

    Raises WebFetchError when the document cannot be read: timeout (killed at the deadline),
    too_large (out of memory), busy (no child slot came free in time), or whatever the
    extractor itself refuses.
    """
    if limits.seconds <= 0:
        raise _too_slow(kind, limits)
    began = time.monotonic()
    wait_until = limits.finish_by if limits.finish_by is not None else began + limits.seconds
    if not _child_slots.acquire(limits.concurrency, timeout=wait_until - began):
        raise _busy(kind, limits, wait_until - began)
    try:
        if limits.finish_by is not None:
            # A wait for the slot used some of the caller's time: the child gets only what is left.
            seconds = min(limits.seconds, limits.finish_by - time.monotonic())
            if seconds <= 0:
                raise _busy(kind, limits, time.monotonic() - began)
            limits = replace(limits, seconds=seconds)
        return _extract_in_child(kind, body, charset, truncated, limits)
    finally:
        _child_slots.release()  # the child has been reaped by now


def read_document(kind: str, body: bytes, *, limits: Limits, max_bytes: int, cut: bool) -> documents.Document:
    """A deck's pages and text (documents.read), in a child process within `limits`, like extract_text:
    WebFetchError when it cannot be read (encrypted, corrupt, empty, too slow, too large, busy)."""
    options = {"max_pages": limits.max_pdf_pages, "max_bytes": max_bytes, "max_chars": limits.max_chars, "cut": cut}
    _, document = extract_text((kind, options), body, None, truncated=False, limits=limits)  # type: ignore[arg-type]
    return document  # type: ignore[return-value]


def _extract_in_child(
    kind: str, body: bytes, charset: str | None, truncated: bool, limits: Limits
) -> tuple[str | None, str]:
    ctx = _forkserver()
    receiver, sender = ctx.Pipe(duplex=False)
    process = None
    try:
        with _plain_multiprocessing():
            process = ctx.Process(
                target=_child,
                args=(sender, kind, body, charset, truncated, limits),
                name=f"vicbot-extract-{kind}",
                daemon=True,
            )
            process.start()
        sender.close()  # the child holds the only writer: its death ends the pipe
        message = receiver.recv() if receiver.poll(limits.seconds) else None
    except EOFError:
        message = None  # the child died without answering
    finally:
        sender.close()
        exitcode = _end(process) if process is not None else None
        receiver.close()
    if message is None:
        if exitcode in (None, -signal.SIGKILL, -signal.SIGXCPU):
            raise _too_slow(kind, limits)
        raise _crashed(kind, exitcode)
    if message[0] == "ok":
        return message[1], message[2]
    _, code, text, permanent = message
    raise WebFetchError(text, code=code, permanent=permanent)


def warm_up() -> None:
    """Start this process's forkserver now (the worker calls it as it starts), so no tool call waits
    for it: the first extraction in a fresh worker process waited up to 0.85 s. One forkserver and
    its resource tracker per process, as before: only when they start changes."""
    from multiprocessing import forkserver

    _forkserver()
    with _plain_multiprocessing():
        forkserver.ensure_running()


def _forkserver():
    global _context
    with _context_lock:
        if _context is None:
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(_PRELOAD)
            _context = ctx
        return _context


@contextlib.contextmanager
def _plain_multiprocessing() -> Iterator[None]:
    """Let multiprocessing start a child even from a Celery prefork child.

    billiard makes its own Process object multiprocessing's current process in each pool child.
    That object is daemonic, and multiprocessing refuses children to daemonic processes lest
    they be orphaned; ours cannot outlive their purpose (killed at the deadline, ended by
    RLIMIT_CPU regardless, the forkserver exits with its parent), so the flag is lifted. Its
    authkey is billiard's type, which multiprocessing will not pickle; a plain copy stands in.
    Both are put back once the child has started.
    """
    config = multiprocessing.current_process()._config  # noqa: SLF001 - no public way
    with _context_lock:
        saved = {key: config[key] for key in ("daemon", "authkey") if key in config}
        config.pop("daemon", None)
        if "authkey" in saved and type(saved["authkey"]) is not AuthenticationString:
            config["authkey"] = AuthenticationString(bytes(saved["authkey"]))
        try:
            yield
        finally:
            config.update(saved)


def _end(process: multiprocessing.process.BaseProcess) -> int | None:
    """Kill the child if it is still running and reap it: nothing is left behind.

    Returns its exit code (negative: the signal that ended it), or None if it never started.
    """
    if process.pid is None:
        return None
    if process.exitcode is None:
        try:
            process.kill()
        except ProcessLookupError:
            pass  # it ended on its own just now
    process.join(_REAP_SECONDS)
    exitcode = process.exitcode
    if exitcode is not None:
        process.close()  # frees the sentinel's file descriptor now, not at garbage collection
    return exitcode


def _child(
    sender: Connection, kind: str, body: bytes, charset: str | None, truncated: bool, limits: Limits
) -> None:
    _cap_self(limits)
    try:
        if isinstance(kind, tuple):  # a deck (read_document): a documents.Document comes back
            name, options = kind
            message: tuple[Any, ...] = ("ok", None, documents.read(name, body, **options))
        else:
            if kind == "pdf":
                title, text = extract.pdf_text(body, max_chars=limits.max_chars, max_pages=limits.max_pdf_pages)
            else:
                title, text = extract.html_text(body, charset, truncated=truncated)
            message = ("ok", title, text[: limits.max_chars + 1])
    except WebFetchError as exc:
        message = ("error", exc.code, exc.message, exc.permanent)
    except MemoryError:
        message = ("error", "too_large", _out_of_memory(kind, limits), True)
    try:
        sender.send(message)
    except MemoryError:  # pickling a large text may itself hit the cap
        sender.send(("error", "too_large", _out_of_memory(kind, limits), True))
    sender.close()


def _cap_self(limits: Limits) -> None:
    # RLIMIT_AS counts address space, which starts high (the interpreter and the preloaded
    # libraries are mapped), so the cap is what the child may add to that.
    current = _address_space_bytes()
    if current is not None:
        cap = current + limits.memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    # The parent kills the child at the deadline; this ends it even if the parent cannot.
    cpu = math.ceil(limits.seconds) + 1
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))


def _address_space_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None  # not Linux: no memory cap, the deadline still holds


def _too_slow(kind: str, limits: Limits) -> WebFetchError:
    return WebFetchError(
        f"Reading the text of this {_what(kind)} took longer than {max(limits.seconds, 0):.0f} s and was "
        "stopped; the document is too complex to read",
        code="timeout",
        permanent=True,
    )


def _out_of_memory(kind: str, limits: Limits) -> str:
    return (
        f"Reading the text of this {_what(kind)} needed more than {limits.memory_bytes // 2**20} MB "
        "and was stopped"
    )


def _busy(kind: str, limits: Limits, waited: float) -> WebFetchError:
    return WebFetchError(
        f"The {_what(kind)} was downloaded, but this worker was already reading {max(limits.concurrency, 1)} "
        f"other document(s) and none finished within the {max(waited, 0):.0f} s there was to wait",
        code="busy",
        permanent=False,
    )


def _crashed(kind: str, exitcode: int | None) -> WebFetchError:
    # A parser in C (lxml) may abort rather than raise when it runs out of memory.
    return WebFetchError(
        f"Reading the text of this {_what(kind)} failed (the reader stopped with code {exitcode}); "
        "it may be too large or malformed",
        code="too_large",
        permanent=True,
    )


def _what(kind) -> str:
    if isinstance(kind, tuple):
        return "deck"
    return "PDF" if kind == "pdf" else "page"
