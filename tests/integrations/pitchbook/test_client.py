from __future__ import annotations

import time

import pytest

from integrations.errors import IntegrationError
from integrations.pitchbook import (
    CREDITS_EXHAUSTED,
    CreditMeter,
    EntityHit,
    Money,
    PersonHit,
    PitchBookClient,
    PitchBookConfig,
    PitchBookError,
)


def test_it_finds_a_company_by_exact_name_and_reads_its_bio(client, emulator):
    (hit,) = client.search_companies(names=["Brightloop Energy"])
    assert hit.company_id == emulator.company_id_of("Brightloop Energy") and hit.website == "www.brightloop.example"
    bio = client.company_bio(hit.company_id)
    assert (bio.company_id, bio.name, bio.year_founded, bio.employees) == (hit.company_id, "Brightloop Energy", 2021, 38)
    assert bio.hq == "Hamburg, Germany"
    assert bio.total_raised == Money(14.5, "USD", False)  # verbatim: the emulator's unit is millions
    assert bio.business_status == "Generating Revenue" and bio.description.startswith("Brightloop connects")


def test_it_sends_the_pb_token_and_the_documented_parameters(client, emulator):
    client.search_companies(names=["Select Or Where Labs", "ledgerleaf.example"])
    request = emulator.requests[-1]
    assert request.authorization == f"PB-Token {emulator.api_key}"
    assert request.path == "/companies/search"
    assert request.params == {"companyNames": "Select Or Where Labs,ledgerleaf.example", "perPage": "10"}


def test_it_finds_a_company_by_its_bare_website(client):
    assert [h.name for h in client.search_companies(names=["obrien-robotics.example"])] == [
        "O'Brien & Daughters Robotics"
    ]


def test_the_exact_search_refuses_a_value_with_a_comma_without_calling(client, emulator):
    with pytest.raises(ValueError, match="comma"):
        client.search_companies(names=["Acme, Inc."])
    assert emulator.requests == []


def test_awkward_names_survive_the_round_trip(client):
    assert [h.name for h in client.search_companies(names=["Path\\Finder Logistics"])] == ["Path\\Finder Logistics"]
    assert [h.name for h in client.search_companies(names=["50% Less Carbon Ltd"])] == ["50% Less Carbon Ltd"]


def test_general_search_finds_partial_names_and_tells_companies_from_people(client, emulator):
    hits = client.search(query="o'brien")
    assert isinstance(hits[0], EntityHit) and hits[0].name == "O'Brien & Daughters Robotics"
    people = [h for h in hits if isinstance(h, PersonHit)]
    assert [p.name for p in people] == ["Niamh O'Brien", "Aoife O'Brien", "Declan O'Brien"]
    assert {p.firm_id for p in people} == {emulator.company_id_of("O'Brien & Daughters Robotics")}
    assert emulator.requests[-1].params == {"query": "o'brien", "perPage": "10"}


def test_it_reads_the_most_recent_financing_and_the_investors(client, emulator):
    pb_id = emulator.company_id_of("Kestrel Health")
    deal = client.most_recent_financing(pb_id)
    assert (deal.date, deal.deal_types, deal.size) == ("2023-07-25", ("Later Stage VC", "Series B"), Money(35.0, "USD", False))
    investors = client.investors(pb_id)
    assert investors.count == len(investors.investors) and "Meridian Health Ventures" in {
        i.name for i in investors.investors
    }
    assert all(i.investor_id and i.types for i in investors.investors)


def test_it_finds_people_at_a_firm_and_reads_their_bio(client, emulator):
    (hit,) = client.search_people(names=["Niamh O'Brien"], firms=["obrien-robotics.example"])
    assert hit.person_id.endswith("P") and hit.firm_id == emulator.company_id_of("O'Brien & Daughters Robotics")
    assert emulator.requests[-1].params["firmNames"] == "obrien-robotics.example"
    bio = client.person_bio(hit.person_id)
    assert (bio.name, bio.position, bio.entity_name) == ("Niamh O'Brien", "CEO", "O'Brien & Daughters Robotics")
    assert client.search_people(names=["Niamh O'Brien"], firms=["Ledgerleaf"]) == []


