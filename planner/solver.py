"""Exact solution of the post-allocation problem with a certified optimality gap.

Each influencer's engagement is concave in posts, micro posts are small against the budget and
macro influencers are few. The method follows the knapsack literature (Dantzig's bound,
Pisinger's core-expanding dynamic programme, Martello & Toth, "Knapsack Problems", 1990):

1. The LP relaxation, solved exactly by splitting the budget between the tiers (with a cap on
   macro influencers, by HiGHS): an upper bound and dual prices.
2. A good plan near the LP optimum: every rounding of its fractional posts, repaired, filled
   greedily, then improved by one-for-one swaps until the budget is used to the cent.
3. Dynamic programming over (spend, engagement) states (planner/dp.py): macro influencers as
   groups first, then micro posts by engagement per dollar; states are dropped by dominance and
   by Lagrangian and Dantzig bounds against the best plan. The largest dropped bound certifies
   the gap.

A cap on the total number of influencers couples every post; that case, and any case where the
programme's states outgrow its limit, is handed whole to HiGHS's branch and bound, whose own
dual bound certifies the gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from planner.dp import Duals, _in_order, solve_dp
from planner.model import PostItems

if TYPE_CHECKING:  # scipy takes half a second to import and most plans never need HiGHS:
    from scipy import sparse  # the functions that call HiGHS import it when they run

OPTIMAL_GAP = 1e-6
# HiGHS stops after this long and returns its best plan with its true gap.
TIME_LIMIT_S = 120.0


@dataclass(frozen=True)
class Solution:
    # "optimal", "feasible" (gap above 1e-6 after the time limit), "infeasible", or "timeout"
    # (only from the reference formulation: no plan found within its time limit)
    status: str
    chosen: np.ndarray  # bool per item
    value: float
    upper_bound: float

    @property
    def gap(self) -> float:
        return relative_gap(self.status, self.upper_bound, self.value)


def relative_gap(status: str, upper_bound: float, value: float) -> float:
    """The certified optimality gap, (upper bound - plan value) / upper bound (MODEL.md)."""
    if status in ("infeasible", "timeout"):
        return float("nan")
    if upper_bound <= 0:
        return 0.0
    return max(0.0, (upper_bound - value) / upper_bound)


def _rows(
    items: PostItems, columns: np.ndarray | None = None
) -> tuple[sparse.csr_array, np.ndarray, np.ndarray]:
    """The side rows (budget, macro band, counts) over the given item columns.

    Returns the matrix and its lower and upper bounds before any fixed part is subtracted.
    """
    from scipy import sparse

    sel = np.arange(items.owner.size) if columns is None else columns
    cost = items.cost[sel].astype(float)
    macro = items.macro[sel]
    first = items.first[sel]
    row_data = [cost, np.where(macro, cost, 0.0)]
    lower = [-np.inf, float(items.macro_min)]
    upper = [float(items.budget), float(items.macro_max)]
    if items.max_macro is not None:
        row_data.append((first & macro).astype(float))
        lower.append(-np.inf)
        upper.append(float(items.max_macro))
    if items.max_influencers is not None:
        row_data.append(first.astype(float))
        lower.append(-np.inf)
        upper.append(float(items.max_influencers))
    matrix = (
        sparse.csr_array(np.vstack(row_data)) if sel.size else sparse.csr_array((len(row_data), 0))
    )
    return matrix, np.array(lower), np.array(upper)


def _order_rows(items: PostItems, columns: np.ndarray) -> sparse.csr_array:
    """y[k] - y[k-1] <= 0 for each pair of consecutive posts that are both in `columns`."""
    from scipy import sparse

    position = np.full(items.owner.size, -1)
    position[columns] = np.arange(columns.size)
    later = columns[items.k[columns] > 0]
    later = later[position[later - 1] >= 0]
    n = later.size
    data = np.concatenate([np.ones(n), -np.ones(n)])
    rows = np.concatenate([np.arange(n), np.arange(n)])
    cols = np.concatenate([position[later], position[later - 1]])
    return sparse.csr_array((data, (rows, cols)), shape=(n, columns.size))


def _greedy_fill(items: PostItems, chosen: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Add posts in `order` while every constraint still holds (macro minimum aside)."""
    chosen = chosen.copy()
    cost = items.cost.tolist()
    macro = items.macro.tolist()
    k = items.k.tolist()
    spend = int(items.cost[chosen].sum())
    macro_spend = int(items.cost[chosen & items.macro].sum())
    n_first = int((chosen & items.first).sum())
    n_macro = int((chosen & items.first & items.macro).sum())
    max_inf = items.max_influencers if items.max_influencers is not None else 1 << 62
    max_mac = items.max_macro if items.max_macro is not None else 1 << 62
    taken = chosen.tolist()
    room = items.budget - spend
    candidates = [int(j) for j in order if not taken[j] and cost[j] <= room]
    if not candidates:
        return chosen
    cheapest_after = np.minimum.accumulate(np.array([cost[j] for j in candidates])[::-1])[::-1]
    for index, j in enumerate(candidates):
        room = items.budget - spend
        if cheapest_after[index] > room:
            break
        c = cost[j]
        if c > room or (k[j] > 0 and not taken[j - 1]):
            continue
        is_macro = macro[j]
        if is_macro and macro_spend + c > items.macro_max:
            continue
        if k[j] == 0:
            if n_first + 1 > max_inf or (is_macro and n_macro + 1 > max_mac):
                continue
            n_first += 1
            n_macro += is_macro
        taken[j] = True
        spend += c
        if is_macro:
            macro_spend += c
    return np.array(taken, dtype=bool)


