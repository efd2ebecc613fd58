"""The emulator speaks Salesforce's wire format (checked with plain HTTP, not through our client)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
import requests

from sandbox.emulators.salesforce import Field

DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000")


@pytest.fixture
def api(emulator):
    """GET/POST/PATCH under /services/data/v62.0/ with the emulator's token."""
    session = emulator.session()
    session.headers["Authorization"] = f"Bearer {emulator.access_token}"

    def call(method: str, path: str, **kwargs) -> requests.Response:
        return session.request(method, f"{emulator.instance_url}/services/data/v62.0/{path}", **kwargs)

    return call


def test_query_pages_have_salesforce_shape(emulator, api):
    emulator.page_size = 2
    for name in ("A", "B", "C"):
        emulator.org.insert("Account", {"Name": name})

    first = api("GET", "query", params={"q": "SELECT Id, Name, CreatedDate FROM Account ORDER BY Name"})
    body = first.json()
    second = api("GET", body["nextRecordsUrl"].removeprefix("/services/data/v62.0/")).json()

    assert first.headers["Content-Type"] == "application/json;charset=UTF-8"
    assert first.headers["Sforce-Limit-Info"] == "api-usage=1/15000"
    assert (body["totalSize"], body["done"], len(body["records"])) == (3, False, 2)
    assert re.fullmatch(r"/services/data/v62\.0/query/01g\w{15}-2", body["nextRecordsUrl"])
    record = body["records"][0]
    assert list(record) == ["attributes", "Id", "Name", "CreatedDate"]
    assert record["attributes"] == {
        "type": "Account",
        "url": f"/services/data/v62.0/sobjects/Account/{record['Id']}",
    }
    assert DATETIME.fullmatch(record["CreatedDate"])
    assert (second["totalSize"], second["done"], "nextRecordsUrl" in second) == (3, True, False)
    assert [r["Name"] for r in second["records"]] == ["C"]


def test_batch_size_option_is_honoured_between_200_and_2000(emulator, api):
    for number in range(450):
        emulator.org.insert("Account", {"Name": f"A{number}"})

    def first_page(option: str) -> int:
        headers = {"Sforce-Query-Options": option}
        return len(
            api("GET", "query", params={"q": "SELECT Id FROM Account"}, headers=headers).json()["records"]
        )

    assert (first_page("batchSize=300"), first_page("batchSize=10"), first_page("batchSize=5000")) == (
        300,
        200,
        450,
    )


def test_errors_are_json_lists_with_error_codes(api):
    bad_field = api("GET", "query", params={"q": "SELECT Id, Foo__c FROM Account"})
    unknown_record = api("GET", "sobjects/Account/0015g000RmQa999AAA")
    no_token = api("GET", "limits", headers={"Authorization": "Bearer nope"})

    assert bad_field.status_code == 400
    assert bad_field.json() == [
        {
            "message": "\nSELECT Id, Foo__c FROM Account\n           ^\nERROR at Row:1:Column:12\n"
            "No such column 'Foo__c' on entity 'Account'. If you are attempting to use a custom field, "
            "be sure to append the '__c' after the custom field name. Please reference your WSDL or the "
            "describe call for the appropriate names.",
            "errorCode": "INVALID_FIELD",
        }
    ]
    assert (unknown_record.status_code, unknown_record.json()[0]["errorCode"]) == (404, "NOT_FOUND")
    assert no_token.status_code == 401
    assert no_token.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def test_writes_check_fields_like_salesforce(emulator, api):
    read_only = api("POST", "sobjects/Contact", json={"LastName": "Lovelace", "Name": "Ada Lovelace"})
    missing = api("POST", "sobjects/Contact", json={"FirstName": "Ada"})
    unknown = api("POST", "sobjects/Account", json={"Name": "Acme", "Foo__c": 1})
    created = api("POST", "sobjects/Contact", json={"FirstName": "Ada", "LastName": "Lovelace"})

    assert read_only.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"
    assert missing.json() == [
        {
            "message": "Required fields are missing: [LastName]",
            "errorCode": "REQUIRED_FIELD_MISSING",
            "fields": ["LastName"],
        }
    ]
    assert unknown.json()[0]["message"] == "No such column 'Foo__c' on sobject of type Account"
    assert created.status_code == 201
    assert created.json() == {"id": created.json()["id"], "success": True, "errors": []}
    assert emulator.org.get(created.json()["id"])["Name"] == "Ada Lovelace"


