"""Text PostgreSQL refuses (NUL, lone surrogates) is made storable, with a note of what changed."""

import json

from pipelines.models import Pipeline
from pipelines.services.records import record_text
from pipelines.services.storable import REPLACEMENT, storable_text


def test_text_the_database_holds_is_kept_as_it_is():
    text = "Ünïcode ✓ 🚀 \uffff \x01 \u2028 {record}"
    assert storable_text(text) == (text, "")


def test_nul_and_lone_surrogates_are_replaced_and_counted():
    assert storable_text("a\x00b\x00") == (f"a{REPLACEMENT}b{REPLACEMENT}",
                                         "2 NUL characters replaced with U+FFFD")
    assert storable_text("x\ud800y\udfff") == (f"x{REPLACEMENT}y{REPLACEMENT}",
                                               "2 lone surrogates replaced with U+FFFD")
    assert storable_text("\x00\udc00") == (REPLACEMENT * 2,
                                           "1 NUL character and 1 lone surrogate replaced with U+FFFD")


def test_a_surrogate_pair_split_in_two_is_joined_into_its_character():
    assert storable_text("go \ud83d\ude80!") == ("go 🚀!", "1 split surrogate pair joined")


def test_what_json_can_carry_comes_out_encodable_as_utf8():
    text, _ = storable_text(json.loads('"\\u0000 \\ud800 \\udbff\\udfff \\udfff\\ud800"'))
    text.encode("utf-8")  # raises for anything PostgreSQL's driver would refuse
    assert "\x00" not in text and text.count(REPLACEMENT) == 4  # a low then a high half is no pair


def test_a_record_s_note_names_each_field_cleaned():
    pipeline = Pipeline(name="p", fields=["Name", "Description", "Website"])
    text = record_text(pipeline, {"Name": "A\x00", "Description": "fine", "Website": "https://x.example/\ud800"})
    assert text.snapshot == {"Name": f"A{REPLACEMENT}", "Description": "fine",
                             "Website": f"https://x.example/{REPLACEMENT}"}
    assert text.name == f"A{REPLACEMENT}"
    assert text.note == ("Name: 1 NUL character replaced with U+FFFD; "
                         "Website: 1 lone surrogate replaced with U+FFFD")
