"""Run the emulator as a process: ``python -m sandbox.emulators.openai --port 8765``.

Useful for running the whole product (Django, Celery workers) against it by
pointing ``OPENAI_BASE_URL`` at the printed URL.
"""

from __future__ import annotations

import argparse
import signal
import threading

from .ratelimit import DEFAULT_REQUESTS_PER_MINUTE, DEFAULT_TOKENS_PER_MINUTE
from .server import OpenAIEmulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.emulators.openai", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--api-key", default="sk-emulator")
    parser.add_argument("--webhook-url", help="where to POST response.* events")
    parser.add_argument("--webhook-secret", help="whsec_... signing secret (generated when omitted)")
    parser.add_argument("--queued-seconds", type=float, default=0.05)
    parser.add_argument("--run-seconds", type=float, default=0.2)
    parser.add_argument("--requests-per-minute", type=int, default=DEFAULT_REQUESTS_PER_MINUTE,
                        help="the x-ratelimit-limit-requests it announces")
    parser.add_argument("--tokens-per-minute", type=int, default=DEFAULT_TOKENS_PER_MINUTE,
                        help="the x-ratelimit-limit-tokens it announces")
    parser.add_argument("--flex-slowdown", type=float, default=2.0,
                        help="a flex response takes this many times as long as a standard one")
    parser.add_argument("--flex-unavailable-share", type=float, default=0.0,
                        help="share of flex creates answered 429 resource_unavailable (0-1)")
    args = parser.parse_args(argv)

    emulator = OpenAIEmulator(
        api_key=args.api_key,
        webhook_url=args.webhook_url,
        webhook_secret=args.webhook_secret,
        queued_seconds=args.queued_seconds,
        run_seconds=args.run_seconds,
        requests_per_minute=args.requests_per_minute,
        tokens_per_minute=args.tokens_per_minute,
        host=args.host,
        port=args.port,
        flex_slowdown=args.flex_slowdown,
        flex_unavailable_share=args.flex_unavailable_share,
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with emulator:
        print(emulator.base_url, flush=True)
        if args.webhook_url:
            print(f"webhook secret: {emulator.webhook_secret}", flush=True)
        stop.wait()


if __name__ == "__main__":
    main()
