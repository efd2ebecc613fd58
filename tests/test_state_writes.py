"""Every status field moves only through its declared table (core.state_machine), like task names through one module.

The source of our packages is read (AST) for writes of a declared state field anywhere but the
state-machine kit: `.update(status=…)`, `obj.status = …`, `save(update_fields=["status"])`,
`setattr(obj, "status", …)`, and `create(status=…)` / `Model(status=…)` unless it is the field's
initial state (its default: a row is born there, it does not move there). Migrations are history.
"""

import ast
from pathlib import Path

from django.apps import apps

from core.models import Transition
from core.state_machine import StateMachine
from tests.support.worker import REPO

# Integrations cannot see our models (an import contract), nor do the emulators use them: their
# `status` is an HTTP status.
PACKAGES = ("core", "config", "tools", "vicbot", "pipelines", "console", "sandbox")
NOT_OURS = (REPO / "sandbox" / "emulators",)
KIT = REPO / "core" / "state_machine.py"
CREATING = {"create", "get_or_create", "update_or_create", "bulk_update"}


def declared_tables() -> list[StateMachine]:
    from pipelines import deck_states
    from pipelines import states as pipeline_states
    from vicbot.services import suggested_changes
    from vicbot.services.runs import lifecycles, state

    modules = (state, lifecycles, pipeline_states, deck_states, suggested_changes)
    return [value for module in modules for value in vars(module).values() if isinstance(value, StateMachine)]


def state_fields() -> dict[str, set[str]]:
    """Each declared field's name -> the initial states (defaults) a row may be created in."""
    fields: dict[str, set[str]] = {}
    for table in declared_tables():
        fields.setdefault(table.field, set()).add(str(table.model._meta.get_field(table.field).default))
    return fields


def stateful_models() -> set[str]:
    return {table.model.__name__ for table in declared_tables()}


def is_initial(value: ast.expr, initial: set[str]) -> bool:
    if isinstance(value, ast.Constant):
        return value.value in initial
    if isinstance(value, ast.Attribute):  # Pitch.Status.NEW, S.PENDING...
        return value.attr.lower() in initial
    return False


def offences_in(source: str, fields: dict[str, set[str]], models: set[str]) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(source)):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for each in ast.walk(target):
                # `self.status = …`: an object setting up its own attribute (an error's HTTP status), not a row.
                if (isinstance(each, ast.Attribute) and each.attr in fields and isinstance(each.ctx, ast.Store)
                        and not (isinstance(each.value, ast.Name) and each.value.id == "self")):
                    found.append((node.lineno, f"assigns .{each.attr}"))
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name == "setattr" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant) \
                and node.args[1].value in fields:
            found.append((node.lineno, f"setattr {node.args[1].value}"))
        for keyword in node.keywords:
            if keyword.arg == "update_fields":
                written = {each.value for each in ast.walk(keyword.value) if isinstance(each, ast.Constant)}
                if written & fields.keys():
                    found.append((node.lineno, f"save(update_fields={sorted(written & fields.keys())})"))
            if keyword.arg not in fields:
                continue
            if name == "update":
                found.append((node.lineno, f".update({keyword.arg}=…)"))
            elif (name in CREATING or name in models) and not is_initial(keyword.value, fields[keyword.arg]):
                found.append((node.lineno, f"{name}({keyword.arg}=…) in a state that is not its initial one"))
        if name == "update_or_create" or name == "get_or_create":
            for keyword in node.keywords:
                if keyword.arg in ("defaults", "create_defaults") and isinstance(keyword.value, ast.Dict):
                    keys = {k.value for k in keyword.value.keys if isinstance(k, ast.Constant)}
                    if keys & fields.keys():
                        found.append((node.lineno, f"{name}(defaults with {sorted(keys & fields.keys())})"))
    return found


def product_sources() -> list[Path]:
    return [path for package in PACKAGES if (REPO / package).is_dir() for path in (REPO / package).rglob("*.py")
            if "migrations" not in path.parts and path != KIT
            and not any(path.is_relative_to(other) for other in NOT_OURS)]


def test_no_state_field_is_written_outside_its_table():
    fields, models = state_fields(), stateful_models()
    offenders = [f"{path.relative_to(REPO)}:{line}: {what}"
                 for path in product_sources() for line, what in offences_in(path.read_text(), fields, models)]
    assert offenders == []


def test_every_status_field_of_our_models_has_a_table():
    declared = {(table.model, table.field) for table in declared_tables()}
    ours = [model for model in apps.get_models() if model.__module__.split(".")[0] in PACKAGES]
    status_like = {(model, field.name) for model in ours for field in model._meta.get_fields()
                   if field.name in ("status", "state") or field.name.endswith(("_state", "_status"))}
    status_like -= {(Transition, "from_state"), (Transition, "to_state")}  # the log's record of the moves
    assert status_like - declared == set()


def test_the_guard_finds_each_kind_of_write():
    """The guard itself: each pattern it must catch, planted in a source it reads."""
    fields, models = state_fields(), stateful_models()
    planted = '''
Run.objects.filter(pk=1).update(status="failed")
run.completion_state = "done"
run.save(update_fields=["completion_state"])
setattr(pitch, "writeback_state", "done")
ToolCall.objects.create(run=run, status=ToolCall.Status.RUNNING)
Pipeline(name="x", state=Pipeline.State.DISABLED)
PeriodicTask.objects.update_or_create(name="x", defaults={"status": "y"})
'''
    assert sorted(line for line, _ in offences_in(planted, fields, models)) == [2, 3, 4, 5, 6, 7, 8]
    allowed = '''
Run.objects.filter(status="failed").update(error_code="x")
ToolCall.objects.create(run=run, status=ToolCall.Status.PENDING)
Pitch(pipeline=p, status=Pitch.Status.NEW)
Pitch.objects.filter(Q(status=Pitch.Status.FAILED))
JsonResponse({}, status=503)
'''
    assert offences_in(allowed, fields, models) == []
