"""Salesforce REST integration: a thin client over simple-salesforce.

Its local emulator is sandbox.emulators.salesforce."""

from .client import SalesforceClient, get_client, reset_client, soql_literal
from .config import SalesforceConfig
from .errors import SalesforceError
from .save_result import SaveResult

__all__ = [
    "SalesforceClient",
    "SalesforceConfig",
    "SalesforceError",
    "SaveResult",
    "get_client",
    "reset_client",
    "soql_literal",
]
