"""How the console writes times, money, counts and JSON, one way on every page.

Times: "2026-12-06 14:05 UTC" (to the minute, always with the zone). Money: cents in lists
($0.60), full precision on a detail page ($0.5988). Counts: thousands separators (12,345).
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from decimal import Decimal

from django.utils import timezone


# Django's own date format for the same shape (console/formats/en/formats.py uses it for the admin's
# lists and read-only fields).
DJANGO_DATETIME_FORMAT = "Y-m-d H:i T"


def when(value: datetime | None) -> str:
    if value is None:
        return "—"
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")


def dollars(value: Decimal | float | None) -> str:
    """Money in a list: to the cent ($0.60). A positive sum below a cent says so rather than $0.00."""
    if value is None:
        return "—"
    value = Decimal(value)
    if 0 < value < Decimal("0.005"):
        return "<$0.01"
    return f"${value:,.2f}"


def dollars_exact(value: Decimal | float | None) -> str:
    """Money on a detail page: to the hundredth of a cent below a dollar ($0.5988), cents above."""
    if value is None:
        return "—"
    value = Decimal(value)
    # Runs cost fractions of a cent: four decimals below a dollar so they do not all read $0.00;
    # a turn can cost less than a hundredth of a cent: then to the micro-dollar (costs are kept to
    # it), never $0.0000 for a cost that is not nothing.
    if 0 < abs(value) < Decimal("0.0001"):
        return f"${value:.6f}"
    return f"${value:,.4f}" if abs(value) < 1 else f"${value:,.2f}"


def number(value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,}"


def seconds(value: float | None) -> str:
    if value is None:
        return "—"
    if value < 60:
        return f"{value:.1f} s"
    if value < 3600:
        return f"{int(value // 60)} min {int(value % 60)} s"
    if value < 86400:
        return f"{int(value // 3600)} h {int(value % 3600 // 60)} min"
    return f"{int(value // 86400)} d {int(value % 86400 // 3600)} h"


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
