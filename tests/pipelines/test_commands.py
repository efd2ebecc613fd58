"""The pipeline's commands and the offline demo."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from pipelines.models import Pitch
from tests.support.commands import manage
from tests.support.pitches import add_accounts, make_pipeline, wait_until_written_back
from vicbot.models import RunStatus
def test_the_demo_runs_end_to_end_with_no_database_or_broker_server(tmp_path):
    result = manage("demo", "--pitches", "3", "--concurrency", "2", "--timeout", "240",
                    env_overrides={"VICBOT_VAR_DIR": str(tmp_path)}, timeout=300)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "OFFLINE DEMO" in out and "3/3 done" in out
    assert out.count("written back") >= 3 + 1  # three table rows, and the progress line
    assert "Salesforce API calls for 3 pitches" in out
    # Every tool is called with sensible arguments: none fails (the summary counts failed calls apart).
    assert "; failed: none" in out
    assert (tmp_path / "vicbot.sqlite3").exists()  # SQLite and the file broker, under VICBOT_VAR_DIR
    assert (tmp_path / "broker").is_dir()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("celery_worker")
def test_evaluate_pitch_evaluates_one_record_now_and_again_keeping_the_old_run(salesforce, openai_emu):
    pipeline = make_pipeline()
    (record_id,) = add_accounts(salesforce, 1)
    out = StringIO()

    call_command("evaluate_pitch", record_id, "--pipeline", "test", "--wait", "--timeout", "60", stdout=out)
    call_command("evaluate_pitch", record_id, "--pipeline", "test", "--wait", "--timeout", "60", stdout=out)

    pitch = Pitch.objects.get(pipeline=pipeline, salesforce_id=record_id)
    assert pitch.runs.count() == 2
    assert {r.status for r in pitch.runs.all()} == {RunStatus.SUCCEEDED}
    assert '"Assessment"' in out.getvalue()
    wait_until_written_back(pipeline, 1)
    assert salesforce.org.get(record_id)["VicBot_Assessment__c"]


@pytest.mark.django_db(transaction=True)
def test_evaluate_pitch_says_clearly_when_the_record_does_not_exist(salesforce):
    make_pipeline()

    with pytest.raises(Exception, match="NOT_FOUND|does not exist"):
        call_command("evaluate_pitch", "001000000000000AAA", "--pipeline", "test")


@pytest.mark.django_db(transaction=True)
def test_pull_pitches_reports_each_pass(salesforce):
    make_pipeline(max_in_flight=0)
    add_accounts(salesforce, 2)
    out = StringIO()

    call_command("pull_pitches", "--pipeline", "test", stdout=out)

    assert "test: 2 records read, 2 new" in out.getvalue()




@pytest.mark.django_db(transaction=True)
def test_pull_pitches_fails_loudly_after_a_failed_pass(salesforce):
    pipeline = make_pipeline(max_in_flight=0)
    # Its assistant gone: the pass fails (recorded on the pipeline) and the command must say so by its exit.
    type(pipeline).objects.filter(pk=pipeline.pk).update(assistant_name="nobody")
    out = StringIO()

    with pytest.raises(CommandError, match="intake pass failed for test"):
        call_command("pull_pitches", "--pipeline", "test", stdout=out)

    assert "test: failed" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_evaluate_pitch_refuses_what_is_not_a_salesforce_id_before_asking_salesforce():
    make_pipeline()

    for bad in ("NOT_AN_ID", "001000000000000AA", "001000000000000AAA/../x"):
        with pytest.raises(CommandError, match="is not a Salesforce record id"):
            call_command("evaluate_pitch", bad, "--pipeline", "test")
    assert not Pitch.objects.exists()


def test_demo_refuses_a_port_out_of_range_with_a_clear_message_whatever_the_order_of_its_options(tmp_path):
    for args in (("--serve", "--port", "99999"), ("--port", "0", "--serve")):
        result = manage("demo", *args, env_overrides={"VICBOT_VAR_DIR": str(tmp_path)}, timeout=120)

        assert result.returncode != 0
        assert "a port is 1 to 65535" in result.stderr and "Traceback" not in result.stderr, result.stderr[-2000:]


def test_demo_takes_its_port_before_or_after_serve():
    from sandbox.management.commands.demo import Command

    for args in (["--serve", "--port", "8001"], ["--port", "8001", "--serve"]):
        options = Command().create_parser("manage.py", "demo").parse_args(args)

        assert options.serve and options.port == 8001
