"""Stand-ins for the fetcher's network boundary, the resolver."""

from __future__ import annotations

import socket


class FakeResolver:
    """Stands in for socket.getaddrinfo: call n gets answers[n] (the last one repeats)."""

    def __init__(self, *answers: list[str]):
        self.answers = answers
        self.calls: list[str] = []

    def __call__(self, host, port, family=0, type=0, proto=0, flags=0):
        self.calls.append(host)
        addresses = self.answers[min(len(self.calls), len(self.answers)) - 1]
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (a, port, 0, 0))
            if ":" in a
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in addresses
        ]


def no_dns(host, *args, **kwargs):
    raise AssertionError(f"{host!r} is an IP literal and must not be resolved")