def _repair(
    items: PostItems, chosen: np.ndarray, keep: np.ndarray, drop_order: np.ndarray
) -> np.ndarray | None:
    """Drop posts (least efficient first, never one in `keep`) until the budget and the macro
    band's top hold; None when that cannot be done without breaking the band's bottom."""
    chosen = chosen.copy()
    cost = items.cost
    spend = int(cost[chosen].sum())
    macro_spend = int(cost[chosen & items.macro].sum())
    owner = items.owner
    last = items.owner.size - 1
    candidates = drop_order[chosen[drop_order] & ~keep[drop_order]].tolist()
    for j in candidates:
        over_budget = spend > items.budget
        over_macro = macro_spend > items.macro_max
        if not (over_budget or over_macro):
            break
        if j < last and owner[j + 1] == owner[j] and chosen[j + 1]:
            continue  # not this influencer's last post
        if items.macro[j]:
            if macro_spend - cost[j] < items.macro_min:
                continue
        elif not over_budget:
            continue
        chosen[j] = False
        spend -= int(cost[j])
        if items.macro[j]:
            macro_spend -= int(cost[j])
    if spend > items.budget or macro_spend > items.macro_max:
        return None
    return chosen


def _improve(
    items: PostItems, chosen: np.ndarray, value: np.ndarray, width: int = 100, rounds: int = 30
) -> np.ndarray:
    """Swap one post for another (or add one) while that gains engagement: fills the budget
    that a greedy fill leaves over, which decides optimality when posts are priced alike."""
    chosen = chosen.copy()
    cost, owner, k, macro = items.cost, items.owner, items.k, items.macro
    ratio = value / cost
    n = owner.size
    counts_cap_total = items.max_influencers
    for _ in range(rounds):
        spend = int(cost[chosen].sum())
        macro_spend = int(cost[chosen & macro].sum())
        n_total = int((chosen & items.first).sum())
        n_macro = int((chosen & items.first & macro).sum())
        room = items.budget - spend
        nxt = np.ones(n, dtype=bool)
        nxt[1:] = owner[1:] != owner[:-1]
        nxt = ~chosen & (nxt | np.concatenate([[False], chosen[:-1]]) & (k > 0))
        last = chosen.copy()
        last[:-1] &= ~(chosen[1:] & (owner[1:] == owner[:-1]))
        add = np.flatnonzero(nxt)
        add = add[np.argsort(-ratio[add], kind="stable")[:width]]
        drop = np.flatnonzero(last)
        drop = drop[np.argsort(ratio[drop], kind="stable")[:width]]
        drop = np.concatenate([[-1], drop])  # -1: drop nothing
        dc = np.where(drop >= 0, cost[drop], 0)
        dv = np.where(drop >= 0, value[drop], 0.0)
        dm = np.where(drop >= 0, macro[drop] * cost[drop], 0)
        dn = np.where(drop >= 0, k[drop] == 0, False)
        dnm = dn & np.where(drop >= 0, macro[drop], False)
        gain = value[add][None, :] - dv[:, None]
        new_spend = spend - dc[:, None] + cost[add][None, :]
        new_macro = macro_spend - dm[:, None] + (macro[add] * cost[add])[None, :]
        new_total = n_total - dn[:, None] + (k[add] == 0)[None, :]
        new_nmacro = n_macro - dnm[:, None] + ((k[add] == 0) & macro[add])[None, :]
        ok = (
            (new_spend <= items.budget)
            & (new_macro <= items.macro_max)
            & (new_macro >= items.macro_min)
            & (gain > 0)
        )
        ok &= owner[np.maximum(drop, 0)][:, None] != owner[add][None, :]
        if counts_cap_total is not None:
            ok &= new_total <= counts_cap_total
        if items.max_macro is not None:
            ok &= new_nmacro <= items.max_macro
        if not ok.any() or room < 0:
            break
        score = np.where(ok, gain, -np.inf)
        a, b = np.unravel_index(int(np.argmax(score)), score.shape)
        if drop[a] >= 0:
            chosen[drop[a]] = False
        chosen[add[b]] = True
    return chosen


