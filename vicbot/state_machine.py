"""Declared state machines: one table of allowed moves per state field, applied as compare-and-set.

A table lists (from, to, operation) rows. An operation names one target state and the
states it may start from (or only self-loops: the state is checked and kept, as when a
run merely schedules its next check); applying it is a single
`UPDATE … SET field = to, … WHERE pk = … AND field IN (from, …)` that must touch one row.
So a redelivered message, a double click or two workers racing can never make a move
the table does not allow, and the loser simply learns that it lost.

Several moves can be applied in one UPDATE (a pitch's status and its write-back state
change together), so the row never shows one half of a change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import models
from django.utils import timezone


class MoveNotAllowed(ValueError):
    """An operation was asked for that the table does not have (a programming error)."""


@dataclass(frozen=True)
class Move:
    field: str
    operation: str
    sources: frozenset[str]
    target: str | None  # None: the state stays as it is (the move only checks it and writes `fields`)


class StateMachine:
    def __init__(self, model: type[models.Model], field: str, table: Iterable[tuple[str, str, str]]):
        self.model = model
        self.field = field
        self.table = tuple((str(a), str(b), op) for a, b, op in table)
        rows: dict[str, list[tuple[str, str]]] = {}
        for source, target, operation in self.table:
            rows.setdefault(operation, []).append((source, target))
        self.moves = {op: self._move(op, pairs) for op, pairs in rows.items()}

    def _move(self, operation: str, pairs: list[tuple[str, str]]) -> Move:
        sources = frozenset(source for source, _ in pairs)
        if all(source == target for source, target in pairs):
            return Move(self.field, operation, sources, None)  # "stay": e.g. check again later
        targets = {target for _, target in pairs}
        if len(targets) != 1:
            raise ValueError(f"{self.model.__name__}.{self.field}: operation {operation!r} must have one target")
        return Move(self.field, operation, sources, targets.pop())

    def __getitem__(self, operation: str) -> Move:
        try:
            return self.moves[operation]
        except KeyError:
            raise MoveNotAllowed(f"{self.model.__name__}.{self.field} has no operation {operation!r}") from None

    def allows(self, source: str, target: str) -> bool:
        return any(a == source and b == target for a, b, _ in self.table)

    @property
    def states(self) -> set[str]:
        return {state for a, b, _ in self.table for state in (a, b)}

    def apply(self, pk, operation: str, *, also: Iterable[Move] = (), where: dict | None = None, **fields) -> bool:
        """Make `operation` (and the `also` moves of other fields of the same row) if the row allows it.

        `where` adds conditions (e.g. that the run still waits on the same response); `fields`
        are written in the same UPDATE. True if this call made the move.
        """
        return apply_moves(self.model, pk, [self[operation], *also], where=where, **fields)


def apply_moves(model: type[models.Model], pk, moves: Iterable[Move], *, where: dict | None = None,
                **fields) -> bool:
    conditions = dict(where or {})
    for move in moves:
        conditions[f"{move.field}__in"] = move.sources
        if move.target is not None:
            fields[move.field] = move.target
    if any(f.name == "updated_at" for f in model._meta.get_fields()):
        fields.setdefault("updated_at", timezone.now())
    return model.objects.filter(pk=pk, **conditions).update(**fields) == 1
