"""Each worker process says itself that it is alive: when it is ready, every
VICBOT_WORKER_HEARTBEAT_SECONDS while it runs, and that it is gone when it shuts down.

A thread of the worker's main process, not a beat task: a beat-sent heartbeat waited in the
queue behind real work (a running worker read "no live worker" for a minute), said nothing of
a worker without beat, and a stopped worker stayed "alive" until its last report grew old.
"""

from __future__ import annotations

import logging
import threading

from celery import signals
from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)

_stop = threading.Event()
_hostname: list[str] = []  # the worker node's name, once it is ready


def _report(record, hostname: str) -> None:
    try:
        record(hostname=hostname)
    except Exception:  # a database hiccup must not stop the worker; the next beat tries again
        log.exception("worker heartbeat of %s failed", hostname)
    finally:
        connection.close()  # held by this thread only between reports, never across a fork of the pool


def _beat(hostname: str) -> None:
    from vicbot.services.heartbeats import worker_heartbeat_record

    while not _stop.wait(settings.VICBOT_WORKER_HEARTBEAT_SECONDS):
        _report(worker_heartbeat_record, hostname)


@signals.worker_ready.connect
def _worker_ready(sender=None, **kwargs) -> None:
    from vicbot.services.heartbeats import worker_heartbeat_record

    hostname = getattr(sender, "hostname", None) or "unknown"
    _hostname[:] = [hostname]
    _stop.clear()
    # Reported from a thread of its own, as every later beat: the main thread's connection stays untouched.
    first = threading.Thread(target=_report, args=(worker_heartbeat_record, hostname), name="vicbot-heartbeat-first")
    first.start()
    first.join()
    threading.Thread(target=_beat, args=(hostname,), name="vicbot-heartbeat", daemon=True).start()


@signals.worker_shutdown.connect
def _worker_shutdown(sender=None, **kwargs) -> None:
    from vicbot.services.heartbeats import worker_stopped_record

    _stop.set()
    if _hostname:
        stopping = threading.Thread(target=_report, args=(worker_stopped_record, _hostname[0]),
                                    name="vicbot-heartbeat-last")
        stopping.start()
        stopping.join()
