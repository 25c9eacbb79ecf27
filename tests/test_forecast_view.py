"""The campaign after declines and backups as the page shows it (`dashboard/forecast.py`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dashboard.forecast import (
    BOOKED_HEADING,
    REPLY_HEADING,
    booked_macro_share,
    curve_with_campaign,
    expected_bookings,
    forecast_point,
    if_booked,
    offers_plan,
    offers_table,
)
from planner import Campaign, read_roster
from planner.outreach import forecast
from planner.risk import Assumptions

ROSTER = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
CAMPAIGN = Campaign(budget=50_000)
RESULT = forecast(ROSTER, CAMPAIGN, Assumptions(), draws=2_000)


def test_the_plan_of_offers_is_the_forecasts_first_offers_at_full_price():
    plan = offers_plan(ROSTER, RESULT)
    first = RESULT.offers.in_plan
    assert len(plan.allocations) == int(first.sum())
    assert plan.spend == pytest.approx(RESULT.offers.cost[first].sum() / 100)
    assert plan.expected_engagement == pytest.approx(RESULT.offers.value[first].sum())
    # the strategy's certificate, carried over
    assert plan.status == RESULT.plan.status
    assert plan.optimality_gap == pytest.approx(RESULT.plan.optimality_gap, abs=1e-9)
    prices = ROSTER.table.set_index("name")["cost_per_post"]
    rows = plan.allocations
    assert np.allclose(rows["cost_per_post"], prices.loc[rows["name"]].round(2))


def test_the_plan_table_carries_each_offers_reply_rate_and_booking_rate_in_its_row():
    plan = offers_plan(ROSTER, RESULT)
    table = offers_table(ROSTER, RESULT, plan)
    names = if_booked()
    assert list(table[names["spend"]]) == pytest.approx(list(plan.allocations["spend"]))
    by_name = dict(
        zip(
            ROSTER.table["name"].to_numpy()[RESULT.offers.rows],
            RESULT.outcome.booking_rate,
            strict=True,
        )
    )
    for name, booked in zip(table["Influencer"], table[BOOKED_HEADING], strict=True):
        assert booked == pytest.approx(round(by_name[name] * 100, 1))
    assert set(table[REPLY_HEADING]) <= {40.0, 20.0}


def test_expected_bookings_are_the_simulations_means():
    booked = expected_bookings(RESULT)
    outcome = RESULT.outcome
    assert booked.expected_engagement == pytest.approx(outcome.engagement.mean())
    assert booked.spend == pytest.approx(outcome.spend.mean())
    assert booked.by_tier["macro"].spend == pytest.approx(outcome.macro_spend.mean())
    assert booked.by_tier["micro"].expected_engagement == pytest.approx(outcome.micro.mean())
    total = booked.by_tier["micro"].influencers + booked.by_tier["macro"].influencers
    assert abs(total - outcome.booked.mean()) <= 1
    assert booked.spend <= CAMPAIGN.budget
    share, mean = forecast_point(RESULT)
    assert mean == pytest.approx(outcome.engagement.mean())
    assert share == pytest.approx(RESULT.plan.macro_share_of_budget)


def test_the_curve_point_that_holds_the_campaigns_plan_is_the_headlines_campaign():
    """The realistic split curve simulates each band's plan fewer times than the headline: the
    band whose plan is the campaign's own shows the headline's mean and P10-P90 (the same
    simulated campaigns), so "your plan" sits on its line; so does each other finalist the
    headline was compared with (a runner-up's screening figure could sit above the headline by
    the chance of fewer campaigns); other bands keep their points."""
    from planner.outreach import outreach_split_curve

    campaign = Campaign(budget=100_000)
    result = forecast(ROSTER, campaign, Assumptions(), draws=2_000)
    assert result.candidate == "band" and result.others  # the curve's best band, at $100,000
    curve, ranges = outreach_split_curve(ROSTER, campaign, Assumptions(), draws=200)
    share, mean = forecast_point(result)
    placed, placed_ranges = curve_with_campaign(curve, ranges, result)
    holds = (placed["band_low"] <= share) & (share <= placed["band_high"])
    assert holds.sum() == 1
    point = placed[holds].iloc[0]
    assert point["expected_engagement"] == pytest.approx(mean)
    summary = result.outcome.summary()
    row = placed_ranges[placed_ranges["macro_share"] == point["macro_share"]].iloc[0]
    assert (row["p10"], row["p90"]) == pytest.approx((summary["p10"], summary["p90"]))
    assert point["spend"] == pytest.approx(summary["mean_spend"])
    # before: the same plan simulated 200 times, another figure for the same campaign
    assert curve[holds].iloc[0]["expected_engagement"] != pytest.approx(mean, rel=1e-3)
    held = holds.to_numpy().copy()
    for other in result.others:
        assert other.band is not None
        at = (placed["band_low"] - other.band[0]).abs().lt(1e-9) & (
            placed["band_high"] - other.band[1]
        ).abs().lt(1e-9)
        assert at.sum() == 1
        assert placed[at].iloc[0]["expected_engagement"] == pytest.approx(
            other.outcome.engagement.mean()
        )
        held |= at.to_numpy()
    assert placed[~held]["expected_engagement"].equals(curve[~held]["expected_engagement"])
    # the plan for the campaign's own band, on a curve planned under other limits (a band whose
    # plan is another one): the curve is left as it is
    alone = forecast(ROSTER, campaign, Assumptions(), draws=2_000, candidates=False)
    moved = curve.assign(planned_value=curve["planned_value"] * 1.01)
    assert curve_with_campaign(moved, ranges, alone)[0].equals(moved)
    assert not curve_with_campaign(curve, ranges, alone)[0].equals(curve)


def test_every_booked_macro_share_is_of_the_expected_spend_as_in_the_headline():
    """The split curve's "your plan ... booked" and the headline's *Macro share* are one
    figure (before, the curve's was of the budget: 31% beside the headline's 36%)."""
    from dashboard.headline import forecast_figures

    outcome = RESULT.outcome
    share = booked_macro_share(RESULT)
    assert share == pytest.approx(outcome.macro_spend.mean() / outcome.spend.mean())
    figures = forecast_figures(RESULT, 1.0, ROSTER.tiers)
    macro = next(f for f in figures if f.label == "Macro share")
    assert macro.value == f"{share:.0%}"


def test_the_sweeps_line_on_all_micro_is_the_strategies_tables_all_micro():
    """The reply sweep's "All micro earns N at every macro reply rate" is the head-to-head's
    All micro row (the same plan, simulated as many times as the headline), not the sweep's 0%
    point (500 draws: 373,108 under the table's 365,661 on the sample at $100,000)."""
    from dashboard.forecast import all_micro_words
    from planner.outreach import outreach_head_to_head

    comparison = outreach_head_to_head(ROSTER, CAMPAIGN, Assumptions(), draws=2_000, mix=RESULT)
    micro = float(comparison.loc[comparison["strategy"] == "All micro", "mean"].iloc[0])
    words = all_micro_words(comparison)
    assert words is not None and f"All micro earns {micro:,.0f} engagements" in words
    # the headline's own all-micro candidate: the same simulated campaigns
    candidate = next(o for o in (RESULT, *RESULT.others) if o.candidate == "all micro")
    assert micro == pytest.approx(candidate.outcome.engagement.mean())
    nothing = comparison.assign(mean=np.nan)
    assert all_micro_words(nothing) is None
