"""The daily spend cap's arithmetic: spent + reserved against the cap, and each run's reservation."""

from decimal import Decimal as D

from pipelines.services.spend import Spend
from vicbot.services.runs.cost_estimate import expected_cost


def test_runs_in_flight_count_with_their_reservation():
    spend = Spend(spent=D("0.004"), reserved=D("0.006"), cap=D("0.01"))
    assert spend.committed == D("0.010") and spend.reached
    assert spend.runs_allowed(D("0.02")) == 0


def test_a_run_may_start_while_the_committed_total_is_below_the_cap_so_it_passes_the_cap_by_at_most_one_run():
    spend = Spend(spent=D("0"), reserved=D("0"), cap=D("0.01"))
    assert not spend.reached and spend.runs_allowed(D("0.0228")) == 1
    for committed, cap, each in [("0", "0.04", "0.02"), ("0.01", "0.04", "0.02"), ("0.039", "0.04", "0.02"),
                                 ("0", "1", "0.3"), ("0.5", "10", "0.07")]:
        start = Spend(spent=D(committed), reserved=D(0), cap=D(cap))
        n = start.runs_allowed(D(each))
        # The last one starts below the cap; one more would start at or over it.
        assert D(committed) + (n - 1) * D(each) < D(cap) <= D(committed) + n * D(each)


def test_a_zero_cap_allows_nothing_and_no_cap_sets_no_limit():
    assert Spend(spent=D(0), reserved=D(0), cap=D("0.00")).runs_allowed(D("0.05")) == 0
    assert Spend(spent=D(0), reserved=D(0), cap=D("0.00")).reached
    assert Spend(spent=D(5), reserved=D(5), cap=None).runs_allowed(D("0.05")) is None
    assert not Spend(spent=D(5), reserved=D(5), cap=None).reached


def test_runs_with_no_known_price_are_stopped_only_by_their_actual_cost():
    assert Spend(spent=D(0), reserved=D(0), cap=D("1")).runs_allowed(D(0)) is None
    assert Spend(spent=D(1), reserved=D(0), cap=D("1")).runs_allowed(D(0)) == 0


def test_the_reservation_is_the_90th_percentile_of_recent_costs():
    costs = [D("0.01")] * 8 + [D("0.05"), D("0.30")]
    assert expected_cost(costs) == D("0.05")  # a few cheap runs do not make the next dear one look free
    assert expected_cost([D("0.02")]) == D("0.02")
    assert expected_cost([D("0.03"), D("0.01"), D("0.02")]) == D("0.03")
    assert expected_cost([]) is None


def test_the_sentence_names_spent_reserved_and_cap():
    assert Spend(spent=D("0.0228"), reserved=D("0.05"), cap=D("0.01")).sentence() == (
        "$0.0228 spent today + $0.0500 reserved by runs in flight, against a daily cap of $0.01")
    assert "reserved" not in Spend(spent=D(0), reserved=D(0), cap=D(0)).sentence()
