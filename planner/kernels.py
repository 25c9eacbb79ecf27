"""Compiled inner loops of the dynamic programme (numba), where numpy's per-call cost dominates.

Each kernel is one step of a programme in planner/dp.py, written as plain loops over typed
arrays; the search around it (bounds, completions, limits, rebuilding the plan) stays in Python.
`cache=True` keeps the machine code between runs (first use compiles once, about a second).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True, nogil=True)
def _chain_value(
    cum_cost: np.ndarray, cum_value: np.ndarray, ratio: np.ndarray, lo: int, hi: int, spend: float
) -> float:
    """LP value of spending `spend` on the Dantzig chain held in positions lo..hi-1 of the
    flat arrays (`planner.chain.DantzigChain.value_at` for one spend)."""
    total = cum_cost[hi - 1]
    spend = min(max(spend, cum_cost[lo]), total)
    # Last link whose cumulative cost is <= spend (searchsorted, side="right", minus one).
    a, b = lo, hi
    while a < b:
        mid = (a + b) // 2
        if cum_cost[mid] <= spend:
            a = mid + 1
        else:
            b = mid
    i = a - 1
    return cum_value[i] + (spend - cum_cost[i]) * ratio[i]


@numba.njit(cache=True, nogil=True)
def counted_step(
    s_cost: np.ndarray,
    s_value: np.ndarray,
    s_count: np.ndarray,
    options: np.ndarray,
    option_value: np.ndarray,
    price: int,
    budget: int,
    cap: int,
    threshold: float,
    b_price: np.ndarray,
    b_at: np.ndarray,
    b_start: np.ndarray,
    b_cum_cost: np.ndarray,
    b_cum_value: np.ndarray,
    b_ratio: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float]:
    """One influencer decided in the capped micro phase (`planner.dp._counted_micro_phase`).

    States (spend, engagement, influencers) come sorted by influencers, then spend, then falling
    engagement. Taking x = options[o] posts (at `price` cents each, worth option_value[o]) gives
    each state's successors; they are merged in the same order and kept when

    - they fit the budget and the cap;
    - no state with no more influencers and no more spend has at least their engagement
      (within one count: the states before them; across counts: the Pareto front of every
      state with fewer influencers);
    - their bound beats `threshold`: the smallest over the bound tables r of
      value + b_price[r] (cap - count) + Dantzig's bound of the chain r from link b_at[r] on
      for the room left (the chain r is held in positions b_start[r]..b_start[r+1]-1).

    Returns the kept states (spend, engagement, count) in that order, each one's parent (index
    into the states given) and posts taken, its bound, and the largest bound of the states
    dropped by their bound (-inf when none)."""
    n_states = s_cost.size
    n_opt = options.size
    size = n_states * n_opt
    out_cost = np.empty(size, np.int64)
    out_value = np.empty(size, np.float64)
    out_count = np.empty(size, np.int64)
    out_parent = np.empty(size, np.int32)  # history is kept for every step: small types
    out_took = np.empty(size, np.int32)
    out_bound = np.empty(size, np.float64)
    # The Pareto front (spend up, engagement strictly up) of the states kept with fewer
    # influencers than the current count, and a second buffer to merge into.
    front_cost = np.empty(size, np.int64)
    front_value = np.empty(size, np.float64)
    next_cost = np.empty(size, np.int64)
    next_value = np.empty(size, np.float64)
    n_front = 0
    heads = np.zeros(n_opt, np.int64)
    kept = 0
    dropped = -np.inf
    count_now = -1
    count_start = 0  # first kept state of the current count
    best_in_count = -np.inf
    at_front = 0  # front links with spend <= the current candidate's
    n_tables = b_price.size
    while True:
        # The next candidate in (count, spend, -engagement) order among the options' lists.
        pick = -1
        p_count, p_cost, p_value = 0, 0, 0.0
        for o in range(n_opt):
            i = heads[o]
            if i >= n_states:
                continue
            c = s_count[i] + (1 if options[o] > 0 else 0)
            w = s_cost[i] + price * options[o]
            v = s_value[i] + option_value[o]
            if (
                pick < 0
                or c < p_count
                or (c == p_count and (w < p_cost or (w == p_cost and v > p_value)))
            ):
                pick, p_count, p_cost, p_value = o, c, w, v
        if pick < 0:
            break
        parent = heads[pick]
        heads[pick] += 1
        if p_cost > budget or p_count > cap:
            continue
        if p_count != count_now:
            # The states of the last count join the front of those with fewer influencers.
            a, b, m = 0, count_start, 0
            top = -np.inf
            while a < n_front or b < kept:
                if b >= kept or (a < n_front and front_cost[a] <= out_cost[b]):
                    w, v = front_cost[a], front_value[a]
                    a += 1
                else:
                    w, v = out_cost[b], out_value[b]
                    b += 1
                if v > top:
                    if m > 0 and next_cost[m - 1] == w:
                        m -= 1  # same spend, more engagement: replaces it
                    next_cost[m], next_value[m] = w, v
                    m += 1
                    top = v
            front_cost, next_cost = next_cost, front_cost
            front_value, next_value = next_value, front_value
            n_front = m
            count_now, count_start = p_count, kept
            best_in_count = -np.inf
            at_front = 0
        while at_front < n_front and front_cost[at_front] <= p_cost:
            at_front += 1
        beaten = best_in_count
        if at_front > 0 and front_value[at_front - 1] > beaten:
            beaten = front_value[at_front - 1]
        if p_value <= beaten:
            continue
        best_in_count = p_value
        bound = np.inf
        for r in range(n_tables):
            lo, hi = b_start[r], b_start[r + 1]
            at = lo + b_at[r]
            rest = (
                _chain_value(
                    b_cum_cost, b_cum_value, b_ratio, lo, hi, b_cum_cost[at] + (budget - p_cost)
                )
                - b_cum_value[at]
            )
            bound = min(bound, p_value + b_price[r] * (cap - p_count) + rest)
        if bound <= threshold:
            dropped = max(dropped, bound)
            continue
        out_cost[kept] = p_cost
        out_value[kept] = p_value
        out_count[kept] = p_count
        out_parent[kept] = parent
        out_took[kept] = options[pick]
        out_bound[kept] = bound
        kept += 1
    return (
        out_cost[:kept].copy(),
        out_value[:kept].copy(),
        out_count[:kept].copy(),
        out_parent[:kept].copy(),
        out_took[:kept].copy(),
        out_bound[:kept].copy(),
        dropped,
    )
