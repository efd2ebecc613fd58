from __future__ import annotations

import pytest

from integrations.web import WebFetchConfig
from sandbox.sample_sites import SampleSites


@pytest.fixture
def sites():
    with SampleSites() as running:
        yield running


@pytest.fixture
def config(sites: SampleSites) -> WebFetchConfig:
    """The sample sites allow-listed; everything else as in production, with short timeouts."""
    return WebFetchConfig(private_allowlist=(sites.host_port,), connect_timeout=2, total_timeout=5)
