"""A replay's tool call finds its recorded answer: same arguments first, then the declared normalisation."""

import json

from vicbot.services.runs.replay import normalised, recorded_answer

RECORDED = [
    {"name": "web_scrape", "arguments": '{"url": "https://www.acme.example/about/"}', "output": "about page"},
    {"name": "web_scrape", "arguments": '{"url": "https://acme.example/"}', "output": "home page"},
    {"name": "pitchbook_company_find", "arguments": '{"name": "Acme  Robotics"}', "output": "acme"},
]


def test_the_same_tool_and_arguments_are_an_exact_match_whatever_the_json_spacing():
    assert recorded_answer(RECORDED, "web_scrape", json.dumps({"url": "https://acme.example/"},
                                                              separators=(",", ":"))) == ("home page", "exact")


def test_url_forms_and_name_case_and_spacing_are_normalised():
    assert recorded_answer(RECORDED, "web_scrape", '{"url": "http://acme.example/about"}') == ("about page",
                                                                                               "normalised")
    assert recorded_answer(RECORDED, "web_scrape", '{"url": "ACME.example"}') == ("home page", "normalised")
    assert recorded_answer(RECORDED, "pitchbook_company_find", '{"name": " acme robotics "}') == ("acme",
                                                                                                  "normalised")


def test_another_tool_or_other_arguments_are_a_miss():
    assert recorded_answer(RECORDED, "salesforce_company_find", '{"name": "Acme Robotics"}') == (None, "miss")
    assert recorded_answer(RECORDED, "web_scrape", '{"url": "https://acme.example/team"}') == (None, "miss")
    assert recorded_answer(RECORDED, "web_scrape", "not json") == (None, "miss")


def test_normalisation_keeps_paths_and_non_strings():
    assert normalised({"url": "https://www.A.example/x/", "limit": 3}) == {"url": "a.example/x", "limit": 3}
