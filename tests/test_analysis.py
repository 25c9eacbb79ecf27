"""The questions around a plan: split curve, budget frontier, head-to-head."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from planner import Campaign, budget_frontier, head_to_head, make_plan, read_roster

ROSTER = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
CAMPAIGN = Campaign(budget=60_000)


def test_split_curve_covers_0_to_100_and_holds_its_band():
    from planner import split_curve

    curve = split_curve(ROSTER, CAMPAIGN)
    assert list(np.round(curve["macro_share"] * 100)) == list(range(0, 101, 10))
    ok = curve["status"] == "optimal"
    assert (curve.loc[ok, "macro_spend"] >= curve.loc[ok, "band_low"] * 60_000 - 1e-6).all()
    assert (curve.loc[ok, "macro_spend"] <= curve.loc[ok, "band_high"] * 60_000 + 1e-6).all()
    assert curve.loc[0, "macro_spend"] == 0
    # The unconstrained optimum is at least as good as every point of the curve.
    best = make_plan(ROSTER, CAMPAIGN).expected_engagement
    assert curve["expected_engagement"].max() <= best * (1 + 1e-6)


def test_budget_frontier_grows_and_prices_extra_dollars():
    frontier = budget_frontier(ROSTER, CAMPAIGN)
    assert frontier["budget"].iloc[0] <= 0.1 * 60_000
    assert frontier["budget"].iloc[-1] >= 2 * 60_000
    assert 60_000 in set(frontier["budget"])
    at_budget = frontier.set_index("budget").loc[60_000, "expected_engagement"]
    assert at_budget == pytest.approx(make_plan(ROSTER, CAMPAIGN).expected_engagement)
    assert (frontier["expected_engagement"].diff().dropna() >= -1e-6).all()
    assert (frontier["marginal_engagement_per_dollar"].dropna() >= 0).all()


def test_head_to_head_optimal_beats_pure_tiers():
    table = head_to_head(ROSTER, CAMPAIGN).set_index("strategy")
    assert table.loc["All micro", "macro_spend"] == 0
    assert table.loc["All macro", "micro_spend"] == 0
    best = table.loc["Optimal mix", "expected_engagement"]
    assert best >= table.loc["All micro", "expected_engagement"]
    assert best >= table.loc["All macro", "expected_engagement"]


@pytest.mark.parametrize("budget", [60_000, 61_000, 77_777.77, 150.0, 3_000_000])
def test_frontier_budgets_are_round_shared_and_cover_10_to_200_percent(budget):
    from planner.plan import frontier_budgets

    points = frontier_budgets(budget)
    assert points == sorted(points) and budget in points
    assert points[0] <= budget * 0.1 + 1e-9 or points[0] == points[1] - (points[2] - points[1])
    assert points[-1] >= budget * 2
    assert 20 <= len(points) <= 41
    nearby = frontier_budgets(budget * 1.01)
    assert len(set(points) & set(nearby)) >= len(points) - 3  # a cache answers most of them
