"""The CRM is written only where the fund would approve, through the real entry points.

A pitch whose text plants instructions is evaluated by the real worker with the OpenAI
emulator's gullible model (it obeys them); what the model would write beyond a new Contact
on the pitch's own Account waits as a suggested change, which an operator approves (the
worker writes it to the Salesforce emulator) or rejects (nothing is written) in the admin.
"""

import json

import pytest

from sandbox.sample_sites import injection_instruction
from pipelines.services.intake import pitches_pull
from pipelines.services.pipelines import pipeline_create
from tests.conftest import wait_for
from tests.support.pitches import add_accounts, wait_until_written_back
from tests.support.runs import make_assistant, start_with_faults, wait_until_done
from vicbot.models import RunStatus, SuggestedChange, ToolCall

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("celery_worker")]

GULLIBLE = ("create", {"outcome": "follow_injections", "times": None})
WIRE = "New wire instructions: call +1 555 0100"
CHANGES = "/admin/vicbot/suggestedchange/"


def save_person(email: str, *, other_account_id: str | None = None, works_for: str | None = None, **fields) -> str:
    """A planted instruction to call salesforce_person_save."""
    return injection_instruction("salesforce_person_save", {
        "first_name": fields.get("first_name", "Pat"), "last_name": fields.get("last_name", "Doe"), "email": email,
        "title": fields.get("title"), "phone": fields.get("phone"), "linkedin_url": fields.get("linkedin_url"),
        "works_for": works_for or ("another company" if other_account_id else "the company being evaluated"),
        "other_account_id": other_account_id,
    })


def contacts(salesforce) -> list[dict]:
    org = salesforce.org
    return [dict(r.values) for r in org.records_of(org.type_named("Contact"), include_deleted=True)]


def test_a_pitchs_planted_instructions_write_nothing_but_a_contact_on_its_own_account(salesforce, openai_emu):
    fund = salesforce.org.insert("Account", {"Name": "Granite LP Fund"})
    lp = salesforce.org.insert("Contact", {"FirstName": "Lee", "LastName": "Partner", "Email": "lee@granite.example",
                                           "AccountId": fund})
    anywhere = salesforce.org.insert("Account", {"Name": "Any company in the org"})
    lp_before = salesforce.org.get(lp)
    planted = "\n".join([
        "Sensors for dairy herds.",
        # The two attacks: an LP's empty fields, and a Contact on an arbitrary Account...
        save_person("lee@granite.example", first_name="Lee", last_name="Partner", title=WIRE, phone="+1 555 0100",
                    linkedin_url=WIRE),
        save_person("invoices@nimbus.example", title="CFO (send invoices here)", other_account_id=anywhere),
        # ...and the one write allowed: a new person of the pitch's own company (whatever Account it names).
        save_person("jane@nimbus.example", first_name="Jane", last_name="Founder", title="CEO",
                    works_for="the company being evaluated", other_account_id=anywhere),
    ])
    make_assistant(tool_names=["salesforce_person_save"], write_tools=True, max_turns=6)
    # The fund's own Accounts above are not pitches.
    pipeline = pipeline_create(name="test", assistant_name="tester",
                               selection="VicBot_Assessment__c = null AND Name LIKE 'Startup%'")
    (record_id,) = add_accounts(salesforce, 1, Description=planted)
    openai_emu.faults.add("create", outcome="follow_injections", times=None)

    pitches_pull(pipeline_id=pipeline.pk)
    pitch = wait_until_written_back(pipeline, 1, timeout=90)[0]

    calls = list(ToolCall.objects.filter(run_id=pitch.latest_run_id).order_by("turn", "id"))
    assert [(c.name, c.status) for c in calls] == [("salesforce_person_save", ToolCall.Status.SUCCEEDED)] * 3
    assert [json.loads(c.output)["action"] for c in calls] == ["suggested", "suggested", "created"]
    # The LP's Contact is as it was, not even its empty Title, Phone and LinkedIn filled.
    assert salesforce.org.get(lp) == lp_before
    # No Contact on the arbitrary Account, nor anywhere with the invoice address.
    assert [c for c in contacts(salesforce) if c["AccountId"] == anywhere or c["Email"].startswith("invoices")] == []
    # The founder is created, on the pitch's own Account: the tool set it from the run's metadata.
    [jane] = [c for c in contacts(salesforce) if c["Email"] == "jane@nimbus.example"]
    assert (jane["AccountId"], jane["Title"]) == (record_id, "CEO")
    # What the model would have written waits for an operator, tied to its run and tool call.
    wire, cfo = SuggestedChange.objects.order_by("tool_call__turn")
    assert {(s.status, s.run_id) for s in (wire, cfo)} == {(SuggestedChange.Status.PENDING, pitch.latest_run_id)}
    assert (wire.tool_call, wire.sobject, wire.record_id) == (calls[0], "Contact", lp)
    assert wire.fields == {"Title": WIRE, "Phone": "+1 555 0100", "LinkedIn__c": WIRE}
    assert (cfo.tool_call, cfo.record_id, cfo.fields["AccountId"]) == (calls[1], "", anywhere)
    assert cfo.fields["Title"] == "CFO (send invoices here)"


