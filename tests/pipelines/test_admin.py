"""The pipeline in the operator's console: actions need their permission, pitches stay, and a pipeline
Salesforce would refuse is refused when it is saved."""

import pytest

from integrations.salesforce import reset_client
from pipelines.models import Pipeline, Pitch
from pipelines.services.intake import pitches_pull
from pipelines.services.pipelines import pipeline_create
from tests.support.pitches import add_accounts
from tests.support.admin import assert_sent_to_login, outsiders
from tests.support.runs import PITCH, make_assistant
from vicbot.models import Assistant
from vicbot.runs import start_run

PIPELINES = "/admin/pipelines/pipeline/"
PITCHES = "/admin/pipelines/pitch/"


def a_pitch(**fields) -> Pitch:
    pipeline = Pipeline.objects.filter(name="p").first() or pipeline_create(name="p", assistant_name="tester")
    return Pitch.objects.create(pipeline=pipeline, salesforce_id="001000000000001AAA", name="Acme", **fields)


def act(client, url: str, action: str, *objects, follow: bool = False):
    return client.post(url, {"action": action, "_selected_action": [o.pk for o in objects]}, secure=True,
                       follow=follow)


def offered(client, url: str, action: str) -> bool:
    page = client.get(url, secure=True)
    assert page.status_code == 200
    return f'value="{action}"' in page.content.decode()


# -- pages and actions ----------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pipeline_and_pitch_list_pages_render(operator):
    a_pitch()
    for page in ("pipeline", "pitch"):
        assert operator.get(f"/admin/pipelines/{page}/", secure=True).status_code == 200, page


@pytest.mark.django_db
def test_pipeline_and_pitch_pages_send_anonymous_and_non_staff_users_to_the_login(
        client, django_capture_on_commit_callbacks):
    pitch = a_pitch()
    pages = [PIPELINES, f"{PIPELINES}add/", f"{PIPELINES}{pitch.pipeline_id}/change/", PITCHES,
             f"{PITCHES}{pitch.pk}/change/"]
    for who in outsiders(client):
        assert_sent_to_login(client, pages, who)
        with django_capture_on_commit_callbacks() as sent:
            act(client, PITCHES, "evaluate_again", pitch)
        assert sent == [], who


@pytest.mark.django_db
def test_pull_now_needs_the_pull_permission(staff, django_capture_on_commit_callbacks):
    pipeline = pipeline_create(name="p", assistant_name="tester")

    viewer = staff("pipelines.view_pipeline", "pipelines.change_pipeline")  # editing is not pulling
    assert not offered(viewer, PIPELINES, "pull_now")
    with django_capture_on_commit_callbacks() as sent:
        act(viewer, PIPELINES, "pull_now", pipeline)
    assert sent == []

    puller = staff("pipelines.view_pipeline", "pipelines.pull_pipeline")
    assert offered(puller, PIPELINES, "pull_now")
    with django_capture_on_commit_callbacks() as sent:
        act(puller, PIPELINES, "pull_now", pipeline)
    assert len(sent) == 1


@pytest.mark.django_db
def test_actions_that_queue_work_say_so_when_no_worker_is_alive(staff):
    from django.utils import timezone

    from tests.support.worker import only_these_workers

    pipeline = pipeline_create(name="p", assistant_name="tester")
    puller = staff("pipelines.view_pipeline", "pipelines.pull_pipeline")
    only_these_workers()  # none

    silent = act(puller, PIPELINES, "pull_now", pipeline, follow=True)
    only_these_workers(("w@host", timezone.now(), None))
    alive = act(puller, PIPELINES, "pull_now", pipeline, follow=True)

    assert "No worker has reported in the last 30 s" in silent.content.decode()
    assert "No worker has reported" not in alive.content.decode()


@pytest.mark.django_db
def test_evaluate_again_needs_the_evaluate_permission(staff, django_capture_on_commit_callbacks):
    pitch = a_pitch(status=Pitch.Status.WRITTEN_BACK)

    viewer = staff("pipelines.view_pitch")
    assert not offered(viewer, PITCHES, "evaluate_again")
    with django_capture_on_commit_callbacks() as sent:
        act(viewer, PITCHES, "evaluate_again", pitch)
    assert sent == []

    evaluator = staff("pipelines.view_pitch", "pipelines.evaluate_pitch")
    assert offered(evaluator, PITCHES, "evaluate_again") and not offered(evaluator, PITCHES, "retry_writeback")
    with django_capture_on_commit_callbacks() as sent:
        act(evaluator, PITCHES, "evaluate_again", pitch)
    assert len(sent) == 1


