"""The campaign after declines and backups as the page shows it (`dashboard/forecast.py`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dashboard.forecast import (
    BOOKED_HEADING,
    REPLY_HEADING,
    booked_macro_share,
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
    assert booked_macro_share(RESULT) == pytest.approx(outcome.macro_spend.mean() / 50_000)
