"""The Evaluations pages: datasets and evaluations listed, two versions side by side, promoting the candidate."""

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from django.contrib.admin.models import LogEntry

from core import scores
from evaluations.models import Dataset, DatasetItem, Evaluation, EvaluationTrial
from evaluations.report import evaluation_scores, score_table
from evaluations.scoring import evaluation_report
from tests.console.support import finished_run, staff_user
from tests.support.runs import make_assistant
from vicbot.models import Assistant, ModelPrice

pytestmark = pytest.mark.django_db

PITCHES = 20
CUTOFF = date(2025, 6, 1)
# The candidate agrees with the partners except on pitches 3 and 8; the baseline always says advance.
CANDIDATE_WRONG = {3, 8}


def decision(n: int) -> str:
    return "advance" if n % 2 == 0 else "pass"


def candidate_says(n: int) -> str:
    truth = decision(n)
    return ("pass" if truth == "advance" else "advance") if n in CANDIDATE_WRONG else truth


@pytest.fixture
def lab():
    ModelPrice.objects.update_or_create(model="gpt-5.4-mini", defaults={
        "input_per_million": 1, "cached_input_per_million": 1, "output_per_million": 1, "knowledge_cutoff": CUTOFF})
    baseline = make_assistant(model="gpt-5.4-mini", instructions="Assess the pitch.")
    candidate = make_assistant(name="tester-candidate", model="gpt-5.4-mini", instructions="Assess the pitch. Weigh traction first.")
    dataset = Dataset.objects.create(name="Spring <pitches>", description="decided pitches")
    items = [
        DatasetItem.objects.create(
            dataset=dataset, position=n + 1, name=f"Company {n}", input=f"Account Name: Company {n}",
            decision=decision(n), pitch_date=datetime(2025, 1 + n % 5, 10, tzinfo=timezone.utc)
            if n < 10 else datetime(2025, 7, 1 + n, tzinfo=timezone.utc))
        for n in range(PITCHES)
    ]
    Dataset.objects.filter(pk=dataset.pk).update(frozen=True, item_count=PITCHES)
    evaluation = Evaluation.objects.create(dataset=dataset, candidate=candidate, baseline=baseline,
                                           status=Evaluation.Status.FINISHED, trials=1, trials_total=2 * PITCHES,
                                           trials_done=2 * PITCHES)
    for n, item in enumerate(items):
        for role, assistant, outcome in ((EvaluationTrial.Role.CANDIDATE, candidate, candidate_says(n)),
                                         (EvaluationTrial.Role.BASELINE, baseline, "advance")):
            EvaluationTrial.objects.create(
                evaluation=evaluation, item=item, role=role, assistant=assistant, index=0,
                status=EvaluationTrial.Status.DONE, run=finished_run(), outcome=outcome,
                tool_misses=1 if role == "candidate" and n == 0 else 0, cost_usd=Decimal("0.01"), seconds=2.0)
    return evaluation


def test_the_index_lists_datasets_and_evaluations_and_needs_the_view_permission(client, lab):
    client.force_login(staff_user())
    assert client.get("/admin/console/evaluations/", secure=True).status_code == 403
    assert "console:evaluations" not in client.get("/admin/", secure=True).content.decode()

    client.force_login(staff_user("evaluations.view_evaluation"))
    page = client.get("/admin/console/evaluations/", secure=True).content.decode()
    home = client.get("/admin/", secure=True).content.decode()

    assert 'href="/admin/console/evaluations/"' in home
    assert "Spring &lt;pitches&gt;" in page  # escaped
    assert f'href="/admin/console/evaluations/{lab.pk}/"' in page
    assert "tester-candidate v1" in page and "tester v1" in page and "40 / 0 / 40" in page


def test_the_evaluation_shows_both_versions_scores_confusion_matrices_and_disagreements(client, lab):
    client.force_login(staff_user("evaluations.view_evaluation"))

    page = client.get(f"/admin/console/evaluations/{lab.pk}/", secure=True).content.decode()

    report = evaluation_report(lab)
    # Candidate: 18 of 20 right, one error each way: kappa 0.8. Baseline always advances: kappa 0.
    assert report.candidate.versus_decisions.kappa == pytest.approx(0.8)
    assert report.baseline.versus_decisions.kappa == pytest.approx(0.0)
    interval = report.candidate.versus_decisions.interval
    assert f"0.80 [{interval.low:.2f}, {interval.high:.2f}]" in page
    assert "<td>0.90</td><td>0.50</td>" in page  # accuracy side by side
    # Confusion: partners' advance row 9/1 for the candidate, 10/0 for the baseline.
    assert "<tr><th>advance</th><td>9</td><td>1</td></tr>" in page
    assert "<tr><th>pass</th><td>10</td><td>0</td></tr>" in page
    # Where they disagree: the pitches the partners passed on, less the one the candidate advanced (3),
    # and the advance the candidate passed on (8).
    disagreeing = {p.name for p in report.disagreements}
    assert disagreeing == {f"Company {n}" for n in range(PITCHES) if decision(n) == "pass" and n != 3} | {"Company 8"}
    trial = lab.trial_rows.get(item__name="Company 1", role="candidate")
    other = lab.trial_rows.get(item__name="Company 1", role="baseline")
    assert f'href="/admin/vicbot/run/{trial.run_id}/change/"' in page
    assert f'href="/admin/vicbot/run/{other.run_id}/change/"' in page
    assert "After cutoff 2025-06-01: pitches compared" in page and "10 of 10" in page
    assert 'id="promote"' not in page  # no permission to promote


