"""A faithful local emulator of the OpenAI Responses API (background mode, tool
loops, cancel, Standard-Webhooks events, fault injection) for offline tests.

    with OpenAIEmulator(webhook_url=...) as emu:
        client = OpenAI(api_key=emu.api_key, base_url=emu.base_url)

It depends on the standard library only, so it can run anywhere the tests do.
"""

from .clock import Clock
from .faults import Fault, Faults
from .server import OpenAIEmulator, RecordedRequest

__all__ = ["Clock", "Fault", "Faults", "OpenAIEmulator", "RecordedRequest"]
