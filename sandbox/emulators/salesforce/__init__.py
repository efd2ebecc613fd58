"""A local Salesforce REST emulator for the tests and the offline demo (see server.py)."""

from .schema import Field
from .server import SalesforceEmulator

__all__ = ["Field", "SalesforceEmulator"]
