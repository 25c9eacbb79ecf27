"""Exact dynamic programming over (spend, engagement) states, pruned by bounds.

This is the core-expanding dynamic programme of the knapsack literature (Pisinger's *minknap*,
1997) adapted to the model, in three phases:

1. `_macro_phase`: macro influencers are decided first, as groups of 0..m posts (so that the macro
   band and the cap on macro influencers are exact). States are (macro spend, engagement, macro
   influencers); a state is dropped when another reaches at least its engagement for no more
   spend, or when its bound (an exact LP bound where the band decides the split, else a
   Lagrangian bound with the LP's dual prices) cannot beat the best plan by more than the target.
2. `_greedy_completions`: the best few macro states, each filled greedily with micro posts: a
   plan close to every bound, which prunes nearly all states when posts are priced alike.
3. `_micro_pass`: micro posts one at a time by engagement per dollar, after reduced-cost fixing
   has decided those far from the break; first a heuristic pass over a small core, then the
   certified pass.

The largest bound ever dropped is kept, so the plan's gap is certified. It does not handle the
cap on the total number of influencers (planner/solver.py uses another route then).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from planner.chain import DantzigChain
from planner.model import PostItems, first_posts
from planner.relaxation import Duals

# Past this many live states the programme gives up and the caller uses branch and bound.
MAX_STATES = 400_000
# Up to this many macro states, micro posts are fixed with each state's own LP price.
_PER_STATE_FIXING = 64
# Posts nearest the break that the first, heuristic micro pass steps through.
_HEURISTIC_CORE = 48
# Budget prices tried in the Lagrangian bounds, as multiples of the LP's: the smallest bound wins.
_LAMBDA_FACTORS = np.array([0.6, 0.8, 0.9, 0.95, 0.98, 1.0, 1.02, 1.05, 1.1, 1.25, 1.6])


# "solved": `chosen` is the best plan and `bound` holds for every plan; "nothing_better": no plan
# beats the caller's by more than the target gap (`bound` still holds); "gave_up": the states
# outgrew MAX_STATES and nothing is certified.
DPStatus = Literal["solved", "nothing_better", "gave_up"]


@dataclass(frozen=True)
class DPResult:
    status: DPStatus
    chosen: np.ndarray | None  # the programme's best plan, when it found one above the caller's
    value: float  # its engagement in scaled units (-inf without a plan)
    bound: float  # certified upper bound on every plan's scaled engagement


_GAVE_UP = DPResult("gave_up", None, -np.inf, np.inf)


@dataclass(frozen=True)
class _MacroGroup:
    posts: np.ndarray  # item indices of the influencer's posts, in post order
    cost: int  # price of one post, cents
    cum_value: np.ndarray  # engagement of 0, 1, ..., m posts


class _LagrangianBound:
    """v + lambda (B - c) + mu_top (m_hi - c) + mu_bottom (c - m_lo) + rho (K_macro - n)
    + the best Lagrangian profit of every group and post still to decide, for each budget price
    lambda in `lams`; the smallest over the lambdas. Valid for any non-negative prices."""

    def __init__(
        self,
        items: PostItems,
        duals: Duals,
        lams: np.ndarray,
        groups: list[_MacroGroup],
        micro_chain: DantzigChain,
    ) -> None:
        self.items, self.duals, self.lams = items, duals, lams
        self.mu = mu = duals.macro_max - duals.macro_min  # extra price of a macro cent
        rho = duals.macro_count
        micro_profit = np.maximum(
            0.0, micro_chain.value[None, :] - lams[:, None] * micro_chain.cost[None, :]
        )
        self.micro_rest = micro_profit.sum(axis=1)
        group_profit = np.zeros((lams.size, len(groups)))
        for g, group in enumerate(groups):
            n = np.arange(group.cum_value.size)
            price = (lams[:, None] + mu) * (group.cost * n)[None, :] + rho * (n > 0)[None, :]
            group_profit[:, g] = np.max(group.cum_value[None, :] - price, axis=1)
        self.group_suffix = np.concatenate(
            [np.cumsum(group_profit[:, ::-1], axis=1)[:, ::-1], np.zeros((lams.size, 1))], axis=1
        )

    def __call__(
        self, cost: np.ndarray, value: np.ndarray, count: np.ndarray, next_group: int, rows: slice
    ) -> np.ndarray:
        items, duals = self.items, self.duals
        lams = self.lams[rows]
        rest = self.group_suffix[rows, next_group] + self.micro_rest[rows]
        slack = (
            lams[:, None] * (items.budget - cost)[None, :]
            + duals.macro_max * (items.macro_max - cost)[None, :]
            + duals.macro_min * (cost - items.macro_min)[None, :]
        )
        if items.max_macro is not None:
            slack = slack + duals.macro_count * (items.max_macro - count)[None, :]
        return value + np.min(slack + rest[:, None], axis=0)


@dataclass
class _Search:
    """What every phase shares: the items in their processing order, the bounds, the best plan."""

    items: PostItems
    value: np.ndarray
    target_gap: float
    groups: list[_MacroGroup]
    micro_idx: np.ndarray  # micro posts by engagement per cent, ties in post order
    micro_chain: DantzigChain
    rest_macro: list[DantzigChain]  # macro posts of groups g, g+1, ... by engagement per cent
    lagrangian: _LagrangianBound
    at_lp: int  # row of `lagrangian.lams` that is the LP's own budget price
    best: float  # engagement of the best plan known (scaled)
    best_plan: np.ndarray | None = None
    dropped_bound: float = -np.inf  # largest bound of anything pruned

    @property
    def threshold(self) -> float:
        return self.best * (1 + self.target_gap)

    def drop(self, bounds: np.ndarray) -> None:
        if bounds.size:
            self.dropped_bound = max(self.dropped_bound, float(bounds.max()))


@dataclass(frozen=True)
class _MacroStates:
    """Macro states in the band, Pareto-optimal: spend, engagement, and where each came from."""

    cost: np.ndarray
    value: np.ndarray
    origin: np.ndarray  # index of the state in the last macro step
    history: list[tuple[np.ndarray, np.ndarray]]  # (parent, posts taken) per macro group

    def plan(self, search: _Search, state: int) -> np.ndarray:
        """The macro posts of state `state` (an index into `cost`)."""
        chosen = np.zeros(search.items.owner.size, dtype=bool)
        step = int(self.origin[state])
        for g in range(len(self.history) - 1, -1, -1):
            parent, took = self.history[g]
            chosen[search.groups[g].posts[: int(took[step])]] = True
            step = int(parent[step])
        return chosen

    def keep(self, live: np.ndarray) -> _MacroStates:
        return _MacroStates(self.cost[live], self.value[live], self.origin[live], self.history)


@dataclass(frozen=True)
class _MicroResult:
    chosen: np.ndarray | None  # micro posts of the best plan above the threshold, if any
    value: float  # that plan's scaled engagement (macro part included)
    state: int  # its macro state (index into the states passed in)
    dropped_bound: float


def solve_dp(
    items: PostItems,
    value: np.ndarray,
    duals: Duals,
    lower_bound: float,
    target_gap: float,
    complete: Callable[[np.ndarray], np.ndarray],
) -> DPResult:
    """The best plan in scaled units, certified against every plan, or `gave_up`.

    `lower_bound` is the engagement of a plan the caller already has; `complete` fills a partial
    plan's leftover budget (a heuristic).
    """
    search = _setup(items, value, duals, lower_bound, target_gap)
    states = _macro_phase(search)
    if states is None:
        return _GAVE_UP
    if states.cost.size == 0:  # nothing beats the caller's plan by more than the target gap
        return DPResult("nothing_better", None, -np.inf, search.dropped_bound)
    states = _greedy_completions(search, states, complete)
    if states.cost.size == 0:
        return _result(search)
    micro = search.micro_idx
    if micro.size > _HEURISTIC_CORE:  # a good plan fast, which narrows the certified pass
        found = _micro_pass(search, states.cost, states.value, core_size=_HEURISTIC_CORE)
        if found is not None and found.chosen is not None and found.value > search.best:
            plan = first_posts(items, found.chosen | states.plan(search, found.state))
            search.best, search.best_plan = float(value[plan].sum()), plan
    found = _micro_pass(search, states.cost, states.value, core_size=None)
    if found is None:
        return _GAVE_UP
    search.dropped_bound = max(search.dropped_bound, found.dropped_bound)
    if found.chosen is None:
        return _result(search)
    chosen = first_posts(items, found.chosen | states.plan(search, found.state))
    plan_value = found.value
    if search.best_plan is not None and search.best > plan_value:
        chosen, plan_value = search.best_plan, search.best
    return DPResult("solved", chosen, plan_value, max(plan_value, search.dropped_bound))


def _result(search: _Search) -> DPResult:
    if search.best_plan is None:
        return DPResult("nothing_better", None, -np.inf, search.dropped_bound)
    return DPResult("solved", search.best_plan, search.best, search.dropped_bound)


def _setup(
    items: PostItems, value: np.ndarray, duals: Duals, lower_bound: float, target_gap: float
) -> _Search:
    lam0 = max(duals.budget, 0.0)
    lams = lam0 * _LAMBDA_FACTORS if lam0 > 0 else np.array([0.0])
    cost = items.cost
    micro_chain = DantzigChain.of_items(items, value, ~items.macro)
    groups = []
    for i in np.unique(items.owner[items.macro]):
        posts = np.flatnonzero(items.owner == i)
        groups.append(
            _MacroGroup(
                posts, int(cost[posts[0]]), np.concatenate([[0.0], np.cumsum(value[posts])])
            )
        )
    # Macro influencers with the best first post per dollar first: good plans appear early.
    groups.sort(key=lambda g: -g.cum_value[1] / g.cost)
    # Exact LP of what is left after a macro state: the remaining macro posts and the micro posts,
    # each a Dantzig chain, linked by the macro band.
    group_of = np.full(items.owner.size, len(groups))
    for g, group in enumerate(groups):
        group_of[group.posts] = g
    rest_macro = [
        DantzigChain.of_items(items, value, items.macro & (group_of >= g))
        for g in range(len(groups) + 1)
    ]
    return _Search(
        items=items,
        value=value,
        target_gap=target_gap,
        groups=groups,
        micro_idx=micro_chain.idx,
        micro_chain=micro_chain,
        rest_macro=rest_macro,
        lagrangian=_LagrangianBound(items, duals, lams, groups, micro_chain),
        at_lp=int(np.argmin(np.abs(lams - lam0))),
        best=lower_bound,
    )


def _macro_phase(search: _Search) -> _MacroStates | None:
    """Macro influencers as groups of 0..m posts; None when the states outgrow the limit."""
    items, lagrangian = search.items, search.lagrangian
    mmin, mmax = items.macro_min, items.macro_max
    kmax = items.max_macro if items.max_macro is not None else 1 << 40
    s_cost = np.zeros(1, dtype=np.int64)
    s_value = np.zeros(1)
    s_count = np.zeros(1, dtype=np.int64)
    history: list[tuple[np.ndarray, np.ndarray]] = []
    # Reduced-cost fixing for macro influencers: an option (number of posts) whose Lagrangian
    # profit falls short of the group's best by more than the root bound's slack over the best
    # plan cannot lead to a better plan.
    at_lp = search.at_lp
    lp_rows = slice(at_lp, at_lp + 1)
    lam, mu = lagrangian.lams[at_lp], lagrangian.mu
    rho = lagrangian.duals.macro_count
    empty = np.zeros(1, dtype=np.int64)
    top = float(lagrangian(empty, np.zeros(1), empty, 0, lp_rows)[0])
    window = top - search.threshold
    for g, group in enumerate(search.groups):
        options = np.arange(group.cum_value.size)
        profit = group.cum_value - (lam + mu) * group.cost * options - rho * (options > 0)
        loss = profit.max() - profit
        allowed = loss < window
        if not np.all(allowed):
            search.drop(np.array([top - float(loss[~allowed].min())]))
            options = options[allowed]
        new_cost = (s_cost[:, None] + group.cost * options[None, :]).ravel()
        new_value = (s_value[:, None] + group.cum_value[options][None, :]).ravel()
        new_count = (s_count[:, None] + (options > 0)[None, :]).ravel()
        parent = np.repeat(np.arange(s_cost.size), options.size)
        took = np.tile(options, s_cost.size)
        ok = (new_cost <= mmax) & (new_count <= kmax)
        bound = search.rest_macro[g + 1].macro_bound(
            new_cost[ok], new_value[ok], search.micro_chain, items.budget, mmin, mmax
        )
        loose = np.isnan(bound) | (items.max_macro is not None)
        if np.any(loose):
            bound[loose] = np.fmin(
                bound[loose],
                lagrangian(
                    new_cost[ok][loose],
                    new_value[ok][loose],
                    new_count[ok][loose],
                    g + 1,
                    slice(None),
                ),
            )
        live = bound > search.threshold
        search.drop(bound[~live])
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
    in_band = np.flatnonzero(s_cost >= mmin)
    keep = in_band[_pareto(s_cost[in_band], s_value[in_band])]
    return _MacroStates(s_cost[keep], s_value[keep], keep, history)


def _greedy_completions(
    search: _Search, states: _MacroStates, complete: Callable[[np.ndarray], np.ndarray]
) -> _MacroStates:
    """The best few macro states (by LP bound), each completed greedily with micro posts; then
    every state whose bound that plan beats is dropped."""
    items, chain = search.items, search.micro_chain
    bound = states.value + chain.value_at(items.budget - states.cost)
    for state in np.argsort(-bound)[:4]:
        if bound[state] <= search.threshold:
            break
        room = items.budget - int(states.cost[state])
        full = int(np.searchsorted(chain.cum_cost, room, side="right") - 1)
        plan = states.plan(search, int(state))
        plan[search.micro_idx[:full]] = True
        plan = complete(plan)
        plan_value = float(search.value[plan].sum())
        if plan_value > search.best:
            search.best, search.best_plan = plan_value, plan
    live = bound > search.threshold
    search.drop(bound[~live])
    return states.keep(live)


def _micro_pass(
    search: _Search, s_cost: np.ndarray, s_value: np.ndarray, *, core_size: int | None
) -> _MicroResult | None:
    """Micro posts in order of engagement per dollar, from the given macro states.

    Reduced-cost fixing (the "core" of Martello, Pisinger & Toth): with a budget price lambda,
    any plan from a state s is worth at most v_s + lambda (B - c_s) + the sum of positive reduced
    costs, less |reduced cost| of every micro post it decides against its sign; with each state's
    own break price that is its exact LP bound. Posts whose |reduced cost| alone sinks every state
    below the best plan are fixed, and the programme steps through the rest. With `core_size`,
    only that many posts nearest the break are stepped through and nothing is certified.

    None when the states outgrow the limit.
    """
    items, value, best, target_gap = search.items, search.value, search.best, search.target_gap
    micro_idx, micro_chain = search.micro_idx, search.micro_chain
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
    chain = DantzigChain(m_cost, value[core])
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
        return _MicroResult(None, -np.inf, -1, dropped_bound)

    chosen = np.zeros(items.owner.size, dtype=bool)
    state = int(np.argmax(s_value))
    plan_value = float(s_value[state])
    for t in range(len(history) - 1, -1, -1):
        parent, took = history[t]
        if took[state]:
            chosen[core[t]] = True
        state = int(parent[state])
    chosen[fixed_in] = True
    return _MicroResult(chosen, plan_value, int(origin[state]), dropped_bound)


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
