"""A thin PitchBook API client; every assumption about the API lives in endpoints.py."""

from integrations.pitchbook.client import PitchBookClient, PitchBookError
from integrations.pitchbook.config import PitchBookConfig
from integrations.pitchbook.endpoints import Company, CompanyMatch, Money, Person

__all__ = [
    "Company",
    "CompanyMatch",
    "Money",
    "Person",
    "PitchBookClient",
    "PitchBookConfig",
    "PitchBookError",
]