def test_collections_use_status_code_and_refuse_more_than_200_records(emulator, api):
    record_id = emulator.org.insert("Account", {"Name": "Acme"})
    record = {"attributes": {"type": "Account"}, "id": record_id, "VicBot_Reasoning__c": "x" * 131073}

    mixed = api(
        "PATCH",
        "composite/sobjects",
        json={"allOrNone": False, "records": [record, {"attributes": {"type": "Account"}}]},
    )
    too_many = api("PATCH", "composite/sobjects", json={"allOrNone": False, "records": [record] * 201})

    assert mixed.status_code == 200
    [too_long, no_id] = mixed.json()
    assert too_long["success"] is False and "id" not in too_long
    assert too_long["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert too_long["errors"][0]["message"].endswith("(max length=131072)")
    assert too_long["errors"][0]["fields"] == ["VicBot_Reasoning__c"]
    assert no_id["errors"] == [
        {"statusCode": "MISSING_ARGUMENT", "message": "Id not specified in an update call", "fields": []}
    ]
    assert too_many.status_code == 400
    assert too_many.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_all_or_none_rolls_every_record_back(emulator, api):
    good = emulator.org.insert("Account", {"Name": "Good"})
    bad = emulator.org.insert("Account", {"Name": "Bad"})
    records = [
        {"attributes": {"type": "Account"}, "id": good, "Industry": "Fintech"},
        {"attributes": {"type": "Account"}, "id": bad, "VicBot_Assessment__c": "x" * 300},
    ]

    results = api("PATCH", "composite/sobjects", json={"allOrNone": True, "records": records}).json()

    assert results[0] == {
        "id": good,
        "success": False,
        "errors": [
            {
                "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                "message": "Record rolled back because not all records were valid and the request was "
                "using AllOrNone header",
                "fields": [],
            }
        ],
    }
    assert results[1]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert emulator.org.get(good)["Industry"] is None


def test_every_write_moves_system_modstamp_strictly_forward(emulator, api):
    record_id = emulator.org.insert("Account", {"Name": "Acme"}, modified_by=emulator.org.human_user_id)
    stamps = [emulator.org.get(record_id)["SystemModstamp"]]
    for n in range(3):
        assert api("PATCH", f"sobjects/Account/{record_id}", json={"Industry": str(n)}).status_code == 204
        stamps.append(emulator.org.get(record_id)["SystemModstamp"])

    row = api("GET", f"sobjects/Account/{record_id}").json()

    assert stamps == sorted(set(stamps))
    assert all(stamp.microsecond % 1000 == 0 for stamp in stamps)
    assert row["LastModifiedById"] == emulator.org.integration_user_id
    assert row["CreatedById"] == emulator.org.human_user_id
    assert DATETIME.fullmatch(row["SystemModstamp"]) and row["LastModifiedDate"] == row["SystemModstamp"]


def test_ids_carry_key_prefixes_and_a_case_safe_suffix(emulator):
    emulator.org.define("Pitch__c", Field("Deck_Url__c", "url", 255))

    ids = [
        emulator.org.insert("Account", {"Name": "Acme"}),
        emulator.org.insert("Contact", {"LastName": "Lovelace"}),
        emulator.org.insert(
            "Pitch__c", {"Name": "Seed round", "Deck_Url__c": "https://acme.example/deck.pdf"}
        ),
    ]

    assert [i[:3] for i in ids] == ["001", "003", "a01"]
    assert all(re.fullmatch(r"[0-9A-Za-z]{15}[A-Z0-5]{3}", i) for i in ids)
    assert emulator.org.get(ids[0][:15])["Id"] == ids[0]


def test_fields_defined_later_read_as_null_on_existing_records(emulator, api):
    record_id = emulator.org.insert("Account", {"Name": "Acme"})
    emulator.org.define("Account", Field("VicBot_Status__c", "picklist", 40))

    rows = api("GET", "query", params={"q": "SELECT Id FROM Account WHERE VicBot_Status__c = null"}).json()

    assert [r["Id"] for r in rows["records"]] == [record_id]


def test_describe_lists_fields_with_lengths_and_filterability(api):
    fields = {f["name"]: f for f in api("GET", "sobjects/Account/describe").json()["fields"]}

    assert (fields["VicBot_Reasoning__c"]["type"], fields["VicBot_Reasoning__c"]["length"]) == (
        "textarea",
        131072,
    )
    assert fields["VicBot_Reasoning__c"]["filterable"] is False
    assert fields["VicBot_Assessment__c"]["filterable"] is True


def test_token_endpoint_failures_look_like_salesforce(emulator):
    session = emulator.session()
    url = f"https://{emulator.my_domain}.salesforce.com/services/oauth2/token"

    wrong_secret = session.post(
        url, data={"grant_type": "client_credentials"}, auth=(emulator.client_id, "nope")
    )
    unsupported = session.post(url, data={"grant_type": "password"})
    granted = session.post(
        url, data={"grant_type": "client_credentials"}, auth=(emulator.client_id, emulator.client_secret)
    )

    assert (wrong_secret.status_code, wrong_secret.json()) == (
        400,
        {"error": "invalid_client", "error_description": "invalid client credentials"},
    )
    assert unsupported.json()["error"] == "unsupported_grant_type"
    assert granted.json()["instance_url"] == emulator.instance_url
    assert set(granted.json()) == {
        "access_token",
        "signature",
        "scope",
        "instance_url",
        "id",
        "token_type",
        "issued_at",
    }
    assert emulator.api_calls == 0  # logging in is not a REST call


def test_the_command_line_prints_what_another_process_needs():
    process = subprocess.Popen(
        [sys.executable, "-m", "sandbox.emulators.salesforce", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        printed = dict(process.stdout.readline().strip().split("=", 1) for _ in range(3))
        answer = requests.get(
            f"{printed['SALESFORCE_INSTANCE_URL']}/services/data/v62.0/limits",
            headers={"Authorization": f"Bearer {printed['SALESFORCE_ACCESS_TOKEN']}"},
            verify=printed["REQUESTS_CA_BUNDLE"],
            timeout=5,
        )
    finally:
        process.terminate()
        process.wait(timeout=5)

    assert answer.json()["DailyApiRequests"]["Max"] == 15000
    assert process.returncode == 0