def test_an_unknown_pb_id_is_an_answer_not_an_error(client):
    meter = CreditMeter()
    assert client.company_bio("99999-99", meter=meter) is None
    assert client.person_bio("99999-99P", meter=meter) is None
    assert meter.total == 0


def test_a_pb_id_cannot_change_the_path(client, emulator):
    assert client.company_bio("../people/search") is None
    assert emulator.requests[-1].path == "/companies/..%2Fpeople%2Fsearch/bio"


def test_a_wrong_key_is_permanent_and_the_key_never_reaches_the_error(emulator, sleeps):
    secret = "wrong-but-secret-key"
    client = PitchBookClient(PitchBookConfig(api_key=secret, api_url=emulator.base_url), sleep=sleeps.append)
    with pytest.raises(PitchBookError) as caught:
        client.search_companies(names=["Ledgerleaf"])
    error = caught.value
    assert (error.code, error.permanent, error.status) == ("unauthorized", True, 401)
    assert secret not in str(error) and secret not in repr(error)  # the emulator's 401 echoes it, as PitchBook's does
    assert len(emulator.requests) == 1 and sleeps == []


def test_credits_exhausted_is_permanent_distinct_and_not_retried(client, emulator, sleeps):
    emulator.faults.add("payment_required")
    with pytest.raises(PitchBookError) as caught:
        client.company_bio(emulator.company_id_of("Ledgerleaf"))
    error = caught.value
    assert isinstance(error, IntegrationError) and error.service == "pitchbook"
    assert (error.code, error.permanent, error.status) == (CREDITS_EXHAUSTED, True, 402)
    assert "402 PAYMENT_REQUIRED" in error.message
    assert len(emulator.requests) == 1 and sleeps == []


def test_running_out_of_credits_part_way_is_credits_exhausted(sleeps):
    from sandbox.emulators.pitchbook import PitchBookEmulator

    with PitchBookEmulator(api_key="k", credit_limit=1) as small:
        client = PitchBookClient(PitchBookConfig(api_key="k", api_url=small.base_url), sleep=sleeps.append)
        (hit,) = client.search_companies(names=["Ledgerleaf"])
        with pytest.raises(PitchBookError) as caught:
            client.company_bio(hit.company_id)
        assert caught.value.code == CREDITS_EXHAUSTED


@pytest.mark.parametrize("fault, code, status", [("unauthorized", "unauthorized", 401), ("forbidden", "forbidden", 403)])
def test_auth_failures_are_permanent_and_not_retried(client, emulator, sleeps, fault, code, status):
    emulator.faults.add(fault)
    with pytest.raises(PitchBookError) as caught:
        client.search_companies(names=["Ledgerleaf"])
    assert (caught.value.code, caught.value.permanent, caught.value.status) == (code, True, status)
    assert emulator.api_key not in caught.value.message
    assert len(emulator.requests) == 1 and sleeps == []


def test_it_waits_as_long_as_retry_after_says_then_succeeds(client, emulator, sleeps):
    emulator.faults.add("rate_limit", retry_after=2)
    assert [h.name for h in client.search_companies(names=["Ledgerleaf"])] == ["Ledgerleaf"]
    assert sleeps == [2.0] and len(emulator.requests) == 2


def test_it_backs_off_on_a_rate_limit_without_retry_after(client, emulator, sleeps):
    emulator.faults.add("rate_limit", times=2)
    assert client.search_companies(names=["Ledgerleaf"])
    assert sleeps == [1.0, 2.0] and len(emulator.requests) == 3


