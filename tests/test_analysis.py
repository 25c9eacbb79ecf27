"""The questions around a plan: split curve, budget frontier, head-to-head."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
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


@pytest.mark.parametrize(
    "campaign",
    [
        Campaign(budget=60_000),
        Campaign(budget=80_000, max_influencers=60, macro_share_max=0.6),
        Campaign(budget=50_000, macro_share_min=0.3, macro_share_max=0.5, max_macro=2),
        Campaign(budget=90_000, decay=0.5, max_posts=2),
        # (no decay: an influencer's posts tie, and the rankings keep them in post order)
        Campaign(budget=40_000, decay=1.0, max_posts=4, macro_share_max=0.6),
    ],
)
def test_the_frontier_from_shared_work_is_make_plans_post_for_post(campaign):
    from planner.plan import BudgetPlans, frontier_budgets

    budgets = BudgetPlans(ROSTER, campaign)
    statuses = set()
    for budget in frontier_budgets(campaign.budget):
        at = dataclasses.replace(campaign, budget=budget)
        shared, alone = budgets.plan(ROSTER, at), make_plan(ROSTER, at)
        statuses.add(shared.status)
        assert (shared.status, shared.expected_engagement, shared.spend) == (
            alone.status,
            alone.expected_engagement,
            alone.spend,
        )
        assert shared.upper_bound == alone.upper_bound and shared.campaign == at
        pd.testing.assert_frame_equal(shared.allocations, alone.allocations)
    assert "optimal" in statuses
    pd.testing.assert_frame_equal(
        budget_frontier(ROSTER, campaign),
        budget_frontier(ROSTER, campaign, plan_for=make_plan),
    )


def test_the_frontier_from_shared_work_takes_the_replies_first_posts():
    from dashboard.controls import first_values

    first = first_values(ROSTER, (0.3, 0.6))
    campaign = Campaign(budget=70_000, max_influencers=40)
    assert first is not None
    pd.testing.assert_frame_equal(
        budget_frontier(ROSTER, campaign, first_value=first),
        budget_frontier(ROSTER, campaign, plan_for=lambda r, c: make_plan(r, c, first_value=first)),
    )


def test_budget_plans_plan_their_own_campaign_at_other_budgets_only():
    from planner.plan import BudgetPlans

    budgets = BudgetPlans(ROSTER, CAMPAIGN)
    assert budgets.plan(ROSTER, dataclasses.replace(CAMPAIGN, budget=30_000)).has_plan
    with pytest.raises(ValueError, match="other budgets"):
        budgets.plan(ROSTER, dataclasses.replace(CAMPAIGN, max_influencers=10))


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
