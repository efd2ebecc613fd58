"""Log lines name the run and pitch; errors reach Sentry when SENTRY_DSN is set, and only then."""

import gzip
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from celery.signals import task_postrun, task_prerun

from config.celery_app import app
from tests.console.support import finished_run
from tests.support.commands import manage
from vicbot.models import ToolCall


def formatted(record_text: str) -> str:
    handler = next(h for h in logging.getLogger().handlers if any(
        type(f).__name__ == "LogIdsFilter" for f in h.filters))
    record = logging.LogRecord("vicbot.test", logging.INFO, __file__, 1, record_text, None, None)
    for log_filter in handler.filters:
        log_filter.filter(record)
    return handler.format(record)


@pytest.mark.django_db
def test_a_task_about_a_run_or_tool_call_logs_its_run_and_pitch_ids():
    run = finished_run(metadata={"pitch": "77", "pipeline": "default"})
    call = ToolCall.objects.filter(run=run).first()
    app.loader.import_default_modules()  # the tasks, as a worker registers them
    advance, execute = app.tasks["vicbot.run_advance"], app.tasks["vicbot.tool_call_execute"]

    task_prerun.send(sender=advance, task_id="t1", task=advance, args=[run.pk])
    assert f"[run={run.pk} pitch=77] advancing" in formatted("advancing")
    task_postrun.send(sender=advance, task_id="t1", task=advance, args=[run.pk])
    assert "[-] idle" in formatted("idle")

    task_prerun.send(sender=execute, task_id="t2", task=execute, args=[call.pk])
    assert f"[run={run.pk} pitch=77 tool_call={call.pk}] calling" in formatted("calling")
    task_postrun.send(sender=execute, task_id="t2", task=execute, args=[call.pk])


class Collector(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        Collector.received.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


def test_errors_go_to_sentry_only_when_sentry_dsn_is_set(tmp_path):
    server = HTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dsn = f"http://publickey@127.0.0.1:{server.server_port}/1"
    code = ("import sentry_sdk\n"
            "try:\n    1 / 0\nexcept ZeroDivisionError as exc:\n    sentry_sdk.capture_exception(exc)\n"
            "sentry_sdk.flush(5)\nprint('active', sentry_sdk.get_client().is_active())")
    try:
        off = manage("shell", "-c", code, env_overrides={"VICBOT_VAR_DIR": str(tmp_path), "SENTRY_DSN": ""})
        assert "active False" in off.stdout, off.stderr
        assert Collector.received == []

        on = manage("shell", "-c", code, env_overrides={"VICBOT_VAR_DIR": str(tmp_path), "SENTRY_DSN": dsn})
        assert "active True" in on.stdout, on.stderr
        events = [json.loads(line) for body in Collector.received for line in body.splitlines()
                  if line.startswith(b"{") and b'"exception"' in line]
        assert events and events[0]["exception"]["values"][0]["type"] == "ZeroDivisionError"
    finally:
        server.shutdown()
