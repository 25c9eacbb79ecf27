"""The engine: the best plan with a certified optimality gap (MODEL.md, "The plan").

The model (planner/model.py): influencer i may buy x_i in {0, ..., m_i} posts at c_i cents each;
post k (k = 0, 1, ...) earns e_i d^k, so each influencer's engagement f_i(x) is concave in x. With
B the budget, [m_lo, m_hi] the macro band, K_macro and K the optional caps:

    z* = max  sum_i f_i(x_i)
         s.t. sum_i c_i x_i <= B,   m_lo <= sum_{i macro} c_i x_i <= m_hi,
              #{i macro : x_i > 0} <= K_macro,   #{i : x_i > 0} <= K.

The algorithm is the knapsack literature's (Dantzig's bound; Pisinger's core-expanding dynamic
programme, *minknap*, 1997; Martello & Toth, "Knapsack Problems", 1990). Its certificate: every
plan is worth at most U, the LP bound or the largest bound of anything the search dropped,
whichever is smaller, so gap = (U - z) / U for the plan z it returns; "optimal": gap <= 1e-6.

    solve(items):                                                               (`_solve`)
        U, y, prices <- the LP relaxation            (relaxation.py; with caps, its Lagrangian dual)
        with caps: the model without them first; its best plan, if it meets the caps, is the answer
        with caps: z <- the Lagrangian plans: first posts charged rho, solved without caps
        z <- max(z, y's roundings repaired, filled, swapped, macro exchanged) (heuristics.py)
        if z >= U (1 - 9e-7): return z                               (certified at the root)
        z, U <- the dynamic programme from z: macro states, then micro posts          (dp.py)
        if it gave up, with caps: the macro band in ten pieces, each solved as above (`_in_pieces`)
        if it still gave up: HiGHS's branch and bound, the better plan kept           (mip.py)
        return z, (U - z) / U

Each step's details are in its function's docstring: the order of the programme's passes in
planner/dp.py's, the Lagrangian plans in `_priced_counts`, when the model without caps is
solved first in `_solve`. Past half the time limit the programme stops, and HiGHS runs only
while a quarter of it is left and the model has at most 50,000 posts; else the best plan found
is returned with its true gap.

Caps on the number of influencers follow the cardinality-constrained knapsack literature
(Caprara, Kellerer, Pisinger & Pferschy, EJOR 2000; Martello & Toth's k-item knapsack): the count
is priced in the bounds and tracked exactly in the states.

The split curve's bands (`solve_bands`) differ only in the macro band: what does not depend on it
(scale, chains, macro groups, envelopes, rankings) is built once for all of them. The budget
frontier's models (`SamePosts`) differ in their budget too: they share the scale and the posts'
rankings, and each is solved as `solve` solves it, post for post. The posts' rankings are kept
for the last few sets of posts planned (`ranked_posts`), so a roster's posts are ranked once,
not once a move of the budget, the band or the caps.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np

from planner.chain import DantzigChain
from planner.dp import Prepared, prepare, solve_dp
from planner.heuristics import (
    Orders,
    greedy_fill,
    improve,
    macro_exchange,
    repair,
    starting_plan,
)
from planner.kernels import plan_value
from planner.model import (
    OPTIMAL_GAP,
    SEARCH_GAP,
    PostItems,
    Solution,
    first_posts,
    relative_gap,
)
from planner.relaxation import Duals, Envelopes, Relaxation, counted_lp, lp_chains, tier_lp

__all__ = [
    "OPTIMAL_GAP",
    "TIME_LIMIT_S",
    "Solution",
    "relative_gap",
    "solve",
    "solve_bands",
    "SamePosts",
    "forget_rankings",
    "ranked_posts",
]

# HiGHS stops after this long and returns its best plan with its true gap.
TIME_LIMIT_S = 120.0
# Above this many posts HiGHS is not the last resort: it does not keep to its time limit there
# (docs/benchmarks.md), so the programme's best plan is returned with its true gap.
MIP_MAX_POSTS = 50_000
# A capped model the programme does not certify is tried as this many pieces of its macro band
# (a tenth of the budget each, as the split curve's bands) before HiGHS (`_in_pieces`).
_PIECES = 10
# The programme's greedy completions kept for when it asks for one again (the repeats come
# within a few steps; two bool arrays of the posts each).
_COMPLETIONS_KEPT = 16
# The Lagrangian plans of a capped model's micro influencers (`_priced_micro`): at most this many
# solves of the model without caps, each given this time limit, the price per influencer bisected
# to within this share of itself.
_PRICED_TRIES = 8
_PRICED_TIME_LIMIT = 1.0
_PRICED_TOLERANCE = 0.01


def solve(items: PostItems, *, time_limit: float = TIME_LIMIT_S) -> Solution:
    """The best selection of posts, exact to a certified relative gap of 1e-6.

    Within about `time_limit` seconds: the engine's own search stops at half of it and hands
    over to HiGHS for the rest; past that, the best plan found is returned with its true gap."""
    if items.owner.size == 0:
        return _solve(items, time_limit, None)
    return _solve(items, time_limit, None, ranked=ranked_posts(items))


def solve_bands(
    items: PostItems,
    bands: Sequence[tuple[int, int]],
    *,
    time_limit: float = TIME_LIMIT_S,
    on_point: Callable[[int, int], None] | None = None,
) -> list[Solution]:
    """The best plan for each macro band (least and most macro spend, in cents), every other
    rule as in `items`: the split curve's points, each certified as `solve`'s (gap <= 1e-6, or
    its true gap when `time_limit` per point runs out).

    The points share what does not depend on the band: the engagement scale, the Dantzig
    chains of the micro and the macro posts (the LP of each band is then a binary search), the
    programme's macro groups and their chains, the influencers' envelopes (the capped LP and
    micro phase), and the posts' rankings for the greedy fill, the repair and the local search.
    (Starting each band from its neighbours' plans was tried and dropped: moved into a band 10
    points away they were 1-20% below that band's LP bound, never better than rounding the
    band's own LP; docs/benchmarks.md.) `on_point(done, total)` is called after each point."""
    shared = _Shared.of(items, ranked_posts(items)) if items.owner.size else None
    found: list[Solution] = []
    for i, (low, high) in enumerate(bands):
        banded = dataclasses.replace(items, macro_min=int(low), macro_max=int(high))
        found.append(_solve(banded, time_limit, shared))
        if on_point is not None:
            on_point(i + 1, len(bands))
    return found


class SamePosts:
    """Models of the same posts that differ only in their budget, macro band and caps (the
    budget frontier's points), each solved as `solve` solves it, post for post: they share the
    posts' rankings (`ranked_posts`), looked up once, when first needed, instead of once a
    model."""

    def __init__(self, items: PostItems) -> None:
        self._posts = items
        self._ranked: _Ranked | None = None

    def solve(self, model: PostItems, *, time_limit: float = TIME_LIMIT_S) -> Solution:
        """`solve(model)`; `model` has these posts (`planner.model.with_limits`)."""
        if model.owner.size == 0:
            return _solve(model, time_limit, None)
        if self._ranked is None:
            self._ranked = ranked_posts(self._posts)
        return _solve(model, time_limit, None, ranked=self._ranked)


@dataclasses.dataclass(frozen=True)
class _Ranked:
    """What every model of the same posts shares, whatever its budget, band and caps: the
    engagement in units of the best post, and the posts ranked by it per cent (`Orders`, and
    `by_ratio`, the Dantzig chains' order: ties in post order, then in index order)."""

    scale: float
    value: np.ndarray
    orders: Orders
    by_ratio: np.ndarray

    @classmethod
    def of(cls, items: PostItems) -> _Ranked:
        scale = float(items.value.max())
        value = items.value / scale
        by_ratio = np.lexsort((items.k, -(value / items.cost)))
        return cls(scale, value, Orders.of(items, value), by_ratio)

    def chains(self, items: PostItems) -> tuple[DantzigChain, DantzigChain]:
        """`lp_chains(items, self.value)` (`items`: a model of these posts), from `by_ratio`
        without sorting again: the posts within reach keep their order in it."""
        idx = self.by_ratio[items.within_reach()[self.by_ratio]]
        macro = items.macro[idx]
        micro_idx, macro_idx = idx[~macro], idx[macro]
        return (
            DantzigChain(items.cost[micro_idx], self.value[micro_idx], micro_idx),
            DantzigChain(items.cost[macro_idx], self.value[macro_idx], macro_idx),
        )


# The rankings of the last few sets of posts planned, newest last (`ranked_posts`).
_RANKINGS_KEPT = 8
_rankings: OrderedDict[bytes, _Ranked] = OrderedDict()
_rankings_lock = threading.Lock()


def ranked_posts(items: PostItems) -> _Ranked:
    """The posts' rankings (`_Ranked.of(items)`), kept for the last _RANKINGS_KEPT sets of
    posts, known by their prices, engagements and post numbers: a marketer's moves of the
    budget, the band or the caps, the split curve, the budget frontier and the strategies plan
    the same posts again and again, and ranking every post is most of a plan's time on a large
    roster (at 50,000 rows 35 ms of a 45 ms plan; looking the posts up takes 3 ms, and a
    ranking holds 4.6 MB). The app's sessions share them (a lock guards the list); two sessions
    that rank the same new posts at once each rank them, with the same result."""
    digest = hashlib.blake2b(digest_size=16)
    for array in (items.cost, items.value, items.k):
        array = np.ascontiguousarray(array)
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(memoryview(array).cast("B"))
    key = digest.digest()
    with _rankings_lock:
        found = _rankings.get(key)
        if found is not None:
            _rankings.move_to_end(key)
            return found
    ranked = _Ranked.of(items)
    with _rankings_lock:
        _rankings[key] = ranked
        while len(_rankings) > _RANKINGS_KEPT:
            _rankings.popitem(last=False)
    return ranked


def forget_rankings() -> None:
    """Forget every ranking kept (`ranked_posts`): the next plan of any posts ranks them again,
    as a plan of a roster just uploaded does (benchmarks time plans from their posts so)."""
    with _rankings_lock:
        _rankings.clear()


@dataclasses.dataclass(frozen=True)
class _Shared:
    """What every model with the same posts and budget shares, whatever its macro band."""

    scale: float
    value: np.ndarray  # engagement in units of the best post
    prepared: Prepared  # for the widest band: each model's is `prepared.within(model)`
    orders: Orders  # by engagement per cent (the uncapped models' orders)

    @classmethod
    def of(cls, items: PostItems, ranked: _Ranked | None = None) -> _Shared:
        """(`ranked`: the posts' rankings, when the caller has them.)"""
        ranked = ranked if ranked is not None else _Ranked.of(items)
        widest = dataclasses.replace(items, macro_min=0, macro_max=items.budget)
        prepared = prepare(widest, ranked.value, ranked.chains(widest))
        return cls(ranked.scale, ranked.value, prepared, ranked.orders)

    def prepared_for(self, items: PostItems) -> Prepared:
        """The programme's set-up for `items`, a model of these posts (its band's top may cut
        some macro posts out of reach)."""
        return self.prepared.within(items, self.value)


def _solve(
    items: PostItems,
    time_limit: float,
    shared: _Shared | None,
    last_resort: bool = True,
    *,
    ranked: _Ranked | None = None,
) -> Solution:
    """`solve` (`shared`: what the model shares with others solved with it, or `ranked`: the
    posts' rankings it shares with them); without `last_resort`, neither the band's pieces nor
    HiGHS follow a programme that gives up: its best plan with its true gap, or "timeout"."""
    started = time.monotonic()
    deadline = started + time_limit / 2
    n = items.owner.size
    empty = np.zeros(n, dtype=bool)
    if items.macro_min > items.macro_max or items.macro_min > items.budget:
        return Solution("infeasible", empty, 0.0, 0.0)
    if n == 0:
        status = "optimal" if items.macro_min <= 0 else "infeasible"
        return Solution(status, empty, 0.0, 0.0)
    capped = items.max_influencers is not None or items.max_macro is not None
    if shared is None and capped:
        # The uncapped model and the capped search share the set-up that depends on the posts
        # alone (as the split curve's bands do).
        shared = _Shared.of(items, ranked)
    if shared is None and ranked is not None:
        scale, value, orders = ranked.scale, ranked.value, ranked.orders
        prepared, chains = None, ranked.chains(items)
    elif shared is None:
        # Engagement in units of the best post keeps every bound well scaled.
        scale = float(items.value.max())
        value = items.value / scale
        # (the LP's chains, which the programme's set-up takes too when it runs)
        prepared, chains, orders = None, lp_chains(items, value), None
    else:
        scale, value, prepared = shared.scale, shared.value, shared.prepared_for(items)
        chains, orders = prepared.chains, shared.orders

    if not capped:
        relaxed = tier_lp(items, value, chains)
        if relaxed is None:
            return Solution("infeasible", empty, 0.0, 0.0)
        found = _dynamic_programme(
            items,
            value,
            relaxed.y,
            relaxed.duals,
            relaxed.bound,
            scale,
            deadline=deadline,
            prepared=prepared,
            orders=orders,
            chains=chains,
        )
    else:
        assert shared is not None and prepared is not None  # (made above for every capped model)
        relaxed = counted_lp(items, value, prepared.envelopes)
        if relaxed is None:
            return Solution("infeasible", empty, 0.0, 0.0)
        # Without the caps the model is a relaxation: when its best plan meets the caps, that
        # plan is the best capped plan too, with the same certificate (a cap above what the
        # budget buys, or one that only the fractional LP reaches); when it has no plan,
        # neither has the capped model. It is solved unless a plan of it is worth more than
        # the capped bound (then its best plan breaks a cap). When that plan breaks the caps
        # itself, the capped search goes first: a plan of the uncapped model worth more than
        # the certified bound of the capped optimum it finds proves the same, and the split
        # curve's bands, whose LP buys part of a macro post, have a capped LP bound too loose
        # for the first test.
        free = dataclasses.replace(items, max_influencers=None, max_macro=None)
        free_plan = _free_plan(free, value, shared)
        free_value = float(value[free_plan].sum()) if free_plan is not None else -math.inf
        settled = _breaks_caps(free, free_value, relaxed.bound)
        if not settled and (free_plan is None or not items.check(free_plan)):
            uncapped = _uncapped_answer(items, free, time_limit, shared)
            if uncapped is not None:
                return uncapped
            settled = True
        plan, bound = _priced_counts(items, value, relaxed, deadline)
        bound = min(bound, relaxed.bound)
        found = None
        if plan is not None:
            priced = _finish(items, plan, bound, scale)
            if priced.status == "optimal":
                found = priced
        if found is None:
            found = _dynamic_programme(
                items,
                value,
                relaxed.y,
                relaxed.duals,
                bound,
                scale,
                start=plan,
                deadline=deadline,
                prepared=prepared,
                orders=orders,
                # (where the band has pieces, they follow the certified pass's brief first step)
                pieces_next=last_resort and len(_band_pieces(items)) > 1,
            )
        if not settled and not (
            found is not None
            and found.status == "optimal"
            and _breaks_caps(free, free_value, found.upper_bound / scale)
        ):
            uncapped = _uncapped_answer(items, free, time_limit, shared)
            if uncapped is not None:
                return uncapped
    if found is not None and found.status != "feasible":
        return found
    left = time_limit - (time.monotonic() - started)
    if not last_resort:
        return found if found is not None else Solution("timeout", empty, 0.0, 0.0)
    if capped and shared is not None and left > time_limit / 4:
        pieced = _in_pieces(items, found, left / 2, shared)
        if pieced is not None:
            return pieced
        left = time_limit - (time.monotonic() - started)
    if n > MIP_MAX_POSTS:
        # A model so large that HiGHS would not stop at its time limit (at 285,000 posts it ran
        # past 180 s with a 10 s limit): the best plan found, with its true gap, within the time
        # limit, or "timeout" when the programme found none.
        return found if found is not None else Solution("timeout", empty, 0.0, 0.0)
    if found is not None and left < time_limit / 4:
        return found  # too little time left for HiGHS: the best plan found, with its true gap
    # A cap on the number of influencers couples every post, and the programme may give up:
    # hand the whole model to HiGHS, keeping the programme's plan if HiGHS does no better.
    from planner.mip import solve_mip

    left = max(left, 1.0)
    fallback = solve_mip(items, mip_rel_gap=OPTIMAL_GAP / 2, time_limit=left)
    if found is None or fallback.status in ("optimal", "infeasible"):
        return fallback
    if fallback.status == "feasible" and fallback.gap < found.gap:
        return fallback
    return found


def _in_pieces(
    items: PostItems, found: Solution | None, time_limit: float, shared: _Shared
) -> Solution | None:
    """A capped model that the programme did not certify, solved as pieces of its macro band,
    each a tenth of the budget wide (as the split curve's bands; None when the band is that
    narrow already, or when a piece is not certified either). Every plan is in some piece, so
    the best piece's plan is the model's, certified by the largest of the pieces' bounds. On
    the sample roster with at most 150 influencers at $85,000 (macro 0-60%) the programme gave
    up where the curve's bands took 30 ms in all: near-ties among the micro influencers, which
    a narrow band's bounds settle (docs/benchmarks.md)."""
    pieces = _band_pieces(items)
    if len(pieces) < 2:
        return None
    # Each piece's LP bound (none: no plan there), the most promising piece first: once the
    # best plan found is within the target gap of a piece's bound, that piece and every one
    # after it can hold no better plan, and that bound certifies them.
    bounded = []
    for low, high in pieces:
        piece = dataclasses.replace(items, macro_min=low, macro_max=high)
        relaxed = counted_lp(piece, shared.value, shared.prepared_for(piece).envelopes)
        if relaxed is not None:
            bounded.append((relaxed.bound * shared.scale, piece))
    bounded.sort(key=lambda pair: -pair[0])
    best: Solution | None = found
    bound = -math.inf
    for lp_bound, piece in bounded:
        if best is not None and lp_bound <= best.value * (1 + SEARCH_GAP):
            bound = max(bound, lp_bound)
            break
        solution = _solve(piece, time_limit / len(pieces), shared, last_resort=False)
        if solution.status == "infeasible":
            continue
        if solution.status != "optimal":
            return None
        bound = max(bound, solution.upper_bound)
        if best is None or solution.value > best.value:
            best = solution
    if best is None:
        return Solution("infeasible", np.zeros(items.owner.size, dtype=bool), 0.0, 0.0)
    upper = max(bound, best.value)
    gap = relative_gap("", upper, best.value)
    return Solution("optimal" if gap <= OPTIMAL_GAP else "feasible", best.chosen, best.value, upper)


def _band_pieces(items: PostItems) -> list[tuple[int, int]]:
    """The macro band of `items` cut into pieces a tenth of the budget wide (the last one
    narrower; one piece when the band is that narrow already), as least and most macro spend in
    cents: every plan's macro spend is in some piece."""
    top = min(items.macro_max, items.budget)
    width = -(-items.budget // _PIECES)  # (a ceiling)
    ends = [*range(items.macro_min, top, width), top] if top > items.macro_min else [top, top]
    return list(zip(ends[:-1], ends[1:], strict=True))


def _uncapped_answer(
    items: PostItems, free: PostItems, time_limit: float, shared: _Shared
) -> Solution | None:
    """The capped model's answer from its model without caps, `free`, when that settles it: no
    plan there (none here), or its best plan meets the caps (the best here too); else None."""
    uncapped = _solve(free, time_limit / 4, shared)
    if uncapped.status == "infeasible":
        return uncapped
    if uncapped.status == "optimal" and not items.check(uncapped.chosen):
        return uncapped
    return None


def _free_plan(free: PostItems, value: np.ndarray, shared: _Shared) -> np.ndarray | None:
    """A plan of the model without caps, `free`, found fast (None: none found): the whole posts
    of its LP optimum, filled greedily, or where that falls short of the macro band's bottom (a
    band of the split curve whose LP buys part of a macro post), the starting plan's roundings."""
    relaxed = tier_lp(free, value, shared.prepared_for(free).chains)
    if relaxed is None:
        return None
    plan = greedy_fill(free, first_posts(free, relaxed.y > 1 - 1e-9), shared.orders.fill)
    if free.check(plan):
        plan = starting_plan(free, relaxed.y, value, shared.orders)
    return plan if plan is not None and not free.check(plan) else None


def _breaks_caps(free: PostItems, free_value: float, capped_bound: float) -> bool:
    """Whether the best plan of the model without caps, `free`, surely breaks them: a plan of it
    (`_free_plan`, worth `free_value`) is worth more than `capped_bound`, a bound on every plan
    that meets the caps (both scaled as the search's values), by more than the certified gap
    (the plan the uncapped solve returns may fall short of its optimum by that much)."""
    return free_value * (1 - OPTIMAL_GAP) > capped_bound * (1 + 1e-9)


def _dynamic_programme(
    items: PostItems,
    value: np.ndarray,
    y: np.ndarray,
    duals: Duals,
    z_lp: float,
    scale: float,
    start: np.ndarray | None = None,
    deadline: float = math.inf,
    prepared: Prepared | None = None,
    orders: Orders | None = None,
    chains: tuple[DantzigChain, DantzigChain] | None = None,
    pieces_next: bool = False,
) -> Solution | None:
    found = _search(
        items, value, y, duals, z_lp, start, deadline, prepared, orders, chains, pieces_next
    )
    if found.status == "gave_up":
        return None
    if found.chosen is None:
        return Solution("infeasible", np.zeros(items.owner.size, dtype=bool), 0.0, 0.0)
    return _finish(items, found.chosen, found.bound, scale)


@dataclasses.dataclass(frozen=True)
class _Searched:
    """What `_search` found: "plan": `chosen` is the best plan; "no_plan": there is none;
    "gave_up": the programme gave up before it found any. Every plan is worth at most `bound`
    (scaled; inf with "gave_up")."""

    status: Literal["plan", "no_plan", "gave_up"]
    chosen: np.ndarray | None = None
    bound: float = math.inf


def _search(
    items: PostItems,
    value: np.ndarray,
    y: np.ndarray,
    duals: Duals,
    z_lp: float,
    start: np.ndarray | None = None,
    deadline: float = math.inf,
    prepared: Prepared | None = None,
    orders: Orders | None = None,
    chains: tuple[DantzigChain, DantzigChain] | None = None,
    pieces_next: bool = False,
) -> _Searched:
    """The best plan and a bound on every plan, in the scaled `value`. `prepared` and `orders`
    are the programme's set-up and the posts' rankings when the caller has them (the split curve);
    else `chains`, the LP's (`lp_chains`), go into the set-up when the programme runs.
    `pieces_next`: as `solve_dp`'s (the caller has the band's pieces to try next)."""
    capped = items.max_influencers is not None or items.max_macro is not None
    if orders is None:
        orders = Orders.of(items, value)
    if capped:
        # With capped counts, posts are ranked by engagement less the LP's price of a first
        # post.
        charge = duals.count + duals.macro_count * items.macro
        orders = orders.charged(items, value, np.broadcast_to(charge, value.shape))
    fill_order, by_value = orders.fill, orders.by_value
    certified = z_lp * (1 - SEARCH_GAP)
    incumbent, z_inc = None, -np.inf
    if start is not None:
        incumbent, z_inc = start, plan_value(value, start)
    rounded = starting_plan(items, y, value, orders)
    z_rounded = plan_value(value, rounded) if rounded is not None else -np.inf
    if rounded is not None and z_rounded > z_inc:
        incumbent, z_inc = rounded, z_rounded
    if incumbent is not None and z_inc >= certified:
        return _Searched("plan", incumbent, z_lp)  # within the target of the LP bound
    if incumbent is not None and items.max_influencers is None:
        exchanged = macro_exchange(items, incumbent, value, duals.budget)
        if exchanged is not incumbent:
            repaired = repair(items, exchanged, exchanged & items.macro, orders.drop)
            if repaired is not None:
                filled = improve(items, greedy_fill(items, repaired, fill_order), value, by_value)
                z_filled = plan_value(value, filled)
                if not items.check(filled) and z_filled > z_inc:
                    incumbent, z_inc = filled, z_filled

    completed: dict[tuple[bytes, bool], np.ndarray] = {}  # the last _COMPLETIONS_KEPT, oldest first

    def complete(plan: np.ndarray, *, local_search: bool = True) -> np.ndarray:
        # The programme's passes ask for the same plan's completion again (the most promising
        # state unchanged over a step, the best macro states in each capped pass): done once.
        key = (plan.tobytes(), local_search)
        done = completed.get(key)
        if done is None:
            done = greedy_fill(items, plan, fill_order)
            if local_search:
                done = improve(items, done, value, by_value)
            if len(completed) >= _COMPLETIONS_KEPT:
                del completed[next(iter(completed))]
            completed[key] = done
        return done.copy()

    if incumbent is not None and z_inc >= certified:
        return _Searched("plan", incumbent, z_lp)
    if prepared is None:
        prepared = prepare(items, value, chains)
    found = solve_dp(
        items,
        value,
        duals,
        z_inc,
        SEARCH_GAP,
        complete,
        deadline,
        prepared,
        pieces_next=pieces_next,
        priced_plans=(
            functools.partial(_priced_micro, items, deadline)
            if items.max_influencers is not None
            else None
        ),
    )
    if found.status == "gave_up":
        # Too many states: the best plan so far, against the LP bound or the bound the
        # programme held when it stopped (inf where it has none), whichever is smaller.
        if found.chosen is not None and (incumbent is None or found.value > z_inc):
            incumbent = found.chosen
        if incumbent is None:
            return _Searched("gave_up")
        return _Searched("plan", incumbent, min(found.bound, z_lp))
    chosen = found.chosen
    if chosen is None or (incumbent is not None and plan_value(value, chosen) < z_inc):
        chosen = incumbent
    return _Searched("plan" if chosen is not None else "no_plan", chosen, min(found.bound, z_lp))


def _priced_counts(
    items: PostItems,
    value: np.ndarray,
    relaxed: Relaxation,
    deadline: float,
    tries: int = 8,
) -> tuple[np.ndarray | None, float]:
    """Lagrangian completion for the caps: with prices rho per influencer and sigma per macro
    influencer, the problem without caps where each influencer's first post costs that much
    engagement, P(rho, sigma), is solved exactly by the uncapped engine while each influencer's
    engagement stays concave; then P + rho K + sigma K_macro bounds every capped plan, and P's
    plan is optimal for the caps when it meets them with no slack that has a price. rho is
    bisected on P's number of influencers (up to `tries` solves).

    Returns the best plan that meets the caps (or None) and the smallest bound found (scaled)."""
    duals = relaxed.duals
    cap = items.max_influencers
    cap_macro = items.max_macro
    sigma = duals.macro_count if cap_macro is not None else 0.0
    free = dataclasses.replace(items, max_influencers=None, max_macro=None)
    first = items.first
    best_plan: np.ndarray | None = None
    best_value, best_bound = -np.inf, np.inf
    rho = duals.count if cap is not None else 0.0
    lo, hi = 0.0, np.inf
    for _ in range(tries):
        charge = np.where(first, rho + sigma * items.macro, 0.0)
        priced = value - charge
        # Concave still: no second post worth more than its charged first post.
        second = np.flatnonzero(items.k == 1)
        if np.any(priced[second] > priced[second - 1]):
            break
        worth = priced[first] > 0  # influencers worth their charge
        if items.macro_min > 0 and not np.all(worth | ~items.macro[first]):
            break  # the band's bottom may need an influencer P would drop: not a relaxation
        keep = np.zeros(items.n_influencers, dtype=bool)
        keep[items.owner[first][worth]] = True
        mask = keep[items.owner]
        if not mask.any():  # nobody is worth the charge: P's best is the empty plan
            if items.macro_min > 0:
                break
            best_bound = min(best_bound, rho * (cap or 0) + sigma * (cap_macro or 0))
            if best_value < 0:
                best_plan, best_value = np.zeros(items.owner.size, dtype=bool), 0.0
            hi = rho
            rho = (lo + hi) / 2
            continue
        sub = _subset(free, mask)
        sub_value = priced[mask]
        sub_chains = lp_chains(sub, sub_value)
        lp = tier_lp(sub, sub_value, sub_chains)
        if lp is None:
            break
        found = _search(
            sub, sub_value, lp.y, lp.duals, lp.bound, deadline=deadline, chains=sub_chains
        )
        if found.status == "gave_up":
            break
        best_bound = min(best_bound, found.bound + rho * (cap or 0) + sigma * (cap_macro or 0))
        if found.chosen is None:
            break
        sub_chosen = found.chosen
        chosen = np.zeros(items.owner.size, dtype=bool)
        chosen[mask] = sub_chosen
        n = int((chosen & first).sum())
        n_macro = int((chosen & first & items.macro).sum())
        meets = (cap is None or n <= cap) and (cap_macro is None or n_macro <= cap_macro)
        if meets and float(value[chosen].sum()) > best_value:
            best_plan, best_value = chosen, float(value[chosen].sum())
        if best_bound - best_value <= SEARCH_GAP * best_bound or cap is None:
            break
        if n > cap:
            lo = rho
            rho = rho * 2 + 1e-12 if hi == np.inf else (lo + hi) / 2
        else:
            hi = rho
            rho = (lo + hi) / 2
    return best_plan, best_bound


def _priced_micro(
    items: PostItems,
    deadline: float,
    env: Envelopes,
    plan: np.ndarray,
    room: int,
    left: int,
    rho: float,
) -> list[np.ndarray]:
    """A Lagrangian heuristic for a capped model's micro influencers (`dp.PricedPlans`): with
    each influencer charged `rho`, the best plan of them for `room` cents without the cap,
    exact (the uncapped engine), added to the macro state's posts `plan`; `rho` bisected on
    that plan's number of influencers until it is `left` (up to _PRICED_TRIES solves). An
    influencer's posts up to the end of its envelope's first segment at that charge each earn
    the segment's average (the model stays concave, its LP is the capped LP's at `rho`; a plan
    that takes only some of them earns less than its value there). Returns the plans with at
    most `left` influencers, the best (by engagement) first."""
    micro = dataclasses.replace(
        items, budget=room, macro_min=0, macro_max=0, max_influencers=None, max_macro=None
    )
    found: list[tuple[float, np.ndarray]] = []
    low, high = 0.0, math.inf
    for _ in range(_PRICED_TRIES):
        if time.monotonic() > deadline:
            break
        priced, posts = _priced_model(micro, env, rho)
        solution = _solve(priced, _PRICED_TIME_LIMIT, None, last_resort=False)
        if solution.status not in ("optimal", "feasible"):
            break
        taken = posts[solution.chosen]
        count = int(np.count_nonzero(items.k[taken] == 0))  # (first posts: a plan keeps post order)
        if count <= left:
            chosen = plan.copy()
            chosen[taken] = True
            found.append((float(items.value[chosen].sum()), chosen))
            if count == left:
                break
            high = rho
        else:
            low = rho
        rho = 2 * rho if high == math.inf else (low + high) / 2
        if high - low <= _PRICED_TOLERANCE * high:
            break
    found.sort(key=lambda pair: -pair[0])
    return [chosen for _, chosen in found]


def _priced_model(micro: PostItems, env: Envelopes, rho: float) -> tuple[PostItems, np.ndarray]:
    """The micro influencers (`env`'s posts of `micro`) with each one's first post charged
    `rho`, as a model without caps (`_priced_micro`), and its posts' places in `micro`."""
    f, x = env.cum_value, env.k + 1
    average = (f - rho) / x  # of the first x posts, charged
    best = np.maximum.reduceat(average, env.starts)
    # The end of each envelope's first segment: its first post of the best average.
    first_end = np.full(env.groups, np.iinfo(np.int64).max)
    at_best = average >= best[env.group_of]
    np.minimum.at(first_end, env.group_of[at_best], x[at_best])
    value = np.where(env.k < first_end[env.group_of], best[env.group_of], env.value)
    worth = (best > 0)[env.group_of]  # influencers worth their charge
    posts = env.idx[worth]  # (in index order, as `_subset` keeps them)
    mask = np.zeros(micro.owner.size, dtype=bool)
    mask[posts] = True
    return dataclasses.replace(_subset(micro, mask), value=value[worth]), posts


def _subset(items: PostItems, mask: np.ndarray) -> PostItems:
    """The same model over the posts in `mask` (whole influencers)."""
    return dataclasses.replace(
        items,
        owner=items.owner[mask],
        k=items.k[mask],
        value=items.value[mask],
        cost=items.cost[mask],
        macro=items.macro[mask],
    )


def _finish(items: PostItems, chosen: np.ndarray, bound: float, scale: float) -> Solution:
    broken = items.check(chosen)
    if broken:  # pragma: no cover - the solvers never return a plan that breaks a rule
        raise RuntimeError(f"internal error: the plan breaks {broken}")
    true_value = plan_value(items.value, chosen)
    upper_bound = max(bound * scale, true_value)
    gap = relative_gap("", upper_bound, true_value)
    status = "optimal" if gap <= OPTIMAL_GAP else "feasible"
    return Solution(status, chosen, true_value, upper_bound)
