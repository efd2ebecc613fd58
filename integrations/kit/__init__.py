"""The small kit every client shares: reading `Retry-After`, and keeping one client per process."""

from integrations.kit.client_slot import ClientSlot
from integrations.kit.retry_after import MAX_RETRY_AFTER_SECONDS, retry_after_seconds

__all__ = ["MAX_RETRY_AFTER_SECONDS", "ClientSlot", "retry_after_seconds"]
