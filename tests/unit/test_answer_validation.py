"""The final answer is validated on our side: pure checks, no database, no worker."""

from tests.support.runs import VERDICT_SCHEMA
from vicbot.services.runs.finish import validate_answer


def test_a_valid_answer_is_parsed():
    problem, parsed = validate_answer('{"Assessment": "Strong fit", "Reasoning": "Team"}', VERDICT_SCHEMA)
    assert problem == "" and parsed == {"Assessment": "Strong fit", "Reasoning": "Team"}


def test_an_empty_answer_is_refused():
    assert validate_answer("  \n", VERDICT_SCHEMA) == ("The model's final answer was empty", None)


def test_text_that_is_not_json_is_refused_with_the_parser_message():
    problem, parsed = validate_answer("Strong fit, because…", VERDICT_SCHEMA)
    assert problem.startswith("The final answer is not JSON: Expecting value") and parsed is None


def test_json_outside_the_schema_names_each_problem_by_its_path():
    problem, parsed = validate_answer('{"Assessment": "Meh", "Extra": 1}', VERDICT_SCHEMA)
    assert problem.startswith("The final answer does not fit the schema:")
    assert "'Reasoning' is a required property" in problem
    assert "Assessment: 'Meh' is not one of" in problem
    assert parsed == {"Assessment": "Meh", "Extra": 1}
