"""Published shutdown dates of OpenAI models, so that an assistant saved on one is warned about it.

GET /v1/models says whether a model exists, not when it goes (an emulator's says neither), so the
dates are kept here with their source. Add rows as OpenAI announces retirements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

DEPRECATIONS_PAGE = "https://developers.openai.com/api/docs/deprecations"


@dataclass(frozen=True)
class Retirement:
    shutdown: date
    source: str


# Model → shutdown date. Sources: OpenAI's deprecations page, and the SDK 3.51.0 deprecation notes
# (types/shared/chat_model.py); see ../shared/reference/openai-responses.md §1.7 and
# decks-evaluation-cost.md §4.
_TABLE: dict[str, Retirement] = {
    **{name: Retirement(date(2026, 10, 23), DEPRECATIONS_PAGE)
       for name in ("o4-mini", "o3-mini", "gpt-4.1-nano", "o1", "gpt-3.5-turbo")},
    **{name: Retirement(date(2026, 12, 11), DEPRECATIONS_PAGE)
       for name in ("gpt-5", "gpt-5-mini", "gpt-5-nano", "o3")},
    **{name: Retirement(date(2027, 1, 14), DEPRECATIONS_PAGE)
       for name in ("gpt-4.1", "gpt-4.1-mini", "gpt-4o", "gpt-4o-mini")},
    **{name: Retirement(date(2027, 4, 1), DEPRECATIONS_PAGE) for name in ("gpt-5.4-nano", "gpt-5.1")},
}

# A dated snapshot of a model (gpt-4o-2024-08-06) retires with it; gpt-5-mini is not a snapshot of gpt-5.
_SNAPSHOT = re.compile(r"^(?P<base>.+)-\d{4}-\d{2}-\d{2}$")


def model_retirement(model: str) -> Retirement | None:
    if retirement := _TABLE.get(model):
        return retirement
    if match := _SNAPSHOT.match(model):
        return _TABLE.get(match["base"])
    return None


def model_retirement_warning(model: str, *, today: date) -> str:
    """'' when no shutdown is known for `model`; otherwise a sentence for the operator."""
    retirement = model_retirement(model)
    if retirement is None:
        return ""
    when = retirement.shutdown.isoformat()
    if retirement.shutdown <= today:
        return (f"OpenAI shut the model {model!r} down on {when} ({retirement.source}): runs on it will fail; "
                "choose a current model.")
    days = (retirement.shutdown - today).days
    return (f"OpenAI shuts the model {model!r} down on {when}, in {days} days ({retirement.source}): "
            "move the assistant to a current model before then.")
