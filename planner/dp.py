"""Exact dynamic programming over (spend, engagement) states, pruned by Lagrangian bounds.

This is the core-expanding dynamic programme of the knapsack literature (Pisinger's *minknap*,
1997) adapted to the model: macro influencers are decided first, as groups of 0..m posts (so
that the macro band and the cap on macro influencers are exact); then micro posts one at a time
in order of engagement per dollar. A state is dropped when another reaches at least its
engagement for no more spend, or when its Lagrangian upper bound (with the LP's dual prices)
cannot beat the best plan found by more than the target gap. The largest bound ever dropped is
kept, so the plan's gap is certified.

It does not handle the cap on the total number of influencers (the solver uses HiGHS then).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from planner.model import PostItems

# Past this many live states the programme gives up and the caller uses branch and bound.
MAX_STATES = 400_000
# Budget prices tried in the bounds, as multiples of the LP's: the smallest bound is used.
# Up to this many macro states, micro posts are fixed with each state's own LP price.
_PER_STATE_FIXING = 64
# Posts nearest the break that the first, heuristic micro pass steps through.
_HEURISTIC_CORE = 48
_LAMBDA_FACTORS = np.array([0.6, 0.8, 0.9, 0.95, 0.98, 1.0, 1.02, 1.05, 1.1, 1.25, 1.6])


@dataclass(frozen=True)
class Duals:
    """LP dual prices, in scaled engagement per cent (budget, macro top, macro bottom) and per
    influencer (macro count)."""

    budget: float
    macro_max: float
    macro_min: float
    macro_count: float


def _pareto(cost: np.ndarray, value: np.ndarray) -> np.ndarray:
    """Indices of the states no other state beats (no more spend and more engagement)."""
    if cost.size == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-value, cost))
    v = value[order]
    best_before = np.maximum.accumulate(v)
    keep = np.empty(v.size, dtype=bool)
    keep[0] = True
    keep[1:] = v[1:] > best_before[:-1]
    return order[keep]


def solve_dp(
    items: PostItems,
    value: np.ndarray,
    duals: Duals,
    lower_bound: float,
    target_gap: float,
    complete: Callable[[np.ndarray], np.ndarray],
) -> tuple[np.ndarray | None, float, float] | None:
    """(chosen, plan value, certified upper bound) in scaled units, or None to give up.

    `chosen` is None when no plan beats `lower_bound` by more than the target gap; the bound then
    still holds for every plan. `complete` fills a partial plan's leftover budget (a heuristic).
    """
    budget, mmin, mmax = items.budget, items.macro_min, items.macro_max
    lam0 = max(duals.budget, 0.0)
    lams = lam0 * _LAMBDA_FACTORS if lam0 > 0 else np.array([0.0])
    mu = duals.macro_max - duals.macro_min  # extra price of a macro cent
    rho = duals.macro_count
    cost = items.cost

    macro_owners = np.unique(items.owner[items.macro])
    micro_idx = np.flatnonzero(~items.macro)
    micro_idx = micro_idx[np.lexsort((items.k[micro_idx], -(value[micro_idx] / cost[micro_idx])))]

    # Suffix sums of each remaining item's best Lagrangian profit, for every budget price.
    micro_profit = np.maximum(0.0, value[micro_idx][None, :] - lams[:, None] * cost[micro_idx])
    micro_suffix = np.concatenate(
        [np.cumsum(micro_profit[:, ::-1], axis=1)[:, ::-1], np.zeros((lams.size, 1))], axis=1
    )
    groups = []
    for i in macro_owners:
        posts = np.flatnonzero(items.owner == i)
        groups.append(
            (posts, int(cost[posts[0]]), np.concatenate([[0.0], np.cumsum(value[posts])]))
        )
    # Macro influencers with the best first post per dollar first: good plans appear early.
    groups.sort(key=lambda g: -g[2][1] / g[1])
    group_profit = np.zeros((lams.size, len(groups)))
    for g, (_posts, c, cum) in enumerate(groups):
        n = np.arange(cum.size)
        price = (lams[:, None] + mu) * (c * n)[None, :] + rho * (n > 0)[None, :]
        group_profit[:, g] = np.max(cum[None, :] - price, axis=1)
    group_suffix = np.concatenate(
        [np.cumsum(group_profit[:, ::-1], axis=1)[:, ::-1], np.zeros((lams.size, 1))], axis=1
    )

    # Exact LP of what is left after a macro state: the remaining macro posts and the micro posts,
    # each a chain of posts by engagement per cent (Dantzig's bound), linked by the macro band.
    micro_chain = _Chain(cost[micro_idx], value[micro_idx])
    group_of = np.full(items.owner.size, len(groups))
    for g, (posts, _c, _cum) in enumerate(groups):
        group_of[posts] = g
    macro_posts = np.flatnonzero(items.macro)
    macro_posts = macro_posts[
        np.lexsort((items.k[macro_posts], -(value[macro_posts] / cost[macro_posts])))
    ]
    rest_macro = [
        _Chain(cost[rest], value[rest])
        for rest in (macro_posts[group_of[macro_posts] >= g] for g in range(len(groups) + 1))
    ]

    best = lower_bound
    dropped_bound = -np.inf
    kmax = items.max_macro if items.max_macro is not None else 1 << 40

    # Macro phase: states (spend, engagement, macro influencers), spend is all macro here.
    s_cost = np.zeros(1, dtype=np.int64)
    s_value = np.zeros(1)
    s_count = np.zeros(1, dtype=np.int64)
    history: list[tuple[np.ndarray, np.ndarray]] = []  # (parent, posts) per macro group
    # Reduced-cost fixing for macro influencers: an option (number of posts) whose Lagrangian
    # profit falls short of the group's best by more than the root bound's slack over the best
    # plan cannot lead to a better plan.
    at_lp = int(np.argmin(np.abs(lams - lam0)))
    lp_rows = slice(at_lp, at_lp + 1)

    def lagrangian_bound(
        cost: np.ndarray, value: np.ndarray, count: np.ndarray, next_group: int, rows: slice
    ) -> np.ndarray:
        return _macro_bound(
            cost,
            value,
            count,
            next_group,
            lams[rows],
            mu,
            rho,
            duals,
            budget,
            mmin,
            mmax,
            kmax,
            group_suffix[rows],
            micro_suffix[rows],
        )

    empty = np.zeros(1, dtype=np.int64)
    top = float(lagrangian_bound(empty, np.zeros(1), empty, 0, lp_rows)[0])
    window = top - best * (1 + target_gap)
    for g, (_posts, c, cum) in enumerate(groups):
        options = np.arange(cum.size)
        profit = cum - (lams[at_lp] + mu) * c * options - rho * (options > 0)
        loss = profit.max() - profit
        allowed = loss < window
        if not np.all(allowed):
            dropped_bound = max(dropped_bound, top - float(loss[~allowed].min()))
            options = options[allowed]
        new_cost = (s_cost[:, None] + c * options[None, :]).ravel()
        new_value = (s_value[:, None] + cum[options][None, :]).ravel()
        new_count = (s_count[:, None] + (options > 0)[None, :]).ravel()
        parent = np.repeat(np.arange(s_cost.size), options.size)
        took = np.tile(options, s_cost.size)
        ok = (new_cost <= mmax) & (new_count <= kmax)
        bound = rest_macro[g + 1].bound(
            new_cost[ok], new_value[ok], micro_chain, budget, mmin, mmax
        )
        loose = np.isnan(bound) | (items.max_macro is not None)
        if np.any(loose):
            lagrangian = lagrangian_bound(
                new_cost[ok][loose],
                new_value[ok][loose],
                new_count[ok][loose],
                g + 1,
                slice(None),
            )
            bound[loose] = np.fmin(bound[loose], lagrangian)
        live = bound > best * (1 + target_gap)
        if np.any(~live):
            dropped_bound = max(dropped_bound, float(bound[~live].max()))
        sel = np.flatnonzero(ok)[live]
        keep = _pareto_by_count(
            new_cost[sel], new_value[sel], new_count[sel], items.max_macro is not None, mmin
        )
        sel = sel[keep]
        s_cost, s_value, s_count = new_cost[sel], new_value[sel], new_count[sel]
        history.append((parent[sel], took[sel]))
        if s_cost.size > MAX_STATES:
            return None
        if s_cost.size == 0:
            break
    in_band = s_cost >= mmin
    s_cost, s_value = s_cost[in_band], s_value[in_band]
    macro_state = np.flatnonzero(in_band)
    if s_cost.size == 0:  # nothing beats the caller's plan by more than the target gap
        return None, -np.inf, dropped_bound
    keep = _pareto(s_cost, s_value)
    s_cost, s_value, origin = s_cost[keep], s_value[keep], macro_state[keep]

    def macro_plan(state: int) -> np.ndarray:
        chosen = np.zeros(items.owner.size, dtype=bool)
        for g in range(len(history) - 1, -1, -1):
            parent, took = history[g]
            chosen[groups[g][0][: int(took[state])]] = True
            state = int(parent[state])
        return chosen

    # The best few macro choices, each completed greedily with micro posts, give a plan close to
    # every bound; that plan prunes nearly all states when posts are priced alike.
    bound = s_value + micro_chain.value_at(budget - s_cost)
    best_plan = None
    for state in np.argsort(-bound)[:4]:
        if bound[state] <= best * (1 + target_gap):
            break
        room = budget - int(s_cost[state])
        full = int(np.searchsorted(micro_chain.cum_cost, room, side="right") - 1)
        plan = macro_plan(int(origin[state]))
        plan[micro_idx[:full]] = True
        plan = complete(plan)
        plan_value = float(value[plan].sum())
        if plan_value > best:
            best, best_plan = plan_value, plan
    live = bound > best * (1 + target_gap)
    if np.any(~live):
        dropped_bound = max(dropped_bound, float(bound[~live].max()))
    s_cost, s_value, origin = s_cost[live], s_value[live], origin[live]

    if s_cost.size == 0:
        return best_plan, best if best_plan is not None else -np.inf, dropped_bound
    # Micro posts: first a pass over only the posts nearest the break (a heuristic: a good plan,
    # fast), then the certified pass, whose window that plan narrows.
    if micro_idx.size > _HEURISTIC_CORE:
        found = _micro_pass(
            items,
            value,
            micro_idx,
            micro_chain,
            s_cost,
            s_value,
            best,
            target_gap,
            core_size=_HEURISTIC_CORE,
        )
        if found is not None and found[1] > best:
            state_origin = int(origin[found[2]])
            plan = found[0] | macro_plan(state_origin)
            plan = _in_order(items, plan)
            best, best_plan = float(value[plan].sum()), plan
    found = _micro_pass(
        items, value, micro_idx, micro_chain, s_cost, s_value, best, target_gap, core_size=None
    )
    if found is None:
        return None
    chosen, plan_value, state, micro_dropped = found
    dropped_bound = max(dropped_bound, micro_dropped)
    if chosen is None:
        return best_plan, best if best_plan is not None else -np.inf, dropped_bound
    chosen = _in_order(items, chosen | macro_plan(int(origin[state])))
    if best_plan is not None and best > plan_value:
        chosen, plan_value = best_plan, best
    return chosen, plan_value, max(plan_value, dropped_bound)


def _micro_pass(
    items: PostItems,
    value: np.ndarray,
    micro_idx: np.ndarray,
    micro_chain: _Chain,
    s_cost: np.ndarray,
    s_value: np.ndarray,
    best: float,
    target_gap: float,
    *,
    core_size: int | None,
) -> tuple:  # type: ignore[type-arg]
    """Micro posts in order of engagement per dollar, from the given macro states.

    Reduced-cost fixing (the "core" of Martello, Pisinger & Toth): with a budget price lambda,
    any plan from a state s is worth at most v_s + lambda (B - c_s) + the sum of positive reduced
    costs, less |reduced cost| of every micro post it decides against its sign; with each state's
    own break price that is its exact LP bound. Posts whose |reduced cost| alone sinks every state
    below the best plan are fixed, and the programme steps through the rest. With `core_size`,
    only that many posts nearest the break are stepped through and nothing is certified.

    Returns (micro posts chosen or None, their plan's value, index of its macro state, largest
    bound dropped), or None when the states outgrow the limit.
    """
    budget, cost = items.budget, items.cost
    m_cost, m_value = cost[micro_idx], value[micro_idx]
    prices = (
        micro_chain.slope_above(budget - s_cost)
        if s_cost.size <= _PER_STATE_FIXING
        else np.full(1, float(micro_chain.slope_above(np.array([budget - s_cost.min()]))[0]))
    )
    decided_in = np.ones(micro_idx.size, dtype=bool)
    decided_out = np.ones(micro_idx.size, dtype=bool)
    dropped_bound = -np.inf
    for s_i, price in enumerate(prices):
        reduced = m_value - price * m_cost
        rooms = budget - (s_cost if prices.size == 1 else s_cost[s_i : s_i + 1])
        values = s_value if prices.size == 1 else s_value[s_i : s_i + 1]
        top = float(np.max(values + price * rooms)) + float(np.maximum(reduced, 0.0).sum())
        window = top - best * (1 + target_gap)
        if core_size is not None:
            window = min(window, float(np.partition(np.abs(reduced), core_size)[core_size]))
        fixed = np.abs(reduced) >= window
        if np.any(fixed):
            dropped_bound = max(dropped_bound, top - float(np.abs(reduced[fixed]).min()))
        decided_in &= fixed & (reduced > 0)
        decided_out &= fixed & (reduced <= 0)
    fixed_in = micro_idx[decided_in]
    core = micro_idx[~(decided_in | decided_out)]
    origin = np.arange(s_cost.size)
    s_cost = s_cost + int(cost[fixed_in].sum())
    s_value = s_value + float(value[fixed_in].sum())
    fits = s_cost <= budget
    s_cost, s_value, origin = s_cost[fits], s_value[fits], origin[fits]
    m_cost = cost[core]
    chain = _Chain(m_cost, value[core])
    cum_cost, cum_value, m_ratio = chain.cum_cost, chain.cum_value, chain.ratio

    # States (spend, engagement); every state is a valid plan from here on.
    history: list[tuple[np.ndarray, np.ndarray]] = []
    cheapest_after = np.minimum.accumulate(m_cost[::-1])[::-1] if m_cost.size else m_cost
    threshold = best * (1 + target_gap)
    for t, j in enumerate(core):
        if s_cost.size == 0 or cheapest_after[t] > budget - int(s_cost.min()):
            break  # no state can afford any post that is left
        c, v = int(cost[j]), float(value[j])
        fits = np.flatnonzero(s_cost + c <= budget)
        new_cost = np.concatenate([s_cost, s_cost[fits] + c])
        new_value = np.concatenate([s_value, s_value[fits] + v])
        parent = np.concatenate([np.arange(s_cost.size), fits])
        took = np.concatenate([np.zeros(s_cost.size, bool), np.ones(fits.size, bool)])
        # Dantzig's bound of the posts after t for each state's room.
        reach = cum_cost[t + 1] + (budget - new_cost)
        i = np.maximum(np.searchsorted(cum_cost, reach, side="right") - 1, t + 1)
        bound = new_value + (cum_value[i] - cum_value[t + 1]) + (reach - cum_cost[i]) * m_ratio[i]
        live = bound > threshold
        if not live.all():
            dropped_bound = max(dropped_bound, float(bound[~live].max()))
            sel = np.flatnonzero(live)
        else:
            sel = np.arange(live.size)
        sel = sel[_pareto(new_cost[sel], new_value[sel])]
        s_cost, s_value = new_cost[sel], new_value[sel]
        history.append((parent[sel], took[sel]))
        if s_cost.size > MAX_STATES:
            return None
    if s_cost.size == 0:
        return None, -np.inf, -1, dropped_bound

    chosen = np.zeros(items.owner.size, dtype=bool)
    state = int(np.argmax(s_value))
    plan_value = float(s_value[state])
    for t in range(len(history) - 1, -1, -1):
        parent, took = history[t]
        if took[state]:
            chosen[core[t]] = True
        state = int(parent[state])
    chosen[fixed_in] = True
    return chosen, plan_value, int(origin[state]), dropped_bound


def _in_order(items: PostItems, chosen: np.ndarray) -> np.ndarray:
    """Same posts per influencer, taken as the first ones (equal cost, at least the value)."""
    counts = np.bincount(items.owner[chosen], minlength=items.n_influencers)
    return items.k < counts[items.owner]


def _pareto_by_count(
    cost: np.ndarray, value: np.ndarray, count: np.ndarray, by_count: bool, macro_min: int
) -> np.ndarray:
    """Macro states no other beats. Below the band's bottom, spending less is not better (the
    plan must still reach the bottom), so there only states of equal spend compete."""
    if cost.size == 0:
        return np.zeros(0, dtype=np.int64)
    keep = []
    groups = (
        [np.arange(cost.size)]
        if not by_count
        else [np.flatnonzero(count == n) for n in np.unique(count)]
    )
    for idx in groups:
        reached = idx[cost[idx] >= macro_min]
        keep.append(reached[_pareto(cost[reached], value[reached])])
        short = idx[cost[idx] < macro_min]
        if short.size:
            order = short[np.lexsort((-value[short], cost[short]))]
            first = np.ones(order.size, dtype=bool)
            first[1:] = cost[order][1:] != cost[order][:-1]
            keep.append(order[first])
    return np.concatenate(keep)


def _macro_bound(
    cost: np.ndarray,
    value: np.ndarray,
    count: np.ndarray,
    next_group: int,
    lams: np.ndarray,
    mu: float,
    rho: float,
    duals: Duals,
    budget: int,
    mmin: int,
    mmax: int,
    kmax: int,
    group_suffix: np.ndarray,
    micro_suffix: np.ndarray,
) -> np.ndarray:
    # Lagrangian bound: prices on budget (each lambda), macro band and macro count.
    rest = group_suffix[:, next_group] + micro_suffix[:, 0]
    slack = (
        lams[:, None] * (budget - cost)[None, :]
        + duals.macro_max * (mmax - cost)[None, :]
        + duals.macro_min * (cost - mmin)[None, :]
        + (rho * (kmax - count)[None, :] if kmax < (1 << 40) else 0.0)
    )
    return value + np.min(slack + rest[:, None], axis=0)


class _Chain:
    """Posts in order of engagement per cent, bought in that order: the LP value of any spend
    (Dantzig's bound) and its slopes, for many spends at once."""

    def __init__(self, cost: np.ndarray, value: np.ndarray) -> None:
        self.cum_cost = np.concatenate([[0], np.cumsum(cost)])
        self.cum_value = np.concatenate([[0.0], np.cumsum(value)])
        self.ratio = np.concatenate([value / np.maximum(cost, 1), [0.0]])
        self.total = int(self.cum_cost[-1])

    def value_at(self, spend: np.ndarray) -> np.ndarray:
        spend = np.clip(spend, 0, self.total)
        i = np.searchsorted(self.cum_cost, spend, side="right") - 1
        return self.cum_value[i] + (spend - self.cum_cost[i]) * self.ratio[i]

    def slope_above(self, spend: np.ndarray) -> np.ndarray:
        """Engagement per cent of the next cent after `spend` (0 when everything is bought)."""
        return self.ratio[np.searchsorted(self.cum_cost, spend, side="right") - 1]

    def slope_below(self, spend: np.ndarray) -> np.ndarray:
        """Engagement per cent of the last cent up to `spend` (infinite at 0)."""
        i = np.searchsorted(self.cum_cost, spend, side="left") - 1
        return np.where(spend > 0, self.ratio[np.maximum(i, 0)], np.inf)

    def bound(
        self,
        cost: np.ndarray,
        value: np.ndarray,
        micro: _Chain,
        budget: int,
        mmin: int,
        mmax: int,
    ) -> np.ndarray:
        """LP bound of macro states when this chain is the macro posts still to decide: each
        state spends as much more on macro as the band allows, when that is the LP's choice
        (the next macro cent earns at least the last micro cent); NaN where it is not (the
        caller uses another bound), -inf where the band's bottom is out of reach."""
        more = np.minimum(mmax - cost, self.total)
        room = budget - cost
        more = np.minimum(more, room)
        result = value + self.value_at(more) + micro.value_at(room - more)
        decided = self.slope_below(more) >= micro.slope_above(room - more)
        result = np.where(decided, result, np.nan)
        return np.where(cost + more < mmin, -np.inf, result)
