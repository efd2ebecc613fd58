"""Beat watches the workers: it is the one process that still runs when none of them does.

The tick's check (notifications.worker_silence_check) runs in a worker, and its message is sent by
a worker: with every worker down, nobody runs the check and nobody would send it. Beat (exactly one,
a process of its own: Procfile) checks too, every VICBOT_WORKER_HEARTBEAT_SECONDS, from a thread of
its own, and sends the message itself; at most one per interval either way (notification_send).
A beat embedded in a worker (`worker --beat`: the demo, the tests' session worker) watches as well,
but stops with that worker: only a beat of its own can tell of a fleet that is gone.
"""

from __future__ import annotations

import logging
import threading

from celery import signals
from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

_stop = threading.Event()


def _watch() -> None:
    from pipelines.services.notifications import worker_silence_watch

    while not _stop.wait(settings.VICBOT_WORKER_HEARTBEAT_SECONDS):
        try:
            worker_silence_watch()
        except Exception:  # a database or webhook hiccup must not stop beat; the next check tries again
            log.exception("beat's check for a live worker failed")
        finally:
            connection.close()  # this thread's own, never held between checks


@signals.beat_init.connect
def _beat_init(sender=None, **kwargs) -> None:
    _stop.clear()
    threading.Thread(target=_watch, name="vicbot-worker-watch", daemon=True).start()
