"""A fresh process builds what a lone pitch's first turn and first webhook would otherwise wait for: the worker
at its start (worker_init) the SDK's models of a reply, the web process as it boots the webhooks verifier.
Each is checked in a fresh interpreter, as a new dyno starts (this process has built them long ago)."""

import json
import os
import subprocess
import sys

from tests.support.worker import REPO

PROBE = """
import json, sys
import django
django.setup()
{start}
from openai.types.responses import Response
print(json.dumps({{"reply_models_built": Response.__pydantic_complete__,
                   "webhooks_resource": "openai.resources.webhooks" in sys.modules}}))
"""


def fresh(start: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "OPENAI_API_KEY": "sk-warm-test"}
    result = subprocess.run([sys.executable, "-c", PROBE.format(start=start)], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_nothing_is_built_before_a_process_starts_work():
    assert fresh("")["reply_models_built"] is False  # what the two below build is really built lazily


def test_a_worker_builds_the_sdks_reply_models_before_its_first_turn():
    # worker_init's receiver, as Celery calls it before the pool starts.
    assert fresh("from vicbot.tasks import _warm_up; _warm_up()")["reply_models_built"] is True


def test_the_web_process_builds_the_webhooks_verifier_as_it_boots():
    assert fresh("import config.wsgi")["webhooks_resource"] is True
