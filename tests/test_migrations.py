"""An existing database migrates without losing a row: across the move of Pipeline and Pitch, and from
main before issue 17 to today with runs in every state, those in flight finishing after the upgrade."""

import json
import os
import subprocess
import sys
import uuid

import pytest
from django.db import connection

from tests.conftest import wait_for
from tests.support.worker import REPO, CeleryWorker


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

    assert after["tables"] == ["pipelines_decision", "pipelines_deck", "pipelines_notification", "pipelines_pipeline",
                               "pipelines_pitch",
                               "pipelines_pitch_runs"]
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


@pytest.mark.worker
def test_an_upgrade_keeps_every_row_and_the_runs_in_flight_finish(scratch_database_url, tmp_path, engine_settings):
    """From main before issue 17 to every migration there is now, with rows in every state; then a
    worker on the upgraded database: the runs that were in flight during the deploy finish."""
    env = {**os.environ, **engine_settings, "DATABASE_URL": scratch_database_url, "REDIS_URL": "",
           "VICBOT_VAR_DIR": str(tmp_path)}  # its own broker (files under tmp_path): no other worker takes its tasks
    result = subprocess.run([sys.executable, "-m", "tests.support.upgrade_roundtrip"], cwd=REPO, env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    written, compare = report["written"], report["compare"]

    # Every state there was, written (the statuses as the schema before the upgrade declared them).
    assert set(written["runs"]) == set(report["statuses"]["run"]) >= {
        "pending", "waiting_model", "running_tools", "finishing", "succeeded", "failed", "cancelled", "timed_out"}
    assert len(report["statuses"]["tool_call"]) >= 7 and len(report["statuses"]["pitch"]) >= 9
    # Every row kept, every column with its value.
    assert compare["missing"] == [] and compare["columns_gone"] == [] and compare["changed"] == []
    # One row more, by design: vicbot 0019 adds a version of the default assistant (it reads decks).
    added = {"vicbot.Assistant": 1}
    assert all(before + added.get(model, 0) == after > 0 for model, (before, after) in compare["counts"].items()), \
        compare["counts"]
    assert report["unapplied"] == []
    assert report["paused_after"] == [written["paused_pipeline"]]
    assert report["paused_reason"] == "Run 0: OpenAI said 401"
    assert report["paused_state"] == "paused"  # its pause_kind ("systemic"), folded into the pipeline's state
    # Beat rows from a migrate from empty (the default pipeline's schedule) still fit their tasks.
    assert report["beat_rows_refused"] == []

    worker = CeleryWorker(env, tmp_path)
    worker.start(ping=False)
    try:
        statuses = wait_for(lambda: _ended(scratch_database_url, written["in_flight"]), timeout=120,
                            message=f"the runs in flight during the upgrade to end; see {worker.log_path}")
    finally:
        worker.stop()
    # The ones with a response waiting at OpenAI (or none yet) end with its answer; the one that was
    # running tools finishes its tools and its next turn.
    assert statuses == {pk: ("succeeded", "done") for pk in written["in_flight"]}, worker.log_path.read_text()[-3000:]


def _ended(url: str, run_ids: list[int]) -> dict | None:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        found = {pk: (status, completion) for pk, status, completion in conn.execute(
            "SELECT id, status, completion_state FROM vicbot_run WHERE id = ANY(%s)", [run_ids]).fetchall()}
    # Ended, and its completion handler called (found by the key the run stored before the upgrade): the
    # handler's own end, not the run's (a run is "pending" between the two, for as long as the machine takes).
    ended = all(status in ("succeeded", "failed", "cancelled", "timed_out") and completion in ("done", "failed")
                for status, completion in found.values())
    return found if ended and len(found) == len(run_ids) else None
