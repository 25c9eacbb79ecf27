"""The engine: the best plan with a certified optimality gap (MODEL.md, "The plan").

The model (planner/model.py): influencer i may buy x_i in {0, ..., m_i} posts at c_i cents each;
post k (k = 0, 1, ...) earns e_i d^k, so each influencer's engagement f_i(x) is concave in x. With
B the budget, [m_lo, m_hi] the macro band, K_macro and K the optional caps:

    z* = max  sum_i f_i(x_i)
         s.t. sum_i c_i x_i <= B,   m_lo <= sum_{i macro} c_i x_i <= m_hi,
              #{i macro : x_i > 0} <= K_macro,   #{i : x_i > 0} <= K.

The algorithm is the knapsack literature's (Dantzig's bound; Pisinger's core-expanding dynamic
programme, *minknap*, 1997; Martello & Toth, "Knapsack Problems", 1990). Its certificate: every
plan is worth at most U, the largest bound of anything the search dropped (or the LP bound), so
gap = (U - z) / U for the plan z it returns; "optimal" means gap <= 1e-6.

    solve(items):
        scale engagement by the best post (bounds stay well scaled)
        LP relaxation -> bound z_LP, fractional y, dual prices (budget lambda, band, counts)
            no caps: exact, by splitting B between two Dantzig chains (micro, macro)
            caps:    HiGHS's LP (planner/mip.py)
        z <- best of: every rounding of y, repaired, filled, improved by swaps (heuristics.py)
        DP (planner/dp.py): macro influencers as groups of 0..m posts, states pruned by
            dominance and by LP/Lagrangian bounds against z; greedy completions of the best
            macro states; micro posts one at a time in the core left by reduced-cost fixing
        return the best plan with U = min(z_LP, largest bound dropped)
        if the DP gives up (too many states): HiGHS's branch and bound (planner/mip.py) as the
            last resort, keeping the better of its plan and ours, with the better certificate

A cap on the total number of influencers couples every post; the programme does not handle it,
so that case goes to HiGHS's branch and bound today.
"""

from __future__ import annotations

import numpy as np

from planner.dp import solve_dp
from planner.heuristics import greedy_fill, improve, macro_exchange, repair, starting_plan
from planner.model import OPTIMAL_GAP, PostItems, Solution, relative_gap
from planner.relaxation import Duals, tier_lp

__all__ = ["OPTIMAL_GAP", "TIME_LIMIT_S", "Solution", "relative_gap", "solve"]

# HiGHS stops after this long and returns its best plan with its true gap.
TIME_LIMIT_S = 120.0


def solve(items: PostItems, *, time_limit: float = TIME_LIMIT_S) -> Solution:
    """The best selection of posts, exact to a certified relative gap of 1e-6."""
    n = items.owner.size
    empty = np.zeros(n, dtype=bool)
    if items.macro_min > items.macro_max or items.macro_min > items.budget:
        return Solution("infeasible", empty, 0.0, 0.0)
    if n == 0:
        status = "optimal" if items.macro_min <= 0 else "infeasible"
        return Solution(status, empty, 0.0, 0.0)
    # Engagement in units of the best post keeps every bound well scaled.
    scale = float(items.value.max())
    value = items.value / scale

    if items.max_influencers is None and items.max_macro is None:
        relaxed = tier_lp(items, value)
        if relaxed is None:
            return Solution("infeasible", empty, 0.0, 0.0)
        found = _dynamic_programme(
            items, value, relaxed.y, relaxed.duals, relaxed.bound, scale
        )
    elif items.max_influencers is None:
        from planner.mip import lp_relaxation

        lp = lp_relaxation(items, value)
        if lp is None:
            return Solution("infeasible", empty, 0.0, 0.0)
        prices = -lp.ineqlin.marginals
        duals = Duals(
            budget=float(prices[0]),
            macro_max=float(prices[1]),
            macro_min=float(prices[-1]),
            macro_count=float(prices[2]) if items.max_macro is not None else 0.0,
        )
        found = _dynamic_programme(items, value, lp.x, duals, -float(lp.fun), scale)
    else:
        found = None
    if found is not None and found.status != "feasible":
        return found
    # A cap on the number of influencers couples every post, and the programme may give up:
    # hand the whole model to HiGHS, keeping the programme's plan if HiGHS does no better.
    from planner.mip import solve_mip

    fallback = solve_mip(items, mip_rel_gap=OPTIMAL_GAP / 2, time_limit=time_limit)
    if found is None or fallback.status in ("optimal", "infeasible"):
        return fallback
    if fallback.status == "feasible" and fallback.gap < found.gap:
        return fallback
    return found


def _dynamic_programme(
    items: PostItems, value: np.ndarray, y: np.ndarray, duals: Duals, z_lp: float, scale: float
) -> Solution | None:
    incumbent = starting_plan(items, y, value)
    z_inc = float(value[incumbent].sum()) if incumbent is not None else -np.inf
    fill_order = np.argsort(-(value / items.cost), kind="stable")
    if incumbent is not None and items.max_influencers is None:
        exchanged = macro_exchange(items, incumbent, value, duals.budget)
        if exchanged is not incumbent:
            drop_order = np.lexsort((-items.k, value / items.cost))
            repaired = repair(items, exchanged, exchanged & items.macro, drop_order)
            if repaired is not None:
                filled = improve(items, greedy_fill(items, repaired, fill_order), value)
                if not items.check(filled) and value[filled].sum() > z_inc:
                    incumbent, z_inc = filled, float(value[filled].sum())

    def complete(plan: np.ndarray) -> np.ndarray:
        return improve(items, greedy_fill(items, plan, fill_order), value)

    found = solve_dp(items, value, duals, z_inc, OPTIMAL_GAP / 2, complete)
    if found.status == "gave_up":  # too many states: the best plan so far, against the LP bound
        if incumbent is None:
            return None
        return _finish(items, incumbent, z_lp, scale)
    chosen, bound = found.chosen, found.bound
    if chosen is None or (incumbent is not None and value[chosen].sum() < z_inc):
        chosen = incumbent
    if chosen is None:
        return Solution("infeasible", np.zeros(items.owner.size, dtype=bool), 0.0, 0.0)
    return _finish(items, chosen, min(bound, z_lp), scale)


def _finish(items: PostItems, chosen: np.ndarray, bound: float, scale: float) -> Solution:
    broken = items.check(chosen)
    if broken:  # pragma: no cover - the solvers never return a plan that breaks a rule
        raise RuntimeError(f"internal error: the plan breaks {broken}")
    true_value = float(items.value[chosen].sum())
    upper_bound = max(bound * scale, true_value)
    gap = relative_gap("", upper_bound, true_value)
    status = "optimal" if gap <= OPTIMAL_GAP else "feasible"
    return Solution(status, chosen, true_value, upper_bound)