def _incumbent(items: PostItems, y: np.ndarray, value: np.ndarray) -> np.ndarray | None:
    """A good feasible plan near the LP optimum: every way of rounding its fractional posts,
    each repaired and then filled greedily; the best of them."""
    ratio = value / items.cost
    fill_order = np.argsort(-ratio, kind="stable")
    drop_order = np.lexsort((-items.k, ratio))
    floor = _in_order(items, y > 1 - 1e-9)
    fractional = np.flatnonzero((y > 1e-9) & ~floor)[:8]
    # Macro posts the band's bottom may need, best first.
    macro_extra = [j for j in fill_order if items.macro[j] and not floor[j]][:8]
    best, best_value = None, -np.inf
    options = []
    for mask in range(1 << fractional.size):
        up = fractional[[(mask >> b) & 1 == 1 for b in range(fractional.size)]]
        options.append(up)
    for up in options:
        chosen = floor.copy()
        keep = np.zeros_like(floor)
        for j in up:
            same = (items.owner == items.owner[j]) & (items.k <= items.k[j])
            chosen |= same
            keep |= same
        macro_spend = int(items.cost[chosen & items.macro].sum())
        for j in macro_extra:
            if macro_spend >= items.macro_min:
                break
            if chosen[j] or (items.k[j] > 0 and not chosen[j - 1]):
                continue
            chosen[j] = keep[j] = True
            macro_spend += int(items.cost[j])
        if macro_spend < items.macro_min:
            continue
        repaired = _repair(items, chosen, keep, drop_order)
        if repaired is None:
            continue
        filled = _improve(items, _greedy_fill(items, repaired, fill_order), value)
        if items.check(filled):
            continue
        total = float(value[filled].sum())
        if total > best_value:
            best, best_value = filled, total
    return best


