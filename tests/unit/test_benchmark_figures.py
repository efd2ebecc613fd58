"""The benchmark's arithmetic: intrinsic time, percentiles, OpenAI request counting, the table."""

import math
from collections import Counter

import pytest

from sandbox.benchmark.figures import WAITING_ROWS, Shape, compute, compute_waiting, openai_counts, percentile, table


def test_intrinsic_time_is_every_turn_plus_one_tool_latency_per_tool_turn():
    shape = Shape(model_latency=2.0, queued_latency=0.5, turns=2, tools_per_turn=3, tool_latency=1.5)
    assert shape.intrinsic_seconds() == pytest.approx(2 * 2.5 + 1.5)


def test_intrinsic_time_without_tools_has_no_tool_latency():
    assert Shape(model_latency=2.0, queued_latency=0, turns=1, tools_per_turn=0, tool_latency=9).intrinsic_seconds() == 2.0


def test_percentile_interpolates_between_ranks():
    assert percentile([4, 1, 3, 2], 0.5) == pytest.approx(2.5)
    assert percentile(list(range(1, 101)), 0.95) == pytest.approx(95.05)
    assert percentile([7.0], 0.95) == 7.0
    assert math.isnan(percentile([], 0.5))


def test_openai_requests_are_sorted_into_creates_retrieves_and_cancels():
    counts = openai_counts([
        ("POST", "/v1/responses"), ("POST", "/v1/responses/"), ("GET", "/v1/responses/resp_1?include=x"),
        ("POST", "/v1/responses/resp_1/cancel"), ("DELETE", "/v1/responses/resp_1"),
    ])
    assert counts == Counter(creates=2, retrieves=1, cancels=1)


def test_figures_relate_latency_from_admission_to_intrinsic_and_count_per_pitch_and_turn():
    shape = Shape(model_latency=2.0, queued_latency=0, turns=2, tools_per_turn=3, tool_latency=0)
    figures = compute(
        shape=shape, pitches=2, end_to_end=[9.0, 12.0], latency=[5.0, 6.0], in_flight=1, failed=0,
        wall_seconds=6.0, turns=4,
        openai=Counter(creates=4, retrieves=6), salesforce_pipeline_calls=3, salesforce_all_calls=10,
        probe=Counter({"tasks": 20, "sql": 200, "connections": 10, "task:vicbot.run_advance": 6}),
        worker_peak_rss=300 * 2**20, worker_idle_rss=200 * 2**20, redis_peak=None,
    )
    assert figures["ratio_p50"] == round(5.5 / 4, 2)
    assert figures["end_to_end_p50_seconds"] == 10.5 and figures["overhead_p95_seconds"] == round(5.95 - 4, 2)
    assert figures["evaluations_per_minute"] == 20.0
    assert figures["openai_retrieves_per_turn"] == 1.5
    assert figures["salesforce_calls_per_100_pitches"] == 150.0
    assert figures["salesforce_tool_calls"] == 7
    assert figures["celery_tasks_per_pitch"] == 10.0
    assert figures["sql_statements_per_pitch"] == 100.0
    assert figures["db_connections_per_task"] == 0.5
    assert figures["tasks_by_name"] == {"vicbot.run_advance": 6}
    lines = table(figures, title="t")
    assert any("1.38x" in line for line in lines) and any("300.0 MB" in line for line in lines)


def test_waiting_figures_show_the_worker_memory_with_every_run_waiting():
    figures = compute_waiting(waiting=10_000, admitted_in=361.25, worker_idle_rss=150 * 2**20,
                              worker_waiting_rss=160.04 * 2**20, worker_peak_rss=170 * 2**20, redis_peak=3 * 2**20)
    lines = table(figures, title="t", rows=WAITING_ROWS)
    assert any("10000 (361.2 s)" in line for line in lines)
    assert any("150.0 / 160.0 MB" in line for line in lines) and any("3.0 MB" in line for line in lines)
