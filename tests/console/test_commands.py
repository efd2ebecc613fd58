"""Operator commands refuse nonsense with a clear message; vicbot_status lists what needs an operator."""

import io
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command, get_commands, load_command_class
from django.utils import timezone

from sandbox.demo.report import Progress
from pipelines.models import Pipeline, Pitch
from tests.console.support import finished_run
from tests.support.commands import manage
from tests.support.worker import only_these_workers
from vicbot.models import Run, RunStatus


@pytest.mark.parametrize("args, message", [
    (["--pitches", "-5"], "argument --pitches: must be 1 or more (got -5)"),
    (["--in-flight", "0"], "argument --in-flight: must be 1 or more (got 0)"),
    (["--concurrency", "two"], "argument --concurrency: 'two' is not a whole number"),
    (["--timeout", "0"], "argument --timeout: must be more than 0 seconds"),
])
def test_the_demo_refuses_counts_that_are_not_positive(tmp_path, args, message):
    result = manage("demo", *args, env_overrides={"VICBOT_VAR_DIR": str(tmp_path)})
    assert result.returncode == 2 and message in result.stderr
    assert "pitches a minute" not in result.stdout


def test_every_argument_of_the_operator_commands_has_help():
    django_own = {"help", "version", "verbosity", "settings", "pythonpath", "traceback", "no_color", "force_color",
                  "skip_checks"}
    for command in ("demo", "retry_writebacks", "evaluate_pitch", "pull_pitches", "export_runs", "vicbot_status"):
        parser = load_command_class(get_commands()[command], command).create_parser("manage.py", command)
        ours = [action for action in parser._actions if action.dest not in django_own]
        assert ours, command
        for action in ours:
            assert action.help and action.help.strip(), (command, action.dest)


@pytest.mark.django_db
def test_retry_writebacks_refuses_a_pitch_that_does_not_exist():
    with pytest.raises(CommandError, match="No pitch has the id 99999"):
        call_command("retry_writebacks", "99999")


@pytest.mark.django_db
def test_pull_pitches_names_the_known_pipelines_when_one_is_unknown():
    Pipeline.objects.create(name="known", fields=["Name"], answer_mapping={})
    with pytest.raises(CommandError, match="No pipeline is named 'nope'.*known"):
        call_command("pull_pitches", "--pipeline", "nope")


@pytest.mark.django_db
def test_vicbot_status_lists_paused_pipelines_stuck_runs_and_failed_pitches():
    now = timezone.now()
    pipeline = Pipeline.objects.create(name="p1", fields=["Name"], answer_mapping={}, paused_at=now,
                                       state="paused", pause_reason="invalid_api_key", probe_at=now)
    stuck = finished_run(status=RunStatus.WAITING_MODEL)
    Run.objects.filter(pk=stuck.pk).update(updated_at=now - timedelta(hours=2))
    moving = finished_run(status=RunStatus.WAITING_MODEL)
    Run.objects.filter(pk=moving.pk).update(deadline_at=now + timedelta(hours=1))
    Pitch.objects.create(pipeline=pipeline, salesforce_id="001F", name="Failing Co", status=Pitch.Status.FAILED,
                         error="No usable answer after 3 attempts")
    out = io.StringIO()

    with pytest.raises(SystemExit) as exit_code:
        call_command("vicbot_status", stdout=out)

    text = out.getvalue()
    assert exit_code.value.code == 1
    assert "p1: paused since" in text and "invalid_api_key" in text
    assert f"run {stuck.pk}: waiting_model" in text and f"run {moving.pk}:" not in text
    assert "Failing Co: No usable answer after 3 attempts" in text


@pytest.mark.django_db
def test_vicbot_status_says_none_and_exits_0_when_all_is_well():
    only_these_workers(("w1@host", timezone.now(), None))
    out = io.StringIO()
    call_command("vicbot_status", stdout=out)
    assert out.getvalue().count("none") == 3 and "w1@host: alive" in out.getvalue()


@pytest.mark.django_db
def test_vicbot_status_exits_1_when_no_worker_is_alive():
    now = timezone.now()
    only_these_workers(("silent@host", now - timedelta(seconds=31), None),  # its last report too old
                       ("stopped@host", now, now))  # said it stopped: gone at once
    out = io.StringIO()

    with pytest.raises(SystemExit) as exit_code:
        call_command("vicbot_status", stdout=out)

    assert exit_code.value.code == 1
    text = out.getvalue()
    assert "silent@host: gone" in text and "stopped@host: gone" in text and "No live worker" in text


class FakeLog(io.StringIO):
    def isatty(self):
        return False


@pytest.mark.django_db
def test_demo_progress_in_a_log_prints_at_most_every_5_seconds():
    pipeline = Pipeline.objects.create(name="p1", fields=["Name"], answer_mapping={})
    now = [0.0]
    log = FakeLog()
    progress = Progress(pipeline, 30, out=log, clock=lambda: now[0])

    for _ in range(60):  # 30 s of checks every half second
        progress.check()
        now[0] += 0.5
    progress.check(final=True)

    lines = log.getvalue().splitlines()
    assert len(lines) == 7 and "\r" not in log.getvalue()  # at 0, 5, ... 25 s, and the last


def test_the_demo_empties_the_embedded_broker_of_messages_but_keeps_its_control_folder(settings, tmp_path):
    """A second demo in the same checkout used to stop with IsADirectoryError on var/broker/control."""
    from sandbox.management.commands.demo import _empty_embedded_broker

    (tmp_path / "control").mkdir()
    (tmp_path / "control" / "celery.pidbox.exchange").write_text("binding")
    (tmp_path / "00_leftover.msg").write_text("{}")
    settings.CELERY_BROKER_URL = "filesystem://"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}

    _empty_embedded_broker()
    _empty_embedded_broker()  # and again, as a third demo would

    assert sorted(p.name for p in tmp_path.iterdir()) == ["control"]
    assert (tmp_path / "control" / "celery.pidbox.exchange").exists()
