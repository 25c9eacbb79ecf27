"""Which path the engine takes on the capped benchmark cases: its own programme, not HiGHS."""

from __future__ import annotations

from planner import Campaign, check_roster
from planner.model import build_items
from planner.solver import solve
from planner.synthetic import synthetic_roster


def test_cap_200_of_500_is_solved_by_the_engine_itself(monkeypatch):
    """benchmarks/optimiser.py --capped, 500 realistic influencers, cap 200, band 0-60%: the
    capped micro phase's heuristic pass over the influencers nearest the break finds a plan
    close enough that the certified pass finishes (before it, the pass gave up after 10^6
    states and HiGHS finished the job)."""

    def no_fallback(*args, **kwargs):
        raise AssertionError("the engine handed the model to HiGHS's branch and bound")

    monkeypatch.setattr("planner.mip.solve_mip", no_fallback)
    roster = check_roster(synthetic_roster(500, seed=7))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(budget=round(total * 0.1), macro_share_max=0.6, max_influencers=200)
    items = build_items(roster.table, campaign)
    solution = solve(items)
    assert solution.status == "optimal" and solution.gap <= 1e-6
    assert not items.check(solution.chosen)