def _macro_exchange(
    items: PostItems, chosen: np.ndarray, value: np.ndarray, price: float, width: int = 10
) -> np.ndarray:
    """The plan with its macro posts re-chosen near the LP's break: every exchange of some of its
    `width` least efficient last macro posts for some of the `width` best next ones, each
    priced at what the money would earn in micro posts (`price` per cent); then the micro posts
    refilled. Macro posts are large, so hitting the macro band's top to the dollar matters."""
    cost, owner, k, macro = items.cost, items.owner, items.k, items.macro
    ratio = value / cost
    n = owner.size
    same_next = np.zeros(n, dtype=bool)
    same_next[:-1] = owner[1:] == owner[:-1]
    last = chosen & macro & ~(np.concatenate([chosen[1:], [False]]) & same_next)
    prev_taken = np.concatenate([[False], chosen[:-1]]) & (k > 0)
    nxt = ~chosen & macro & ((k == 0) | prev_taken)
    drop = np.flatnonzero(last)
    drop = drop[np.argsort(ratio[drop], kind="stable")[:width]]
    add = np.flatnonzero(nxt)
    add = add[~np.isin(owner[add], owner[drop])]
    add = add[np.argsort(-ratio[add], kind="stable")[:width]]

    def subsets(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        masks = (np.arange(1 << idx.size)[:, None] >> np.arange(idx.size)[None, :]) & 1
        return masks.astype(bool), masks @ cost[idx], masks @ (value[idx] - price * cost[idx])

    drop_sets, drop_cost, drop_profit = subsets(drop)
    add_sets, add_cost, add_profit = subsets(add)
    macro_spend = int(cost[chosen & macro].sum())
    new_macro = macro_spend - drop_cost[:, None] + add_cost[None, :]
    gain = add_profit[None, :] - drop_profit[:, None]
    ok = (new_macro <= items.macro_max) & (new_macro >= items.macro_min)
    ok &= new_macro <= items.budget
    if items.max_macro is not None:
        n_macro = int((chosen & macro & items.first).sum())
        counts = n_macro - (drop_sets & (k[drop] == 0)).sum(1)[:, None]
        counts = counts + (add_sets & (k[add] == 0)).sum(1)[None, :]
        ok &= counts <= items.max_macro
    score = np.where(ok, gain, -np.inf)
    a, b = np.unravel_index(int(np.argmax(score)), score.shape)
    if not score[a, b] > 0:
        return chosen
    plan = chosen.copy()
    plan[drop[drop_sets[a]]] = False
    plan[add[add_sets[b]]] = True
    return plan


class _Prefix:
    """Dantzig's LP of one tier: posts by engagement per cent, the budget filled in that order."""

    def __init__(self, items: PostItems, value: np.ndarray, mask: np.ndarray) -> None:
        idx = np.flatnonzero(mask)
        self.idx = idx[np.lexsort((items.k[idx], -(value[idx] / items.cost[idx])))]
        self.cost = items.cost[self.idx]
        self.value = value[self.idx]
        self.cum_cost = np.concatenate([[0], np.cumsum(self.cost)])
        self.cum_value = np.concatenate([[0.0], np.cumsum(self.value)])
        self.total = int(self.cum_cost[-1])

    def break_index(self, spend: float) -> int:
        return int(np.searchsorted(self.cum_cost, spend, side="right") - 1)

    def value_at(self, spend: float) -> float:
        spend = min(max(spend, 0.0), self.total)
        i = self.break_index(spend)
        if i >= self.idx.size:
            return float(self.cum_value[-1])
        return float(self.cum_value[i] + (spend - self.cum_cost[i]) * self.value[i] / self.cost[i])

    def slope_at(self, spend: float) -> float:
        """Engagement per cent of the next cent spent (0 once every post is bought)."""
        i = self.break_index(spend)
        return float(self.value[i] / self.cost[i]) if 0 <= i < self.idx.size else 0.0

    def solution(self, spend: float, y: np.ndarray) -> None:
        spend = min(max(spend, 0.0), self.total)
        i = self.break_index(spend)
        y[self.idx[:i]] = 1.0
        if i < self.idx.size:
            y[self.idx[i]] = (spend - self.cum_cost[i]) / self.cost[i]


def _tier_lp(items: PostItems, value: np.ndarray) -> tuple[np.ndarray, float, Duals] | None:
    """The LP relaxation without influencer caps, solved exactly by splitting the budget between
    the tiers: engagement is concave in macro spend m, so a binary search on its slope finds the
    best m in the band. None when the band cannot be met even fractionally."""
    micro = _Prefix(items, value, ~items.macro)
    macro = _Prefix(items, value, items.macro)
    low = items.macro_min
    high = min(items.macro_max, items.budget, macro.total)
    if low > high:
        return None
    # Largest m in [low, high] where one more macro cent still beats one more micro cent.
    lo, hi = low, high
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if macro.slope_at(mid - 1) >= micro.slope_at(items.budget - mid):
            lo = mid
        else:
            hi = mid - 1
    m = lo
    micro_spend = min(items.budget - m, micro.total)
    y = np.zeros(items.owner.size)
    macro.solution(m, y)
    micro.solution(micro_spend, y)
    z = macro.value_at(m) + micro.value_at(micro_spend)
    budget_price = micro.slope_at(micro_spend) if micro_spend < micro.total else 0.0
    if m + micro_spend < items.budget:  # money left over: the budget is not binding
        budget_price = 0.0
    macro_price = macro.slope_at(m) if m < macro.total else 0.0
    excess = macro_price - budget_price
    duals = Duals(
        budget=budget_price,
        macro_max=max(excess, 0.0) if m == high else 0.0,
        macro_min=max(-excess, 0.0) if m == low else 0.0,
        macro_count=0.0,
    )
    return y, z, duals


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
        relaxed = _tier_lp(items, value)
        if relaxed is None:
            return Solution("infeasible", empty, 0.0, 0.0)
        y, z_lp, duals = relaxed
        found = _dynamic_programme(items, value, y, duals, z_lp, scale)
    elif items.max_influencers is None:
        lp = _highs_lp(items, value)
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
    from planner.textbook import solve_textbook

    fallback = solve_textbook(items, mip_rel_gap=OPTIMAL_GAP / 2, time_limit=time_limit)
    if found is None or fallback.status in ("optimal", "infeasible"):
        return fallback
    if fallback.status == "feasible" and fallback.gap < found.gap:
        return fallback
    return found


def _highs_lp(items: PostItems, value: np.ndarray) -> object | None:
    """The LP relaxation by HiGHS, rows in the order budget, macro top, [caps], macro bottom,
    then post order (needed once influencers are counted)."""
    from scipy import sparse
    from scipy.optimize import linprog

    n = items.owner.size
    matrix, lower, upper = _rows(items)
    order = _order_rows(items, np.arange(n))
    a_ub = sparse.vstack([matrix, -matrix[[1]], order]).tocsr()
    b_ub = np.concatenate([upper, [-lower[1]], np.zeros(order.shape[0])])
    lp = linprog(-value, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    if lp.status == 2:
        return None
    if lp.status != 0:  # pragma: no cover - HiGHS reports numerical trouble
        raise RuntimeError(f"The LP relaxation failed: {lp.message}")
    lp.ineqlin.marginals = lp.ineqlin.marginals[: matrix.shape[0] + 1]
    return lp


def _dynamic_programme(
    items: PostItems, value: np.ndarray, y: np.ndarray, duals: Duals, z_lp: float, scale: float
) -> Solution | None:
    incumbent = _incumbent(items, y, value)
    z_inc = float(value[incumbent].sum()) if incumbent is not None else -np.inf
    fill_order = np.argsort(-(value / items.cost), kind="stable")
    if incumbent is not None and items.max_influencers is None:
        exchanged = _macro_exchange(items, incumbent, value, duals.budget)
        if exchanged is not incumbent:
            drop_order = np.lexsort((-items.k, value / items.cost))
            repaired = _repair(items, exchanged, exchanged & items.macro, drop_order)
            if repaired is not None:
                filled = _improve(items, _greedy_fill(items, repaired, fill_order), value)
                if not items.check(filled) and value[filled].sum() > z_inc:
                    incumbent, z_inc = filled, float(value[filled].sum())

    def complete(plan: np.ndarray) -> np.ndarray:
        return _improve(items, _greedy_fill(items, plan, fill_order), value)

    found = solve_dp(items, value, duals, z_inc, OPTIMAL_GAP / 2, complete)
    if found is None:  # too many states: the best plan so far, against the LP bound
        if incumbent is None:
            return None
        return _finish(items, incumbent, z_lp, scale)
    chosen, _, bound = found
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
