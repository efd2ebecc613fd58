"""An existing database migrates across the move of Pipeline and Pitch without losing a row."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from tests.support.worker import REPO


@pytest.fixture
def scratch_database_url(tmp_path, django_db_blocker):
    """An empty database of the engine the tests use (PostgreSQL in CI, SQLite elsewhere)."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    import psycopg

    name = f"vicbot_migration_{uuid.uuid4().hex[:8]}"
    s = connection.settings_dict
    admin = psycopg.connect(host=s["HOST"] or "localhost", port=s["PORT"] or 5432, user=s["USER"],
                            password=s["PASSWORD"] or None, dbname="postgres", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{s['USER']}@{s['HOST'] or 'localhost'}:{s['PORT'] or 5432}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_pitches_runs_and_schedules_survive_the_move_to_the_pipelines_app(scratch_database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": scratch_database_url, "REDIS_URL": "", "VICBOT_VAR_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "tests.support.migration_roundtrip"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    before, after = report["before"], report["after"]

    assert after["tables"] == ["pipelines_pipeline", "pipelines_pitch", "pipelines_pitch_runs"]
    assert after["pipeline"][0] == "default"
    assert after["schedule"] == ["vicbot.pull_pitches", True, {"pipeline_id": before["pipeline"]}]
    assert after["answered"] == ["Acme O'Brien", "written_back", "done", "Strong fit", before["runs"][0],
                                 [before["runs"][0]]]
    assert after["completion_handlers"] == ["pipelines.pitch_evaluated"] * 2
    assert after["tool_calls"] == 1
    # The run that was in flight during the deploy ends, and its answer reaches its pitch.
    assert after["after_handler"] == ["evaluated", "Possible fit", "queued"]
    assert after["state_machine_moves"] is True
    assert after["operators_can"] == [["pipelines", "view_pitch"]]
