"""Good plans fast: the starting plans that the dynamic programme's bounds are measured against.

None of this certifies anything; a better starting plan only lets the bounds prune sooner.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from planner.compiled import NO_CAP
from planner.kernels import (
    best_exchange,
    drop_posts,
    fill,
    first_in,
    merge_orders,
    plan_value,
    swap,
)
from planner.model import PostItems, first_posts


@dataclass(frozen=True)
class Orders:
    """Posts ranked for a greedy fill (best engagement per cent first) and for a repair (least
    efficient first, later posts of an influencer before earlier ones), both by an engagement
    that may charge each influencer's first post; and by engagement per cent itself, never
    charged, ties in index order (the local search's ranking, `improve`)."""

    fill: np.ndarray
    drop: np.ndarray
    by_value: np.ndarray

    @classmethod
    def of(cls, items: PostItems, value: np.ndarray) -> Orders:
        ratio = value / items.cost
        by_value = np.argsort(-ratio, kind="stable")
        return cls(by_value, np.lexsort((-items.k, ratio)), by_value)

    def charged(self, items: PostItems, value: np.ndarray, charge: np.ndarray) -> Orders:
        """These orders (`Orders.of(items, value)`'s) with the fill and the repair ranked by
        engagement less `charge` on each first post instead: by `value - np.where(items.first,
        charge, 0.0)` per cent, as `np.argsort(-ratio, kind="stable")` and `np.lexsort((-k,
        ratio))` rank it. The later posts keep their ratios and so their order here: only the
        first posts are sorted, and merged in (the same orders, a third of the sorting)."""
        first = items.first
        at = np.flatnonzero(first)
        ratio = value / items.cost
        ratio[at] = (value[at] - charge[at]) / items.cost[at]
        fill_first = at[np.argsort(-ratio[at], kind="stable")]
        drop_first = at[np.argsort(ratio[at], kind="stable")]  # (-k is 0 on every first post)
        fill_rest, drop_rest = self.fill[~first[self.fill]], self.drop[~first[self.drop]]
        return Orders(
            merge_orders(fill_rest, fill_first, -ratio, np.zeros(ratio.size, dtype=np.int64)),
            merge_orders(drop_rest, drop_first, ratio, -items.k),
            self.by_value,
        )


def greedy_fill(items: PostItems, chosen: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Add posts in `order` while every constraint still holds (macro minimum aside)."""
    return _filled(items, chosen, order)[0]


def _filled(
    items: PostItems, chosen: np.ndarray, order: np.ndarray
) -> tuple[np.ndarray, list[str]]:
    """`greedy_fill`, and which constraints the filled plan breaks, post order aside (from the
    fill's own totals: `PostItems.broken_totals`, without another pass over the posts)."""
    chosen = chosen.copy()
    totals = fill(
        items.cost,
        items.macro,
        items.k,
        chosen,
        np.asarray(order, dtype=np.int64),
        (int(items.budget), int(items.macro_max), *_caps(items)),
    )
    return chosen, items.broken_totals(*totals)


def _caps(items: PostItems) -> tuple[int, int]:
    """The caps on influencers and on macro influencers, as the compiled loops take them."""
    return (
        NO_CAP if items.max_influencers is None else int(items.max_influencers),
        NO_CAP if items.max_macro is None else int(items.max_macro),
    )


def repair(
    items: PostItems, chosen: np.ndarray, keep: np.ndarray, drop_order: np.ndarray
) -> np.ndarray | None:
    """Drop posts (least efficient first, never one in `keep`) until the caps on influencers,
    the budget and the macro band's top hold; None when that cannot be done without breaking
    the band's bottom. Over a cap, whole influencers go, those whose first post is least
    efficient first."""
    chosen = chosen.copy()
    owner = items.owner
    if items.broken_caps(chosen):
        has_next = np.zeros(owner.size, dtype=bool)
        has_next[:-1] = owner[1:] == owner[:-1]
        _drop_influencers(items, chosen, keep, drop_order, has_next)
    spend, macro_spend = drop_posts(
        items.cost,
        items.macro,
        items.k,
        owner,
        chosen,
        keep,
        np.asarray(drop_order, dtype=np.int64),
        (int(items.budget), int(items.macro_min), int(items.macro_max)),
    )
    if spend > items.budget or macro_spend > items.macro_max or items.broken_caps(chosen):
        return None
    return chosen


def _drop_influencers(
    items: PostItems,
    chosen: np.ndarray,
    keep: np.ndarray,
    drop_order: np.ndarray,
    has_next: np.ndarray,
) -> None:
    """Drop whole influencers from `chosen` (in place; none with a post in `keep`, no macro one
    the band's bottom needs), least efficient first post first, until the caps hold or none is
    left to drop."""
    total, macro_cap = _caps(items)
    first = chosen & items.first
    count, macro_count = int(first.sum()), int((first & items.macro).sum())
    macro_spend = int(items.cost[chosen & items.macro].sum())
    for j in drop_order[first[drop_order] & ~keep[drop_order]].tolist():
        over_total = total != NO_CAP and count > total
        over_macro = macro_cap != NO_CAP and macro_count > macro_cap
        if not (over_total or over_macro):
            return
        is_macro = bool(items.macro[j])
        if not over_total and not is_macro:
            continue
        end = j + 1
        while has_next[end - 1] and chosen[end]:
            end += 1
        if keep[j:end].any():
            continue
        spend = int(items.cost[j:end].sum())
        if is_macro and macro_spend - spend < items.macro_min:
            continue
        chosen[j:end] = False
        count -= 1
        if is_macro:
            macro_count -= 1
            macro_spend -= spend


def improve(
    items: PostItems,
    chosen: np.ndarray,
    value: np.ndarray,
    by_value: np.ndarray,
    width: int = 100,
    rounds: int = 30,
) -> np.ndarray:
    """Swap one post for another (or add one) while that gains engagement: fills the budget
    that a greedy fill leaves over, which decides optimality when posts are priced alike.
    `by_value`: the posts by `value` per cent (`Orders.by_value`)."""
    chosen = chosen.copy()
    swap(
        items.cost,
        np.asarray(value, dtype=np.float64),
        items.owner,
        items.k,
        items.macro,
        chosen,
        by_value,
        (int(items.budget), int(items.macro_min), int(items.macro_max), *_caps(items)),
        width,
        rounds,
    )
    return chosen


def starting_plan(
    items: PostItems, y: np.ndarray, value: np.ndarray, orders: Orders | None = None
) -> np.ndarray | None:
    """A good feasible plan near the LP optimum: every way of rounding its fractional posts,
    each repaired and then filled greedily; the best of them, improved by the local search
    (`improve`; improving each of them cost a 5,000-row split curve 7% more, and the programme
    certifies the best plan either way: docs/benchmarks.md). `orders` (default: by `value` per
    cent) rank posts for the fill and the repair: with capped counts, by engagement less the
    LP's price of each influencer's first post, so that the fill does not spend the count on
    cheap posts."""
    orders = orders if orders is not None else Orders.of(items, value)
    fill_order, drop_order = orders.fill, orders.drop
    floor = first_posts(items, y > 1 - 1e-9)
    fractional = np.flatnonzero((y > 1e-9) & ~floor)[:8]
    floor_macro = int(items.cost[floor & items.macro].sum())
    # Macro posts the band's bottom may need, best first (those that would overshoot the band's
    # top are passed over: posts a repair must keep cannot be dropped again); found when first
    # needed.
    macro_extra: list[int] | None = None
    best, best_value = None, -np.inf
    # Rounding up post j takes the influencer's posts up to j: of one influencer's fractional
    # posts only the last rounded up counts, so each distinct plan is tried once (the first
    # time it comes).
    options: dict[tuple[int, ...], np.ndarray] = {}
    for mask in range(1 << fractional.size):
        up = fractional[[(mask >> b) & 1 == 1 for b in range(fractional.size)]]
        owner = items.owner[up]
        last = up[np.append(owner[1:] != owner[:-1], True)] if up.size else up
        options.setdefault(tuple(last.tolist()), last)
    # Roundings that the repair and the fill make into the same plan are compared once (on
    # the split curve's bands ~40% of them).
    filled_before: set[bytes] = set()
    # Every post a repair may drop is in the floor (the others are kept): the drops start at
    # the floor's least efficient post, past the many posts outside the plan before it.
    start = first_in(drop_order, floor)
    drop_order = drop_order[start:] if start >= 0 else drop_order[:0]
    for up in options.values():
        chosen = floor.copy()
        keep = np.zeros_like(floor)
        macro_spend = floor_macro
        for j in up.tolist():  # the influencer's posts up to j (its posts are in a row)
            posts = slice(j - int(items.k[j]), j + 1)
            if items.macro[j]:
                macro_spend += int(items.cost[posts][~chosen[posts]].sum())
            chosen[posts] = keep[posts] = True
        if macro_spend < items.macro_min and macro_extra is None:
            open_macro = items.macro & ~floor
            macro_extra = fill_order[open_macro[fill_order]][:64].tolist()
        for j in macro_extra if macro_spend < items.macro_min else ():
            if macro_spend >= items.macro_min:
                break
            if chosen[j] or (items.k[j] > 0 and not chosen[j - 1]):
                continue
            if macro_spend + int(items.cost[j]) > min(items.macro_max, items.budget):
                continue
            chosen[j] = keep[j] = True
            macro_spend += int(items.cost[j])
        if macro_spend < items.macro_min:
            continue
        repaired = repair(items, chosen, keep, drop_order)
        if repaired is None:
            continue
        # (Post order holds: the rounding takes each influencer's posts up to the one rounded
        # up, the repair drops only an influencer's last post, the fill adds only the next.)
        filled, broken = _filled(items, repaired, fill_order)
        key = filled.tobytes()
        if key in filled_before:
            continue
        filled_before.add(key)
        if broken:
            continue
        total = plan_value(value, filled)
        if total > best_value:
            best, best_value = filled, total
    if best is None:
        return None
    return improve(items, best, value, orders.by_value)


@functools.cache
def _subsets(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every subset of `size` things, one row each (row i holds the bits of i): as booleans and
    as 0/1 integers (kept: `macro_exchange` asks for the same few sizes on every band)."""
    masks = (np.arange(1 << size)[:, None] >> np.arange(size)[None, :]) & 1
    taken = masks.astype(bool)
    masks.flags.writeable = taken.flags.writeable = False
    return taken, masks


def macro_exchange(
    items: PostItems, chosen: np.ndarray, value: np.ndarray, price: float, width: int = 10
) -> np.ndarray:
    """The plan with its macro posts re-chosen near the LP's break: every exchange of some of its
    `width` least efficient last macro posts for some of the `width` best next ones, each
    priced at what the money would earn in micro posts (`price` per cent); then the micro posts
    refilled. Macro posts are large, so hitting the macro band's top to the dollar matters."""
    cost, owner, k, macro = items.cost, items.owner, items.k, items.macro
    # The macro posts alone (in index order): the last of each influencer's in the plan, and
    # the next of each (its first, or the one after its last).
    posts = np.flatnonzero(macro)
    taken = chosen[posts]
    after = np.minimum(posts + 1, owner.size - 1)
    next_taken = chosen[after] & (owner[after] == owner[posts]) & (posts + 1 < owner.size)
    later = k[posts] > 0
    drop = posts[taken & ~next_taken]
    drop = drop[np.argsort(value[drop] / cost[drop], kind="stable")[:width]]
    add = posts[~taken & (~later | (later & chosen[posts - later]))]
    dropping = np.zeros(items.n_influencers, dtype=bool)
    dropping[owner[drop]] = True
    add = add[~dropping[owner[add]]]
    add = add[np.argsort(-(value[add] / cost[add]), kind="stable")[:width]]

    def subsets(idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        sets, masks = _subsets(idx.size)
        return sets, masks @ cost[idx], masks @ (value[idx] - price * cost[idx])

    drop_sets, drop_cost, drop_profit = subsets(drop)
    add_sets, add_cost, add_profit = subsets(add)
    macro_spend = int(cost[chosen & macro].sum())
    if items.max_macro is None:
        a, b, best_gain = best_exchange(
            macro_spend - drop_cost,
            drop_profit,
            add_cost,
            add_profit,
            items.macro_min,
            min(items.macro_max, items.budget),
        )
        if not best_gain > 0:
            return chosen
    else:
        new_macro = macro_spend - drop_cost[:, None] + add_cost[None, :]
        gain = add_profit[None, :] - drop_profit[:, None]
        ok = (new_macro <= items.macro_max) & (new_macro >= items.macro_min)
        ok &= new_macro <= items.budget
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