@pytest.mark.django_db
def test_retrying_a_failed_write_back_needs_its_permission(staff):
    make_assistant()
    run = start_run(assistant="tester", input=PITCH)
    run.output_json = {"Assessment": "Strong fit", "Reasoning": "Good team."}
    run.save(update_fields=["output_json"])
    pitch = a_pitch(status=Pitch.Status.EVALUATED, latest_run=run, writeback_state=Pitch.WriteBack.FAILED,
                    writeback_error="UNABLE_TO_LOCK_ROW", writeback_run=run,
                    writeback_values={"VicBot_Assessment__c": "Strong fit", "VicBot_Reasoning__c": "Good team."})

    viewer = staff("pipelines.view_pitch", "pipelines.evaluate_pitch")
    assert not offered(viewer, PITCHES, "retry_writeback")
    act(viewer, PITCHES, "retry_writeback", pitch)
    pitch.refresh_from_db()
    assert pitch.writeback_state == Pitch.WriteBack.FAILED

    retrier = staff("pipelines.view_pitch", "pipelines.retry_writeback")
    act(retrier, PITCHES, "retry_writeback", pitch)
    pitch.refresh_from_db()
    assert pitch.writeback_state == Pitch.WriteBack.QUEUED


@pytest.mark.django_db
def test_not_even_a_superuser_can_delete_a_pitch_or_a_pipeline_that_has_pitches(operator):
    pitch = a_pitch()

    assert not offered(operator, PITCHES, "delete_selected")
    act(operator, PITCHES, "delete_selected", pitch)
    assert operator.post(f"{PITCHES}{pitch.pk}/delete/", {"post": "yes"}, secure=True).status_code == 403
    # Deleting the pipeline would delete its pitches with it.
    assert operator.post(f"{PIPELINES}{pitch.pipeline_id}/delete/", {"post": "yes"}, secure=True).status_code == 403
    act(operator, PIPELINES, "delete_selected", pitch.pipeline)

    assert Pitch.objects.filter(pk=pitch.pk).exists() and Pipeline.objects.filter(pk=pitch.pipeline_id).exists()


# -- a pipeline is checked before it is saved -------------------------------------------------


def pipeline_form(**changes) -> dict:
    data = {"name": "pitches", "enabled": "on", "sobject": "Account", "selection": "VicBot_Assessment__c = null",
            "fields": '["Name", "Website", "Description"]', "assistant_name": "tester",
            "prompt_template": "{record}",
            "answer_mapping": '{"Assessment": "VicBot_Assessment__c", "Reasoning": "VicBot_Reasoning__c"}',
            "field_max_chars": 4000, "batch_size": 500, "max_in_flight": 0, "max_attempts": 3,
            "deck_file_types": "PDF", "deck_oversize": "cut", "backlog_service_tier": "standard",
            "reevaluate_written": "on"}
    return {**data, **changes}


def with_the_assistant() -> None:
    """The form's assistant exists (a save naming an unknown one is refused, see below)."""
    if not Assistant.objects.filter(name="tester").exists():
        make_assistant()


def refused(operator, **changes) -> str:
    """The page's text after a refused save (and no pipeline saved)."""
    with_the_assistant()
    response = operator.post(f"{PIPELINES}add/", pipeline_form(**changes), secure=True)
    assert response.status_code == 200, "the pipeline was saved"
    assert not Pipeline.objects.filter(name="pitches").exists()
    return response.content.decode()


def saved(operator, **changes) -> list[str]:
    """The messages shown after a successful save."""
    with_the_assistant()
    response = operator.post(f"{PIPELINES}add/", pipeline_form(**changes), secure=True, follow=True)
    assert Pipeline.objects.filter(name="pitches").exists(), response.content.decode()[-3000:]
    return [str(message) for message in response.context["messages"]]


@pytest.mark.django_db
def test_a_pipeline_with_an_injected_field_name_is_refused(operator):
    assert "Not Salesforce API names" in refused(operator, fields='["Name", "Id FROM User --"]')


