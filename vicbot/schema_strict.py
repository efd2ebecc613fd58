"""Would OpenAI's strict mode accept this JSON schema? A pure check, run when an assistant is saved.

OpenAI answers a schema it cannot use in strict mode with a 400 on every request, so
an assistant saved with one fails each run it starts. The rules, from OpenAI's
Structured Outputs guide ("Supported schemas") and the SDK's `to_strict_json_schema`:

- the root is an object (`"type": "object"`), not an `anyOf`;
- every object sets `"additionalProperties": false` and lists every property in `required`
  (an optional field is a nullable type, e.g. `["string", "null"]`, never a missing key);
- every schema names its `type`, unless it is an `anyOf` or a `$ref`;
- only the supported subset of keywords (below); `allOf`, `oneOf`, `not`, `if`/`then`/`else`,
  `minLength`/`maxLength`, `patternProperties`, … are refused;
- `$ref` points inside the schema (`#` or `#/…`) and stands alone (no sibling keywords);
- limits: at most 5,000 object properties, 10 levels of object nesting, 1,000 enum values,
  120,000 characters of property names, definition names, enum and const values, and
  15,000 characters for the values of one string enum of more than 250 values.

Where the guide is silent the check refuses (an unknown keyword is a 400 in strict mode),
so a schema that passes here is one OpenAI takes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
STRING_FORMATS = frozenset({"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"})

# Keywords every schema may carry, then those of one type.
COMMON_KEYWORDS = frozenset(
    {"type", "description", "title", "default", "enum", "const", "anyOf", "$ref", "$defs", "definitions"}
)
TYPE_KEYWORDS = {
    "object": frozenset({"properties", "required", "additionalProperties"}),
    "array": frozenset({"items", "minItems", "maxItems"}),
    "string": frozenset({"pattern", "format"}),
    "number": frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}),
    "integer": frozenset({"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}),
}
ALL_KEYWORDS = COMMON_KEYWORDS.union(*TYPE_KEYWORDS.values())

MAX_PROPERTIES = 5_000
MAX_OBJECT_DEPTH = 10
MAX_ENUM_VALUES = 1_000
MAX_TOTAL_STRING_CHARS = 120_000
LARGE_ENUM = 250
MAX_LARGE_ENUM_CHARS = 15_000


def strict_schema_problems(schema: Any) -> list[str]:
    """Every reason strict mode would refuse `schema` (empty when it would accept it), each with its path."""
    if not isinstance(schema, Mapping):
        return [f"The schema must be a JSON object, not {type(schema).__name__}."]
    problems: list[str] = []
    if "anyOf" in schema:
        problems.append("The root must be an object schema, not an anyOf.")
    elif schema.get("type") != "object":
        problems.append(f"The root must have \"type\": \"object\" (it has {schema.get('type')!r}).")
    tally = _Tally()
    problems.extend(_problems(schema, path="#", root=schema, depth=0, tally=tally))
    problems.extend(tally.problems())
    return problems


class _Tally:
    """Counts over the whole schema, for OpenAI's size limits."""

    def __init__(self) -> None:
        self.properties = 0
        self.max_depth = 0
        self.enum_values = 0
        self.string_chars = 0
        self.large_enums: list[str] = []

    def problems(self) -> Iterator[str]:
        if self.properties > MAX_PROPERTIES:
            yield f"{self.properties} object properties in all; strict mode allows at most {MAX_PROPERTIES}."
        if self.max_depth > MAX_OBJECT_DEPTH:
            yield f"Objects nest {self.max_depth} levels deep; strict mode allows at most {MAX_OBJECT_DEPTH}."
        if self.enum_values > MAX_ENUM_VALUES:
            yield f"{self.enum_values} enum values in all; strict mode allows at most {MAX_ENUM_VALUES}."
        if self.string_chars > MAX_TOTAL_STRING_CHARS:
            yield (
                f"Property names, definition names, enum and const values total {self.string_chars} characters;"
                f" strict mode allows at most {MAX_TOTAL_STRING_CHARS}."
            )
        for path in self.large_enums:
            yield (
                f"{path}: an enum of more than {LARGE_ENUM} strings may total at most {MAX_LARGE_ENUM_CHARS}"
                " characters."
            )


