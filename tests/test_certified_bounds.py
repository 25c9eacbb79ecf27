"""The programme's certified bound (`planner.dp.solve_dp`'s `bound`) where it cannot simply
prove its plan optimal: a target gap far looser than the solver's, and an incumbent that is poor
(no greedy completion, no starting plan, or a lower bound told just below the optimum with no
plan). Every state the search drops, by dominance, by its bound, by reduced-cost fixing or by an
early end of a phase, must add its bound to the dropped bounds; with the solver's target gap the
plans on every test roster are optimal, so a bound left out changes nothing those tests see.
Here the plan may fall short of the optimum by up to the target gap, and the bound must still be
at least the true optimum (an exact dynamic programme over the budget for 0/1 knapsacks, HiGHS
for rosters with macro influencers)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from planner import Campaign, check_roster
from planner.dp import solve_dp
from planner.mip import solve_mip
from planner.model import build_items
from planner.relaxation import tier_lp
from planner.synthetic import synthetic_roster

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from pisinger import knapsack_case, pisinger  # noqa: E402
from test_split_curve import _tied_macro_items  # noqa: E402


def _knapsack_optimum(cost: np.ndarray, value: np.ndarray, budget: int) -> float:
    """The best 0/1 knapsack value within `budget` (a dynamic programme over every spend)."""
    best = np.zeros(budget + 1)
    for c, v in zip(cost.tolist(), value.tolist(), strict=True):
        if c <= budget:
            best[c:] = np.maximum(best[c:], best[:-c] + v)
    return float(best[budget])


def _programme(items, value, lower_bound: float, target_gap: float):  # type: ignore[no-untyped-def]
    """`solve_dp` alone, its partial plans completed by nothing (a poor incumbent)."""
    relaxed = tier_lp(items, value)
    assert relaxed is not None
    return solve_dp(items, value, relaxed.duals, lower_bound, target_gap, lambda plan, **_: plan)


def _check(items, value, found, optimum: float, target_gap: float, exact: float = 1e-12) -> bool:  # type: ignore[no-untyped-def]
    """The result's plan is valid and worth what it says, its bound holds for the optimum and
    is within the target gap of the plan (when it has one); whether the plan is short of the
    optimum (`exact`: how far from the optimum a reference value may be)."""
    assert found.bound >= optimum * (1 - 1e-12), (found, optimum)
    if found.chosen is None:
        assert found.status == "nothing_better"
        return True
    assert not items.check(found.chosen)
    assert found.value == pytest.approx(float(value[found.chosen].sum()), rel=1e-12)
    assert found.value <= optimum * (1 + exact)
    assert found.bound <= found.value * (1 + target_gap) * (1 + 1e-12)
    return found.value < optimum * (1 - exact)


def _knapsack(kind: str, n: int, r: int, seed: int, instance: int):  # type: ignore[no-untyped-def]
    """A 0/1 knapsack of Pisinger's class as a roster's posts (budget instance/101 of the
    weight), the engagement scaled by the best post's, and its optimum."""
    w, p = pisinger(kind, n, r, seed=seed)
    frame, campaign = knapsack_case(w, p, instance)
    items = build_items(check_roster(frame).table, campaign)
    value = items.value / items.value.max()
    return items, value, _knapsack_optimum(items.cost, value, int(items.budget))


# Lower bounds told to the programme as shares of the optimum, with no plan (None: none at all):
# just below the optimum, nothing beats it by more than the target gap, and the bound returned
# ("nothing_better") rests on the dropped bounds alone.
_TOLD = (None, 0.97, 0.999)


@pytest.mark.parametrize(
    "kind,n,r,seed,instance",
    [
        ("strongly", 40, 1000, 0, 90),
        ("almost-strongly", 40, 1000, 5, 50),
        ("inverse-strongly", 20, 100, 4, 10),
    ],
)
def test_the_expanding_core_s_early_end_keeps_the_bound_of_what_is_left(kind, n, r, seed, instance):
    """Knapsacks of Pisinger's correlated classes, target gaps of 1% to 10%: the expanding
    core (`planner.dp._core_search`) ends once every step left is fixed, its plan then up to
    the target gap short of the optimum, which may change an item of those steps: the largest
    bound of such a change is dropped, and the bound returned still holds. Leaving it out makes
    each case fail (the bound falls to the plan's value: 19.83007 against an optimum of
    19.83100 on the first)."""
    items, value, optimum = _knapsack(kind, n, r, seed, instance)
    short = 0
    for told in _TOLD:
        lower_bound = -np.inf if told is None else optimum * told
        for target_gap in (1e-2, 3e-2, 1e-1):
            found = _programme(items, value, lower_bound, target_gap)
            short += _check(items, value, found, optimum, target_gap)
    assert short > 0  # the search could not simply prove its plan optimal


