"""A fresh install has the defaults the README documents: an empty database is migrated as the release phase
does, and every row of the README's "What a fresh install's `migrate` makes" table is checked against it."""

import json
import os
import re
import subprocess
import sys

import pytest

from tests.support.worker import REPO
from tests.test_migrations import scratch_database_url  # noqa: F401 - the fixture: an empty database

ROW = re.compile(r"^\| `(?P<name>[\w-]+)` (?P<kind>pipeline|assistant) \| `(?P<field>[\w.]+)` \| (?P<default>.+) \|$")


def readme_defaults() -> dict[str, object]:
    """`kind:name:field` → the documented value: the first `literal` of the cell read as JSON, or blank."""
    rows = {}
    for line in (REPO / "README.md").read_text().splitlines():
        if not (match := ROW.match(line)):
            continue
        cell = match["default"]
        if cell.startswith("blank"):
            documented = "blank"
        else:
            documented = json.loads(re.match(r"`([^`]+)`", cell).group(1))
        rows[f"{match['kind']}:{match['name']}:{match['field']}"] = documented
    return rows


def test_the_readme_documents_the_default_pipelines_cap_and_the_assistant():
    rows = readme_defaults()
    assert rows["pipeline:default:max_in_flight"] == "blank"
    assert {key.split(":")[0] for key in rows} == {"pipeline", "assistant"}
    assert len(rows) >= 15


def test_a_fresh_install_has_every_documented_default(scratch_database_url, tmp_path):  # noqa: F811
    documented = readme_defaults()
    env = {key: value for key, value in os.environ.items()
           if key not in ("SALESFORCE_PITCH_OBJECT", "SALESFORCE_PITCH_FILTER", "OPENAI_MODEL")}
    env.update(DATABASE_URL=scratch_database_url, REDIS_URL="", VICBOT_VAR_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "tests.support.fresh_install_defaults", *documented], cwd=REPO,
                            env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    installed = json.loads(result.stdout.strip().splitlines()[-1])

    for key, expected in documented.items():
        if expected == "blank":
            assert installed[key] in (None, ""), f"{key}: README says blank, a fresh install has {installed[key]!r}"
        else:
            assert installed[key] == expected, f"{key}: README says {expected!r}, a fresh install has {installed[key]!r}"


@pytest.mark.parametrize("marked, cap, expected", [(True, 10, None), (False, 10, 10), (True, 4, 4)])
def test_only_the_untouched_pipeline_the_creating_step_marked_loses_its_cap(marked, cap, expected, db):
    """An install that created `default` before the mark existed keeps its number; so does an operator's edit."""
    from importlib import import_module

    from django.apps import apps
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    from pipelines.models import Pipeline

    migration = import_module("pipelines.migrations.0015_default_pipeline_uncapped")
    every, _ = IntervalSchedule.objects.get_or_create(every=300, period="seconds")
    task = PeriodicTask.objects.create(name="Pull pitches: upgraded", task="vicbot.pull_pitches", interval=every,
                                       description=migration.UNCAPPED_MARK if marked else "")
    pipeline = Pipeline.objects.create(name="upgraded", max_in_flight=cap, schedule=task)

    migration.clear_the_cap(apps, None)

    pipeline.refresh_from_db()
    task.refresh_from_db()
    assert pipeline.max_in_flight == expected
    assert task.description == ""
