"""The SOQL subset Vicbot sends: a tokenizer and a recursive-descent parser (queries.py runs them).

SELECT path, … FROM Obj [WHERE cond] [ORDER BY path [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n]
cond: AND / OR (not mixed without parentheses, as in Salesforce), NOT, ( ), = != <> < <= > >=,
LIKE, [NOT] IN (…), null, true/false, numbers, strings, unquoted date and datetime literals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

_DATETIME = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?(Z|[+-]\d{2}:?\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\dT])")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?![\w.])")
_PATH = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*")
_OPERATORS = ("!=", "<>", "<=", ">=", "=", "<", ">")
_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    "%": "%",
    "_": "_",
}


class SoqlError(Exception):
    def __init__(self, code: str, message: str, position: int):
        super().__init__(message)
        self.code = code
        self.message = message
        self.position = position

    def describe(self, text: str) -> str:
        """Salesforce's message: the query line, a caret, the row and column, then the reason."""
        row = text.count("\n", 0, self.position) + 1
        line_start = text.rfind("\n", 0, self.position) + 1
        line_end = text.find("\n", self.position)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        column = self.position - line_start + 1
        return f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n{self.message}"


@dataclass(frozen=True)
class Token:
    kind: str  # path, string, number, datetime, date, op, "(", ")", ",", eof
    value: Any
    position: int
    raw: str  # the source text; for strings the still-escaped body, which LIKE needs

    def is_word(self, *words: str) -> bool:
        return self.kind == "path" and self.value.upper() in words


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "'":
            value, end = _read_string(text, i)
            tokens.append(Token("string", value, i, text[i + 1 : end - 1]))
            i = end
        elif match := _DATETIME.match(text, i):
            tokens.append(Token("datetime", _datetime_literal(match), i, match[0]))
            i = match.end()
        elif match := _DATE.match(text, i):
            tokens.append(Token("date", date.fromisoformat(match[0]), i, match[0]))
            i = match.end()
        elif match := _NUMBER.match(text, i):
            number = float(match[0]) if "." in match[0] else int(match[0])
            tokens.append(Token("number", number, i, match[0]))
            i = match.end()
        elif match := _PATH.match(text, i):
            tokens.append(Token("path", match[0], i, match[0]))
            i = match.end()
        elif operator := next((op for op in _OPERATORS if text.startswith(op, i)), None):
            tokens.append(Token("op", operator, i, operator))
            i += len(operator)
        elif char in "(),":
            tokens.append(Token(char, char, i, char))
            i += 1
        else:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: {char}", i)
    tokens.append(Token("eof", None, len(text), "<EOF>"))
    return tokens


