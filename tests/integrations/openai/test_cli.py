"""``python -m sandbox.emulators.openai`` serves until it is terminated."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

from openai import OpenAI

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_cli_prints_its_base_url_and_serves_the_api() -> None:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.emulators.openai", "--port", str(port), "--api-key", "sk-cli"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        base_url = process.stdout.readline().strip()
        assert base_url == f"http://127.0.0.1:{port}/v1"

        with OpenAI(
            api_key="sk-cli", base_url=base_url, max_retries=0, _strict_response_validation=True
        ) as sdk:
            assert sdk.responses.create(model="gpt-5.4-mini", input="Name: Acme").status == "completed"
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0
