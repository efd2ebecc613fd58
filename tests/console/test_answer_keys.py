"""The run page shows the answer under the keys its completion handler reads, never keys of its own."""

from console.timeline import answer_parts
from pipelines.services.evaluation import PITCH_EVALUATED
from vicbot.models import Assistant, Run
from vicbot.runs import register_completion_handler


def test_a_pitch_run_shows_its_assessment_and_reasoning_as_the_pitch_handler_names_them():
    run = Run(completion_handler=PITCH_EVALUATED,
              output_json={"Assessment": "Strong", "Reasoning": "Team", "X": 1})
    parts = answer_parts(run)
    assert (parts["label"], parts["assessment"], parts["reasoning"], parts["other"]) == (
        "Assessment", "Strong", "Team", {"X": 1})


def test_another_handlers_keys_are_its_own():
    @register_completion_handler("tests.grade", answer_keys=("Grade", "Why"))
    def grade(run, outcome):
        pass

    run = Run(completion_handler="tests.grade", output_json={"Grade": "B", "Why": "ok", "Assessment": "n/a"})
    parts = answer_parts(run)
    assert (parts["label"], parts["assessment"], parts["reasoning"], parts["other"]) == (
        "Grade", "B", "ok", {"Assessment": "n/a"})


def test_a_run_without_a_handler_takes_the_keys_from_its_assistants_schema_in_its_required_order():
    schema = {"type": "object", "properties": {"Notes": {"type": "string"}, "Verdict": {"type": "string"}},
              "required": ["Verdict", "Notes"]}
    run = Run(completion_handler="", assistant=Assistant(output_schema=schema),
              output_json={"Notes": "fine", "Verdict": "Go", "Assessment": "n/a"})
    parts = answer_parts(run)
    assert (parts["label"], parts["assessment"], parts["reasoning"], parts["other"]) == (
        "Verdict", "Go", "fine", {"Assessment": "n/a"})


def test_a_run_with_neither_shows_every_field_as_other():
    run = Run(completion_handler="", output_json={"Assessment": "Strong", "Reasoning": "Team"})
    parts = answer_parts(run)
    assert (parts["label"], parts["assessment"], parts["reasoning"]) == ("Answer", "", "")
    assert parts["other"] == {"Assessment": "Strong", "Reasoning": "Team"}
