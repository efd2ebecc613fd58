"""Running a parsed SOQL query against the org: resolve fields, filter, sort, render rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .files import check_link_filter
from .ids import normalize_id
from .org import Org, Record
from .schema import Field, SObjectType
from .soql import Compare, In, Junction, Like, Not, SoqlError, Token, like_pattern, parse
from .wire import no_such_column, to_wire


@dataclass(frozen=True)
class _Bound:
    """A field path resolved against the schema: relationship fields, then the final field."""

    chain: tuple[Field, ...]

    @property
    def field(self) -> Field:
        return self.chain[-1]


Predicate = Callable[[Record], bool]


class _Evaluator:
    def __init__(self, org: Org, root: SObjectType):
        self.org = org
        self.root = root

    def resolve(self, token: Token) -> _Bound:
        current = self.root
        chain: list[Field] = []
        *relationships, name = token.value.split(".")
        for relationship in relationships:
            reference = current.relationship(relationship)
            if reference is None:
                raise SoqlError(
                    "INVALID_FIELD",
                    f"Didn't understand relationship '{relationship}' in field path. If you are attempting "
                    "to use a custom relationship, be sure to append the '__r' after the custom relationship "
                    "name. Please reference your WSDL or the describe call for the appropriate names.",
                    token.position,
                )
            chain.append(reference)
            current = self.org.types[reference.reference_to.lower()]
        field = current.field(name)
        if field is None:
            raise SoqlError("INVALID_FIELD", no_such_column(name, current.name), token.position)
        return _Bound((*chain, field))

    def value_of(self, record: Record | None, bound: _Bound) -> Any:
        for reference in bound.chain[:-1]:
            record = self.parent(record, reference)
        return None if record is None else record.values[bound.field.name]

    def parent(self, record: Record | None, reference: Field) -> Record | None:
        if record is None or record.values[reference.name] is None:
            return None
        parent = self.org.find(record.values[reference.name])
        return None if parent is None or parent.deleted else parent

    def filterable(self, token: Token) -> _Bound:
        bound = self.resolve(token)
        if not bound.field.filterable:
            raise SoqlError(
                "INVALID_FIELD",
                f"field '{bound.field.name}' can not be filtered in query call",
                token.position,
            )
        return bound

    def predicate(self, node: Any) -> Predicate:
        match node:
            case Junction("AND", operands):
                parts = [self.predicate(o) for o in operands]
                return lambda r: all(p(r) for p in parts)
            case Junction("OR", operands):
                parts = [self.predicate(o) for o in operands]
                return lambda r: any(p(r) for p in parts)
            case Not(operand):
                inner = self.predicate(operand)
                return lambda r: not inner(r)
            case Compare(path, operator, token):
                bound = self.filterable(path)
                literal = self.literal(bound.field, token)
                return lambda r: _compare(_key(bound.field, self.value_of(r, bound)), operator, literal)
            case In(path, tokens, negated):
                bound = self.filterable(path)
                members = {self.literal(bound.field, t) for t in tokens}
                return lambda r: (_key(bound.field, self.value_of(r, bound)) in members) != negated
            case Like(path, pattern):
                bound = self.filterable(path)
                regex = like_pattern(pattern.raw)
                return lambda r: (
                    (value := self.value_of(r, bound)) is not None and bool(regex.fullmatch(str(value)))
                )
        raise AssertionError(f"unknown node {node!r}")

    def literal(self, field: Field, token: Token) -> Any:
        """The comparable value of a literal, refused when its type does not fit the field's."""
        if token.is_word("NULL"):
            return None
        if field.type == "datetime":
            if token.kind != "datetime":
                raise _type_mismatch(field, "dateTime", quoted=False, token=token)
            return token.value
        if field.type == "boolean":
            if not token.is_word("TRUE", "FALSE"):
                raise _type_mismatch(field, "boolean", quoted=False, token=token)
            return token.value.upper() == "TRUE"
        if field.type == "double":
            if token.kind != "number":
                raise _type_mismatch(field, "double", quoted=False, token=token)
            return token.value
        if token.kind != "string":
            raise _type_mismatch(field, "string", quoted=True, token=token)
        if field.is_id:
            normalized = normalize_id(token.value)
            if normalized is None:
                raise SoqlError(
                    "INVALID_QUERY_FILTER_OPERATOR", f"invalid ID field: {token.value}", token.position
                )
            return normalized
        return _key(field, token.value)

    def render(self, record: Record, selected: list[_Bound], api_version: str) -> dict[str, Any]:
        """A query row: canonical field names, parents nested with their own `attributes` (or null)."""
        row: dict[str, Any] = {"attributes": attributes(record, api_version)}
        for bound in selected:
            target, current = row, record
            for reference in bound.chain[:-1]:
                current = self.parent(current, reference)
                if current is None:
                    target[reference.relationship_name] = None
                    break
                if not target.get(reference.relationship_name):
                    target[reference.relationship_name] = {"attributes": attributes(current, api_version)}
                target = target[reference.relationship_name]
            else:
                target[bound.field.name] = to_wire(current.values[bound.field.name])
        return row


