"""`demo --evaluate`: the demo seeds the partners' decisions and ends with one evaluation's table."""

from tests.support.commands import manage


def test_the_demo_seeds_decisions_and_prints_an_evaluation_of_a_candidate_version(tmp_path):
    result = manage("demo", "--pitches", "5", "--concurrency", "2", "--timeout", "240", "--evaluate",
                    env_overrides={"VICBOT_VAR_DIR": str(tmp_path)}, timeout=400)

    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    assert "5/5 done" in out
    # Five pitches, one left undecided by the partners (PARTNER_DECISIONS): four decided ones replayed.
    assert "Evaluating vicbot-candidate v1 against vicbot v" in out and "on 4 decided pitches" in out
    assert "(finished): 8 trials answered, 0 failed" in out
    assert "vs partners: kappa [95% CI]" in out and "confusion (partners→version)" in out
    # The candidate never abstains (it follows the planted decision or flips a coin): all four are compared.
    line = next(text for text in out.splitlines() if text.startswith("vs partners: compared"))
    assert line.split()[-2] == "4"
