"""Walk a declared state table against real rows: every allowed move once, and every refused one."""

from core.state_machine import StateMachine


def walk(machine: StateMachine, make_row, fields: dict[str, dict] | None = None) -> list[tuple[str, str, str]]:
    """Make each (from, to, operation) once on a fresh row in `from`; return the moves that misbehaved.

    Then, for each operation, a row in each state the operation may not start from must be
    left as it was. `make_row(state)` creates a row with the field set to `state`; `fields`
    are what an operation must write with its move (e.g. when a scheduled retry is due).
    """
    fields = fields or {}
    wrong = []
    for source, target, operation in machine.table:
        row = make_row(source)
        made = machine.apply(row.pk, operation, **fields.get(operation, {}))
        row.refresh_from_db()
        if not made or getattr(row, machine.field) != target:
            wrong.append((source, target, operation))
    for operation, move in machine.moves.items():
        for state in sorted(machine.states - move.sources):
            row = make_row(state)
            refused = not machine.apply(row.pk, operation, **fields.get(operation, {}))
            row.refresh_from_db()
            if not refused or getattr(row, machine.field) != state:
                wrong.append((state, "(refused)", operation))
    return wrong