def run_query(text: str, org: Org, *, include_deleted: bool, api_version: str) -> list[dict[str, Any]]:
    """Every row of a query, rendered as Salesforce returns them (raises SoqlError)."""
    query = parse(text)
    root = org.types.get(query.sobject.value.lower())
    if root is None:
        raise SoqlError(
            "INVALID_TYPE",
            f"sObject type '{query.sobject.value}' is not supported. If you are attempting to use a custom "
            "object, be sure to append the '__c' after the entity name. Please reference your WSDL or the "
            "describe call for the appropriate names.",
            query.sobject.position,
        )
    check_link_filter(root.name, query.where)
    evaluator = _Evaluator(org, root)
    selected = [evaluator.resolve(token) for token in query.fields]
    keep = evaluator.predicate(query.where) if query.where else (lambda record: True)
    ordering = []
    for item in query.order_by:
        bound = evaluator.resolve(item.path)
        if not bound.field.filterable:
            raise SoqlError(
                "INVALID_FIELD",
                f"field '{bound.field.name}' can not be sorted in a query call",
                item.path.position,
            )
        ordering.append((bound, item))
    records = [r for r in org.records_of(root, include_deleted=include_deleted) if keep(r)]
    # Stable sorts from the last key to the first give a multi-key sort with per-key null placement.
    for bound, item in reversed(ordering):
        keyed = [(_key(bound.field, evaluator.value_of(r, bound)), r) for r in records]
        present = sorted(
            (pair for pair in keyed if pair[0] is not None), key=lambda pair: pair[0], reverse=item.descending
        )
        missing = [pair for pair in keyed if pair[0] is None]
        records = [r for _, r in (missing + present if item.nulls_first else present + missing)]
    if query.limit is not None:
        records = records[: query.limit]
    return [evaluator.render(r, selected, api_version) for r in records]


def attributes(record: Record, api_version: str) -> dict[str, str]:
    return {
        "type": record.type.name,
        "url": f"/services/data/v{api_version}/sobjects/{record.type.name}/{record.id}",
    }


def _key(field: Field, value: Any) -> Any:
    # Text comparisons in SOQL ignore case; ids compare by their case-safe 18-character form.
    if value is None:
        return None
    if field.is_id:
        return normalize_id(value)
    if field.is_text:
        return str(value).casefold()
    return value


def _compare(left: Any, operator: str, right: Any) -> bool:
    if operator == "=":
        return left == right
    if operator in ("!=", "<>"):
        return left != right
    if left is None or right is None:
        return False
    return {"<": left < right, "<=": left <= right, ">": left > right, ">=": left >= right}[operator]


def _type_mismatch(field: Field, expected: str, *, quoted: bool, token: Token) -> SoqlError:
    quoting = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
    return SoqlError(
        "INVALID_QUERY_FILTER_OPERATOR",
        f"value of filter criterion for field '{field.name}' must be of type {expected} and {quoting}",
        token.position,
    )
