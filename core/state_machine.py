"""Declared state machines: one table of allowed moves per state field, applied as compare-and-set.

A table lists (from, to, operation) rows. An operation names one target state and the
states it may start from (or only self-loops: the state is checked and kept, as when a
run merely schedules its next check); applying it is a single
`UPDATE … SET field = to, … WHERE pk = … AND field IN (from, …)` that must touch one row.
So a redelivered message, a double click or two workers racing can never make a move
the table does not allow, and the loser simply learns that it lost.

Several moves can be applied in one UPDATE (a pitch's status and its write-back state
change together), so the row never shows one half of a change.

Every move that changes a state also writes a core.Transition row (object, operation, from,
to, when, actor from core.actors) in the same transaction. The from-state costs nothing when
the operation has one source; when it has several, the row is read under a row lock first
(`SELECT … FOR UPDATE`, then the UPDATE, then the INSERT: one statement more), so the state
recorded is the one the UPDATE replaced. A "stay" (an operation that only checks the state,
like a run's next poll) changes nothing and is not logged: it would be most of the log.
`apply_many` moves many rows at once (one SELECT … FOR UPDATE, one UPDATE, one INSERT).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, models, router, transaction
from django.db.models import Q
from django.utils import timezone

from core.actors import current_actor
from core.models import Transition


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

    def apply(self, pk, operation: str, *, also: Iterable[Move] = (), where: dict | None = None,
              note: str = "", **fields) -> bool:
        """Make `operation` (and the `also` moves of other fields of the same row) if the row allows it.

        `where` adds conditions (e.g. that the run still waits on the same response); `fields`
        are written in the same UPDATE; `note` says why, on the transition row. True if this call
        made the move.
        """
        return apply_moves(self.model, pk, [self[operation], *also], where=where, note=note, **fields)

    def apply_many(self, operation: str, *, where: Q | dict | None = None, skip_locked: bool = False,
                   note: str = "", **fields) -> list:
        """Make `operation` on every row matching `where` that the table allows; the pks moved.

        The rows are locked (`skip_locked`: rows another transaction holds are left to it), then
        moved in one UPDATE, and their transitions written in one INSERT.
        """
        move = self[operation]
        q = where if isinstance(where, Q) else Q(**(where or {}))
        with transaction.atomic(savepoint=False):
            rows = list(self.model.objects.select_for_update(skip_locked=skip_locked, of=("self",))
                        .filter(q, **{f"{self.field}__in": move.sources}).values_list("pk", self.field))
            if not rows:
                return []
            pks = [pk for pk, _ in rows]
            if move.target is not None:
                fields[self.field] = move.target
            _touch(self.model, fields)
            self.model.objects.filter(pk__in=pks).update(**fields)
            if move.target is not None:
                _log(self.model, [(pk, move, source) for pk, source in rows], note)
        return pks


def apply_moves(model: type[models.Model], pk, moves: Iterable[Move], *, where: dict | None = None,
                note: str = "", **fields) -> bool:
    moves = list(moves)
    conditions = dict(where or {})
    for move in moves:
        conditions[f"{move.field}__in"] = move.sources
        if move.target is not None:
            fields[move.field] = move.target
    _touch(model, fields)
    changing = [move for move in moves if move.target is not None]
    if not changing:  # a stay: nothing to log, one UPDATE as ever
        return model.objects.filter(pk=pk, **conditions).update(**fields) == 1
    with transaction.atomic(savepoint=False):
        # Known without a read: an operation with one source, or a `where` that names the state.
        named = where or {}
        sources = {move.field: str(named[move.field]) if move.field in named else next(iter(move.sources))
                   for move in changing if len(move.sources) == 1 or move.field in named}
        if unknown := [move.field for move in changing if move.field not in sources]:
            # Several possible sources: read the one the UPDATE will replace, under the row's lock.
            row = model.objects.select_for_update().filter(pk=pk, **conditions).values(*unknown).first()
            if row is None:
                return False
            sources.update(row)
        if model.objects.filter(pk=pk, **conditions).update(**fields) != 1:
            return False
        _log(model, [(pk, move, sources[move.field]) for move in changing], note)
    return True


def _touch(model: type[models.Model], fields: dict) -> None:
    if any(f.name == "updated_at" for f in model._meta.get_fields()):
        fields.setdefault("updated_at", timezone.now())


def _log(model: type[models.Model], moves: list[tuple[object, Move, str]], note: str) -> None:
    actor = current_actor()
    now = timezone.now()
    label = (f"{actor.label} via {actor.via}" if actor.via else actor.label)[:150]
    _insert_transitions([
        (model._meta.label_lower, pk, move.field, move.operation, source, move.target, now, actor.kind, actor.user_id,
         label, note[:500])
        for pk, move, source in moves
    ])


# core.Transition's columns, in the order _log gives their values.
_TRANSITION_FIELDS = ("model", "object_pk", "field", "operation", "from_state", "to_state", "at", "actor_kind",
                      "actor_user", "actor_label", "note")


def _insert_transitions(rows: list[tuple]) -> None:
    """The rows in one plain multi-row INSERT (per batch the backend allows), not bulk_create: a move's
    log row was a model instance and a compiled INSERT … RETURNING whose id nobody reads, about half of
    what the log cost the worker (16 rows per pitch). Table and columns come from the model's meta."""
    connection = connections[router.db_for_write(Transition)]
    fields = [Transition._meta.get_field(name) for name in _TRANSITION_FIELDS]
    quote = connection.ops.quote_name
    head = f"INSERT INTO {quote(Transition._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) VALUES "
    row = f"({', '.join(['%s'] * len(fields))})"
    size = max(connection.ops.bulk_batch_size(fields, rows), 1)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            batch = rows[start:start + size]
            cursor.execute(head + ", ".join([row] * len(batch)),
                           [field.get_db_prep_save(value, connection)
                            for values in batch for field, value in zip(fields, values, strict=True)])
