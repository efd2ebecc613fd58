"""How the console writes times, money and JSON: to the second, in dollars, indented."""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal

from django.utils import timezone


def when(value: datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")


def dollars(value: Decimal | float | None) -> str:
    if value is None:
        return "—"
    value = Decimal(value)
    # Runs cost fractions of a cent: keep four decimals below a dollar so they do not all read $0.00.
    return f"${value:,.4f}" if abs(value) < 1 else f"${value:,.2f}"


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f} s" if value < 60 else f"{int(value // 60)} min {int(value % 60)} s"


_ESCAPED_NEWLINE = re.compile(r"(?<!\\)\\n")


def readable_json(value) -> str:
    """pretty_json, with line breaks inside strings shown as line breaks (for reading, not parsing)."""
    return _ESCAPED_NEWLINE.sub("\n", pretty_json(value))


def pretty_json(value) -> str:
    """Text holding JSON is shown indented; anything else as it is."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=False, default=str)
