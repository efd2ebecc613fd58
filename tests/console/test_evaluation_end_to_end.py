"""End to end on the real worker: a dataset with the partners' decisions, two versions judged by the scripted
model as their instructions say, the better one scores better with intervals covering the truth, and
promoting it from the console makes it the version new runs use."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from evaluations.models import Evaluation
from evaluations.scoring import evaluation_report
from evaluations.services.datasets import dataset_import
from evaluations.services.runner import evaluation_create
from tests.conftest import wait_for
from tests.console.support import staff_user
from tests.support.runs import make_assistant, wait_until_done
from vicbot.models import Assistant, ModelPrice
from vicbot.runs import start_run

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker, pytest.mark.usefixtures("celery_worker", "default_assistant")]  # default_assistant: the price rows too

PITCHES = 40
OUTCOMES = {"Strong fit": "advance", "Possible fit": "advance", "Not a fit": "pass"}
# The candidate follows the partners' (planted) decision for 60 % of pitches and flips a coin for the rest:
# against balanced decisions its true kappa is 0.6. The current version advances everything: kappa 0.
CANDIDATE_JUDGE = "VICBOT-TEST-JUDGE: follow-decision-hint noise 0.4 seed 11"
CURRENT_JUDGE = "VICBOT-TEST-JUDGE: always-advance"


def dataset_lines():
    start = datetime(2025, 3, 1, tzinfo=timezone.utc)
    for n in range(PITCHES):
        decision = "advance" if n % 2 == 0 else "pass"
        yield json.dumps({
            "input": f"Account Name: Company {n}\nWebsite: https://company-{n}.example\n"
                     f"We sell software to {n + 3} industries.\nVICBOT-TEST-DECISION-HINT: {decision}",
            "decision": {"outcome": decision, "value": "Meeting" if decision == "advance" else "Passed"},
            "pitch": {"name": f"Company {n}", "date": (start + timedelta(days=14 * n)).isoformat()},
            "turns": [],
        })


def test_a_better_version_scores_better_its_interval_covers_the_truth_and_promoting_it_works(client):
    assert ModelPrice.objects.filter(model="gpt-5.4-mini").update(knowledge_cutoff=datetime(2025, 9, 1).date()) == 1
    candidate = make_assistant(name="judge", model="gpt-5.4-mini", tool_names=[],
                               instructions=f"Assess the pitch.\n{CANDIDATE_JUDGE}")
    current = make_assistant(name="judge", version=2, model="gpt-5.4-mini", tool_names=[],
                             instructions=f"Assess the pitch quickly.\n{CURRENT_JUDGE}")
    dataset = dataset_import(name="decided pitches", lines=dataset_lines())

    evaluation = evaluation_create(dataset=dataset, candidate=candidate, assessment_outcomes=OUTCOMES)

    assert evaluation.baseline == current
    wait_for(lambda: Evaluation.objects.filter(pk=evaluation.pk, status=Evaluation.Status.FINISHED).exists(),
             timeout=240, message="the evaluation to finish")
    evaluation.refresh_from_db()
    assert (evaluation.trials_done, evaluation.trials_failed) == (2 * PITCHES, 0)
    report = evaluation_report(evaluation)
    better, worse = report.candidate.versus_decisions, report.baseline.versus_decisions
    assert better.compared == worse.compared == PITCHES
    assert worse.kappa == pytest.approx(0.0) and worse.interval.covers(0.0)
    assert worse.confusion.rows() == [("advance", PITCHES // 2, 0), ("pass", PITCHES // 2, 0)]
    assert better.interval.covers(0.6)  # the truth the judge was built with
    assert better.kappa > worse.kappa and better.interval.low > worse.interval.high  # worse scores worse
    assert better.accuracy > worse.accuracy == pytest.approx(0.5)
    assert report.candidate.versus_current.compared == PITCHES
    assert report.candidate.after_cutoff.pitches == len([n for n in range(PITCHES) if 14 * n > 184])
    assert report.candidate.cost_per_pitch > 0 and report.candidate.seconds_per_pitch > 0

    operator = staff_user("evaluations.view_evaluation", "evaluations.promote_evaluation", name="partner")
    client.force_login(operator)
    page = client.get(f"/admin/console/evaluations/{evaluation.pk}/", secure=True).content.decode()
    assert f"{better.kappa:.2f} [{better.interval.low:.2f}, {better.interval.high:.2f}]" in page
    response = client.post(f"/admin/console/evaluations/{evaluation.pk}/promote/", {"confirmed": "yes"}, secure=True)
    assert response.status_code == 302

    promoted = Assistant.objects.current("judge")
    assert (promoted.version, promoted.instructions) == (3, candidate.instructions)
    run = wait_until_done(start_run(assistant="judge", input="Account Name: Newco\nVICBOT-TEST-DECISION-HINT: pass"))
    assert run.assistant_id == promoted.pk  # new runs use the promoted version
