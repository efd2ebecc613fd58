"""What reaches the broker: every message kombu pushes into Redis, read off Redis itself (MONITOR), so a
test sees what a worker would take, and in which order, whichever process sent it and whoever consumes it."""

import re
import threading
from urllib.parse import urlsplit

import redis

PUSH = re.compile(r"^LPUSH (?P<queue>\S+) (?P<message>.*)$", re.DOTALL)


class BrokerPushes:
    """(task name, first argument, priority) of every message pushed to the broker's Redis database, in order."""

    def __init__(self, url: str):
        self.db = int(urlsplit(url).path.strip("/") or 0)
        self.client = redis.Redis.from_url(url)
        self.seen: list[tuple[str, int, int]] = []
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)

    def __enter__(self):
        self._thread.start()
        self._started.wait(10)
        return self

    def __exit__(self, *exc):
        self.client.close()  # ends the MONITOR stream: its thread stops on the closed connection

    def _listen(self):
        try:
            with self.client.monitor() as monitor:
                self._started.set()
                for command in monitor.listen():
                    if command["db"] == self.db and (push := PUSH.match(command["command"])):
                        self._note(push["message"])
        except (redis.ConnectionError, ValueError, AttributeError):
            return  # closed by __exit__

    def _note(self, message: str) -> None:
        task = re.search(r'"task": "([\w.]+)"', message)
        first = re.search(r'"argsrepr": "[\[(](\d+)', message)
        priority = re.search(r'"priority": (\d+)', message)
        if task and first and priority:
            self.seen.append((task.group(1), int(first.group(1)), int(priority.group(1))))
