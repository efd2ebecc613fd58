"""The default assistant on the engine, with every real tool against the emulators."""

import json

import pytest

from sandbox.sample_companies import COMPANIES
from tests.support.runs import wait_until_done
from vicbot.models import RunStatus, ToolCall
from vicbot.runs import start_run

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("celery_worker", "default_assistant")]

ALL_TOOLS = {"web_scrape", "pitchbook_company_find", "pitchbook_person_find", "salesforce_company_find",
             "salesforce_person_find", "salesforce_person_save"}


def pitch_for(company, website, account_id=""):
    founder = company.founders[0]
    return (f"Name: {company.name}\nWebsite: {website}\nAccount Id: {account_id}\n"
            f"Description: {company.description}\nFounder: {founder.full_name} ({founder.email})")


def test_the_default_assistant_researches_with_every_tool_and_answers(openai_emu, salesforce, sample_sites):
    company = COMPANIES[0]
    account_id = salesforce.org.insert("Account", {"Name": company.name, "Website": company.website})
    website = sample_sites.url(f"/{company.slug}/")

    # As a pipeline on Accounts starts it: the tools know the pitch's own Account and website from the metadata.
    run = wait_until_done(start_run(assistant="vicbot", input=pitch_for(company, website, account_id),
                                    metadata={"salesforce_id": account_id, "sobject": "Account", "website": website}))

    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert set(run.output_json) == {"Assessment", "Reasoning"}
    calls = {c.name: c for c in run.tool_calls.all()}
    assert set(calls) == ALL_TOOLS
    assert {c.status for c in calls.values()} == {ToolCall.Status.SUCCEEDED}, {n: c.output[:300] for n, c in calls.items() if c.status != "succeeded"}
    page = json.loads(calls["web_scrape"].output)
    assert company.name in page["title"] or company.name in page["text"]
    assert company.name in calls["pitchbook_company_find"].output
    assert company.name in calls["salesforce_company_find"].output
    saved = json.loads(calls["salesforce_person_save"].output)
    assert saved["action"] == "created"
    contact = salesforce.org.get(saved["id"])
    assert (contact["Email"], contact["AccountId"]) == (company.founders[0].email, account_id)


def test_a_website_that_redirects_to_cloud_metadata_is_refused_and_the_run_goes_on(openai_emu, salesforce,
                                                                                   sample_sites):
    company = COMPANIES[1]

    website = sample_sites.url("/redirect-metadata")
    run = wait_until_done(start_run(assistant="vicbot", tools=["web_scrape"],
                                    input=pitch_for(company, website), metadata={"website": website}))

    assert run.status == RunStatus.SUCCEEDED
    (scrape,) = run.tool_calls.all()
    assert scrape.status == ToolCall.Status.FAILED
    assert "169.254.169.254" in scrape.output and "address_not_allowed" in scrape.output
