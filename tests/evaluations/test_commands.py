"""The evaluation lab's commands refuse bad input clearly and keep nothing half-made."""

import json

import pytest
from django.core.management import CommandError, call_command

from evaluations.models import Dataset
from tests.support.runs import make_assistant

pytestmark = pytest.mark.django_db

ITEM = {"input": "Name: Acme", "turns": [{"turn": 1, "tool_calls": [
    {"name": "web_scrape", "arguments": {"url": "https://acme.example"}, "output": "page"}]}],
    "decision": {"outcome": "advance", "value": "Meeting"}, "pitch": {"date": "2026-11-01T00:00:00+00:00"}}


def test_an_import_with_a_bad_line_names_it_and_creates_nothing(tmp_path):
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps(ITEM) + "\n" + json.dumps({**ITEM, "decision": "maybe"}) + "\n")
    with pytest.raises(CommandError, match="Line 2: ValueError: decision 'maybe' is not advance, pass or undecided"):
        call_command("dataset_import", str(path), "--name", "bad")
    assert not Dataset.objects.exists()

    path.write_text(json.dumps(ITEM) + "\n")
    call_command("dataset_import", str(path), "--name", "good")
    (item,) = Dataset.objects.get(name="good", frozen=True).items.all()
    assert item.tool_calls[0]["arguments"] == '{"url": "https://acme.example"}' and item.decision == "advance"


def test_evaluate_version_refuses_what_it_cannot_run(tmp_path):
    make_assistant()
    with pytest.raises(CommandError, match="--candidate is required"):
        call_command("evaluate_version", "--dataset", "1")
    with pytest.raises(CommandError, match="--dataset 999: no dataset has that id"):
        call_command("evaluate_version", "--dataset", "999", "--candidate", "tester")
    path = tmp_path / "items.jsonl"
    path.write_text(json.dumps(ITEM) + "\n")
    call_command("dataset_import", str(path), "--name", "one")
    dataset = Dataset.objects.get()
    with pytest.raises(CommandError, match="--cap 'lots': expected an amount in USD"):
        call_command("evaluate_version", "--dataset", str(dataset.pk), "--candidate", "tester", "--cap", "lots")
    with pytest.raises(CommandError, match="No assistant version 'tester:9'"):
        call_command("evaluate_version", "--dataset", str(dataset.pk), "--candidate", "tester:9")
    with pytest.raises(CommandError, match="--shadow 'nope': no pipeline has that name"):
        call_command("evaluate_version", "--shadow", "nope", "--candidate", "tester", "--pitches", "2")
    with pytest.raises(CommandError, match="No pipeline is named 'nope'"):
        call_command("dataset_freeze", "x", "--pipeline", "nope")
