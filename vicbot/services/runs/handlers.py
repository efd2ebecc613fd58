"""Completion handlers, registered under stable keys (like the tool registry).

A run stores its handler's key, never a module path: moving or renaming the function
must not break a run already in the database. Modules that define handlers are imported
at start-up by their app's `ready()` (or through VICBOT_EXTRA_HANDLER_MODULES), so every
process — web, worker, beat — knows the same keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from vicbot.models import Run

Handler = Callable[["Run", str], None]
Rerun = Callable[..., "Run | None"]  # rerun(run, *, confirmed_by: str) -> the new run, or None (queued)

_handlers: dict[str, Handler] = {}
_reruns: dict[str, Rerun] = {}
_answer_keys: dict[str, tuple[str, ...]] = {}


class UnknownHandler(LookupError):
    pass


class StartRefused(Exception):
    """A run's owner refused to start it now (e.g. a pipeline past its daily spend cap), saying why.

    `override_permission` ("app.codename"), when set, is the permission under which a user may
    confirm the start anyway: the caller asks that user to confirm, then passes `confirmed_by`.
    """

    def __init__(self, message: str, *, override_permission: str = ""):
        super().__init__(message)
        self.override_permission = override_permission


def register_completion_handler(
    key: str, *, rerun: Rerun | None = None, answer_keys: tuple[str, ...] = ()
) -> Callable[[Handler], Handler]:
    """Decorator: call the function as `handler(run, outcome)` when a run started with `key` ends.

    `rerun(run, confirmed_by=...)`, if given, is how an operator's "re-run" of such a run starts
    again: the app that owns the run (e.g. a pitch's) decides what a new attempt means for it, and
    may refuse with StartRefused (its rules, such as a spend cap, apply to re-runs too).
    `answer_keys` name the fields of the run's structured answer the handler reads, the headline
    first (e.g. a verdict) and then its explanation: the console shows them as the answer.
    """

    def register(function: Handler) -> Handler:
        existing = _handlers.get(key)
        if existing is not None and existing.__qualname__ != function.__qualname__:
            raise ValueError(f"Two completion handlers use the key {key!r}")
        _handlers[key] = function
        if rerun is not None:
            _reruns[key] = rerun
        if answer_keys:
            _answer_keys[key] = tuple(answer_keys)
        return function

    return register


def rerun_for(key: str) -> Rerun | None:
    return _reruns.get(key)


def run_answer_keys(run: Run) -> tuple[str, ...]:
    """The answer fields the run's completion handler reads, headline first; () when it named none."""
    return _answer_keys.get(run.completion_handler, ())


def completion_handler(key: str) -> Handler:
    try:
        return _handlers[key]
    except KeyError:
        known = ", ".join(sorted(_handlers)) or "none"
        raise UnknownHandler(f"No completion handler is registered under {key!r} (registered: {known})") from None


def completion_handler_keys() -> list[str]:
    return sorted(_handlers)
