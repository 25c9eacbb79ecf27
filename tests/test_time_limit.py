"""A stated time limit: the best plan found with its true certified gap, never a hang."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from planner import check_roster
from planner.mip import solve_mip
from planner.model import build_items
from planner.solver import solve

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from pisinger import knapsack_case, pisinger  # noqa: E402


@pytest.mark.parametrize("kind", ["strongly", "circle"])
def test_past_the_time_limit_the_plan_keeps_its_true_gap(monkeypatch, kind):
    """Pisinger's hard classes with a time limit already spent: the engine's search stops at
    once, HiGHS (stubbed to run out of time without a plan) adds nothing, and the answer is the
    best plan found, valid, with an upper bound that really bounds the optimum."""
    w, p = pisinger(kind, 200, 1000, seed=3)
    frame, campaign = knapsack_case(w, p, 50)
    items = build_items(check_roster(frame).table, campaign)
    optimum = solve_mip(items, mip_rel_gap=1e-9).value
    monkeypatch.setattr(
        "planner.mip.milp",
        lambda *a, **k: type("R", (), {"x": None, "status": 1})(),  # time limit, no plan
    )
    found = solve(items, time_limit=1e-9)
    assert found.status in ("optimal", "feasible")
    assert not items.check(found.chosen)
    assert found.value <= optimum * (1 + 1e-9)
    assert found.upper_bound >= optimum * (1 - 1e-9)
    assert found.gap == pytest.approx((found.upper_bound - found.value) / found.upper_bound)
    if found.status == "feasible":
        assert found.gap > 1e-6


def test_a_model_too_large_for_highs_returns_the_programmes_plan(monkeypatch):
    """Above MIP_MAX_POSTS posts HiGHS is never called (it did not keep to its time limit on
    the issue's 100,000-influencer roster): when the programme gives up, its best plan comes
    back with its true gap."""
    from planner.synthetic import synthetic_roster

    def no_highs(*args, **kwargs):
        raise AssertionError("HiGHS was called on a model above the size limit")

    roster = check_roster(synthetic_roster(300, seed=4))
    total = float((roster.table["cost_per_post"] * 3).sum())
    from planner import Campaign

    items = build_items(roster.table, Campaign(budget=round(total * 0.1), macro_share_max=0.6))
    optimum = solve(items).value
    monkeypatch.setattr("planner.dp.MAX_STATES", -1)  # the programme gives up at once
    monkeypatch.setattr("planner.solver.MIP_MAX_POSTS", items.owner.size - 1)
    monkeypatch.setattr("planner.mip.solve_mip", no_highs)
    found = solve(items)
    assert found.status in ("optimal", "feasible")
    assert not items.check(found.chosen)
    assert found.upper_bound >= optimum * (1 - 1e-9)
    assert found.gap == pytest.approx((found.upper_bound - found.value) / found.upper_bound)
