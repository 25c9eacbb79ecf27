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


def test_a_model_too_large_for_highs_without_any_plan_found_times_out(monkeypatch):
    """Above MIP_MAX_POSTS posts, when the programme gives up before it has any plan (a macro
    band the starting plans miss, a time limit spent), the answer is "timeout" at once, never
    HiGHS (which, at that size, ran far past its time limit: a hang)."""
    from planner import Campaign, solver
    from planner.synthetic import synthetic_roster

    def no_highs(*args, **kwargs):
        raise AssertionError("HiGHS was called on a model above the size limit")

    roster = check_roster(synthetic_roster(300, seed=4))
    total = float((roster.table["cost_per_post"] * 3).sum())
    for cap in (None, 20):
        campaign = Campaign(
            budget=round(total * 0.1), macro_share_min=0.1, macro_share_max=0.3, max_influencers=cap
        )
        items = build_items(roster.table, campaign)
        monkeypatch.setattr(solver, "_dynamic_programme", lambda *a, **k: None)
        monkeypatch.setattr(solver, "_priced_counts", lambda *a, **k: (None, float("inf")))
        monkeypatch.setattr(solver, "MIP_MAX_POSTS", items.owner.size - 1)
        monkeypatch.setattr("planner.mip.solve_mip", no_highs)
        found = solve(items, time_limit=5)
        assert found.status == "timeout", cap
        assert not found.chosen.any()


def test_a_plan_that_timed_out_says_what_made_it_hard():
    """The page, the CLI and the report show a timeout's message: it names what to change."""
    import numpy as np

    from planner import Campaign
    from planner.model import Solution
    from planner.plan import plan_of
    from planner.synthetic import synthetic_roster

    roster = check_roster(synthetic_roster(50, seed=1))
    messages = {}
    for name, campaign in {
        "cap": Campaign(budget=10_000, max_influencers=5),
        "band": Campaign(budget=10_000, macro_share_min=0.1),
        "plain": Campaign(budget=10_000),
    }.items():
        items = build_items(roster.table, campaign)
        timeout = Solution("timeout", np.zeros(items.owner.size, dtype=bool), 0.0, 0.0)
        plan = plan_of(roster, campaign, items, timeout, 1.0)
        assert plan.status == "timeout" and plan.allocations.empty
        messages[name] = plan.message
    assert "cap on the number of influencers" in messages["cap"]
    assert "minimum macro share" in messages["band"] and "cap" not in messages["band"]
    assert messages["plain"] == "No plan was found within the time limit: shorten the roster."