def _read_string(text: str, start: int) -> tuple[str, int]:
    """The unescaped value of the literal opening at `start`, and the index after its closing quote."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == "'":
            return "".join(out), i + 1
        if char == "\\":
            escaped = text[i + 1 : i + 2]
            if escaped == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[i + 2 : i + 6]):
                out.append(chr(int(text[i + 2 : i + 6], 16)))
                i += 6
                continue
            if escaped not in _ESCAPES:
                raise SoqlError(
                    "MALFORMED_QUERY", f"Invalid string literal. Illegal escape sequence '\\{escaped}'", i
                )
            out.append(_ESCAPES[escaped])
            i += 2
            continue
        out.append(char)
        i += 1
    raise SoqlError("MALFORMED_QUERY", "unexpected token: <EOF>", len(text))


def _datetime_literal(match: re.Match[str]) -> datetime:
    year, month, day, hour, minute, second = (int(match[n]) for n in range(1, 7))
    millis = int((match[7] or "0").ljust(3, "0"))
    zone = match[8] if match[8] != "Z" else "+00:00"
    zone = zone if ":" in zone else f"{zone[:3]}:{zone[3:]}"
    value = datetime.fromisoformat(
        f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}{zone}"
    )
    return value.astimezone(UTC)


# -- syntax tree ----------------------------------------------------------------


@dataclass(frozen=True)
class Compare:
    path: Token
    operator: str
    value: Token


@dataclass(frozen=True)
class In:
    path: Token
    values: list[Token]
    negated: bool


@dataclass(frozen=True)
class Like:
    path: Token
    pattern: Token


@dataclass(frozen=True)
class Not:
    operand: Any


@dataclass(frozen=True)
class Junction:
    word: str  # AND or OR
    operands: list[Any]


@dataclass(frozen=True)
class OrderItem:
    path: Token
    descending: bool
    nulls_first: bool


@dataclass(frozen=True)
class Query:
    fields: list[Token]
    sobject: Token
    where: Any
    order_by: list[OrderItem]
    limit: int | None


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self) -> Token:
        return self.tokens[self.index]

    def take(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def take_word(self, *words: str) -> bool:
        if self.peek().is_word(*words):
            self.index += 1
            return True
        return False

    def expect_word(self, word: str) -> None:
        if not self.take_word(word):
            raise unexpected(self.peek())

    def expect(self, kind: str) -> Token:
        if self.peek().kind != kind:
            raise unexpected(self.peek())
        return self.take()

    def query(self) -> Query:
        self.expect_word("SELECT")
        fields = [self.expect("path")]
        while self.peek().kind == ",":
            self.take()
            fields.append(self.expect("path"))
        self.expect_word("FROM")
        sobject = self.expect("path")
        where = self.condition() if self.take_word("WHERE") else None
        order_by = []
        if self.take_word("ORDER"):
            self.expect_word("BY")
            order_by.append(self.order_item())
            while self.peek().kind == ",":
                self.take()
                order_by.append(self.order_item())
        limit = None
        if self.take_word("LIMIT"):
            token = self.expect("number")
            if not isinstance(token.value, int) or token.value < 0:
                raise unexpected(token)
            limit = token.value
        if self.peek().kind != "eof":
            raise unexpected(self.peek())
        return Query(fields, sobject, where, order_by, limit)

    def order_item(self) -> OrderItem:
        path = self.expect("path")
        descending = self.take_word("DESC")
        if not descending:
            self.take_word("ASC")
        nulls_first = not descending  # Salesforce's default
        if self.take_word("NULLS"):
            if self.take_word("FIRST"):
                nulls_first = True
            else:
                self.expect_word("LAST")
                nulls_first = False
        return OrderItem(path, descending, nulls_first)

    def condition(self) -> Any:
        operands = [self.unary()]
        word = None
        while self.peek().is_word("AND", "OR"):
            token = self.take()
            if word and token.value.upper() != word:
                raise unexpected(token)  # Salesforce requires parentheses to mix AND and OR
            word = token.value.upper()
            operands.append(self.unary())
        return Junction(word, operands) if word else operands[0]

    def unary(self) -> Any:
        if self.take_word("NOT"):
            return Not(self.unary())
        if self.peek().kind == "(":
            self.take()
            inner = self.condition()
            self.expect(")")
            return inner
        return self.comparison()

    def comparison(self) -> Any:
        path = self.expect("path")
        if self.take_word("LIKE"):
            return Like(path, self.expect("string"))
        if self.take_word("NOT"):
            self.expect_word("IN")
            return In(path, self.value_list(), negated=True)
        if self.take_word("IN"):
            return In(path, self.value_list(), negated=False)
        operator = self.expect("op")
        return Compare(path, operator.value, self.value())

    def value_list(self) -> list[Token]:
        self.expect("(")
        values = [self.value()]
        while self.peek().kind == ",":
            self.take()
            values.append(self.value())
        self.expect(")")
        return values

    def value(self) -> Token:
        token = self.take()
        if token.kind in ("string", "number", "datetime", "date") or token.is_word("NULL", "TRUE", "FALSE"):
            return token
        raise unexpected(token)


def unexpected(token: Token) -> SoqlError:
    return SoqlError("MALFORMED_QUERY", f"unexpected token: {token.raw}", token.position)


def parse(text: str) -> Query:
    return _Parser(text).query()


def like_pattern(raw: str) -> re.Pattern[str]:
    """LIKE works on the escaped source: `\\%` and `\\_` are literal, bare `%` and `_` are wildcards."""
    parts: list[str] = []
    i = 0
    while i < len(raw):
        char = raw[i]
        if char == "\\":
            length = 6 if raw[i + 1] == "u" else 2  # \uXXXX or a one-character escape
            value, _ = _read_string(f"'{raw[i : i + length]}'", 0)
            parts.append(re.escape(value))
            i += length
            continue
        parts.append(".*" if char == "%" else "." if char == "_" else re.escape(char))
        i += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