def _problems(node: Any, *, path: str, root: Mapping, depth: int, tally: _Tally) -> Iterator[str]:
    if not isinstance(node, Mapping):
        yield f"{path}: a schema must be a JSON object, not {type(node).__name__}."
        return
    types = _types(node)
    yield from _keyword_problems(node, types, path)

    if "$ref" in node:
        yield from _ref_problems(node, path, root)
        return  # a reference stands alone: its target is checked where it is defined
    if "type" not in node and "anyOf" not in node:
        yield f"{path}: every schema must name its \"type\" (or be an anyOf or a $ref)."
    unknown = [t for t in types if t not in TYPES]
    if unknown or ("type" in node and not types):
        yield f"{path}: unknown type {node.get('type')!r}; use {', '.join(sorted(TYPES))}."

    if "format" in node and node["format"] not in STRING_FORMATS:
        formats = ", ".join(sorted(STRING_FORMATS))
        yield f"{path}: format {node['format']!r} is not supported; use one of {formats}."

    for keyword in ("enum", "const"):
        if keyword in node:
            values = node[keyword] if keyword == "enum" else [node[keyword]]
            if keyword == "enum" and (not isinstance(node["enum"], list) or not node["enum"]):
                yield f"{path}: enum must be a non-empty list."
                continue
            strings = [v for v in values if isinstance(v, str)]
            tally.string_chars += sum(map(len, strings))
            if keyword == "enum":
                tally.enum_values += len(values)
                if len(strings) > LARGE_ENUM and sum(map(len, strings)) > MAX_LARGE_ENUM_CHARS:
                    tally.large_enums.append(path)

    if "object" in types or "properties" in node:
        tally.max_depth = max(tally.max_depth, depth + 1)
        yield from _object_problems(node, path)
        properties = node.get("properties") or {}
        if isinstance(properties, Mapping):
            tally.properties += len(properties)
            tally.string_chars += sum(len(str(key)) for key in properties)
            for key, sub in properties.items():
                yield from _problems(sub, path=f"{path}/properties/{key}", root=root, depth=depth + 1, tally=tally)

    if "items" in node:
        if isinstance(node["items"], Mapping):
            yield from _problems(node["items"], path=f"{path}/items", root=root, depth=depth, tally=tally)
        else:
            yield f"{path}/items: must be one schema (tuple forms are not supported)."

    if "anyOf" in node:
        variants = node["anyOf"]
        if not isinstance(variants, list) or not variants:
            yield f"{path}/anyOf: must be a non-empty list of schemas."
        else:
            for index, sub in enumerate(variants):
                yield from _problems(sub, path=f"{path}/anyOf/{index}", root=root, depth=depth, tally=tally)

    for keyword in ("$defs", "definitions"):
        if keyword in node:
            definitions = node[keyword]
            if not isinstance(definitions, Mapping):
                yield f"{path}/{keyword}: must map names to schemas."
                continue
            tally.string_chars += sum(len(str(name)) for name in definitions)
            for name, sub in definitions.items():
                yield from _problems(sub, path=f"{path}/{keyword}/{name}", root=root, depth=depth, tally=tally)


def _types(node: Mapping) -> list[str]:
    declared = node.get("type")
    if isinstance(declared, str):
        return [declared]
    if isinstance(declared, list) and all(isinstance(t, str) for t in declared):
        return list(declared)
    return []


def _keyword_problems(node: Mapping, types: list[str], path: str) -> Iterator[str]:
    unsupported = sorted(key for key in node if key not in ALL_KEYWORDS)
    if unsupported:
        yield f"{path}: keywords strict mode does not support: {', '.join(unsupported)}."
    if not types:
        return  # an anyOf or a $ref: their branches carry their own keywords
    allowed = COMMON_KEYWORDS.union(*(TYPE_KEYWORDS.get(t, frozenset()) for t in types))
    misplaced = sorted(key for key in node if key in ALL_KEYWORDS and key not in allowed)
    if misplaced:
        yield f"{path}: {', '.join(misplaced)} do not apply to type {node.get('type')!r}."


def _object_problems(node: Mapping, path: str) -> Iterator[str]:
    if node.get("additionalProperties") is not False:
        yield f"{path}: an object must set \"additionalProperties\": false."
    properties = node.get("properties", {})
    if not isinstance(properties, Mapping):
        yield f"{path}/properties: must map property names to schemas."
        return
    required = node.get("required", [])
    if not isinstance(required, list):
        yield f"{path}/required: must be a list of property names."
        return
    missing = [key for key in properties if key not in required]
    if missing:
        yield (
            f"{path}: every property must be listed in \"required\" (missing: {', '.join(missing)}); "
            "make an optional one nullable instead, e.g. \"type\": [\"string\", \"null\"]."
        )
    extra = [key for key in required if key not in properties]
    if extra:
        yield f"{path}: \"required\" names properties that are not defined: {', '.join(map(str, extra))}."


def _ref_problems(node: Mapping, path: str, root: Mapping) -> Iterator[str]:
    ref = node["$ref"]
    siblings = sorted(key for key in node if key != "$ref")
    if siblings:
        yield (
            f"{path}: a $ref must stand alone (found {', '.join(siblings)} beside it); "
            "move them to the definition."
        )
    if not isinstance(ref, str) or not (ref == "#" or ref.startswith("#/")):
        yield f"{path}: $ref must point inside this schema (\"#\" or \"#/$defs/…\"), not {ref!r}."
        return
    target: Any = root
    for part in ref[2:].split("/") if ref != "#" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(target, Mapping) or part not in target:
            yield f"{path}: $ref {ref!r} points at nothing in this schema."
            return
        target = target[part]
