from __future__ import annotations

import pytest

from integrations.pitchbook import PitchBookClient, PitchBookConfig
from sandbox.emulators.pitchbook import PitchBookEmulator


@pytest.fixture
def emulator():
    with PitchBookEmulator(api_key="test-pb-key") as running:
        yield running


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the client asked for between retries (recorded, not slept)."""
    return []


@pytest.fixture
def client(emulator, sleeps) -> PitchBookClient:
    config = PitchBookConfig(api_key=emulator.api_key, api_url=emulator.base_url, timeout=5)
    return PitchBookClient(config, sleep=sleeps.append)
