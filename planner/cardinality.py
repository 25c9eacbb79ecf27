"""Bounds from the number of items a plan can hold (Martello, Pisinger & Toth 1999, *combo*).

In a 0/1 knapsack (profits v_j, weights c_j, capacity B) no plan holds more than k_max items,
the most of the cheapest that fit; and a plan worth more than a threshold z holds at least
k_min, the fewest of the most valuable whose total exceeds z. Pricing the count at mu per item
(the Lagrangian, or equally the surrogate LP, of sum_j x_j <= k_max for mu >= 0, and of
sum_j x_j >= k_min for mu <= 0):

    L(mu) = mu k + Dantzig's bound of the knapsack with profits v_j - mu,   k = k_max or k_min

bounds every plan of k_min..k_max items, and every plan of fewer items is worth at most z. Where
profits rise with weights (Pisinger's strongly correlated classes, p = w + R/10), Dantzig's bound
overrates the plan by up to one item's R/10 for the break item's fraction; with mu = R/10 the
profits become the weights and L = B + k_max R/10, the best plan when one fills the budget
exactly with k_max items: the bound then certifies the plan a heuristic finds at once, where
the expanding core took seconds to drop every state by Dantzig's bounds.
"""

from __future__ import annotations

import numpy as np

# Bisection steps on the count's price (each one Dantzig bound, a sort of the items).
_STEPS = 40


def count_bound(cost: np.ndarray, value: np.ndarray, budget: int, threshold: float) -> float:
    """A bound on every 0/1 plan of the items (spend <= `budget`), tightest when `threshold` is
    just below the best plan: the larger of what plans of fewer than k_min items can earn (at
    most `threshold`, and at most Dantzig's bound) and the smallest L(mu) the bisection on mu
    finds (each L(mu) is a bound, so stopping early is safe)."""
    if cost.size == 0:
        return 0.0
    k_max = int(np.searchsorted(np.cumsum(np.sort(cost)), budget, side="right"))
    top = np.concatenate([[0.0], np.cumsum(np.sort(value)[::-1])])  # the k most valuable
    k_min = int(np.searchsorted(top, threshold, side="right"))  # top[k_min] > threshold

    def lagrangian(mu: float) -> tuple[float, float]:
        """L(mu), and the number of items (fractional) in its LP solution."""
        k = k_max if mu >= 0 else k_min
        profit = value - mu
        keep = np.flatnonzero(profit > 0)
        keep = keep[np.argsort(-(profit[keep] / np.maximum(cost[keep], 1)), kind="stable")]
        cum_cost = np.cumsum(cost[keep])
        full = int(np.searchsorted(cum_cost, budget, side="right"))  # items bought whole
        lp = float(profit[keep[:full]].sum())
        count = float(full)
        if full < keep.size:
            j = keep[full]
            part = (budget - (cum_cost[full - 1] if full else 0)) / cost[j]
            lp += part * float(profit[j])
            count += part
        return mu * k + lp, count

    # L is convex in mu with slope k - (the LP's count): bisect on the slope's sign, on the side
    # of 0 where it points down (none: mu = 0, Dantzig's own bound, is the best).
    best, count = lagrangian(0.0)  # Dantzig's bound, which bounds every plan too
    fewer = min(float(top[k_min - 1]), best) if k_min > 0 else -np.inf  # fewer than k_min items
    if k_min > k_max:
        return fewer
    if count > k_max:
        lo, hi = 0.0, float(value.max())
    elif count < k_min:
        lo, hi = -float(value.max()), 0.0
    else:
        return max(best, fewer)
    for _ in range(_STEPS):
        mu = (lo + hi) / 2
        bound, count = lagrangian(mu)
        best = min(best, bound)
        if count > (k_max if mu >= 0 else k_min):
            lo = mu
        else:
            hi = mu
    for mu in (lo, hi):
        best = min(best, lagrangian(mu)[0])
    return max(best, fewer)