def test_the_command_table_carries_the_same_scores_and_names_the_bootstrap(lab):
    table = score_table(lab, evaluation_scores(lab))

    assert "candidate tester-candidate v1" in table and "baseline tester v1" in table
    assert "0.80 [" in table and "0.00 [0.00, 0.00]" in table  # candidate's and baseline's kappa
    assert f"{scores.BOOTSTRAP_RESAMPLES} resamples, seed {scores.BOOTSTRAP_SEED}" in table


def test_failed_and_abstaining_trials_are_counted_not_compared(lab):
    row = lab.trial_rows.get(item__name="Company 0", role="candidate")
    EvaluationTrial.objects.filter(pk=row.pk).update(outcome="undecided")  # a verdict the map does not list
    EvaluationTrial.objects.filter(item__name="Company 2", role="candidate", evaluation=lab).update(
        status=EvaluationTrial.Status.FAILED, outcome="")

    candidate = evaluation_report(lab, resamples=50).candidate

    assert (candidate.abstained, candidate.failed, candidate.versus_decisions.compared) == (1, 1, 18)


def test_promoting_needs_the_permission_and_a_confirmation_then_new_runs_use_the_candidate(client, lab):
    url = f"/admin/console/evaluations/{lab.pk}/promote/"
    client.force_login(staff_user("evaluations.view_evaluation"))
    assert client.post(url, {"confirmed": "yes"}, secure=True).status_code == 403

    operator = staff_user("evaluations.view_evaluation", "evaluations.promote_evaluation", name="dana")
    client.force_login(operator)
    page = client.get(f"/admin/console/evaluations/{lab.pk}/", secure=True).content.decode()
    assert f'href="{url}"' in page
    confirm = client.get(url, secure=True).content.decode()
    assert 'name="confirmed"' in confirm and "New runs now use tester v1" in confirm
    client.post(url, {}, secure=True)  # the box not ticked: nothing happens
    assert Assistant.objects.current("tester").version == 1

    response = client.post(url, {"confirmed": "yes"}, secure=True)

    assert response.status_code == 302
    newest = Assistant.objects.current("tester")
    assert (newest.version, newest.instructions) == (2, "Assess the pitch. Weigh traction first.")
    lab.refresh_from_db()
    assert (lab.promoted_version, lab.promoted_by) == (newest, "dana") and lab.promoted_at is not None
    history = LogEntry.objects.get(object_id=str(newest.pk), content_type__model="assistant")
    assert history.user == operator and f"after evaluation {lab.pk}" in history.change_message
    page = client.get(f"/admin/console/evaluations/{lab.pk}/", secure=True).content.decode()
    assert "Promoted as" in page and "by dana" in page
    client.force_login(staff_user("vicbot.view_assistant"))
    version_page = client.get(f"/admin/vicbot/assistant/{newest.pk}/change/", secure=True).content.decode()
    assert f'<a href="/admin/console/evaluations/{lab.pk}/">Evaluation {lab.pk}</a>' in version_page
    assert "promoted this version (tester-candidate v1, by dana)" in version_page
    client.force_login(operator)

    client.post(url, {"confirmed": "yes"}, secure=True)  # twice: refused, no third version
    assert Assistant.objects.filter(name="tester").count() == 2


def test_an_unfinished_evaluation_cannot_be_promoted(client, lab):
    Evaluation.objects.filter(pk=lab.pk).update(status=Evaluation.Status.RUNNING)
    client.force_login(staff_user("evaluations.view_evaluation", "evaluations.promote_evaluation"))

    client.post(f"/admin/console/evaluations/{lab.pk}/promote/", {"confirmed": "yes"}, secure=True)

    assert Assistant.objects.current("tester").version == 1
    lab.refresh_from_db()
    assert lab.promoted_version is None


def test_an_evaluation_with_no_trial_ended_yet_shows_empty_scores(client, lab):
    pending = Evaluation.objects.create(dataset=lab.dataset, candidate=lab.candidate, baseline=lab.baseline)
    client.force_login(staff_user("evaluations.view_evaluation", "evaluations.promote_evaluation"))

    page = client.get(f"/admin/console/evaluations/{pending.pk}/", secure=True).content.decode()

    assert "<th>Compared with partners</th><td>0</td><td>0</td>" in page
    assert "The two versions judged every pitch alike." in page
    assert "only a finished one can be promoted" in page and 'id="promote"' not in page
