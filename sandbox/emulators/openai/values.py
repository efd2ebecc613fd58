"""Synthesising JSON values that satisfy a JSON Schema.

The scripted model must emit tool arguments valid for each tool's ``parameters``
and final answers valid for ``text.format.schema``. Both use the subset of JSON
Schema that OpenAI's strict mode allows (objects, arrays, scalars, enums,
``anyOf``, nullable type lists, local ``$ref``). What goes *into* each slot is
decided by a ``ValueStrategy``; this module only walks the schema.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

Schema = Mapping[str, Any]

# Past this depth a recursive schema stops growing: nullable slots become null and
# arrays empty, so self-referencing schemas (trees, linked lists) still terminate.
MAX_DEPTH = 8


class ValueStrategy(Protocol):
    def string(self, name: str, schema: Schema) -> str: ...
    def choice(self, name: str, values: Sequence[Any]) -> Any: ...
    def number(self, name: str, low: float | None, high: float | None, integer: bool) -> float: ...
    def boolean(self, name: str) -> bool: ...
    def array_length(self, name: str) -> int: ...


def synthesize(schema: Any, strategy: ValueStrategy, *, name: str = "") -> Any:
    return _Walker(schema if isinstance(schema, Mapping) else {}, strategy).value(schema, name, 0)


class _Walker:
    def __init__(self, root: Schema, strategy: ValueStrategy) -> None:
        self.root = root
        self.strategy = strategy

    def value(self, schema: Any, name: str, depth: int) -> Any:
        if not isinstance(schema, Mapping):  # `true` / `{}`: anything goes, a string is fine
            return self.strategy.string(name, {})
        if "$ref" in schema:
            return self.value(self.resolve(schema["$ref"]), name, depth + 1)
        if "const" in schema:
            return schema["const"]
        if "enum" in schema:
            values = [value for value in schema["enum"] if value is not None]
            return self.strategy.choice(name, values) if values else None
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                return self.branch(schema[keyword], name, depth)
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                merged.update(self.resolve(part["$ref"]) if "$ref" in part else part)
            return self.value(merged, name, depth)

        kind = self.kind(schema)
        declared = schema.get("type")
        if kind == "null" or (isinstance(declared, list) and "null" in declared and self.leave_empty(name)):
            return None
        if kind == "object":
            properties = schema.get("properties") or {}
            return {key: self.value(sub, key, depth + 1) for key, sub in properties.items()}
        if kind == "array":
            return self.array(schema, name, depth)
        if kind in ("integer", "number"):
            return self.number(schema, name, integer=kind == "integer")
        if kind == "boolean":
            return self.strategy.boolean(name)
        return self.string(schema, name)

    def branch(self, branches: Sequence[Any], name: str, depth: int) -> Any:
        nullable = any(isinstance(b, Mapping) and b.get("type") == "null" for b in branches)
        if nullable and (depth >= MAX_DEPTH or self.leave_empty(name)):
            return None
        for candidate in branches:
            if not (isinstance(candidate, Mapping) and candidate.get("type") == "null"):
                return self.value(candidate, name, depth)
        return None

    def leave_empty(self, name: str) -> bool:
        """A strategy may leave a nullable slot null (ValueStrategy.leave_empty, optional)."""
        leave = getattr(self.strategy, "leave_empty", None)
        return bool(leave and leave(name))

    @staticmethod
    def kind(schema: Schema) -> str:
        declared = schema.get("type")
        if isinstance(declared, list):  # ["string", "null"] means an optional string
            non_null = [t for t in declared if t != "null"]
            return non_null[0] if non_null else "null"
        if declared:
            return str(declared)
        if "properties" in schema:
            return "object"
        if "items" in schema:
            return "array"
        return "string"

    def array(self, schema: Schema, name: str, depth: int) -> list[Any]:
        low = int(schema.get("minItems", 0))
        high = schema.get("maxItems")
        wanted = 0 if depth >= MAX_DEPTH else self.strategy.array_length(name)
        count = max(low, wanted if high is None else min(wanted, int(high)))
        return [self.value(schema.get("items", {}), name, depth + 1) for _ in range(count)]

    def number(self, schema: Schema, name: str, *, integer: bool) -> float:
        low = schema.get("minimum")
        high = schema.get("maximum")
        step = 1 if integer else 1e-6
        if schema.get("exclusiveMinimum") is not None:
            low = schema["exclusiveMinimum"] + step
        if schema.get("exclusiveMaximum") is not None:
            high = schema["exclusiveMaximum"] - step
        if integer:
            low = None if low is None else math.ceil(low)
            high = None if high is None else math.floor(high)
        value = self.strategy.number(name, low, high, integer)
        return int(value) if integer else value

    def string(self, schema: Schema, name: str) -> str:
        text = self.strategy.string(name, schema)
        if "maxLength" in schema:
            text = text[: int(schema["maxLength"])]
        return text.ljust(int(schema.get("minLength", 0)), ".")

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise ValueError(f"only local $ref is supported, got {ref!r}")
        node: Any = self.root
        for token in filter(None, ref[1:].split("/")):
            node = node[token.replace("~1", "/").replace("~0", "~")]
        return node
