"""Salesforce record ids: key prefix + pod + serial, and the 3-character case-safe suffix."""

from __future__ import annotations

import re
import string

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_SUFFIX_ALPHABET = string.ascii_uppercase + "012345"
# Real ids carry mixed-case letters (so the case-safe suffix matters); serials count up from here.
_SERIAL_START = sum(_BASE62.index(c) * 62**i for i, c in enumerate(reversed("00RmQa000")))
_ID_SHAPE = re.compile(r"[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?")


def make_id(key_prefix: str, serial: int) -> str:
    """An 18-character id like `0015g00000AbCdEAAV` (prefix, pod "5g", reserved "0", base-62 serial)."""
    digits = ""
    serial += _SERIAL_START
    while serial:
        serial, rest = divmod(serial, 62)
        digits = _BASE62[rest] + digits
    return case_safe(key_prefix + "5g0" + digits.rjust(9, "0"))


def case_safe(id15: str) -> str:
    """Append the suffix that encodes which of the 15 characters are upper case."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << i for i, char in enumerate(id15[start : start + 5]) if char.isupper())
        suffix += _SUFFIX_ALPHABET[bits]
    return id15 + suffix


def normalize_id(value: object) -> str | None:
    """The 18-character form of a 15- or 18-character id, or None if it is not shaped like one."""
    if not isinstance(value, str) or not _ID_SHAPE.fullmatch(value):
        return None
    return case_safe(value[:15])


def custom_key_prefix(index: int) -> str:
    return "a0" + _BASE62[index]
