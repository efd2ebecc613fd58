"""`python -m sandbox.emulators.salesforce --port 0`: run the emulator until killed.

Prints the settings a separate process (a Celery worker, the demo) needs to reach it in
direct mode, one `NAME=value` line each.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import threading

from .server import DEFAULT_ACCESS_TOKEN, SalesforceEmulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox.emulators.salesforce", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--access-token", default=DEFAULT_ACCESS_TOKEN)
    parser.add_argument("--page-size", type=int, default=2000)
    args = parser.parse_args(argv)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with SalesforceEmulator(
        args.access_token, host=args.host, port=args.port, page_size=args.page_size
    ) as emulator:
        print(f"SALESFORCE_INSTANCE_URL={emulator.instance_url}")
        print(f"REQUESTS_CA_BUNDLE={emulator.ca_bundle}")
        print(f"SALESFORCE_ACCESS_TOKEN={emulator.access_token}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
