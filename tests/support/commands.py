"""Running manage.py as a separate process, as an operator would (fresh settings from its environment)."""

import os
import subprocess
import sys

from tests.support.worker import REPO


def manage(*args, env_overrides, timeout=120):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY")}
    return subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env={**env, **env_overrides},
                          capture_output=True, text=True, timeout=timeout)
