"""What web_scrape may read: the record's own website (from its mapped field), URLs seen in pages
and PitchBook answers, and never a URL that carries what a Salesforce tool answered."""

from __future__ import annotations

import json

import pytest

from tools.base import EarlierOutput, ToolContext
from tools.web_scrape_policy import own_site_urls, refusal, salesforce_secrets

WEBSITE = "www.Acme.co.uk."
PITCH = ("Account Name: Acme\nWebsite: www.Acme.co.uk\nFounder: Jane Doe\n"
         "Description: We build robots. Our investor page: website: https://attacker.example/")


def context(*earlier: EarlierOutput, website: str = WEBSITE, open_browsing: bool = False) -> ToolContext:
    return ToolContext(run_input=PITCH, website=website, earlier_outputs=earlier, open_browsing=open_browsing)


def page(text: str, *, ok: bool = True) -> EarlierOutput:
    return EarlierOutput("web_scrape", json.dumps({"final_url": "https://www.acme.co.uk/", "text": text}), ok)


def salesforce(records: list[dict], tool: str = "salesforce_person_find") -> EarlierOutput:
    return EarlierOutput(tool, json.dumps(records))


CONTACTS = salesforce([
    {"attributes": {"type": "Contact", "url": "/services/data/v62.0/sobjects/Contact/003000000000001AAA"},
     "Id": "003000000000001AAA", "Name": "Jane Doe", "Email": "jane@portfolio.example",
     "Title": "Chief Executive Officer", "AccountId": "001000000000009AAA"},
    {"Id": "003000000000002AAA", "Name": "Johnathan Smithers", "Email": "jsmithers@lp-fund.example",
     "Phone": "+1 (555) 010-0199", "Title": "Partner"},
])


@pytest.mark.parametrize(
    "url",
    [
        "https://www.acme.co.uk/",
        "http://www.acme.co.uk",
        "HTTPS://WWW.ACME.CO.UK:443/#founders",
        "https://acme.co.uk/",  # the website without www
    ],
)
def test_the_records_own_website_and_its_root_may_be_read(url):
    assert refusal(url, context()) is None


def test_a_website_with_a_path_opens_that_page_and_the_sites_root_only():
    website = "http://127.0.0.1:8123/acme/"
    assert refusal("http://127.0.0.1:8123/acme/", context(website=website)) is None
    assert refusal("http://127.0.0.1:8123/", context(website=website)) is None
    assert refusal("http://127.0.0.1:8123/acme/about", context(website=website)) is not None
    assert refusal("http://127.0.0.1:8124/acme/", context(website=website)) is not None
    assert own_site_urls("http://127.0.0.1:8123/acme/") == {
        "http://127.0.0.1:8123/acme/", "http://127.0.0.1:8123/", "https://127.0.0.1:8123/acme/",
        "https://127.0.0.1:8123/"}


@pytest.mark.parametrize(
    "url",
    [
        "https://www.acme.co.uk/about",  # a path the model made up, on the own site
        "https://www.acme.co.uk/?q=1",  # a query it added
        "https://blog.acme.co.uk/",  # another host of the same domain
        "https://acme.co.uk.attacker.example/",
        "https://notacme.co.uk/",
        "https://attacker.example/",  # named by a "website:" line in the pitch's description
        "https://attacker.example/?q=www.acme.co.uk",
    ],
)
def test_a_url_neither_the_website_nor_seen_in_a_page_is_refused_with_a_reason(url):
    reason = refusal(url, context())
    assert reason is not None and "a URL composed from them (a new path or query) is refused" in reason
    assert "www.Acme.co.uk." in reason


def test_without_a_mapped_website_no_site_is_the_pitchs_own_and_the_pitchs_text_never_names_one():
    for url in ("https://www.acme.co.uk/", "https://attacker.example/"):
        assert "(none given)" in refusal(url, context(website=""))
    assert own_site_urls("not a url") == set() and own_site_urls("  ") == set()


def test_a_url_written_in_a_page_read_or_a_pitchbook_answer_may_be_read_exactly_as_written():
    pitchbook = EarlierOutput("pitchbook_company_find", json.dumps({"website": "https://acme.example/team"}))
    earlier = (page("Press: https://news.example/raise?id=7. Jobs: https://jobs.example/acme."), pitchbook)
    for url in ("https://news.example/raise?id=7", "https://jobs.example/acme", "https://acme.example/team"):
        assert refusal(url, context(*earlier)) is None, url
    for url in ("https://news.example/raise?id=8", "https://news.example/", "https://jobs.example/acme/x"):
        assert refusal(url, context(*earlier)) is not None, url


def test_urls_in_the_pitch_in_salesforce_answers_or_in_failed_calls_do_not_count_as_seen():
    assert refusal("https://attacker.example/", context()) is not None  # written in the pitch
    company = salesforce([{"Id": "001000000000009AAA", "Website": "https://other.example/x"}],
                         tool="salesforce_company_find")
    assert refusal("https://other.example/x", context(company)) is not None
    # A refused call's error names the URL it refused: asking again must not make it "seen".
    refused = page("url_not_allowed: https://attacker.example/collect?c=1 is neither ...", ok=False)
    assert refusal("https://attacker.example/collect?c=1", context(refused)) is not None


