"""A thin client of PitchBook's API v2 (what it knows and assumes: endpoints.py).

Its local emulator is sandbox.emulators.pitchbook."""

from integrations.pitchbook.client import PitchBookClient, get_client, reset_client
from integrations.pitchbook.config import PitchBookConfig
from integrations.pitchbook.credits import CreditMeter
from integrations.pitchbook.errors import CREDITS_EXHAUSTED, PitchBookError
from integrations.pitchbook.models import (
    CompanyBio,
    CompanyHit,
    EntityHit,
    Financing,
    Investor,
    Investors,
    Money,
    PersonBio,
    PersonHit,
)

__all__ = [
    "CREDITS_EXHAUSTED",
    "CompanyBio",
    "CompanyHit",
    "CreditMeter",
    "EntityHit",
    "Financing",
    "Investor",
    "Investors",
    "Money",
    "PersonBio",
    "PersonHit",
    "PitchBookClient",
    "PitchBookConfig",
    "PitchBookError",
    "get_client",
    "reset_client",
]
