"""Partners' decisions: intake records each change of the decision field, never as an edit of the pitch."""

import pytest

from pipelines.models import Decision, Outcome, Pitch
from pipelines.services.decisions import assessment_outcome
from pipelines.services.intake import pitches_pull
from pipelines.services.pipelines import InvalidPipeline, pipeline_validate
from tests.support.pitches import add_accounts, make_pipeline, wait_until_written_back
from vicbot.models import Run

pytestmark = [pytest.mark.django_db(transaction=True)]

OUTCOMES = {"Meeting": "advance", "Invested": "advance", "Passed": "pass"}


@pytest.mark.usefixtures("celery_worker")
def test_a_partners_decision_is_recorded_and_does_not_re_evaluate_the_pitch(salesforce, openai_emu):
    pipeline = make_pipeline(selection="Name != null", decision_field="Partner_Decision__c",
                             decision_outcomes=OUTCOMES,
                             fields=["Name", "Description", "Partner_Decision__c"])  # listed: still never sent
    (record_id,) = add_accounts(salesforce, 1)
    pitches_pull(pipeline_id=pipeline.pk)
    (pitch,) = wait_until_written_back(pipeline, 1)
    assert "Partner_Decision__c" not in pitch.snapshot
    assert not Decision.objects.exists()  # an empty field on a new pitch is no decision
    runs_before = Run.objects.count()

    salesforce.org.update(record_id, {"Partner_Decision__c": "Meeting"}, modified_by=salesforce.org.human_user_id)
    summary = pitches_pull(pipeline_id=pipeline.pk)
    salesforce.org.update(record_id, {"Partner_Decision__c": "Passed"}, modified_by=salesforce.org.human_user_id)
    pitches_pull(pipeline_id=pipeline.pk)
    pitches_pull(pipeline_id=pipeline.pk)  # the overlap re-reads it: no second row

    assert summary.changed == 0
    pitch.refresh_from_db()
    assert pitch.status == Pitch.Status.WRITTEN_BACK and Run.objects.count() == runs_before
    assert [(d.value, d.outcome) for d in pitch.decisions.all()] == [("Meeting", Outcome.ADVANCE),
                                                                    ("Passed", Outcome.PASS)]
    assert (pitch.decision_value, pitch.decision_outcome) == ("Passed", Outcome.PASS)
    assert pitch.decided_at == pitch.decisions.last().decided_at == pitch.system_modstamp
    assert "Partner_Decision__c" not in Run.objects.get(pk=pitch.latest_run_id).input


def test_a_value_outside_the_map_is_undecided_and_assessments_may_abstain(salesforce):
    pipeline = make_pipeline(max_in_flight=0, decision_field="Partner_Decision__c", decision_outcomes=OUTCOMES)
    add_accounts(salesforce, 1, Partner_Decision__c="Thinking about it")
    pitches_pull(pipeline_id=pipeline.pk)

    (decision,) = Decision.objects.all()
    assert (decision.value, decision.outcome) == ("Thinking about it", Outcome.UNDECIDED)
    mapping = {"Strong fit": "advance", "Not a fit": "pass", "Insufficient information": "abstain"}
    assert assessment_outcome(mapping, "insufficient information ") == Outcome.ABSTAIN
    assert assessment_outcome(mapping, "Possible fit") == Outcome.UNDECIDED


def test_an_outcome_map_with_an_unknown_outcome_is_refused(db):
    pipeline = make_pipeline(max_in_flight=0)
    pipeline.decision_outcomes = {"Passed": "nope"}
    with pytest.raises(InvalidPipeline, match="'nope' not one of advance, pass, undecided"):
        pipeline_validate(pipeline)