@pytest.mark.django_db
@pytest.mark.parametrize("condition, reason", [
    ("Name != null; DELETE FROM Account", "&#x27;;&#x27; is not part of a condition"),
    ("Name != null ORDER BY Name DESC", "&#x27;ORDER BY&#x27; starts another part of a query"),
    ("Name != null LIMIT 1", "&#x27;LIMIT&#x27; starts another part of a query"),
    ("Name != null) OR (Name = null", "closes a parenthesis the condition did not open"),
    ("Name = 'unterminated", "a string literal is not closed"),
])
def test_a_condition_that_is_not_just_a_condition_is_refused_with_the_reason(operator, condition, reason):
    assert reason in refused(operator, selection=condition)


@pytest.mark.django_db(transaction=True)
def test_a_valid_pipeline_is_checked_in_salesforce_and_saved_without_a_warning(operator, salesforce):
    salesforce.calls_by_endpoint.clear()

    messages = saved(operator, selection="Id IN ('001000000000001AAA') OR Name != null",
                     fields='["Name", "CreatedBy.Name"]')

    assert not any("not checked" in m for m in messages), messages
    assert salesforce.calls_by_endpoint["describe"] == 1 and salesforce.calls_by_endpoint["query"] == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("changes, reason", [
    ({"fields": '["Name", "Webiste"]'}, "Account has no field Webiste"),
    ({"fields": '["Name", "Owner.Name"]'}, "Owner.Name (no relationship named Owner)"),
    ({"answer_mapping": '{"Assessment": "VicBot_Assesment__c"}'}, "Account has no field VicBot_Assesment__c"),
    ({"answer_mapping": '{"Assessment": "CreatedDate"}'}, "cannot be written to CreatedDate"),
    ({"sobject": "Acount"}, "Salesforce refused the sObject: NOT_FOUND"),
    ({"selection": "Stage__c = 'Seed'"}, "Salesforce refused the intake query: INVALID_FIELD"),
    ({"selection": "Name = = 'Acme'"}, "Salesforce refused the intake query: MALFORMED_QUERY"),
    ({"selection": "Description != null"}, "can not be filtered"),  # a long text area
])
def test_a_pipeline_salesforce_rejects_is_refused_naming_the_error(operator, salesforce, changes, reason):
    assert reason in refused(operator, **changes)


@pytest.mark.django_db(transaction=True)
def test_the_website_field_is_edited_on_the_form_and_checked_in_salesforce(operator, salesforce):
    assert 'name="website_field"' in operator.get(f"{PIPELINES}add/", secure=True).content.decode()
    assert "Account has no field Webiste" in refused(operator, website_field="Webiste")
    assert "Not Salesforce API names" in refused(operator, website_field="Website FROM User --")

    saved(operator, fields='["Name", "Description"]', website_field="Website")  # read, though not sent

    assert Pipeline.objects.get(name="pitches").website_field == "Website"


@pytest.mark.django_db(transaction=True)
def test_when_salesforce_is_unreachable_the_pipeline_is_saved_with_a_warning(operator, salesforce):
    salesforce.faults.add("unavailable", match="describe")

    messages = saved(operator, selection="Stage__c = 'Seed'")  # would be refused if Salesforce could say so

    assert any("Salesforce could not be asked" in m and "not checked" in m for m in messages), messages


@pytest.mark.django_db
def test_when_salesforce_is_not_configured_the_pipeline_is_saved_with_a_warning(operator, settings):
    for name in ("DOMAIN", "CLIENT_ID", "CLIENT_SECRET", "USERNAME", "CONSUMER_KEY", "PRIVATE_KEY",
                 "INSTANCE_URL", "ACCESS_TOKEN"):
        setattr(settings, f"SALESFORCE_{name}", None)
    reset_client()
    try:
        messages = saved(operator)
    finally:
        reset_client()  # the next test's client is built from its own settings

    assert any("Salesforce is not configured" in m for m in messages), messages


@pytest.mark.django_db(transaction=True)
def test_a_brace_in_a_valid_condition_is_accepted_and_works_on_the_first_and_later_intake_passes(
        operator, salesforce):
    add_accounts(salesforce, 2)
    salesforce.org.insert("Account", {"Name": "{x}"}, modified_by=salesforce.org.human_user_id)

    assert not any("not checked" in m for m in saved(operator, selection="Name != '{x}'"))
    pipeline = Pipeline.objects.get(name="pitches")

    first = pitches_pull(pipeline_id=pipeline.pk)
    assert (first.seen, first.new) == (2, 2)
    pipeline.refresh_from_db()
    assert pipeline.watermark is not None  # the next pass is a watermark pass

    salesforce.org.insert("Account", {"Name": "Later Inc"}, modified_by=salesforce.org.human_user_id)
    later = pitches_pull(pipeline_id=pipeline.pk)
    assert later.new == 1
    assert sorted(pipeline.pitches.values_list("name", flat=True)) == ["Later Inc", "Startup 000", "Startup 001"]


