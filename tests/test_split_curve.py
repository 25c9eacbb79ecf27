"""The split curve from shared work (`planner.solver.solve_bands`) against independent solves."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from planner import Campaign, check_roster
from planner.model import build_items
from planner.plan import split_points
from planner.solver import solve
from planner.synthetic import synthetic_roster
from tests.test_optimizer import brute_force, small_case


def _independent(point):
    return solve(point.items)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_case())
def test_each_point_of_the_shared_curve_is_the_best_plan_of_its_band(case):
    """On small rosters: every band's plan is valid for its band and worth what brute force
    finds (the bands share their set-up and start from each other's plans)."""
    frame, campaign = case
    roster = check_roster(frame)
    for point in split_points(roster, campaign):
        expected = brute_force(point.items)
        if expected is None:
            assert point.solution.status == "infeasible"
            continue
        assert point.solution.status == "optimal"
        assert not point.items.check(point.solution.chosen)
        assert point.solution.value == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("rate_card", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_shared_curve_equals_eleven_independent_solves(seed, rate_card):
    """Medium rosters: each of the 11 points within 1e-6 of the same band solved alone, each
    certified (gap <= 1e-6), and `on_point` told of every point in turn."""
    roster = check_roster(synthetic_roster(150, seed=seed, rate_card_priced=rate_card))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(budget=round(total * 0.1), macro_share_max=0.6)
    told = []
    points = split_points(roster, campaign, on_point=lambda done, n: told.append((done, n)))
    assert told == [(i, 11) for i in range(1, 12)]
    for point in points:
        alone = _independent(point)
        assert point.solution.status == alone.status
        if alone.status == "infeasible":
            continue
        assert point.solution.gap <= 1e-6
        assert not point.items.check(point.solution.chosen)
        assert abs(point.solution.value - alone.value) <= 1e-6 * alone.value


def test_parts_of_the_curve_are_its_points():
    """`part=(i, n)` solves every n-th band from the i-th: the parts together are the curve."""
    roster = check_roster(synthetic_roster(80, seed=5))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(budget=round(total * 0.1), macro_share_max=0.6)
    whole = split_points(roster, campaign)
    parts = split_points(roster, campaign, part=(0, 2)) + split_points(
        roster, campaign, part=(1, 2)
    )
    parts.sort(key=lambda p: p.share)
    assert [p.share for p in parts] == [p.share for p in whole]
    for a, b in zip(parts, whole, strict=True):
        assert a.solution.status == b.solution.status
        assert (a.items.macro_min, a.items.macro_max) == (b.items.macro_min, b.items.macro_max)
        if a.solution.status != "infeasible":
            assert a.solution.value == pytest.approx(b.solution.value, rel=1e-6)


def test_a_capped_curve_is_certified_at_every_point():
    """With a cap on influencers each band still gets a certified plan."""
    roster = check_roster(synthetic_roster(60, seed=3))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(budget=round(total * 0.1), max_influencers=8)
    for point in split_points(roster, campaign):
        alone = solve(
            dataclasses.replace(
                build_items(roster.table, campaign),
                macro_min=point.items.macro_min,
                macro_max=point.items.macro_max,
            )
        )
        assert point.solution.status == alone.status
        if alone.status != "infeasible":
            assert point.solution.gap <= 1e-6
            assert np.isclose(point.solution.value, alone.value, rtol=1e-6)