def test_it_reads_retry_after_given_as_an_http_date(client, emulator, sleeps):
    when = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 3))
    emulator.faults.add("rate_limit", retry_after=when)
    client.search_companies(names=["Ledgerleaf"])
    assert len(sleeps) == 1 and 1 <= sleeps[0] <= 3


def test_it_does_not_wait_for_a_retry_after_beyond_its_cap(client, emulator, sleeps):
    emulator.faults.add("rate_limit", retry_after=3600)
    with pytest.raises(PitchBookError) as caught:
        client.search_companies(names=["Ledgerleaf"])
    assert (caught.value.code, caught.value.permanent, caught.value.retry_after) == ("rate_limited", False, 3600)
    assert "3600" in caught.value.message and "rate limit exceeded" in caught.value.message
    assert sleeps == [] and len(emulator.requests) == 1


@pytest.mark.parametrize("status", [500, 503, 504])
def test_it_retries_a_server_error_with_backoff_then_succeeds(client, emulator, sleeps, status):
    emulator.faults.add("server_error", status=status)
    assert client.search_companies(names=["Ledgerleaf"])
    assert sleeps == [1.0] and len(emulator.requests) == 2


def test_retries_are_bounded(client, emulator, sleeps):
    emulator.faults.add("server_error", times=10)
    with pytest.raises(PitchBookError) as caught:
        client.search_companies(names=["Ledgerleaf"])
    assert (caught.value.code, caught.value.permanent, caught.value.status) == ("server_error", False, 500)
    assert len(emulator.requests) == 3 and sleeps == [1.0, 2.0]


def test_it_retries_when_pitchbook_cannot_be_reached(sleeps, emulator):
    url = emulator.base_url
    emulator.stop()
    client = PitchBookClient(PitchBookConfig(api_key=emulator.api_key, api_url=url, timeout=1), sleep=sleeps.append)
    with pytest.raises(PitchBookError) as caught:
        client.search_companies(names=["Ledgerleaf"])
    assert caught.value.code == "connection_error" and len(sleeps) == 2


def test_it_counts_each_calls_credits_as_the_emulator_charges_them(client, emulator):
    meter = CreditMeter()
    pb_id = emulator.company_id_of("Ledgerleaf")
    client.search_companies(names=["ledgerleaf.example"], meter=meter)
    client.company_bio(pb_id, meter=meter)
    client.most_recent_financing(pb_id, meter=meter)
    client.investors(pb_id, meter=meter)
    emulator.faults.add("rate_limit")  # retried: only the answered attempt is charged
    person = client.search_people(names=["Priya Raman"], meter=meter)[0]
    client.person_bio(person.person_id, meter=meter)
    charged = emulator.stats()["credits"]
    assert meter.total == charged["total"] == 6
    assert {k.replace("GET ", ""): v for k, v in charged["byEndpoint"].items()} == meter.by_endpoint


def test_it_refuses_to_start_without_a_key():
    with pytest.raises(PitchBookError) as caught:
        PitchBookClient(PitchBookConfig(api_key=None))
    assert caught.value.code == "not_configured" and caught.value.permanent
    assert not PitchBookConfig(api_key="").is_configured


def test_the_key_stays_out_of_the_config_repr():
    assert "secret" not in repr(PitchBookConfig(api_key="secret"))


def test_the_process_client_is_shared_and_follows_the_settings(settings, emulator):
    from integrations.pitchbook import get_client, reset_client

    settings.PITCHBOOK_API_KEY, settings.PITCHBOOK_API_URL = emulator.api_key, emulator.base_url
    reset_client()
    first = get_client()
    assert get_client() is first and first.search_companies(names=["Ledgerleaf"])
    settings.PITCHBOOK_API_KEY = "another-key"
    assert get_client() is not first  # a stale URL or key is never used
    reset_client()
    settings.PITCHBOOK_API_KEY = ""
    with pytest.raises(PitchBookError) as caught:
        get_client()
    assert caught.value.code == "not_configured"
    reset_client()
