from __future__ import annotations

import time

import pytest

from integrations.pitchbook import Money, PitchBookClient, PitchBookConfig, PitchBookError


def test_it_finds_a_company_by_name_and_reads_its_detail(client, emulator):
    matches = client.search_companies(name="brightloop")
    assert [m.name for m in matches] == ["Brightloop Energy"]
    company = client.company(matches[0].company_id)
    assert company.company_id == emulator.company_id_of("Brightloop Energy")
    assert company.total_raised == Money(14_500_000, "USD")
    assert company.last_financing_type == "Series A" and company.last_financing_date == "2024-03-12"
    assert company.employees == 38 and company.year_founded == 2021
    assert "Northwind Climate Partners" in company.investors


def test_it_sends_the_pb_token_and_the_query(client, emulator):
    client.search_companies(name="Select Or Where Labs")
    request = emulator.requests[-1]
    assert request.authorization == f"PB-Token {emulator.api_key}"
    assert request.path == "/companies/search" and request.params == {"name": "Select Or Where Labs"}


def test_it_finds_a_company_by_website(client):
    matches = client.search_companies(website="https://www.obrien-robotics.example/about")
    assert [m.name for m in matches] == ["O'Brien & Daughters Robotics"]


def test_awkward_names_survive_the_round_trip(client):
    assert [m.name for m in client.search_companies(name="Path\\Finder")] == ["Path\\Finder Logistics"]
    assert [m.name for m in client.search_companies(name="50% Less")] == ["50% Less Carbon Ltd"]
    assert [m.name for m in client.search_companies(name="zurich quantum")] == ["Zürich Quantum AG"]


def test_it_finds_people_with_their_company(client, emulator):
    people = client.search_people("Niamh O'Brien")
    assert len(people) == 1
    assert people[0].title == "CEO" and people[0].person_id.endswith("P")
    assert people[0].company_id == emulator.company_id_of("O'Brien & Daughters Robotics")


def test_an_unknown_company_id_is_a_clear_not_found(client):
    with pytest.raises(PitchBookError) as caught:
        client.company("99999-99")
    assert caught.value.code == "not_found" and caught.value.permanent


def test_a_company_id_cannot_change_the_path(client, emulator):
    with pytest.raises(PitchBookError):
        client.company("../people/search")
    assert emulator.requests[-1].path == "/companies/..%2Fpeople%2Fsearch"


def test_a_wrong_key_is_a_clear_permanent_error(emulator, sleeps):
    client = PitchBookClient(PitchBookConfig(api_key="wrong", api_url=emulator.base_url), sleep=sleeps.append)
    with pytest.raises(PitchBookError) as caught:
        client.search_companies(name="Ledgerleaf")
    assert caught.value.code == "unauthorized" and caught.value.permanent
    assert "401" in caught.value.message
    assert len(emulator.requests) == 1 and sleeps == []


@pytest.mark.parametrize(
    "fault, code, status",
    [
        ("unauthorized", "unauthorized", None),
        ("forbidden", "forbidden", None),
        ("quota", "quota_exceeded", None),  # a 429 whose body says quota: waiting will not help
        ("quota", "quota_exceeded", 402),
    ],
)
def test_auth_and_quota_failures_are_permanent_and_not_retried(client, emulator, sleeps, fault, code, status):
    emulator.faults.add(fault, status=status)
    with pytest.raises(PitchBookError) as caught:
        client.search_companies(name="Ledgerleaf")
    assert caught.value.code == code and caught.value.permanent
    assert len(emulator.requests) == 1 and sleeps == []


def test_it_waits_as_long_as_retry_after_says_then_succeeds(client, emulator, sleeps):
    emulator.faults.add("rate_limit", retry_after=2)
    assert [m.name for m in client.search_companies(name="Ledgerleaf")] == ["Ledgerleaf"]
    assert sleeps == [2.0]
    assert len(emulator.requests) == 2


def test_it_reads_retry_after_given_as_an_http_date(client, emulator, sleeps):
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 3))
    emulator.faults.add("rate_limit", retry_after=when)
    client.search_companies(name="Ledgerleaf")
    assert len(sleeps) == 1 and 1 <= sleeps[0] <= 3


def test_it_does_not_wait_for_a_retry_after_beyond_its_cap(client, emulator, sleeps):
    emulator.faults.add("rate_limit", retry_after=3600)
    with pytest.raises(PitchBookError) as caught:
        client.search_companies(name="Ledgerleaf")
    assert caught.value.code == "rate_limited" and not caught.value.permanent
    assert "3600" in caught.value.message
    assert sleeps == [] and len(emulator.requests) == 1


@pytest.mark.parametrize("status", [500, 503])
def test_it_retries_a_server_error_with_backoff_then_succeeds(client, emulator, sleeps, status):
    emulator.faults.add("server_error", status=status)
    assert client.search_companies(name="Ledgerleaf")
    assert sleeps == [1.0] and len(emulator.requests) == 2


def test_retries_are_bounded(client, emulator, sleeps):
    emulator.faults.add("server_error", times=10)
    with pytest.raises(PitchBookError) as caught:
        client.search_companies(name="Ledgerleaf")
    assert caught.value.code == "server_error" and not caught.value.permanent
    assert len(emulator.requests) == 3 and sleeps == [1.0, 2.0]


def test_it_retries_when_pitchbook_cannot_be_reached(sleeps, emulator):
    url = emulator.base_url
    emulator.stop()
    client = PitchBookClient(
        PitchBookConfig(api_key=emulator.api_key, api_url=url, timeout=1), sleep=sleeps.append
    )
    with pytest.raises(PitchBookError) as caught:
        client.search_companies(name="Ledgerleaf")
    assert caught.value.code == "connection_error" and len(sleeps) == 2


def test_it_refuses_to_start_without_a_key():
    with pytest.raises(PitchBookError) as caught:
        PitchBookClient(PitchBookConfig(api_key=None))
    assert caught.value.code == "not_configured"
    assert not PitchBookConfig(api_key="").is_configured


def test_the_key_stays_out_of_the_config_repr():
    assert "secret" not in repr(PitchBookConfig(api_key="secret"))
