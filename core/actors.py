"""Who is acting: the user of a web request, the task a worker runs, the beat tick, a command.

Every transition row names its actor (core.models.Transition). The actor is set where the work
enters a process (a middleware, Celery's task signals, a management command) and read where a
move is made, so no service has to pass it along.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


class ActorKind:
    USER = "user"
    TASK = "task"
    TICK = "tick"
    COMMAND = "command"
    SYSTEM = "system"

    choices = [(USER, "User"), (TASK, "Task"), (TICK, "Beat tick"), (COMMAND, "Command"), (SYSTEM, "System")]


@dataclass(frozen=True)
class Actor:
    kind: str
    label: str = ""
    user_id: int | None = None
    via: str = ""  # the task that carries out a user's request (their "Evaluate again" runs in a worker)


_current: ContextVar[Actor | None] = ContextVar("core_actor", default=None)


def current_actor() -> Actor:
    """The actor set by the nearest `acting_as`; else a command run by manage.py, else the system."""
    if (actor := _current.get()) is not None:
        return actor
    if len(sys.argv) > 1 and sys.argv[0].endswith("manage.py"):
        return Actor(ActorKind.COMMAND, sys.argv[1][:150])
    return Actor(ActorKind.SYSTEM)


@contextmanager
def acting_as(kind: str, label: str = "", *, user=None) -> Iterator[Actor]:
    """Moves made inside are recorded as this actor's. `user`: a Django user (its id and name are kept)."""
    if user is not None and getattr(user, "is_authenticated", False):
        actor = Actor(kind, label or user.get_username(), user.pk)
    else:
        actor = Actor(kind, label)
    token = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(token)


def set_actor(actor: Actor | None):
    """For hooks that cannot wrap the work in a `with` (Celery's prerun/postrun): returns the reset token."""
    return _current.set(actor)


def reset_actor(token) -> None:
    _current.reset(token)


class ActorMiddleware:
    """A web request's moves are its user's (an admin action, an operator's retry...)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            with acting_as(ActorKind.USER, user=user):
                return self.get_response(request)
        with acting_as(ActorKind.SYSTEM, f"{request.method} {request.path}"[:150]):
            return self.get_response(request)