@pytest.mark.parametrize(
    "kind,n,r,seed,instance",
    [
        ("inverse-strongly", 20, 100, 4, 10),
        ("almost-strongly", 20, 100, 5, 30),
        ("strongly", 20, 100, 0, 10),
        ("uncorrelated", 20, 100, 4, 10),
        ("weakly", 20, 100, 3, 90),
        ("uncorrelated", 40, 1000, 0, 10),
    ],
)
def test_every_bound_the_0_1_knapsack_s_search_drops_holds_for_the_optimum(
    kind, n, r, seed, instance
):
    """Knapsacks of Pisinger's classes (no macro posts: a 0/1 knapsack of the micro posts),
    target gaps of 1%, 3% and 10%, lower bounds told with no plan: the bound returned is at
    least the optimum. Each bound this search drops is needed in some case here: leaving out
    the expanding core's bounds on its states (four of the cases) or on its fixed steps
    (`planner.kernels.core_steps`; the uncorrelated and weakly correlated cases), either of the
    two places their largest is carried up (`_core_search`, `_micro_pass`), the micro posts'
    reduced-cost fixing (`_micro_pass`), the greedy completions' drops, the count bound's or
    the micro pass's result (`solve_dp`) makes this test fail."""
    items, value, optimum = _knapsack(kind, n, r, seed, instance)
    for told in _TOLD:
        lower_bound = -np.inf if told is None else optimum * told
        for target_gap in (1e-2, 3e-2, 1e-1):
            found = _programme(items, value, lower_bound, target_gap)
            _check(items, value, found, optimum, target_gap)


@pytest.mark.parametrize(
    "seed,rate_card,macro_fraction,budget_share,band",
    [
        (5, True, 0.3, 0.1, (0.0, 1.0)),
        (2, True, 0.1, 0.1, (0.0, 0.3)),
        (5, True, 0.1, 0.1, (0.0, 0.3)),
        (3, False, 0.1, 0.3, (0.0, 1.0)),
        (4, False, 0.3, 0.1, (0.0, 1.0)),
    ],
)
def test_every_bound_the_programme_drops_with_macro_influencers_holds_for_the_optimum(
    seed, rate_card, macro_fraction, budget_share, band
):
    """Synthetic rosters of 40 influencers, 10-30% of them macro, with and without a macro
    band, target gaps of 0.1% to 10%, lower bounds told with no plan: the bound returned is at
    least HiGHS's optimum. Here the macro phase's drops count too: leaving out the bound of the
    macro options that reduced-cost fixing rules out, or of the macro states a step drops by
    their bound, makes this test fail, as do the micro posts' fixing and the expanding core's
    early end (seed 4)."""
    roster = check_roster(
        synthetic_roster(40, seed=seed, rate_card_priced=rate_card, macro_fraction=macro_fraction)
    )
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(
        budget=round(total * budget_share), macro_share_min=band[0], macro_share_max=band[1]
    )
    items = build_items(roster.table, campaign)
    scale = float(items.value.max())
    value = items.value / scale
    optimum = solve_mip(items, mip_rel_gap=1e-9).value / scale
    for told in _TOLD:
        lower_bound = -np.inf if told is None else optimum * told
        for target_gap in (1e-3, 1e-2, 3e-2, 1e-1):
            found = _programme(items, value, lower_bound, target_gap)
            _check(items, value, found, optimum, target_gap, exact=1e-9)


def test_the_macro_phase_meeting_in_the_middle_keeps_the_bounds_it_drops(monkeypatch):
    """Macro influencers on a rate card's ties (`_tied_macro_items`: the macro phase's steps
    prune almost nothing, so it meets in the middle), a band of 50-90% macro, lower bounds told
    just below HiGHS's optimum with no plan: the bound returned holds. Leaving out the bound of
    the pairs of states and choices that `_meet` drops makes this test fail."""
    import planner.dp as dp

    met = []
    real_meet = dp._meet

    def spy(*args):
        met.append(True)
        return real_meet(*args)

    monkeypatch.setattr(dp, "_meet", spy)
    for seed in range(4):
        items = _tied_macro_items(seed, (0.5, 0.9))
        scale = float(items.value.max())
        value = items.value / scale
        optimum = solve_mip(items, mip_rel_gap=1e-9).value / scale
        for told in (None, 0.999, 0.99999):
            lower_bound = -np.inf if told is None else optimum * told
            for target_gap in (1e-4, 1e-3, 1e-2):
                found = _programme(items, value, lower_bound, target_gap)
                _check(items, value, found, optimum, target_gap, exact=1e-9)
    assert met


@pytest.mark.parametrize(
    "seed,rate_card,budget_share",
    [(0, False, 0.1), (3, False, 0.3), (0, True, 0.1)],
)
def test_every_bound_the_capped_programme_drops_holds_for_the_optimum(
    seed, rate_card, budget_share
):
    """Synthetic rosters of 60 influencers, 20% of them macro, at most 10 influencers in all,
    target gaps of 0.1% to 10%, lower bounds told with no plan: the bound returned by the
    capped programme is at least HiGHS's optimum. Leaving out the bound of the states the
    compiled capped macro step drops (`_MacroStep`), of the macro states the capped micro
    phase drops before its passes, of the options its reduced-cost fixing rules out, or of
    the states its compiled step drops (`counted_step`, the rate card's case) makes this test
    fail."""
    from planner.relaxation import counted_lp

    roster = check_roster(
        synthetic_roster(60, seed=seed, rate_card_priced=rate_card, macro_fraction=0.2)
    )
    total = float((roster.table["cost_per_post"] * 3).sum())
    items = build_items(
        roster.table, Campaign(budget=round(total * budget_share), max_influencers=10)
    )
    scale = float(items.value.max())
    value = items.value / scale
    optimum = solve_mip(items, mip_rel_gap=1e-9).value / scale
    relaxed = counted_lp(items, value)
    assert relaxed is not None
    for told in _TOLD:
        lower_bound = -np.inf if told is None else optimum * told
        for target_gap in (1e-3, 1e-2, 3e-2, 1e-1):
            found = solve_dp(
                items, value, relaxed.duals, lower_bound, target_gap, lambda plan, **_: plan
            )
            _check(items, value, found, optimum, target_gap, exact=1e-9)
