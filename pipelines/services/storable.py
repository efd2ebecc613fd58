"""Text PostgreSQL cannot store, made storable, with a note of what was changed.

A Salesforce record is written by a stranger. Two kinds of character in it make PostgreSQL
refuse the whole row: NUL (U+0000, refused in text columns and, as the escape \\u0000, in JSONB)
and surrogates U+D800-U+DFFF on their own (JSON may carry `\\ud800`; they are not valid UTF-8, so
neither the driver nor JSONB accepts them). Every other code point is valid UTF-8 and is kept.
A surrogate pair that arrived as two halves is joined into the character it encodes; what is
left is replaced by U+FFFD, the replacement character, so the reader sees where something was.
"""

from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable_text(text: str) -> tuple[str, str]:
    """`text` as PostgreSQL will store it, and a note of what changed ("" when nothing did)."""
    if not _UNSTORABLE.search(text):
        return text, ""
    joined = _PAIR.sub(lambda m: m.group().encode("utf-16-le", "surrogatepass").decode("utf-16-le"), text)
    nuls = joined.count("\x00")
    lone = len(_UNSTORABLE.findall(joined)) - nuls
    cleaned = _UNSTORABLE.sub(REPLACEMENT, joined)
    parts = []
    if nuls:
        parts.append(f"{nuls} NUL character{'s' if nuls != 1 else ''}")
    if lone:
        parts.append(f"{lone} lone surrogate{'s' if lone != 1 else ''}")
    pairs = len(text) - len(joined)
    note = f"{' and '.join(parts)} replaced with U+FFFD" if parts else ""
    if pairs:
        note = ", ".join(filter(None, [note, f"{pairs} split surrogate pair{'s' if pairs != 1 else ''} joined"]))
    return cleaned, note
