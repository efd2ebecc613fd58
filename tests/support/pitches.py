"""Helpers for pipeline tests: accounts in the Salesforce emulator, a pipeline on the test assistant."""

from tests.conftest import wait_for
from tests.support.runs import make_assistant
from pipelines.models import Pipeline, Pitch
from pipelines.services.pipelines import pipeline_create
from pipelines.services.records import record_snapshot
from vicbot.models import Assistant, Run, RunStatus


def make_pipeline(**fields) -> Pipeline:
    make_assistant(tool_names=fields.pop("tool_names", []))
    return pipeline_create(name=fields.pop("name", "test"), assistant_name="tester", **fields)


def add_accounts(salesforce, count: int, **fields) -> list[str]:
    return [
        salesforce.org.insert("Account", {
            "Name": f"Startup {i:03d}", "Website": f"https://startup{i}.example",
            "Description": f"We do thing number {i}.", **fields,
        }, modified_by=salesforce.org.human_user_id)
        for i in range(count)
    ]


def wait_until_written_back(pipeline: Pipeline, count: int, timeout: float = 60) -> list[Pitch]:
    def done():
        pitches = list(pipeline.pitches.filter(status__in=[Pitch.Status.WRITTEN_BACK, Pitch.Status.FAILED,
                                                           Pitch.Status.DELETED]))
        return pitches if len(pitches) >= count and not pipeline.pitches.filter(
            writeback_state__in=[Pitch.WriteBack.QUEUED, Pitch.WriteBack.WRITING]).exists() else None

    return wait_for(done, timeout=timeout, message=f"{count} pitches of {pipeline} to be written back")


def run_in_threads(function, count: int, **kwargs) -> list:
    """Call `function(**kwargs)` from `count` threads at once; their results, in no order."""
    import threading

    from django.db import connection

    results = []

    def target():
        try:
            results.append(function(**kwargs))
        finally:
            connection.close()  # each thread has its own connection; the test database is dropped later

    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def answered_pitches(salesforce, pipeline, count, answer=None):
    """Pitches with a succeeded run whose answer is queued as a first write, its window not yet up:
    a flush takes it (first writes join any flush), and the session worker's tick, which flushes
    only what is due, leaves it to the test."""
    answer = answer or {"Assessment": "Possible fit", "Reasoning": "Solid team, early traction."}
    assistant = Assistant.objects.get(name="tester")
    pitches = []
    for record_id in add_accounts(salesforce, count):
        run = Run.objects.create(assistant=assistant, model="gpt-test", input="x", status=RunStatus.SUCCEEDED,
                                 output_json=answer, deadline_at="2100-01-01T00:00Z")
        pitches.append(Pitch.objects.create(
            pipeline=pipeline, salesforce_id=record_id, status=Pitch.Status.EVALUATED, latest_run=run,
            snapshot=record_snapshot(pipeline, salesforce.org.get(record_id)),
            writeback_state=Pitch.WriteBack.QUEUED, next_writeback_at="2100-01-01T00:00Z", writeback_run=run,
            writeback_values={field: answer[key] for key, field in pipeline.answer_mapping.items()},
        ))
    return pitches
