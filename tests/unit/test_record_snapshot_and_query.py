"""A record's snapshot, the model's prompt and the intake query, from unsaved pipelines."""

from datetime import UTC, datetime, timedelta

from pipelines.models import Pipeline
from pipelines.services.intake import intake_query
from core.text import TRUNCATION_MARKER
from pipelines.services.prompt import pitch_prompt
from pipelines.services.records import mapped_fields, record_snapshot, record_website


def pipeline(**fields) -> Pipeline:
    return Pipeline(**{"name": "p", "sobject": "Account", "selection": "VicBot_Assessment__c = null",
                       "fields": ["Name", "Description", "Owner.Name"], **fields})


def test_the_snapshot_keeps_filled_fields_reads_relationships_and_cuts_huge_text():
    record = {"Name": "O'Brien & Co", "Description": "x" * 200_000, "Owner": {"Name": "Dana"}, "Industry": "Ag"}

    snapshot = record_snapshot(pipeline(field_max_chars=100), record)

    assert list(snapshot) == ["Name", "Description", "Owner.Name"]
    assert snapshot["Name"] == "O'Brien & Co" and snapshot["Owner.Name"] == "Dana"
    assert len(snapshot["Description"]) <= 100
    assert snapshot["Description"].endswith(TRUNCATION_MARKER.format(omitted=200_000 - 100 + len(
        TRUNCATION_MARKER.format(omitted=200_000 - 100))))


def test_the_prompt_replaces_placeholders_and_never_interprets_braces_in_pitch_text():
    p = pipeline(prompt_template="Record {record_id} of {sobject}:\n{record}")
    text = pitch_prompt(p, record_id="001A", snapshot={"Name": "Acme {record_id} {0}"})
    assert text == "Record 001A of Account:\nName: Acme {record_id} {0}"


def test_the_first_pass_reads_everything_the_condition_selects_oldest_first():
    soql = intake_query(pipeline(website_field=""), overlap=timedelta(minutes=5))
    assert soql == ("SELECT Description, Id, Name, Owner.Name, SystemModstamp FROM Account "
                    "WHERE (VicBot_Assessment__c = null) ORDER BY SystemModstamp, Id")


def test_the_website_field_is_read_and_kept_even_when_not_among_the_fields_sent():
    p = pipeline()  # website_field: "Website" by default
    assert "SELECT Description, Id, Name, Owner.Name, SystemModstamp, Website FROM" in intake_query(
        p, overlap=timedelta(0))
    snapshot = record_snapshot(p, {"Name": "Acme", "Website": "https://acme.example", "Description": "x"})
    assert list(snapshot) == ["Name", "Description", "Website"]
    assert record_website(p, snapshot) == "https://acme.example"
    # Named in another case among the fields: read once, found all the same.
    p = pipeline(fields=["Name", "website"], website_field="Website")
    assert mapped_fields(p) == ["Name", "website"]
    snapshot = record_snapshot(p, {"Name": "Acme", "Website": "acme.example"})
    assert record_website(p, snapshot) == "acme.example"
    # The pitch's text never stands in for the field.
    assert record_website(p, {"Name": "Acme", "Description": "Website: https://attacker.example"}) == ""


def test_later_passes_read_from_a_little_before_the_watermark_as_a_formatted_literal():
    watermark = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    soql = intake_query(pipeline(watermark=watermark), overlap=timedelta(minutes=5))
    assert soql.endswith("AND SystemModstamp >= 2026-11-30T11:55:00+00:00 ORDER BY SystemModstamp, Id")


def test_the_operators_condition_goes_in_as_written_braces_and_all():
    """A `{` in a string literal must not be read as a format field (it was: a KeyError on every later pass)."""
    watermark = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    p = pipeline(selection="Description != '{draft}' AND Name != '{0}'", watermark=watermark)
    assert "WHERE (Description != '{draft}' AND Name != '{0}') AND SystemModstamp >= " in intake_query(
        p, overlap=timedelta(0))
