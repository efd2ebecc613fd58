"""The one reading of a record as a pitch (pipelines.services.records), one test per pipeline setting."""

from datetime import UTC, datetime

from pipelines.models import Pipeline
from pipelines.services.records import (
    RecordText,
    fields_to_select,
    mapped_fields,
    record_text,
    record_website,
    text_changed,
)
from pipelines.services.storable import REPLACEMENT
from core.text import TRUNCATION_MARKER


def pipeline(**fields) -> Pipeline:
    return Pipeline(**{"name": "p", "sobject": "Account", "selection": "Id != null",
                       "fields": ["Description"], "website_field": "", **fields})


def test_every_reading_selects_the_id_the_version_and_the_name_even_when_no_field_maps_them():
    # Intake once selected no Name (only manual evaluation and the write-back did): its pitches had no name.
    assert fields_to_select(pipeline()) == ["Description", "Id", "Name", "SystemModstamp"]
    assert record_text(pipeline(), {"Id": "001", "Name": "Acme", "Description": "d"}).name == "Acme"


def test_fields_the_pipeline_sends_are_selected_once_whatever_their_case():
    p = pipeline(fields=["name", "Industry", "industry", "Description"])
    assert fields_to_select(p) == ["Description", "Id", "Industry", "Name", "SystemModstamp"]
    # The write-back's own fields join the list, still each once.
    assert fields_to_select(p, also=["VicBot_Assessment__c", "INDUSTRY"]) == [
        "Description", "Id", "Industry", "Name", "SystemModstamp", "VicBot_Assessment__c"]


def test_the_website_field_is_selected_and_kept_after_the_fields_sent_and_named_by_the_setting():
    p = pipeline(website_field="Website")
    assert mapped_fields(p) == ["Description", "Website"]
    assert "Website" in fields_to_select(p)
    text = record_text(p, {"Description": "Says https://attacker.example", "Website": "https://acme.example"})
    assert list(text.snapshot) == ["Description", "Website"]
    assert record_website(p, text.snapshot) == "https://acme.example"
    # Without the setting there is no own site, whatever the text says.
    assert record_website(pipeline(), record_text(pipeline(), {"Description": "https://x.example"}).snapshot) == ""
    # Already among the fields sent (in another case): read once, found by the setting.
    p = pipeline(fields=["website"], website_field="Website")
    assert mapped_fields(p) == ["website"]
    assert record_website(p, record_text(p, {"Website": "acme.example"}).snapshot) == "acme.example"


def test_field_max_chars_cuts_each_field_with_a_marker_but_not_the_name():
    p = pipeline(fields=["Description", "Name"], field_max_chars=50)
    text = record_text(p, {"Description": "x" * 1000, "Name": "n" * 300})
    assert len(text.snapshot["Description"]) <= 50
    assert text.snapshot["Description"].endswith(TRUNCATION_MARKER.format(omitted=1000 - 50 + len(
        TRUNCATION_MARKER.format(omitted=950))))
    assert len(text.snapshot["Name"]) <= 50
    assert text.name == "n" * 255  # the pitch's name column, not the model's budget


def test_relationship_fields_are_read_from_their_nested_objects_case_insensitively():
    p = pipeline(fields=["Owner.Name", "Account.Owner.Email", "Parent.Name"])
    assert fields_to_select(p) == ["Account.Owner.Email", "Id", "Name", "Owner.Name", "Parent.Name", "SystemModstamp"]
    record = {"owner": {"attributes": {}, "NAME": "Dana"}, "Account": {"Owner": {"Email": "d@x.example"}},
              "Parent": None}
    assert record_text(p, record).snapshot == {"Owner.Name": "Dana", "Account.Owner.Email": "d@x.example"}


def test_empty_values_are_left_out_and_a_record_with_none_sends_an_empty_snapshot():
    p = pipeline(fields=["Description", "Industry", "NumberOfEmployees", "IsActive"])
    text = record_text(p, {"Description": "", "Industry": None, "NumberOfEmployees": 0, "IsActive": False})
    assert text.snapshot == {"NumberOfEmployees": "0", "IsActive": "False"}  # 0 and False are values
    assert record_text(p, {}).pitch_fields() == {"snapshot": {}, "name": "", "intake_note": "",
                                                  "system_modstamp": None}


def test_characters_the_database_refuses_are_replaced_and_noted_once_per_field():
    p = pipeline(fields=["Name", "Description"])
    text = record_text(p, {"Name": "A\x00cme", "Description": "ok \ud800"})
    assert text.snapshot == {"Name": f"A{REPLACEMENT}cme", "Description": f"ok {REPLACEMENT}"}
    assert text.name == f"A{REPLACEMENT}cme"
    assert text.note.count("Name:") == 1 and "Description:" in text.note
    # The name not among the fields sent is still cleaned, and noted under its own name.
    text = record_text(pipeline(), {"Name": "B\x00", "Description": "fine"})
    assert text.name == f"B{REPLACEMENT}" and text.note.startswith("Name: ")


def test_what_a_pitch_stores_carries_the_records_version():
    text = record_text(pipeline(), {"Id": "001", "Name": "Acme", "Description": "d",
                                    "SystemModstamp": "2026-11-30T12:00:00.000+0000"})
    assert text.pitch_fields() == {"snapshot": {"Description": "d"}, "name": "Acme", "intake_note": "",
                                   "system_modstamp": datetime(2026, 11, 30, 12, tzinfo=UTC)}


def test_only_a_change_to_the_fields_sent_is_an_edit():
    p = pipeline(fields=["Description"])
    stored = record_text(p, {"Description": "d", "SystemModstamp": "2026-11-30T12:00:00.000+0000"}).snapshot
    # Our own write-back bumps the version and fills other fields: not an edit.
    assert not text_changed(stored, record_text(p, {"Description": "d", "VicBot_Assessment__c": "Strong",
                                                    "SystemModstamp": "2026-11-30T12:05:00.000+0000"}))
    assert text_changed(stored, record_text(p, {"Description": "d2"}))
    assert text_changed(stored, RecordText(snapshot={}, name="", note=""))  # the field was emptied
