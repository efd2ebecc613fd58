"""What Salesforce's status field may say: a fixed vocabulary, never an error's own text."""

import pytest

from pipelines.models import Pipeline
from pipelines.services import salesforce_status as status
from pipelines.services.prompt import pitch_prompt, shortened_field_chars, times_too_long


@pytest.mark.parametrize("code, expected", [
    ("invalid_prompt", status.CONTENT_REFUSED), ("incomplete:content_filter", status.CONTENT_REFUSED),
    ("invalid_image", status.CONTENT_REFUSED), ("context_length_exceeded", status.TOO_LONG),
    ("refusal", status.MODEL_REFUSED),
    ("server_error", "Not assessed: the model could not answer after 3 attempts"),
    ("invalid_answer", "Not assessed: the model could not answer after 3 attempts"),
    ("invalid_request_error", "Not assessed: the model could not answer after 3 attempts"),
    ("", "Not assessed: the model could not answer after 3 attempts"),
])
def test_a_failed_pitchs_status_is_chosen_from_the_vocabulary_by_its_last_code(code, expected):
    assert status.not_assessed(last_code=code, attempts=3) == expected


def test_every_sentence_is_short_plain_and_says_whether_it_was_assessed():
    for sentence in status.VOCABULARY:
        text = sentence.format(attempts=3)
        assert len(text) <= 80 and text.startswith(("Assessed", "Not assessed: "))
        assert not any(word in text for word in ("HTTP", "error", "_", "{", "OpenAI"))


def test_a_retry_after_context_overflow_sends_each_field_cut_harder_but_never_to_nothing():
    pipeline = Pipeline(name="p", fields=["Description"], field_max_chars=4000, prompt_template="{record}")
    log = [{"run": 1, "code": "context_length_exceeded"}, {"run": 2, "code": "server_error"}]
    assert times_too_long(log) == 1 and times_too_long([]) == 0
    assert shortened_field_chars(pipeline, times_too_long=0) is None
    assert shortened_field_chars(pipeline, times_too_long=1) == 1000
    assert shortened_field_chars(pipeline, times_too_long=5) == 200

    snapshot = {"Description": "x" * 4000}
    assert len(pitch_prompt(pipeline, record_id="001", snapshot=snapshot)) == len("Description: ") + 4000
    shortened = pitch_prompt(pipeline, record_id="001", snapshot=snapshot, times_too_long=1)
    assert len(shortened) == len("Description: ") + 1000