# -- configuration errors where the operator looks (issue 16) ------------------------------


@pytest.mark.django_db
def test_a_pipeline_naming_an_unknown_assistant_is_refused_at_save(operator):
    page = refused(operator, assistant_name="vicbott")

    assert "No assistant is named &#x27;vicbott&#x27;" in page and "tester" in page  # the ones that exist


@pytest.mark.django_db
def test_an_unknown_assistant_fails_the_intake_pass_on_the_pipelines_page_and_admission_says_so(operator):
    from pipelines.services.admission import pitches_admit

    pipeline = pipeline_create(name="p", assistant_name="gone")
    Pitch.objects.create(pipeline=pipeline, salesforce_id="001000000000001AAA", name="Acme")

    summary = pitches_pull(pipeline_id=pipeline.pk)
    assert "No assistant is named 'gone'" in summary.error
    assert pitches_admit(pipeline_id=pipeline.pk) == 0  # the tick's admission: no exception every tick

    pipeline.refresh_from_db()
    assert "No assistant is named 'gone'" in pipeline.last_intake_error and pipeline.intake_failures_in_a_row == 1
    page = operator.get(f"{PIPELINES}{pipeline.pk}/change/", secure=True).content.decode()
    assert "Last intake error" in page and "No assistant is named &#x27;gone&#x27;" in page
    assert Pitch.objects.get(pipeline=pipeline).status == Pitch.Status.NEW  # nothing lost: it waits


# -- an operator skips or fails a pitch from its page, with a reason --------------------------


def set_aside(client, pitch, action: str, reason: str):
    return client.post(PITCHES, {"action": action, "_selected_action": [pitch.pk], "reason": reason}, secure=True,
                       follow=True)


@pytest.mark.django_db
def test_skipping_a_pitch_needs_its_permission_and_a_reason_and_both_are_shown_on_its_page(staff):
    pitch = a_pitch(status=Pitch.Status.RETRY_WAITING, next_attempt_at="2026-01-01T00:00:00Z", attempts=1)

    viewer = staff("pipelines.view_pitch", "pipelines.evaluate_pitch")
    assert "pitch-set-aside" not in viewer.get(f"{PITCHES}{pitch.pk}/change/", secure=True).content.decode()
    set_aside(viewer, pitch, "skip_pitches", "spam")
    assert Pitch.objects.get(pk=pitch.pk).status == Pitch.Status.RETRY_WAITING

    skipper = staff("pipelines.view_pitch", "pipelines.skip_or_fail_pitch")
    assert "pitch-set-aside" in skipper.get(f"{PITCHES}{pitch.pk}/change/", secure=True).content.decode()
    refused_page = set_aside(skipper, pitch, "skip_pitches", "   ").content.decode()
    assert "Give a reason" in refused_page and Pitch.objects.get(pk=pitch.pk).status == Pitch.Status.RETRY_WAITING

    set_aside(skipper, pitch, "skip_pitches", "Prompt injection, reported to security")

    pitch.refresh_from_db()
    assert pitch.status == Pitch.Status.SKIPPED and pitch.next_attempt_at is None
    assert (pitch.operator, pitch.operator_reason) == ("staff1", "Prompt injection, reported to security")
    page = skipper.get(f"{PITCHES}{pitch.pk}/change/", secure=True).content.decode()
    assert "skipped by an operator" in page and "Prompt injection, reported to security" in page and "staff1" in page


@pytest.mark.django_db
def test_a_skipped_pitch_is_never_admitted_nor_taken_back_by_an_edit(operator):
    from pipelines.services.admission import pitches_admit

    make_assistant()
    pitch = a_pitch()
    set_aside(operator, pitch, "skip_pitches", "duplicate of another record")

    assert pitches_admit(pipeline_id=pitch.pipeline_id) == 0
    assert Pitch.objects.get(pk=pitch.pk).status == Pitch.Status.SKIPPED


@pytest.mark.django_db
def test_a_deck_title_pattern_that_is_not_a_regular_expression_is_refused(operator):
    assert "Deck title pattern: not a regular expression" in refused(operator, deck_title_pattern="deck(")
