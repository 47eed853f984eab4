"""The benchmark's bookkeeping on tiny made-up numbers (nothing is timed here)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from bench_common import (  # noqa: E402
    Ratio,
    Results,
    Trial,
    format_figures,
    format_table,
    median_ratio,
    paired_ratios,
    percentile,
    round_orders,
    steady_throughput,
)


def test_round_orders_alternate_which_side_runs_first() -> None:
    orders = [order for _, order in round_orders(["A", "B"], 4)]
    assert orders == [["A", "B"], ["B", "A"], ["A", "B"], ["B", "A"]]
    three = [order for _, order in round_orders(["P", "E", "G"], 3)]
    assert [order[0] for order in three] == ["P", "E", "G"]
    assert all(sorted(order) == ["E", "G", "P"] for order in three)


def test_median_ratio_pairs_sides_by_round() -> None:
    results = Results()
    for round_number, (a, b) in enumerate([(100, 200), (300, 100), (90, 100)], start=1):
        results.trials += [Trial("A", round_number, a), Trial("B", round_number, b)]
    results.trials.append(Trial("A", 4, 50))  # B never ran in round 4: not paired
    assert paired_ratios(results, "A", "B") == pytest.approx([0.5, 3.0, 0.9])
    ratio = median_ratio(results, "a_vs_b", "A", "B", ">= 1")
    assert ratio.value == pytest.approx(0.9)
    assert results.ratios == [ratio]
    with pytest.raises(ValueError):
        median_ratio(results, "missing", "A", "C", ">= 1")


def test_steady_throughput_leaves_out_the_first_epoch() -> None:
    # Epoch 1 ends at 10 s (tracing); the next two take 2 s each for 1,000 images.
    assert steady_throughput([10.0, 12.0, 14.0], 1000) == pytest.approx(500.0)
    with pytest.raises(ValueError):
        steady_throughput([10.0], 1000)


def test_percentile_interpolates_like_numpy() -> None:
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 95) == pytest.approx(19.05)
    assert percentile(values, 50) == pytest.approx(10.5)
    assert percentile([7.0], 95) == 7.0


def test_table_shows_goals_and_figures_end_as_name_value_lines() -> None:
    results = Results(trials=[Trial("engine", 1, 1234.5)])
    results.ratios.append(Ratio("engine_vs_plain_fit", 0.98765, ">= 0.99", "rounds: 0.988"))
    results.ratios.append(Ratio("key_latency_p95_ms", 42.04, "< 100", "", "{:.1f}"))
    table = format_table(results)
    assert "1234.5" in table and ">= 0.99" in table and "< 100" in table
    assert format_figures(results).splitlines() == [
        "engine_vs_plain_fit=0.988",
        "key_latency_p95_ms=42.0",
    ]


def test_the_distribute_part_runs_alone() -> None:
    from run_bench import PARTS, parse_args

    assert "distribute" in PARTS
    assert parse_args(["--only", "distribute"]).only == ["distribute"]


def test_the_backends_part_runs_alone() -> None:
    from bench_backends import JAX_SIDE, TF_SIDE
    from run_bench import PARTS, parse_args

    assert "backends" in PARTS and JAX_SIDE != TF_SIDE
    assert parse_args(["--only", "backends"]).only == ["backends"]
    assert parse_args(["--backend-rounds", "2"]).backend_rounds == 2