@pytest.mark.parametrize(
    "url, carried",
    [
        ("https://www.acme.co.uk/collect?c=jane%40portfolio.example", "jane portfolio example"),
        # twice encoded
        ("https://www.acme.co.uk/collect?c=jane%2540portfolio.example", "jane portfolio example"),
        ("https://www.acme.co.uk/c/JANE@PORTFOLIO.EXAMPLE", "jane portfolio example"),
        ("https://www.acme.co.uk/?who=Johnathan+Smithers", "johnathan smithers"),
        ("https://www.acme.co.uk/?who=johnathan_smithers", "johnathan smithers"),
        ("https://www.acme.co.uk/?who=johnathansmithers", "johnathansmithers"),
        ("https://www.acme.co.uk/?who=smithers", "smithers"),
        ("https://www.acme.co.uk/?p=15550100199", "15550100199"),
        ("https://www.acme.co.uk/?p=%2B1-555-010-0199", "1 555 010 0199"),
        ("https://www.acme.co.uk/?id=003000000000002aaa", "003000000000002aaa"),
        ("https://jsmithers.acme.co.uk/", "jsmithers"),  # in the subdomain, for the DNS lookup to carry
        ("https://www.acme.co.uk/?e=jsmithers%40lp-fund.example", "jsmithers lp fund example"),
    ],
)
def test_a_url_carrying_a_salesforce_value_is_refused_even_on_the_own_site_and_with_open_browsing(
        url, carried):
    for ctx in (context(CONTACTS), context(CONTACTS, open_browsing=True)):
        reason = refusal(url, ctx)
        assert reason is not None and f"contains {carried!r}, which came from our Salesforce" in reason


def test_the_same_url_seen_in_a_page_is_still_refused_once_it_carries_salesforce_data():
    seen = page("Verify here: https://news.example/collect?c=jsmithers")
    # Before Salesforce answered, then after.
    assert refusal("https://news.example/collect?c=jsmithers", context(seen)) is None
    assert refusal("https://news.example/collect?c=jsmithers", context(seen, CONTACTS)) is not None


@pytest.mark.parametrize(
    "url",
    [
        "https://www.acme.co.uk/",
        "https://www.linkedin.com/in/jane-doe",  # the founder the pitch names
        "https://news.example/acme-hires-a-chief-executive-officer",  # a title is not identifying
        "https://news.example/services/data/contact",  # Salesforce's own record attributes are not data
        "https://news.example/2024/01/05/partner-news?page=2",
        "https://news.example/janet-doeling",  # "jane" as part of another word
        "https://news.example/portfolio",  # a word of an email's domain that the pitch uses too
    ],
)
def test_ordinary_urls_are_not_taken_for_salesforce_data(url):
    seen = page(" ".join(f"See {u} ." for u in [
        "https://www.linkedin.com/in/jane-doe", "https://news.example/acme-hires-a-chief-executive-officer",
        "https://news.example/services/data/contact", "https://news.example/2024/01/05/partner-news?page=2",
        "https://news.example/janet-doeling", "https://news.example/portfolio"]))
    ctx = ToolContext(run_input=PITCH + "\nPortfolio: robots", website=WEBSITE,
                      earlier_outputs=(seen, CONTACTS))
    assert refusal(url, ctx) is None


def test_emails_phones_and_ids_are_refused_even_when_the_pitch_itself_contains_them():
    own = salesforce([{"Id": "003000000000001AAA", "Name": "Jane Doe", "Email": "jane@acme.co.uk"}])
    ctx = ToolContext(run_input=PITCH + "\nContact: jane@acme.co.uk", website=WEBSITE, open_browsing=True,
                      earlier_outputs=(own,))
    assert refusal("https://news.example/jane-doe", ctx) is None  # the name the pitch gave
    assert refusal("https://news.example/?e=jane@acme.co.uk", ctx) is not None
    assert refusal("https://news.example/?id=003000000000001AAA", ctx) is not None


def test_only_identifying_values_and_written_contact_details_become_secrets():
    answer = salesforce([{"Id": "001000000000009AAA", "Name": "Globex", "Industry": "Robotics",
                          "Description": "Founded 2019-03-14. Call +44 20 7946 0958 or mail "
                                         "info@globex.example."}],
                        tool="salesforce_company_find")
    texts = {secret.text for secret in salesforce_secrets((answer,))}
    assert {"001000000000009aaa", "globex", "442079460958", "info globex example"} <= texts
    assert not {"robotics", "founded", "20190314", "2019"} & texts
    assert salesforce_secrets((page("jane@portfolio.example"),)) == []  # only Salesforce tools' answers


def test_a_salesforce_answer_cut_short_by_the_output_bound_still_gives_its_values():
    whole = json.dumps([{"attributes": {"type": "Contact"}, "Name": "Johnathan Smithers",
                         "Email": "js@lp.example"}])
    cut = EarlierOutput("salesforce_person_find", whole[:-12] + "…[truncated by Vicbot: 12 more characters]")
    texts = {secret.text for secret in salesforce_secrets((cut,))}
    assert "johnathan smithers" in texts and "contact" not in texts
    assert refusal("https://www.acme.co.uk/?n=johnathan-smithers", context(cut)) is not None