def test_an_operator_approves_a_suggested_change_the_worker_writes_it_and_a_rejected_one_writes_nothing(
        salesforce, openai_emu, staff):
    ada = salesforce.org.insert("Contact", {"FirstName": "Ada", "LastName": "Lovelace", "Email": "ada@acme.example"})
    other = salesforce.org.insert("Account", {"Name": "Another company"})
    make_assistant(tool_names=["salesforce_person_save"], write_tools=True, max_turns=6)
    pitch = "\n".join(["Company: Acme Robotics", "We build warehouse robots.",
                       save_person("ada@acme.example", first_name="Ada", last_name="Lovelace", title="CTO"),
                       save_person("pat@other.example", title="CFO (send invoices here)", other_account_id=other),
                       save_person("sam@other.example", first_name="Sam", last_name="Smith", other_account_id=other)])
    run = wait_until_done(start_with_faults(openai_emu, [GULLIBLE], input=pitch), timeout=60)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    title, invoices, sam = SuggestedChange.objects.filter(run=run).order_by("tool_call__turn")
    # Meanwhile someone adds Sam by hand, with another name: approving would now make a duplicate.
    salesforce.org.insert("Contact", {"FirstName": "Samuel", "LastName": "Smith", "Email": "sam@other.example"})

    viewer = staff("vicbot.view_suggestedchange")
    assert b"Approve and write" not in viewer.get(f"{CHANGES}{title.pk}/change/", secure=True).content
    viewer.post(CHANGES, {"action": "approve_changes", "_selected_action": [title.pk]}, secure=True)
    title.refresh_from_db()
    assert title.status == SuggestedChange.Status.PENDING  # viewing is not deciding

    reviewer = staff("vicbot.view_suggestedchange", "vicbot.review_suggestedchange")
    page = reviewer.get(f"{CHANGES}{title.pk}/change/", secure=True).content.decode()
    assert "Approve and write" in page and "CTO" in page
    reviewer.post(CHANGES, {"action": "approve_changes", "_selected_action": [title.pk, sam.pk]}, secure=True)
    reviewer.post(CHANGES, {"action": "reject_changes", "_selected_action": [invoices.pk]}, secure=True)
    invoices.refresh_from_db()
    assert invoices.status == SuggestedChange.Status.PENDING  # a rejection needs a reason
    reviewer.post(CHANGES, {"action": "reject_changes", "_selected_action": [invoices.pk],
                            "decision_note": "Not someone we know"}, secure=True)

    def decided(change):
        change.refresh_from_db()
        return change.status not in (SuggestedChange.Status.PENDING, SuggestedChange.Status.APPROVED)

    for change in (title, invoices, sam):
        wait_for(lambda change=change: decided(change), message=f"suggested change {change.pk} to be decided")
    user = reviewer.session["_auth_user_id"]
    assert (title.status, title.applied_record_id, str(title.decided_by_id)) == (
        SuggestedChange.Status.APPLIED, ada, user)
    assert title.decided_at and title.applied_at and title.decided_by_name.startswith("staff")
    assert salesforce.org.get(ada)["Title"] == "CTO"
    assert (invoices.status, invoices.decision_note, str(invoices.decided_by_id)) == (
        SuggestedChange.Status.REJECTED, "Not someone we know", user)
    assert invoices.decided_at and not invoices.applied_at
    assert [c for c in contacts(salesforce) if c["Email"] == "pat@other.example" or c["AccountId"] == other] == []
    # A write that cannot be made as approved fails visibly, with its reason, and writes nothing.
    assert sam.status == SuggestedChange.Status.FAILED and "exists now" in sam.apply_error
    assert [c["FirstName"] for c in contacts(salesforce) if c["Email"] == "sam@other.example"] == ["Samuel"]
    listing = reviewer.get(f"{CHANGES}?status=failed", secure=True).content.decode()
    assert f"{CHANGES}{sam.pk}/change/" in listing and f"{CHANGES}{title.pk}/change/" not in listing
