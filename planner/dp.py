"""Exact dynamic programming over (spend, engagement) states, pruned by bounds.

The core-expanding dynamic programme of the knapsack literature (Pisinger's *minknap*, 1997),
adapted to the model. `solve_dp` runs it in phases, each a function here:

1. Macro states (`_macro_phase`). Macro influencers one at a time, as groups of 0..m posts, so
   that the macro band and the cap on macro influencers are exact. A state is (macro spend,
   engagement, macro influencers). It is dropped when another has at least its engagement for
   no more spend, or when its bound cannot beat the best plan by more than the target gap: the
   exact LP bound where the band decides the split, else a Lagrangian bound with the LP's
   prices. Without caps, once a step prunes almost nothing and the open groups left have no
   more choices than there are states, it meets in the middle: those choices enumerated once
   (`_macro_rest`), then every state with every choice (`_meet`). (On a rate card no state
   beats another and every bound is the LP's until the last group, so stepping on would make
   every subset sum of the groups' prices.)
2. Completions (`_greedy_completions`). The best few macro states, each filled greedily with
   micro posts: a plan close to every bound, which prunes nearly every state when posts are
   priced alike.
3. Micro posts (`_micro_pass`). Reduced-cost fixing decides the posts far from the break; the
   rest go through *minknap*'s expanding core (`_expanding_core`, compiled in
   planner/kernels.py), first over a small core as a heuristic, then certified. Details in
   `_core_search`: alike posts bundled (`_Bundles`), states paired with one post outside the
   core (*combo*, Martello, Pisinger & Toth 1999), bounds from the break weight's multiples.
   With no macro posts the model is a 0/1 knapsack, and *combo*'s bounds on the number of items
   (planner/cardinality.py) may certify the best plan before the certified pass.

With a cap on the number of influencers in total, phase 3 is `_counted_micro_phase` instead:
micro influencers as groups of 0..m posts, states (spend, engagement, count). Its passes, in
order, stop as soon as the best plan is certified:

- heuristic (plans only): the macro phase as a beam search keeping 2,000 states a step (with
  40 macro influencers or more, first 200, and a pass nearest the break from those states);
  then beam passes over the micro influencers (`_counted_heuristics`): over the 40 nearest the
  break keeping 30 states a step; over all of them keeping 2,000, for at most 5,000 states
  made; nearest the break keeping 1,000; over all of them. Where no beam left out a state, a
  pass over all of them was exact, and it certifies its plan;
- certified: briefly through every open influencer by value per dollar; then the Lagrangian
  plans of the most promising macro states (`_priced_plans`: micro influencers charged a price,
  solved without the cap, the price bisected on the count); then, unless the band's pieces
  come next (`pieces_next`), an expanding core from the Lagrangian break (`_counted_core`) up
  to 150,000 states, every open influencer at full length, and the core again up to its full
  limit.

A pass's steps run compiled in one call (`planner.kernels.counted_steps`), back in Python only
for a greedy completion every 8th step, a beam cut among equal bounds and the deadline.

The certificate: the largest bound of anything dropped is kept (`_Search.dropped_bound`). A
capped certified pass that stops early (its limits, the deadline) still bounds every plan, by
the largest of the best plan, what was dropped and its live states' bounds (`_Search.give_up`).
`prepare` builds what does not depend on the macro band (chains, macro groups, envelopes) of
the posts some plan may take, so the split curve's bands share it, each narrowed to its band's
top (`Prepared.within`).
"""

from __future__ import annotations

import copy
import dataclasses
import math
import time
from dataclasses import dataclass, field
from typing import Literal, Protocol

import numpy as np

from planner.cardinality import count_bound
from planner.chain import DantzigChain
from planner.compiled import NO_CAP
from planner.kernels import (
    STEPS_CHUNK,
    STEPS_COMPLETE,
    STEPS_LIMIT,
    STEPS_TIED,
    bound_tables,
    charged_best,
    core_steps,
    counted_core_step,
    counted_steps,
    fixed_options,
    lagrangian_bounds,
    macro_step,
    multiple_prices,
    pair_states,
    pareto_runs,
    plan_value,
    trace_back,
)
from planner.model import PostItems, first_posts
from planner.relaxation import Duals, Envelopes, SegmentChain, cap_price

# Past this many live states the programme gives up and the caller uses branch and bound.
MAX_STATES = 400_000
# Up to this many macro states, micro posts are fixed with each state's own LP price.
_PER_STATE_FIXING = 64
# Posts nearest the break that the first, heuristic micro pass steps through.
_HEURISTIC_CORE = 48
# The capped micro phase gives up past this many states (each step costs more than in the
# uncapped phase; HiGHS then takes over).
_COUNTED_MAX_STATES = 400_000
# ... or once it has generated this many states in all (about 2 s in the compiled step,
# planner/kernels.py; its history then holds at most 160 MB).
_COUNTED_MAX_WORK = 20_000_000
# Influencers nearest the break that the capped micro phase's heuristic passes nearest the break
# step through,
_COUNTED_CORE = 40
# ... the first keeping only this many states per step (those of the best bounds: a plan for a few
# thousand states made, whose threshold keeps the next pass's states few; at 500 rows the 12
# capped cases of `benchmarks/optimiser.py --capped` took 69 ms instead of 78, the slowest
# 9.2 ms instead of 11.7, docs/benchmarks.md),
_COUNTED_PROBE_BEAM = 30
# ... the other this many (at 5,000 rate-card rows with at most 200 influencers a pass that kept
# 160,000 states took 1.8 s; with 5,000 the same plan in 0.26 s, docs/benchmarks.md),
_COUNTED_CORE_BEAM = 1_000
# ... and the heuristic pass over every influencer keeps this many states per step (those of
# the best bounds: a beam search). Measured at 500 influencers: the plans of the passes nearest
# the break and this one leave the certified pass a window of ~1e-5 instead of ~3e-4
# (docs/benchmarks.md).
_COUNTED_BEAM = 2_000
# That pass is tried first right after the 30-state pass, for at most this many states made:
# where the 30-state pass found the optimum (7 of the 12 capped cases at 500 rows), it certifies
# it in 40-3,700 states, without the 1,000-state pass; elsewhere it gives up after ~0.5 ms (the
# 12 cases' median ratio to the uncapped plan 3.0-3.15 -> 2.8-2.85, their sum +2.6%;
# docs/benchmarks.md).
_COUNTED_DIRECT_WORK = 5_000
# The macro phase's beam search first keeps this many states a step; when that leaves out a
# state, the pass nearest the break from its states finds a plan before the beam of
# _COUNTED_BEAM runs (at 5,000 rate-card rows with at most 50 influencers, the wide beam took
# 60 ms below the starting plan's threshold and 3 ms below the optimum's; docs/benchmarks.md).
_COUNTED_SCOUT_BEAM = 200
# ... with at least this many macro influencers (at 500 rows, 15, the wide beam never filled
# and the narrow one only added its pass: 10-25% on the rate-card cases).
_COUNTED_SCOUT_GROUPS = 40
# ... and its pass nearest the break keeps this many states a step (the pass after the wide
# beam keeps _COUNTED_CORE_BEAM; at 5,000 rate-card rows, 0-60% macro, cap 200: 63-68 → 54-60 ms).
_COUNTED_SCOUT_CORE_BEAM = 300
# The capped micro phase's passes complete this many of the most promising macro states greedily
# (4 until the twentieth session; since the first pass keeps few states, its plan comes about as
# soon: the 12 capped cases of `optimiser.py --capped` 0.96x at 500 rows, 0.97x at 5,000, 0.98x at
# 50,000, docs/benchmarks.md).
_COUNTED_COMPLETIONS = 1
# Where the certified capped pass's first step gives up, the Lagrangian plans of this many of the
# most promising macro states (`_priced_plans`), the best this many of each completed.
_PRICED_STATES = 3
_PRICED_COMPLETED = 2
# The certified capped pass steps through every open influencer up to this many states made
# (quick when the bounds are close), then tries the expanding core (`_counted_core`) up to
# _COUNTED_CORE_WORK (states times options) and _COUNTED_CORE_FIRST_STATES live states, then
# steps through them up to _COUNTED_MAX_WORK, then tries the core again up to
# _COUNTED_MAX_STATES. (With the core's full limit first, on rate-card rosters it gave up after
# 0.5-1.4 s where the pass then certified in 0.1-0.3 s; with the lower limit and no second
# try, one more model reached HiGHS. 150 capped split curves drawn at random: 38.4 -> 32.7 s,
# 7 -> 4 over 1 s; 800 capped plans: 19.8 -> 18.0 s; docs/benchmarks.md.)
_COUNTED_QUICK_WORK = 1_000_000
_COUNTED_CORE_WORK = 10_000_000
_COUNTED_CORE_FIRST_STATES = 150_000
# ... and only when at most this many influencers are open (its bound tables grow with them).
_COUNTED_CORE_OPEN = 20_000
# Its states are judged by every row of other prices once in this many steps (a share of the
# rows each step, in turn): each kept state costs every row checked, every step.
_CORE_ROW_TURNS = 4
# The capped passes' compiled steps come back to look at the deadline once this many states
# were made (about 0.1 s at 5,000 rows).
_COUNTED_CHUNK = 2_000_000
# Prices per influencer tried in the capped micro phase's bounds, as multiples of the most
# promising macro state's own (the model's LP price is tried too).
_RHO_FACTORS = np.array([1.0, 0.0, 0.5, 0.8, 0.9, 1.1, 1.25, 1.6, 2.5])
# Budget prices tried in the Lagrangian bounds, as multiples of the LP's: the smallest bound wins.
_LAMBDA_FACTORS = np.array([0.6, 0.8, 0.9, 0.95, 0.98, 1.0, 1.02, 1.05, 1.1, 1.25, 1.6])


# "solved": `chosen` is the best plan and `bound` holds for every plan; "nothing_better": no plan
# beats the caller's by more than the target gap (`bound` still holds); "gave_up": the states
# outgrew their limits or the deadline passed before the target gap was reached (`chosen` may
# hold the best plan found so far; `bound` is the bound a certified pass had when it stopped,
# valid for every plan, or inf where the pass that stopped has none: the macro phase, the
# uncapped micro pass).
DPStatus = Literal["solved", "nothing_better", "gave_up"]
# A pass's (`_micro_pass`, the expanding core): "found": a plan that beats the best plan by more
# than the target gap; "nothing_better": none does; "gave_up": the states outgrew their limits
# or the deadline passed.
PassStatus = Literal["found", "nothing_better", "gave_up"]


@dataclass(frozen=True)
class DPResult:
    status: DPStatus
    chosen: np.ndarray | None  # the programme's best plan, when it found one above the caller's
    value: float  # its engagement in scaled units (-inf without a plan)
    bound: float  # certified upper bound on every plan's scaled engagement


_GAVE_UP = DPResult("gave_up", None, -np.inf, np.inf)


@dataclass(frozen=True)
class _MacroGroups:
    """The macro influencers as groups of 0..m posts, best first post per dollar first (good
    plans appear early), as a table: group g buying x posts costs cost[g] x and earns
    value[g, x] (-inf past its m)."""

    posts: list[np.ndarray]  # per group, item indices of its posts in post order
    cost: np.ndarray  # price of one post, cents
    value: np.ndarray  # [group, posts] engagement of 0, 1, ..., m posts, -inf past m (or reach)

    @classmethod
    def of(cls, items: PostItems, value: np.ndarray) -> _MacroGroups:
        macro_idx = np.flatnonzero(items.macro)
        owners = items.owner[macro_idx]
        starts = np.flatnonzero(np.concatenate([[True], owners[1:] != owners[:-1]]))
        starts = starts[: owners.size]
        lengths = np.diff(np.append(starts, macro_idx.size))
        cost = items.cost[macro_idx[starts]].astype(np.int64)
        table = np.full((starts.size, int(lengths.max(initial=0)) + 1), -np.inf)
        table[:, 0] = 0.0
        for x in range(table.shape[1] - 1):  # post by post, as a running sum
            has = lengths > x
            table[has, x + 1] = table[has, x] + value[macro_idx[starts[has] + x]]
        order = np.argsort(-table[:, 1] / cost, kind="stable") if starts.size else starts
        posts = np.split(macro_idx, starts[1:]) if starts.size else []
        return cls([posts[g] for g in order.tolist()], cost[order], table[order])

    def __len__(self) -> int:
        return len(self.posts)

    def within(self, kept: np.ndarray) -> _MacroGroups:
        """The same groups, in the same order, each with as many options as it has posts kept
        (`kept`: the group of each post kept, a group's first posts); the others -inf. `posts`
        stays whole: a plan takes the first posts of an option."""
        fits = np.bincount(kept, minlength=len(self))
        beyond = np.arange(self.value.shape[1])[None, :] > fits[:, None]
        return _MacroGroups(self.posts, self.cost, np.where(beyond, -np.inf, self.value))

    def options(self, g: int) -> int:
        """How many choices group g has (0, 1, ..., m posts)."""
        return int(self.posts[g].size) + 1

    def profit(self, price: np.ndarray, charge: float) -> np.ndarray:
        """[price, group, posts] engagement less `price` per cent and `charge` per influencer
        (-inf past each group's m); `price` a column of prices per cent."""
        n = np.arange(self.value.shape[1])
        spend = self.cost[:, None] * n[None, :]
        price_of = price[:, None, None] * spend[None, :, :] + charge * (n > 0)
        return self.value[None, :, :] - price_of


def _last_axis_max(a: np.ndarray) -> np.ndarray:
    """`a.max(axis=-1)` for the few posts an influencer may buy, column by column: numpy's
    reduction over a short last axis took ~9x as long (53 µs for 11 x 150 x 4)."""
    out = a[..., 0].copy()
    for j in range(1, a.shape[-1]):
        np.maximum(out, a[..., j], out=out)
    return out


class _LagrangianBound:
    """v + lambda (B - c) + mu_top (m_hi - c) + mu_bottom (c - m_lo) + rho (K_macro - n)
    + the best Lagrangian profit of every group and post still to decide, for each budget price
    lambda in `lams`; the smallest over the lambdas. Valid for any non-negative prices."""

    def __init__(
        self,
        items: PostItems,
        duals: Duals,
        lams: np.ndarray,
        groups: _MacroGroups,
        micro_chain: DantzigChain,
        micro_envelopes: _LazyEnvelopes,
    ) -> None:
        self.items, self.duals, self.lams = items, duals, lams
        self.limits = (
            int(items.budget),
            int(items.macro_max),
            int(items.macro_min),
            NO_CAP if items.max_macro is None else int(items.max_macro),
            NO_CAP if items.max_influencers is None else int(items.max_influencers),
        )
        self.prices = (
            float(duals.macro_max),
            float(duals.macro_min),
            float(duals.macro_count),
            float(duals.count),
        )
        self.mu = mu = duals.macro_max - duals.macro_min  # extra price of a macro cent
        rho = duals.macro_count + duals.count  # price of one more macro influencer
        if duals.count > 0:  # each micro influencer's best number of posts, first one charged
            self.micro_rest = _charged_profit(micro_envelopes.get(), lams, duals.count)
        else:  # concave: post by post; the chain is by falling value per cent, so the posts
            # worth more than lambda per cent are a prefix of it
            ratio = micro_chain.ratio[:-1]
            taken = np.searchsorted(-ratio, -lams, side="left")
            self.micro_rest = np.maximum(
                micro_chain.cum_value[taken] - lams * micro_chain.cum_cost[taken], 0.0
            )
        group_profit = _last_axis_max(groups.profit(lams + mu, rho))
        self.group_suffix = np.concatenate(
            [np.cumsum(group_profit[:, ::-1], axis=1)[:, ::-1], np.zeros((lams.size, 1))], axis=1
        )

    def __call__(
        self, cost: np.ndarray, value: np.ndarray, count: np.ndarray, next_group: int, rows: slice
    ) -> np.ndarray:
        lams = self.lams[rows]
        rest = self.group_suffix[rows, next_group] + self.micro_rest[rows]
        # slack = lams (B - c) + mu_top (m_hi - c) + mu_bottom (c - m_lo) [+ the caps' terms],
        # per lambda and state; value + min over the lambdas of slack + rest (compiled).
        return lagrangian_bounds(
            np.asarray(cost, dtype=np.int64),
            np.asarray(value, dtype=np.float64),
            np.asarray(count, dtype=np.int64),
            np.ascontiguousarray(lams, dtype=np.float64),
            np.ascontiguousarray(rest, dtype=np.float64),
            self.limits,
            self.prices,
        )


def _charged_profit(env: Envelopes, lams: np.ndarray, charge: float) -> np.ndarray:
    """Sum over the influencers of `env` of max over x of f_i(x) - lambda c_i x - charge [x > 0],
    for each lambda in `lams`."""
    if env.groups == 0:
        return np.zeros(lams.size)
    best = charged_best(
        env.cum_value,
        env.k,
        env.cost,
        env.starts,
        env.lengths,
        np.ascontiguousarray(lams, dtype=np.float64),
        np.full(lams.size, float(charge)),
    )
    return np.maximum(best, 0.0).sum(axis=1)


@dataclass
class _Search:
    """What every phase shares: the items in their processing order, the bounds, the best plan."""

    items: PostItems
    value: np.ndarray
    target_gap: float
    groups: _MacroGroups
    micro_idx: np.ndarray  # micro posts by engagement per cent, ties in post order
    micro_chain: DantzigChain
    rest_macro: RestChains  # macro posts of groups g, g+1, ... by engagement per cent
    micro_envelopes: _LazyEnvelopes  # the micro influencers' posts as envelopes (`micro_env`)
    lagrangian: _LagrangianBound
    at_lp: int  # row of `lagrangian.lams` that is the LP's own budget price
    best: float  # engagement of the best plan known (scaled)
    best_plan: np.ndarray | None = None
    dropped_bound: float = -np.inf  # largest bound of anything pruned
    # The smallest bound on every plan that a certified pass held when it gave up (`give_up`).
    gave_up_bound: float = np.inf
    deadline: float = math.inf  # time.monotonic() past which the search gives up
    # Whether a beam search has left out a state since this was last cleared: a beam search that
    # left out none is exact (what it dropped, it dropped by bounds and dominance alone).
    beam_cut: bool = False
    # Whether the capped certified pass gives up once its first, brief pass through every open
    # influencer does (`solve_dp`'s `pieces_next`).
    pieces_next: bool = False
    # The micro influencers' Lagrangian plans for a capped model (`solve_dp`'s `priced_plans`).
    priced_plans: PricedPlans | None = None
    # What the capped micro phase's passes share (`charged_chain`, `cap_price`).
    _charged: dict[float, SegmentChain] = field(default_factory=dict, repr=False)
    _cap_prices: dict[tuple[int, int], float] = field(default_factory=dict, repr=False)
    _charged_flat: dict[
        tuple[float, ...], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    ] = field(default_factory=dict, repr=False)

    @property
    def micro_env(self) -> Envelopes:
        """The micro influencers' posts as envelopes (the capped micro phase)."""
        return self.micro_envelopes.get()

    def out_of_room(self, states: int) -> bool:
        return states > MAX_STATES or time.monotonic() > self.deadline

    def charged_chain(self, price: float) -> SegmentChain:
        """`micro_env`'s chain with each influencer's first post charged `price` (kept: the
        capped micro phase's passes ask for the same prices)."""
        chain = self._charged.get(price)
        if chain is None:
            chain = self._charged[price] = self.micro_env.chain(price, keep_negative=False)
        return chain

    def charged_chains(
        self, prices: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """`charged_chain` at each of `prices`, as flat arrays: each link's cost, value, first
        position in `micro_env` and whether it starts an influencer, and where each chain
        starts (kept: the capped micro phase's passes from the same states ask for the same)."""
        key = tuple(prices.tolist())
        flat = self._charged_flat.get(key)
        if flat is None:
            chains = [self.charged_chain(float(price)) for price in prices]
            flat = self._charged_flat[key] = (
                np.concatenate([chain.cost for chain in chains]).astype(np.int64),
                np.concatenate([chain.value for chain in chains]).astype(np.float64),
                np.concatenate([chain.idx for chain in chains]).astype(np.int64),
                np.concatenate([chain.first for chain in chains]).astype(np.bool_),
                np.cumsum([0] + [chain.idx.size for chain in chains]).astype(np.int64),
            )
        return flat

    def cap_price(self, room: int, left: int) -> float:
        """The micro influencers' own price per influencer for `room` cents and `left` more
        influencers (`planner.relaxation.cap_price`, kept)."""
        price = self._cap_prices.get((room, left))
        if price is None:
            price = self._cap_prices[(room, left)] = cap_price(self.micro_env, room, left)
        return price

    @property
    def threshold(self) -> float:
        return self.best * (1 + self.target_gap)

    def drop(self, bounds: np.ndarray) -> None:
        if bounds.size:
            self.dropped_bound = max(self.dropped_bound, float(bounds.max()))

    def give_up(self, live: float) -> None:
        """A certified pass stops early, `live` the largest bound of its live states (of every
        plan they lead to, -inf: none left). Every plan is then one that was dropped (its bound
        at most `dropped_bound`, up to best * (1 + target gap), the allowance it was dropped
        within), one a live state leads to, or no better than the best plan: the largest of the
        three bounds every plan. Passes that give up in turn keep the smallest."""
        self.gave_up_bound = min(self.gave_up_bound, max(self.best, self.dropped_bound, live))

    def gave_up(self) -> DPResult:
        """The result of a search that gave up: the best plan in hand and `gave_up_bound`."""
        if self.best_plan is None:
            return DPResult("gave_up", None, -np.inf, self.gave_up_bound)
        return DPResult("gave_up", self.best_plan, self.best, self.gave_up_bound)


@dataclass(frozen=True)
class _MacroStates:
    """Macro states in the band, Pareto-optimal: spend, engagement, and where each came from."""

    cost: np.ndarray
    value: np.ndarray
    count: np.ndarray  # macro influencers
    origin: np.ndarray  # index of the state in the last macro step
    # Per macro group: each state's parent in the step before and the posts it took, or
    # (None, x) where the group was decided (every state took x posts and kept its place).
    history: list[tuple[np.ndarray | None, np.ndarray | int]]
    # The plans traced back so far, by index in the last macro step (shared by `keep`'s copies:
    # the capped micro phase asks for its most promising state's plan every 8th step).
    traced: dict[int, np.ndarray] = field(default_factory=dict, compare=False, repr=False)
    # These states' prices per influencer and bounds (`_state_prices`), once worked out: the
    # capped micro phase's passes from the same states ask for them again (not shared by `keep`).
    priced: list[_StatePrices] = field(default_factory=list, compare=False, repr=False)

    def plan(self, search: _Search, state: int) -> np.ndarray:
        """The macro posts of state `state` (an index into `cost`), a new array."""
        last = int(self.origin[state])
        chosen = self.traced.get(last)
        if chosen is None:
            chosen = np.zeros(search.items.owner.size, dtype=bool)
            step = last
            for g in range(len(self.history) - 1, -1, -1):
                parent, took = self.history[g]
                if parent is None:  # (decided: most take no post)
                    if took:
                        chosen[search.groups.posts[g][: int(took)]] = True
                    continue
                chosen[search.groups.posts[g][: int(took[step])]] = True
                step = int(parent[step])
            self.traced[last] = chosen
        return chosen.copy()

    def keep(self, live: np.ndarray) -> _MacroStates:
        return _MacroStates(
            self.cost[live],
            self.value[live],
            self.count[live],
            self.origin[live],
            self.history,
            self.traced,
        )


@dataclass(frozen=True)
class _StatePrices:
    """The capped micro phase's prices for a set of macro states (`_state_prices`)."""

    duals: Duals  # the prices they were worked out for
    rho_lp: float  # the model's LP price per influencer
    rho_own: float  # the micro influencers' own price for the most promising state
    rhos: np.ndarray  # every price per influencer tried
    bound: np.ndarray  # each state's smallest bound
    rho_s: np.ndarray  # each state's price per influencer at that bound
    lam_s: np.ndarray  # and its budget price


def _state_prices(search: _Search, states: _MacroStates, duals: Duals) -> _StatePrices:
    """Each macro state's smallest Lagrangian bound over a few prices per influencer, and those
    prices (`_counted_micro_phase`); kept on `states` for the passes that follow."""
    for priced in states.priced:
        if priced.duals is duals:
            return priced
    items = search.items
    room = items.budget - states.cost
    left = int(items.max_influencers or 0) - states.count
    # Prices per influencer: the model's LP price, and the micro influencers' own for the most
    # promising macro state (the model's LP may buy part of a macro influencer, and its price
    # then misjudges every macro state: 18x too low on the sample at $80,000, a bound 2% loose
    # where the state's own is 1e-5 from its best plan). Each state takes its best.
    rho_lp = max(duals.count, 0.0)
    chain_lp = search.charged_chain(rho_lp)
    bound = np.fmin(
        states.value + rho_lp * left + chain_lp.value_at(room),
        states.value + search.micro_chain.value_at(room),
    )
    promising = int(np.argmax(bound))
    rho_own = search.cap_price(int(room[promising]), int(left[promising]))
    rhos = np.unique(np.concatenate([rho_own * _RHO_FACTORS, [rho_lp]]))
    at_price = []  # per price: each state's bound and budget price
    for price in rhos:
        chain = search.charged_chain(float(price))
        at_price.append(
            (states.value + price * left + chain.value_at(room), chain.slope_above(room))
        )
    by_price = np.array([b for b, _ in at_price])
    pick = np.argmin(by_price, axis=0)
    states_at = np.arange(states.cost.size)
    bound = np.fmin(bound, by_price[pick, states_at])
    lam_s = np.array([lam for _, lam in at_price])[pick, states_at]
    priced = _StatePrices(duals, rho_lp, rho_own, rhos, bound, rhos[pick], lam_s)
    states.priced.append(priced)
    return priced


def _unique_pairs(first: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.unique(np.stack([first, second]), axis=1, return_inverse=True)`, the inverse flat:
    the distinct pairs by first, then second, and each pair's column (a sort of the pairs,
    where `np.unique` over an axis sorts a structured view, some times slower on small ones)."""
    order = np.lexsort((second, first))
    a, b = first[order], second[order]
    new = np.ones(order.size, dtype=bool)
    new[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    inverse = np.empty(order.size, dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return np.stack([a[new], b[new]]), inverse


@dataclass(frozen=True)
class _MicroResult:
    """What a pass over the micro posts found (`_micro_pass`)."""

    status: PassStatus
    certified: bool  # whether it was the certified pass
    chosen: np.ndarray | None = None  # "found": the micro posts of its best plan
    value: float = -np.inf  # "found": that plan's scaled engagement (macro part included)
    state: int = -1  # "found": its macro state (index into the states passed in)
    dropped_bound: float = -np.inf  # the largest bound it dropped (not with "gave_up")


@dataclass(frozen=True)
class _CoreResult:
    """What the expanding core found (`_expanding_core`, `_core_search`)."""

    status: PassStatus
    taken: np.ndarray | None = None  # "found": which of its items the best plan takes
    value: float = -np.inf  # "found": that plan's value, its starting state's included
    state: int = -1  # "found": its starting state (index into the states passed in)
    dropped_bound: float = -np.inf  # the largest bound it dropped (not with "gave_up")


class Completion(Protocol):
    """How the programme fills a partial plan's leftover budget, a heuristic (the caller's:
    `planner.solver`'s greedy fill, then its local search unless `local_search` is False)."""

    def __call__(self, plan: np.ndarray, *, local_search: bool = True) -> np.ndarray: ...


class PricedPlans(Protocol):
    """Plans of the micro influencers for a capped model, a heuristic (the caller's:
    `planner.solver`'s Lagrangian one): to a macro state's posts `plan`, micro posts for at most
    `room` cents and `left` influencers, each the exact best plan of the micro influencers with
    a price per influencer near `rho` (`env`: their envelopes); those that meet `left`, the
    best first."""

    def __call__(
        self, env: Envelopes, plan: np.ndarray, room: int, left: int, rho: float
    ) -> list[np.ndarray]: ...


def solve_dp(
    items: PostItems,
    value: np.ndarray,
    duals: Duals,
    lower_bound: float,
    target_gap: float,
    complete: Completion,
    deadline: float = math.inf,
    prepared: Prepared | None = None,
    *,
    pieces_next: bool = False,
    priced_plans: PricedPlans | None = None,
) -> DPResult:
    """The best plan in scaled units, certified against every plan, or `gave_up` (past
    MAX_STATES states, or past `deadline` on `time.monotonic()`).

    `lower_bound` is the engagement of a plan the caller already has; `complete` fills a partial
    plan's leftover budget (a heuristic); `prepared` is `prepare(items, value)` when the caller
    has it already, for this model or a wider band (the split curve's bands share it).
    `pieces_next`: with a cap on influencers in total, give up once the certified pass's first,
    brief pass through every open influencer does, before its expanding core (the caller has
    the macro band's pieces to try: `planner.solver._in_pieces`).
    `priced_plans`: with that cap, the micro influencers' Lagrangian plans, tried where that
    brief pass gives up (`_priced_plans`).
    """
    search = _setup(items, value, duals, lower_bound, target_gap, prepared)
    search.deadline, search.pieces_next = deadline, pieces_next
    search.priced_plans = priced_plans
    capped = items.max_influencers is not None
    if capped:
        # A good plan first, which narrows every bound's window: the macro phase and then the
        # micro influencers as beam searches, and a pass over the influencers nearest the
        # break (nothing certified; the certified phases follow, unless the beam searches
        # left out no state: then they were the certified phases).
        dropped = search.dropped_bound
        search.beam_cut = False
        scout = len(search.groups) >= _COUNTED_SCOUT_GROUPS
        quick_states = _macro_phase(search, beam=_COUNTED_SCOUT_BEAM if scout else _COUNTED_BEAM)
        if scout and search.beam_cut:
            # The narrow beam left out states: a plan from its states first (the pass nearest
            # the break), whose threshold then keeps the wide beam's states few. The wide beam
            # drops only states no better than that plan (no allowance for the target gap), so
            # what it drops bounds no plan above the best one.
            search.dropped_bound = dropped
            if quick_states is not None and quick_states.cost.size:
                _heuristic_pass(
                    search, quick_states, duals, complete, _COUNTED_CORE, _COUNTED_SCOUT_CORE_BEAM
                )
            search.beam_cut, gap, search.target_gap = False, search.target_gap, 0.0
            quick_states = _macro_phase(search, beam=_COUNTED_BEAM)
            search.target_gap = gap
        macro_dropped, search.dropped_bound = search.dropped_bound, dropped
        if quick_states is not None and quick_states.cost.size:
            exact = _counted_heuristics(search, quick_states, duals, complete, macro_dropped)
            if exact is not None:
                return exact
    states = _macro_phase(search)
    if states is None:  # the heuristics' plan, if any, is still worth having
        return DPResult("gave_up", search.best_plan, search.best, np.inf)
    if states.cost.size == 0:  # nothing beats the best plan by more than the target gap
        return _result(search)
    if capped:
        return _counted_micro_phase(search, states, duals, complete)
    states = _greedy_completions(search, states, complete)
    if states.cost.size == 0:
        return _result(search)
    micro = search.micro_idx
    found = None  # the certified pass's result, once it has run
    if micro.size > _HEURISTIC_CORE:  # a good plan fast, which narrows the certified pass
        quick = _micro_pass(search, states.cost, states.value, core_size=_HEURISTIC_CORE)
        if quick.status != "gave_up" and quick.certified:
            found = quick  # (its windows were the certified pass's)
        elif quick.status == "found" and quick.value > search.best:
            assert quick.chosen is not None
            plan = first_posts(items, quick.chosen | states.plan(search, quick.state))
            search.best, search.best_plan = plan_value(value, plan), plan
    if found is None and not items.macro.any():
        # A 0/1 knapsack of the micro posts: count bounds may close it.
        bound = count_bound(items.cost, value, items.budget, search.threshold)
        if bound <= search.threshold:
            search.dropped_bound = max(search.dropped_bound, bound)
            return _result(search)
    if found is None:
        found = _micro_pass(search, states.cost, states.value, core_size=None)
    if found.status == "gave_up":
        return _GAVE_UP
    search.dropped_bound = max(search.dropped_bound, found.dropped_bound)
    if found.chosen is None:  # "nothing_better"
        return _result(search)
    chosen = first_posts(items, found.chosen | states.plan(search, found.state))
    worth = found.value
    if search.best_plan is not None and search.best > worth:
        chosen, worth = search.best_plan, search.best
    return DPResult("solved", chosen, worth, max(worth, search.dropped_bound))


def _counted_heuristics(
    search: _Search,
    states: _MacroStates,
    duals: Duals,
    complete: Completion,
    macro_dropped: float,
) -> DPResult | None:
    """The capped micro phase's heuristic passes from `states` (the macro phase's beam search,
    which dropped bounds up to `macro_dropped`): over the influencers nearest the break with a
    narrow beam of states; over all of them with a beam, for at most _COUNTED_DIRECT_WORK
    states made; where that did not settle it, nearest the break again with a wide beam, then
    over all of them with no limit but the beam's. Only their plans are kept (in `search.best`,
    `search.best_plan`); what they drop certifies nothing, unless a pass over all of them ran to
    its end and neither beam search left out a state: then it was the certified micro phase
    from every macro state the certified macro phase keeps and more (each state it dropped, it
    dropped by its bound or by dominance), and its result is returned, bounded by what both
    dropped. None otherwise."""
    macro_exact = not search.beam_cut
    passes = (
        (_COUNTED_CORE, _COUNTED_PROBE_BEAM, _COUNTED_MAX_WORK),
        (None, _COUNTED_BEAM, _COUNTED_DIRECT_WORK),
        (_COUNTED_CORE, _COUNTED_CORE_BEAM, _COUNTED_MAX_WORK),
        (None, _COUNTED_BEAM, _COUNTED_MAX_WORK),
    )
    for core, beam, work in passes:
        search.beam_cut = False
        status, passed = _heuristic_pass(search, states, duals, complete, core, beam, work)
        if core is None and macro_exact and not search.beam_cut and status != "gave_up":
            search.dropped_bound = max(passed, macro_dropped)
            return _result(search)
    return None


def _heuristic_pass(
    search: _Search,
    states: _MacroStates,
    duals: Duals,
    complete: Completion,
    core: int | None,
    beam: int,
    max_work: int = _COUNTED_MAX_WORK,
) -> tuple[DPStatus, float]:
    """One heuristic pass of the capped micro phase from `states` (`_counted_micro_phase` with
    the core `core`, a beam of `beam` states and at most `max_work` states made), for its plan
    alone: kept in `search.best`, `search.best_plan` when better; what it drops is not kept as
    the search's bound. Returns the pass's status and the largest bound it dropped (which
    certifies the pass when no beam search left out a state)."""
    value = search.value
    dropped, before, before_plan = search.dropped_bound, search.best, search.best_plan
    quick = _counted_micro_phase(search, states, duals, complete, core, beam, max_work)
    # When a pass gives up, the best value it saw may have no plan kept: only plans in hand
    # raise the threshold.
    kept = search.best_plan  # a plan in hand, when the pass kept one
    passed = search.dropped_bound
    search.dropped_bound, search.best, search.best_plan = dropped, before, before_plan
    for plan in (quick.chosen, kept):
        if plan is not None and float(value[plan].sum()) > search.best:
            search.best, search.best_plan = float(value[plan].sum()), plan
    return quick.status, passed


def _result(search: _Search) -> DPResult:
    if search.best_plan is None:
        return DPResult("nothing_better", None, -np.inf, search.dropped_bound)
    return DPResult("solved", search.best_plan, search.best, search.dropped_bound)


@dataclass(frozen=True)
class Prepared:
    """What the programme builds from the posts alone, whatever the budget split: the micro
    chain, the macro influencers as groups (best first post per dollar first) and the chains of
    the macro posts still to decide, of the posts within reach (`PostItems.within_reach`). Valid
    for every model with the same posts, values and budget once narrowed to its band's top
    (`within`), so the split curve's bands share it (`prepare`)."""

    micro_chain: DantzigChain
    groups: _MacroGroups
    rest_macro: RestChains
    micro_envelopes: _LazyEnvelopes  # the micro influencers' (`micro_env`)
    macro_envelopes: _LazyEnvelopes
    macro_whole: int  # cents: the most a macro post here costs with the posts before it
    # The set-up narrowed to a lower top, by top (`within`).
    _narrowed: dict[int, Prepared] = field(default_factory=dict, compare=False, repr=False)

    @property
    def chains(self) -> tuple[DantzigChain, DantzigChain]:
        """The micro posts' and the macro posts' Dantzig chains (the LP without caps)."""
        return self.micro_chain, self.rest_macro[0]

    @property
    def micro_env(self) -> Envelopes:
        """The micro influencers' envelopes (the capped models' groups)."""
        return self.micro_envelopes.get()

    @property
    def macro_env(self) -> Envelopes:
        """The macro influencers' envelopes (the capped LP)."""
        return self.macro_envelopes.get()

    @property
    def envelopes(self) -> tuple[Envelopes, Envelopes]:
        """The micro and the macro influencers' envelopes (the LP with caps)."""
        return self.micro_env, self.macro_env

    def within(self, items: PostItems, value: np.ndarray) -> Prepared:
        """The set-up for `items`, a model of the same posts, values and budget: without the
        macro posts past its band's top (`PostItems.within_reach`), when some here are; made
        once for each top, then kept, from this one's (the micro parts are shared)."""
        top = min(items.macro_max, items.budget)
        if top >= self.macro_whole:
            return self
        narrowed = self._narrowed.get(top)
        if narrowed is None:
            posts = self.rest_macro.posts  # (those here: by engagement per cent)
            keep = items.within_reach(posts)
            kept = posts[keep]
            mask = np.zeros(items.owner.size, dtype=bool)
            mask[kept] = True
            narrowed = self._narrowed[top] = dataclasses.replace(
                self,
                groups=self.groups.within(self.rest_macro.every[3][keep]),
                rest_macro=self.rest_macro.within(keep),
                macro_envelopes=_LazyEnvelopes(items, value, mask),
                macro_whole=_whole_cost(items, kept),
                _narrowed={},
            )
        return narrowed


class _LazyEnvelopes:
    """`Envelopes(items, value, mask)`, built when first asked for (`get`), then kept: only the
    capped models use them (at 50,000 rows the micro influencers' took 5 ms of every split
    curve and of each uncapped plan that reached the programme)."""

    def __init__(self, items: PostItems, value: np.ndarray, mask: np.ndarray) -> None:
        self._of = (items, value, mask)
        self._built: Envelopes | None = None

    def get(self) -> Envelopes:
        if self._built is None:
            self._built = Envelopes(*self._of)
        return self._built


def _whole_cost(items: PostItems, posts: np.ndarray) -> int:
    """The most any of `posts` costs with the posts before it (0: none)."""
    return int(items.whole_cost(posts).max(initial=0))


class RestChains:
    """For each g, the chain of the macro posts of groups g, g+1, ...: built when first asked
    for (a group the programme decides without bounds never needs its chain), then kept."""

    def __init__(
        self,
        items: PostItems,
        value: np.ndarray,
        groups: _MacroGroups,
        every: np.ndarray | None = None,
    ) -> None:
        """`every`: the macro posts by engagement per cent (a macro Dantzig chain's), when the
        caller has them: else every macro post, sorted here."""
        self._cost, self._value = items.cost, value
        self._group_of = np.full(items.owner.size, len(groups))
        for g, posts in enumerate(groups.posts):
            self._group_of[posts] = g
        if every is None:
            every = DantzigChain.of_items(items, value, items.macro).idx  # sorted once
        self._every = every
        self._built: dict[int, DantzigChain] = {}
        # Every macro post by engagement per cent: its cost, engagement, engagement per cent and
        # group (the compiled capped macro step, `kernels.macro_step`, sums the chain of groups
        # g, g+1, ... from them).
        cost = items.cost[every]
        self.every = (cost, value[every], value[every] / np.maximum(cost, 1), self._group_of[every])

    @property
    def posts(self) -> np.ndarray:
        """Every macro post in these chains, by engagement per cent."""
        return self._every

    def within(self, keep: np.ndarray) -> RestChains:
        """The chains of the same groups with only the posts `keep` picks of `posts` (in the
        same order: not sorted again)."""
        narrowed = copy.copy(self)
        narrowed._every = self._every[keep]
        narrowed.every = tuple(part[keep] for part in self.every)
        narrowed._built = {}
        return narrowed

    def __getitem__(self, g: int) -> DantzigChain:
        chain = self._built.get(g)
        if chain is None:
            idx = self._every[self._group_of[self._every] >= g]
            chain = self._built[g] = DantzigChain(self._cost[idx], self._value[idx], idx)
        return chain


def prepare(
    items: PostItems,
    value: np.ndarray,
    chains: tuple[DantzigChain, DantzigChain] | None = None,
) -> Prepared:
    """The programme's set-up for `items` (see `Prepared`), of the posts within its reach (for
    the split curve's bands: prepared for the widest band, then narrowed to each, `within`).
    `chains`: the micro and the macro posts' Dantzig chains of the posts within reach
    (`planner.relaxation.lp_chains`, which the LP took), when the caller has them: the posts
    are not sorted again."""
    micro = ~items.macro & items.within_reach()
    groups = _MacroGroups.of(items, value)
    # Exact LP of what is left after a macro state: the remaining macro posts and the micro posts,
    # each a Dantzig chain, linked by the macro band. The macro posts are sorted once; each
    # chain keeps those of groups g, g+1, ... in that order.
    every = Prepared(
        DantzigChain.of_items(items, value, micro) if chains is None else chains[0],
        groups,
        RestChains(items, value, groups, None if chains is None else chains[1].idx),
        _LazyEnvelopes(items, value, micro),
        _LazyEnvelopes(items, value, items.macro),
        _whole_cost(items, np.flatnonzero(items.macro)),
    )
    return every.within(items, value)


def _setup(
    items: PostItems,
    value: np.ndarray,
    duals: Duals,
    lower_bound: float,
    target_gap: float,
    prepared: Prepared | None = None,
) -> _Search:
    lam0 = max(duals.budget, 0.0)
    lams = lam0 * _LAMBDA_FACTORS if lam0 > 0 else np.array([0.0])
    ready = prepared.within(items, value) if prepared is not None else prepare(items, value)
    return _Search(
        items=items,
        value=value,
        target_gap=target_gap,
        groups=ready.groups,
        micro_idx=ready.micro_chain.idx,
        micro_chain=ready.micro_chain,
        rest_macro=ready.rest_macro,
        micro_envelopes=ready.micro_envelopes,
        lagrangian=_LagrangianBound(
            items, duals, lams, ready.groups, ready.micro_chain, ready.micro_envelopes
        ),
        at_lp=int(np.argmin(np.abs(lams - lam0))),
        best=lower_bound,
    )


def _macro_phase(search: _Search, beam: int | None = None) -> _MacroStates | None:
    """Macro influencers as groups of 0..m posts; None when the states outgrow the limit. With
    `beam`, only that many states (the best bounds) are kept after each group: a heuristic."""
    items, lagrangian = search.items, search.lagrangian
    mmin, mmax = items.macro_min, items.macro_max
    caps = [c for c in (items.max_macro, items.max_influencers) if c is not None]
    kmax = min(caps) if caps else 1 << 40
    s_cost = np.zeros(1, dtype=np.int64)
    s_value = np.zeros(1)
    s_count = np.zeros(1, dtype=np.int64)
    history: list[tuple[np.ndarray | None, np.ndarray | int]] = []
    # Reduced-cost fixing for macro influencers: an option (number of posts) whose Lagrangian
    # profit falls short of the group's best by more than the root bound's slack over the best
    # plan cannot lead to a better plan.
    at_lp = search.at_lp
    lp_rows = slice(at_lp, at_lp + 1)
    lam, mu = lagrangian.lams[at_lp], lagrangian.mu
    rho = lagrangian.duals.macro_count + lagrangian.duals.count
    empty = np.zeros(1, dtype=np.int64)
    top = float(lagrangian(empty, np.zeros(1), empty, 0, lp_rows)[0])
    window = top - search.threshold
    groups = search.groups
    profit = groups.profit(np.array([lam + mu]), rho)[0]
    loss = _last_axis_max(profit)[:, None] - profit  # inf past each group's m
    allowed = loss < window
    # The largest bound of each group's options fixed away (-inf: none).
    fixed = top - np.where(allowed, np.inf, loss).min(axis=1)
    n_allowed = allowed.sum(axis=1)
    # Groups with one option left are decided: every state takes the same posts and stays
    # Pareto-optimal, so a run of them is added to every state at once. (States past the band's
    # top or the caps are dropped where they are next filtered: their successors or the last
    # states. Spend and count only grow.)
    took_decided = np.argmax(allowed, axis=1)
    decided_cost = groups.cost * took_decided
    decided_value = groups.value[np.arange(len(groups)), took_decided]
    branching = np.flatnonzero(n_allowed != 1).tolist()
    # log2 of the combinations of the open groups from each one on (meeting in the middle).
    rest_log = np.cumsum(np.log2(np.maximum(n_allowed[branching], 1))[::-1])[::-1]
    unpruned = False  # whether the last open group's step kept nearly every successor
    step = _MacroStep(search)
    done = 0  # groups before this one are in the states
    for at, g in enumerate([*branching, len(groups)]):
        search.drop(fixed[done : g + 1])
        if g > done:
            s_cost = s_cost + int(decided_cost[done:g].sum())
            s_value = s_value + float(decided_value[done:g].sum())
            s_count = s_count + int(np.count_nonzero(took_decided[done:g]))
            history.extend((None, x) for x in took_decided[done:g].tolist())
        if g == len(groups):
            break
        if (
            unpruned
            and beam is None
            and not caps
            and s_cost.size >= _MEET_STATES
            and rest_log[at] <= math.log2(s_cost.size)
        ):
            # The open groups left have no more choices than there are states: all of them
            # (`_macro_rest`), then every state with every choice (`_meet`), instead of a step
            # per group; on a rate card, where no state beats another and every bound is the
            # LP's until the last group, 16 open groups made 2^16 states a group at a time.
            decided = np.ones(len(groups) - g, dtype=bool)
            decided[np.array(branching[at:]) - g] = False
            extra = int(decided_cost[g:][decided].sum())
            rest = _macro_rest(search, branching[at:], allowed, int(s_cost.min()) + extra)
            if rest is not None:
                search.drop(fixed[g + 1 :])
                s_cost, s_value, s_count, meet = _meet(
                    search,
                    s_cost + extra,
                    s_value + float(decided_value[g:][decided].sum()),
                    s_count + int(np.count_nonzero(took_decided[g:][decided])),
                    rest,
                )
                taken = iter(meet)
                history.extend(
                    (None, int(took_decided[h])) if n_allowed[h] == 1 else next(taken)
                    for h in range(g, len(groups))
                )
                break
        done = g + 1
        options = np.flatnonzero(allowed[g])
        # The step compiled (`_MacroStep`: successors, dominance, bounds, drops), with or
        # without caps. (Uncapped, it was successors and dominance compiled and the bounds in
        # numpy: a third of a 5,000-row rate-card split curve's macro phases went on the calls
        # around them.)
        new_cost, new_value, new_count, parent, took, bound, made = step(
            s_cost, s_value, s_count, g, options
        )
        # (Without caps and with enough states, the open groups left may be met in the middle.)
        unpruned = not caps and new_cost.size >= max(_MEET_STATES, 0.9 * made)
        if beam is not None and new_cost.size > beam:  # (in their order)
            pick = np.sort(np.argpartition(-bound, beam)[:beam])
            new_cost, new_value, new_count = new_cost[pick], new_value[pick], new_count[pick]
            parent, took = parent[pick], took[pick]
            search.beam_cut = True
        s_cost, s_value, s_count = new_cost, new_value, new_count
        history.append((parent, took))
        if search.out_of_room(s_cost.size):
            return None
        if s_cost.size == 0:
            break
    in_band = np.flatnonzero((s_cost >= mmin) & (s_cost <= mmax) & (s_count <= kmax))
    if items.max_influencers is None:
        keep = in_band[_pareto(s_cost[in_band], s_value[in_band])]
    else:  # fewer influencers leave room for more micro ones: states compete per count
        keep = in_band[_pareto_counted(s_cost[in_band], s_value[in_band], s_count[in_band])]
    return _MacroStates(s_cost[keep], s_value[keep], s_count[keep], keep, history)


# The macro phase meets in the middle once it has this many states and its last step pruned
# almost none, when the open groups left have no more combinations than it has states.
_MEET_STATES = 256
# ... blocks of this many pairs of states are judged at once.
_MEET_BLOCK = 1 << 18


@dataclass(frozen=True)
class _RestStates:
    """Every choice of some open macro groups (`_macro_rest`): spend, engagement and
    influencers of each, and the posts each takes of every group."""

    groups: list[int]
    cost: np.ndarray
    value: np.ndarray
    count: np.ndarray
    took: np.ndarray  # [choice, position in `groups`]


def _macro_rest(
    search: _Search, open_groups: list[int], allowed: np.ndarray, least: int
) -> _RestStates | None:
    """The choices of the macro groups `open_groups` (each option `allowed`) that a state of
    spend at least `least` may still take (within the band's top), none beaten by another: one
    beats another when it spends no more and earns at least as much and every state meets the
    band's bottom with it (or it spends the same). None when there are more than _MEET_BLOCK."""
    groups, items = search.groups, search.items
    top, bottom = items.macro_max - least, items.macro_min - least
    cost = np.zeros(1, dtype=np.int64)
    value = np.zeros(1)
    count = np.zeros(1, dtype=np.int64)
    took = np.zeros((1, 0), dtype=np.int64)
    for g in open_groups:
        options = np.flatnonzero(allowed[g])
        new_cost = (cost[None, :] + int(groups.cost[g]) * options[:, None]).ravel()
        new_value = (value[None, :] + groups.value[g][options][:, None]).ravel()
        new_count = (count[None, :] + (options > 0)[:, None]).ravel()
        parent = np.tile(np.arange(cost.size), options.size)
        posts = np.repeat(options, cost.size)
        ok = np.flatnonzero(new_cost <= top)
        sel = ok[_pareto_by_count(new_cost[ok], new_value[ok], new_count[ok], False, bottom)]
        cost, value, count = new_cost[sel], new_value[sel], new_count[sel]
        took = np.column_stack([took[parent[sel]], posts[sel]])
        if cost.size > _MEET_BLOCK:
            return None
    return _RestStates(open_groups, cost, value, count, took)


def _meet(
    search: _Search,
    s_cost: np.ndarray,
    s_value: np.ndarray,
    s_count: np.ndarray,
    rest: _RestStates,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[tuple[np.ndarray, np.ndarray]]]:
    """The macro states after the last group: each of `s_cost`, ... (every group before
    `rest.groups` decided, and every other group after) with each of `rest`'s choices, those
    in the band and above the threshold by the bound the phase's last step takes (the micro
    posts' LP). Returns them and the history entries of `rest.groups` (the first one's parent
    is the state; the later ones keep it)."""
    items, groups = search.items, search.groups
    per_block = max(1, _MEET_BLOCK // rest.cost.size)
    pairs = []
    for start in range(0, s_cost.size, per_block):
        block = slice(start, min(start + per_block, s_cost.size))
        cost = (s_cost[block][:, None] + rest.cost[None, :]).ravel()
        value = (s_value[block][:, None] + rest.value[None, :]).ravel()
        where = np.flatnonzero((cost >= items.macro_min) & (cost <= items.macro_max))
        # (no caps: every count zero for the Lagrangian bound, as the states' counts are
        # not charged)
        none = np.zeros(where.size, dtype=np.int64)
        bound = _macro_bounds(search, len(groups), cost[where], value[where], none)
        live = bound > search.threshold
        search.drop(bound[~live])
        pairs.append(start * rest.cost.size + where[live])
    pair = np.concatenate(pairs)
    state, choice = pair // rest.cost.size, pair % rest.cost.size
    kept = np.arange(pair.size)
    history = [(state if i == 0 else kept, rest.took[choice, i]) for i in range(len(rest.groups))]
    return (
        s_cost[state] + rest.cost[choice],
        s_value[state] + rest.value[choice],
        s_count[state] + rest.count[choice],
        history,
    )


def _macro_bounds(
    search: _Search,
    g: int,
    cost: np.ndarray,
    value: np.ndarray,
    count: np.ndarray,
    lagrangian_everywhere: bool = False,
) -> np.ndarray:
    """Bounds of macro states with groups before `g` decided: the exact LP bound where the band
    decides the split (`macro_bound`), else, and with `lagrangian_everywhere` (the caps) no
    more than, the Lagrangian bound."""
    items = search.items
    bound = search.rest_macro[g].macro_bound(
        cost, value, search.micro_chain, items.budget, items.macro_min, items.macro_max
    )
    loose = np.isnan(bound) | lagrangian_everywhere
    if np.any(loose):
        bound[loose] = np.fmin(
            bound[loose], search.lagrangian(cost[loose], value[loose], count[loose], g, slice(None))
        )
    return bound


class _MacroStep:
    """One step of the macro phase before its beam: the states each taking every allowed
    option of group g (number of posts), option by option; those past the band's top or the
    caps left out; the undominated (`_pareto_by_count`); their bounds (the LP bound where the
    band decides the split, else, and under caps always, no more than the Lagrangian bound);
    those above the threshold kept, in that order, the largest bound of the others dropped
    (`search.drop`). Returns the kept states' spend, engagement, count, parent, posts taken and
    bound, and how many successors it made (within the band's top and the caps, before
    dominance and bounds). Compiled (`kernels.macro_step`); in numpy (`numpy`) where the
    dominance check's key does not fit in 64 bits."""

    def __init__(self, search: _Search) -> None:
        self.search = search
        items, lagrangian = search.items, search.lagrangian
        self.caps = [c for c in (items.max_macro, items.max_influencers) if c is not None]
        self.kmax = min(self.caps) if self.caps else 1 << 40
        self.band = np.array(
            [items.budget, items.macro_min, items.macro_max, self.kmax], dtype=np.int64
        )
        self.cap_codes = np.array(
            [bool(self.caps)]
            + [-1 if c is None else c for c in (items.max_macro, items.max_influencers)],
            dtype=np.int64,
        )
        chain = search.micro_chain
        self.micro = (chain.cum_cost, chain.cum_value, chain.ratio)
        duals = lagrangian.duals
        self.prices = (
            lagrangian.lams,
            lagrangian.group_suffix,
            lagrangian.micro_rest,
            np.array([duals.macro_max, duals.macro_min, duals.macro_count, duals.count]),
        )

    def __call__(
        self,
        s_cost: np.ndarray,
        s_value: np.ndarray,
        s_count: np.ndarray,
        g: int,
        options: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.int64]:
        search, groups = self.search, self.search.groups
        fitted, *stepped, dropped, made = macro_step(
            s_cost,
            s_value,
            s_count,
            options,
            int(groups.cost[g]),
            groups.value[g],
            self.band,
            self.cap_codes,
            search.rest_macro.every,
            g + 1,
            self.micro,
            self.prices,
            search.threshold,
        )
        if not fitted:
            return self.numpy(s_cost, s_value, s_count, g, options)
        if dropped > search.dropped_bound:
            search.dropped_bound = dropped
        new_cost, new_value, new_count, parent, took, bound = stepped
        return new_cost, new_value, new_count, parent, took, bound, np.int64(made)

    def numpy(
        self,
        s_cost: np.ndarray,
        s_value: np.ndarray,
        s_count: np.ndarray,
        g: int,
        options: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.int64]:
        """The step in numpy (the compiled step's definition)."""
        search, groups, caps = self.search, self.search.groups, self.caps
        items = search.items
        mmin, mmax = items.macro_min, items.macro_max
        cost, cum_value = int(groups.cost[g]), groups.value[g]
        # Successors option by option: each option's run keeps the states' order (count, then
        # spend), which the sort in `_pareto_by_count` finds.
        new_cost = (s_cost[None, :] + cost * options[:, None]).ravel()
        new_value = (s_value[None, :] + cum_value[options][:, None]).ravel()
        new_count = (s_count[None, :] + (options > 0)[:, None]).ravel()
        parent = np.tile(np.arange(s_cost.size), options.size)
        took = np.repeat(options, s_cost.size)
        ok = np.flatnonzero((new_cost <= mmax) & (new_count <= self.kmax))
        # Dominated states first (what a state's completions can earn, a state that beats it
        # earns too: its bound covers theirs), then the bounds of the rest, in their order.
        sel = ok[_pareto_by_count(new_cost[ok], new_value[ok], new_count[ok], bool(caps), mmin)]
        bound = _macro_bounds(
            search, g + 1, new_cost[sel], new_value[sel], new_count[sel], bool(caps)
        )
        live = bound > search.threshold
        search.drop(bound[~live])
        sel, bound = sel[live], bound[live]
        made = np.int64(ok.size)
        return new_cost[sel], new_value[sel], new_count[sel], parent[sel], took[sel], bound, made


def _greedy_completions(
    search: _Search, states: _MacroStates, complete: Completion
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
        worth = plan_value(search.value, plan)
        if worth > search.best:
            search.best, search.best_plan = worth, plan
    live = bound > search.threshold
    search.drop(bound[~live])
    return states.keep(live)


def _micro_pass(
    search: _Search, s_cost: np.ndarray, s_value: np.ndarray, *, core_size: int | None
) -> _MicroResult:
    """Micro posts in order of engagement per dollar, from the given macro states.

    Reduced-cost fixing (the "core" of Martello, Pisinger & Toth): with a budget price lambda,
    any plan from a state s is worth at most v_s + lambda (B - c_s) + the sum of positive reduced
    costs, less |reduced cost| of every micro post it decides against its sign; with each state's
    own break price that is its exact LP bound. Posts whose |reduced cost| alone sinks every state
    below the best plan are fixed, and the programme steps through the rest. With `core_size`,
    only that many posts nearest the break are stepped through and nothing is certified, unless
    no state's certified window holds more than `core_size` posts: then the pass is the certified
    one (`certified` on its result).
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
    certified = True  # whether every window is the certified one
    for s_i, price in enumerate(prices):
        reduced = m_value - price * m_cost
        rooms = budget - (s_cost if prices.size == 1 else s_cost[s_i : s_i + 1])
        values = s_value if prices.size == 1 else s_value[s_i : s_i + 1]
        top = float(np.max(values + price * rooms)) + float(np.maximum(reduced, 0.0).sum())
        window = top - best * (1 + target_gap)
        if core_size is not None:
            # The core_size posts nearest the break: where the certified window holds no
            # more, it is that window, and this pass the certified one.
            nearest = float(np.partition(np.abs(reduced), core_size)[core_size])
            certified &= nearest >= window
            window = min(window, nearest)
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
    # One price for every state: its bound goes on fixing posts as the best plan rises.
    fixing = (top, float(prices[0])) if prices.size == 1 else (math.inf, 0.0)
    found = _expanding_core(search, cost[core], value[core], s_cost, s_value, best, fixing)
    if found.status == "gave_up":
        return _MicroResult("gave_up", certified)
    dropped_bound = max(dropped_bound, found.dropped_bound)
    if found.status == "nothing_better":
        return _MicroResult("nothing_better", certified, dropped_bound=dropped_bound)
    assert found.taken is not None  # ("found")
    chosen = np.zeros(items.owner.size, dtype=bool)
    chosen[core[found.taken]] = True
    chosen[fixed_in] = True
    state = int(origin[found.state])
    return _MicroResult("found", certified, chosen, found.value, state, dropped_bound)


# Steps of the expanding core done per call of the compiled kernel: the states after each call
# are kept, so that the plan can be rebuilt from the 64 decisions each state remembers.
_CORE_CHUNK = 64
# ... and over the first _CORE_CHUNK steps, every two steps once it has this many states.
_PAIR_OFTEN = 128
# The bound of the break weight's multiples (`planner.kernels.multiple_prices`) with its largest
# kappa times each of these (and each its largest gamma): on the circle class at 10,000 items,
# 1 alone leaves 7.4 million states to make, these 2.9 million (docs/benchmarks.md).
_MULTIPLE_SHARES = np.array([1.0, 0.97, 0.9, 0.8])
# The expanding core gives up past this many states generated in all (a few seconds; the
# states kept every _CORE_CHUNK steps then hold at most ~100 MB).
_CORE_MAX_WORK = 300_000_000


def _expanding_core(
    search: _Search,
    cost: np.ndarray,
    value: np.ndarray,
    s_cost: np.ndarray,
    s_value: np.ndarray,
    best: float,
    fixing: tuple[float, float] = (math.inf, 0.0),
) -> _CoreResult:
    """The best plan of a 0/1 knapsack over items by falling value per cent (the micro posts
    of the core) from the given starting states (spend, value), if one beats `best` by more than
    the target gap: Pisinger's expanding core (`planner.kernels.core_steps`) over the items, or
    over their bundles where many are alike (`_Bundles`). `fixing` (top, price): every plan is
    worth at most top less the reduced cost (at that budget price) of each item it changes from
    its break solution, which fixes items as the best plan rises (inf: none)."""
    bundles = _Bundles.of(cost, value)
    if bundles is None:
        return _core_search(search, cost, value, s_cost, s_value, best, fixing)
    found = _core_search(search, bundles.cost, bundles.value, s_cost, s_value, best, fixing)
    if found.taken is None:
        return found
    taken = bundles.items_taken(found.taken)
    worth = float(value[taken].sum() + s_value[found.state])
    return dataclasses.replace(found, taken=taken, value=worth)


# Items alike (same price and engagement) are bundled when at least this share of them would go.
_BUNDLE_SAVING = 0.25


@dataclass(frozen=True)
class _Bundles:
    """Items alike as bundles of 1, 2, 4, ... of them: m alike 0/1 items are one item bought
    0..m times, and every count is one sum of these bundles (the bounded knapsack's binary
    split; Martello & Toth 1990, 3.2). The bundles' knapsack has the same spends and values,
    so the same best plan and the same LP bounds (a bundle's value per cent is its items');
    the expanding core steps through ~log2(m) bundles instead of m items. Pisinger's spanner
    classes have 20 distinct items among 10,000; a rate card repeats prices too."""

    cost: np.ndarray  # per bundle, by falling value per cent
    value: np.ndarray
    first: np.ndarray  # per bundle: its group's first item, a position in `order`
    size: np.ndarray  # per bundle: how many items
    order: np.ndarray  # the items, alike ones together, still by falling value per cent

    @classmethod
    def of(cls, cost: np.ndarray, value: np.ndarray) -> _Bundles | None:
        """The bundles of items by falling value per cent; None when too few are alike."""
        n = cost.size
        if n < 2:
            return None
        # Alike items have the same value per cent: among equal ratios, by price and value.
        order = np.lexsort((value, cost, -(value / np.maximum(cost, 1))))
        c, v = cost[order], value[order]
        new = np.concatenate([[True], (c[1:] != c[:-1]) | (v[1:] != v[:-1])])
        starts = np.flatnonzero(new)
        sizes = np.diff(np.append(starts, n))
        # Bundles per group: 1, 2, 4, ... while they fit, then the rest.
        pieces = np.floor(np.log2(sizes + 1)).astype(np.int64)
        full = (1 << pieces) - 1
        rest = sizes - full
        per_group = pieces + (rest > 0)
        if per_group.sum() > (1 - _BUNDLE_SAVING) * n:
            return None
        group = np.repeat(np.arange(starts.size), per_group)
        at = np.arange(group.size) - np.repeat(np.cumsum(per_group) - per_group, per_group)
        size = np.where(at < pieces[group], 1 << np.minimum(at, 62), rest[group])
        return cls(c[starts][group] * size, v[starts][group] * size, starts[group], size, order)

    def items_taken(self, taken: np.ndarray) -> np.ndarray:
        """Which items a plan over the bundles takes: as many of each group's as its bundles
        hold, the first ones in `order` (alike items, so any would do)."""
        n = self.order.size
        count = np.zeros(n, dtype=np.int64)  # at each group's first position
        np.add.at(count, self.first[taken], self.size[taken])
        starts = np.zeros(n, dtype=bool)
        starts[self.first] = True
        head = np.maximum.accumulate(np.where(starts, np.arange(n), 0))  # each one's group first
        chosen = np.zeros(n, dtype=bool)
        chosen[self.order] = np.arange(n) - head < count[head]
        return chosen


def _core_search(
    search: _Search,
    cost: np.ndarray,
    value: np.ndarray,
    s_cost: np.ndarray,
    s_value: np.ndarray,
    best: float,
    fixing: tuple[float, float],
) -> _CoreResult:
    """`_expanding_core` over the given items.

    Each state remembers only its last 64 decisions, so the states are kept every 64 steps: the
    plan's ancestor there is the state of its spend less that of its known decisions (one state
    per spend), whose own bits go 64 steps further back, and so on to the start."""

    budget = search.items.budget
    n = cost.size
    if s_cost.size == 0:
        return _CoreResult("nothing_better")
    chain = DantzigChain(cost, value)
    cum_cost, cum_value, ratio = chain.cum_cost.astype(np.int64), chain.cum_value, chain.ratio
    # The break of the most promising state: the core grows from it, right and left in turn.
    top = int(np.argmax(s_value + chain.value_at(budget - s_cost)))
    brk = min(max(int(np.searchsorted(cum_cost, budget - s_cost[top], side="right")) - 1, 0), n)
    rights, lefts = np.arange(brk, n), np.arange(brk - 1, -1, -1)
    both = min(rights.size, lefts.size)
    sequence = np.concatenate(
        [np.column_stack([rights[:both], lefts[:both]]).ravel(), rights[both:], lefts[both:]]
    ).astype(np.int64)
    adds = sequence >= brk
    right = brk + np.cumsum(adds)  # after step k the items left[k]..right[k]-1 are decided
    left = brk - np.cumsum(~adds)
    step_cost = np.where(adds, cost[sequence], -cost[sequence])
    # Starting states: each with the break solution, sorted by spend, each beating the cheaper.
    order = _pareto(s_cost, s_value)
    order = order[np.argsort(s_cost[order], kind="stable")]
    start_cost = s_cost[order] + int(cum_cost[brk])
    start_value = s_value[order] + float(cum_value[brk])

    states = (
        start_cost,
        start_value,
        np.zeros(start_cost.size, dtype=np.uint64),
        np.arange(start_cost.size, dtype=np.int64),
    )
    found_value, found_cost, found_bits, found_origin, found_step = best, 0, 0, -1, -2
    feasible = np.flatnonzero(start_cost <= budget)
    if feasible.size and float(start_value[feasible].max()) > best:
        at = int(feasible[np.argmax(start_value[feasible])])
        found_value, found_cost, found_origin, found_step = float(start_value[at]), 0, at, -1
    kept: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # step -> (spend, bits) after it
    dropped, work, first = -np.inf, 0, 0
    by_cost = np.argsort(cost, kind="stable")
    # The lightest item from each position on, for `core_steps`' whole-item bound (a sentinel
    # past the last).
    right_min = np.minimum.accumulate(np.append(cost, np.iinfo(np.int64).max)[::-1])[::-1]
    right_min = right_min.astype(np.int64)
    # The break item's weight, for `core_steps`' multiples (no item: no step either).
    omega = int(cost[min(brk, n - 1)]) if n else 1
    paired = -1  # the item outside the core that completes the best plan found (-1: none)
    # The largest bound of a plan that changes the item of step k or a later one from the break
    # solution (`fixing`, as `core_steps` reckons it): once the best plan is above it, every
    # step left would be fixed and keep every state as it is, so the search ends there (on a
    # rate card, ties at the break made 65,000 states that 320 fixed steps carried to the end).
    fix_top, fix_price = fixing
    reduced = value[sequence] - fix_price * cost[sequence]
    changed = fix_top - np.maximum(np.where(adds, -reduced, reduced), 0.0)
    changed_after = np.maximum.accumulate(changed[::-1])[::-1]
    while first < sequence.size and states[0].size:
        if changed_after[first] <= found_value * (1 + search.target_gap):
            dropped = max(dropped, float(changed_after[first]))
            break
        # (The first 64 steps in eighths, each paired: a better plan soon prunes the most; two
        # at a time once there are _PAIR_OFTEN states. On a rate card's near-ties, in eighths
        # the states grew to 65,000 before the pairing met the best plan; two at a time, to
        # 22,000. With few states a call costs more than its steps.)
        if first >= _CORE_CHUNK:
            upto = first + _CORE_CHUNK
        else:
            upto = min(_CORE_CHUNK, first + (2 if states[0].size >= _PAIR_OFTEN else 8))
        upto = min(sequence.size, upto)
        s, t = (int(left[first - 1]), int(right[first - 1])) if first else (brk, brk)
        prices = multiple_prices(cost, value, float(ratio[brk]), omega, s, t, _MULTIPLE_SHARES)
        result = core_steps(
            cost, value, cum_cost, cum_value, ratio, sequence, left, right, brk,
            first, upto, *states, budget, found_value, search.target_gap, MAX_STATES,
            *fixing, right_min, omega, *prices,
        )  # fmt: skip
        states = result[:4]
        dropped = max(dropped, result[9])
        work += result[10]
        if result[11] or work > _CORE_MAX_WORK or time.monotonic() > search.deadline:
            return _CoreResult("gave_up")
        if result[8] >= 0:
            found_value, found_cost, found_bits, found_origin, found_step = result[4:9]
            paired = -1
        if upto % _CORE_CHUNK == 0 or upto == sequence.size:
            kept[upto - 1] = (states[0], states[2])
        # Each state completed by one item outside the core: good plans early, long before the
        # core reaches their items (the circle class's best plan gives up a light item far left).
        pair_value, state, item = pair_states(
            cost, value, by_cost, int(left[upto - 1]), int(right[upto - 1]),
            states[0], states[1], budget, found_value,
        )  # fmt: skip
        if state >= 0:
            found_value, found_step, paired = pair_value, upto - 1, int(item)
            found_cost, found_bits = int(states[0][state]), states[2][state]
            found_origin = int(states[3][state])
        first = upto
    if found_step == -2:
        return _CoreResult("nothing_better", dropped_bound=dropped)

    flipped = np.zeros(n, dtype=bool)  # items whose decision differs from the break solution
    step, spend, bits = int(found_step), int(found_cost), np.uint64(found_bits)
    while step >= 0:
        back = step + 1 if step < _CORE_CHUNK else step % _CORE_CHUNK + 1  # steps the bits hold
        known = step - np.arange(back)
        took = ((bits >> np.arange(back).astype(np.uint64)) & np.uint64(1)) == 1
        flipped[sequence[known[took]]] = True
        spend -= int(step_cost[known[took]].sum())
        step -= back
        if step < 0:
            break
        at_cost, at_bits = kept[step]  # the ancestor: the one state of that spend
        at = int(np.searchsorted(at_cost, spend))
        if at >= at_cost.size or at_cost[at] != spend:  # pragma: no cover - states are kept
            raise RuntimeError("internal error: a plan's ancestor state is missing")
        bits = at_bits[at]
    if paired >= 0:
        flipped[paired] = True
    taken = (np.arange(n) < brk) ^ flipped
    origin = int(order[found_origin])
    worth = float(value[taken].sum() + s_value[origin])
    return _CoreResult("found", taken, worth, origin, dropped)


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
    """Macro states no other beats (of the same count, when `by_count`). Below the band's
    bottom, spending less is not better (the plan must still reach the bottom), so there only
    states of equal spend compete. In order of count, then the states that reach the bottom
    before those that do not, each by spend (of equal states the first in index order).

    Count, short and spend make one integer key, sorted stably: states that come as runs
    already in that order (a macro step's successors, one run per option) sort in about
    linear time, where sorting by the key and engagement together took ~20 times longer."""
    if cost.size == 0:
        return np.zeros(0, dtype=np.int64)
    counts = count if by_count else np.zeros(cost.size, dtype=np.int64)
    short = cost < macro_min
    span = int(cost.max()) + 1
    if (int(counts.max()) + 1) * 2 * span < 1 << 62 and int(cost.min()) >= 0:
        key = (counts.astype(np.int64) * 2 + short) * span + cost
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
    else:  # (a key that does not fit in 64 bits: its parts, one sort each, then their ranks)
        order = np.lexsort((cost, short, counts))
        parts = np.stack([counts[order], short[order], cost[order]])
        sorted_key = np.concatenate(
            [[0], np.cumsum(np.any(parts[:, 1:] != parts[:, :-1], axis=0))]
        ).astype(np.int64)
    keep = pareto_runs(sorted_key, value[order], counts[order].astype(np.int64), short[order])
    return order[keep]


def _pareto_counted(cost: np.ndarray, value: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Indices of the states no state of the same count beats (no more spend and at least the
    engagement; of equal states the first is kept), vectorised over counts."""
    if cost.size == 0:
        return np.zeros(0, dtype=np.int64)
    order = np.lexsort((-value, cost, count))
    v, n = value[order], count[order].astype(np.int64)
    # Rank by value, equal values later in `order` ranked lower so that they count as beaten.
    rank = np.empty(v.size, dtype=np.int64)
    rank[np.lexsort((-np.arange(v.size), v))] = np.arange(v.size)
    key = rank + (n - n[0]) * (v.size + 1)  # counts ascending: each count's keys above the last
    best_before = np.maximum.accumulate(key)
    keep = np.empty(v.size, dtype=bool)
    keep[0] = True
    keep[1:] = (key[1:] > best_before[:-1]) | (n[1:] != n[:-1])
    return order[keep]


class _Steps:
    """The capped micro phase's history: for each step, each state's parent in the step before
    and the posts it took, in flat arrays that grow by doubling (read back by the compiled
    `planner.kernels.trace_back`, whose time grows with the steps alone)."""

    def __init__(self) -> None:
        self.parent = np.empty(1 << 12, dtype=np.int32)
        self.took = np.empty(1 << 12, dtype=np.int32)
        self.offsets = np.zeros(1 << 8, dtype=np.int64)  # step t's states start at offsets[t]
        self.steps = 0

    def append(self, parent: np.ndarray, took: np.ndarray) -> None:
        start = int(self.offsets[self.steps])
        end = start + parent.size
        if end > self.parent.size:
            size = max(end, 2 * self.parent.size)
            self.parent = np.resize(self.parent, size)
            self.took = np.resize(self.took, size)
        if self.steps + 2 > self.offsets.size:
            self.offsets = np.resize(self.offsets, 2 * self.offsets.size)
        self.parent[start:end] = parent
        self.took[start:end] = took
        self.steps += 1
        self.offsets[self.steps] = end


def _counted_core(
    search: _Search,
    states: _MacroStates,
    room: np.ndarray,
    left: np.ndarray,
    allowed_none: np.ndarray,
    allowed_post: np.ndarray,
    lam: float,
    rho: float,
    best_profit: np.ndarray,
    loss_post: np.ndarray,
    max_states: int = _COUNTED_MAX_STATES,
) -> DPResult | None:
    """The certified capped micro phase as an expanding core (Pisinger's, with a count): every
    micro influencer starts at the choice that is best at the most promising row's prices
    (lambda per cent, rho per influencer: the break solution of the Lagrangian relaxation), and
    the influencers still open are changed one at a time, least regret first. The caller's
    reduced-cost fixing has worked out that row: each influencer's best reduced profit
    `best_profit` (0: no post) and each option's loss against it `loss_post` (the loss of no
    post is `best_profit`).

    A state is a whole plan: its macro state, the changes so far, the rest at the break. Its
    Lagrangian bound is L_s - loss, L_s its macro state's bound at these prices and loss what
    its changes cost in reduced profit; a plan that changes anything more loses at least the
    next influencer's regret as well, and one that changes nothing more is the state itself
    (a plan when it fits the budget and the cap). At other prices (lambda', rho') around these
    the bound is the state's engagement + lambda' (B - spend) + rho' (K - count) + what the
    influencers still to come could gain by leaving their break choice: the smallest over a
    grid of them (`_LAMBDA_FACTORS` x `_RHO_FACTORS`) judges states the break's prices judge
    loosely (over the budget, under the cap). A state is dropped once its bound cannot beat
    the best plan, and the search ends when no state is left, usually long before the last
    open influencer: a 5,000-row roster with a cap of 200 at $135,000 ends after 150 of 1,109
    (0.6 s), where stepping through them by value per dollar outgrew its limit after 128 and
    HiGHS took 13 s (without the grid: 359 steps, 85 million states made, 6 s). Returns None
    when the states outgrow the limits (the caller steps through them instead), having given
    `search` the bound it held then (`_Search.give_up`); any better plan found is kept in
    `search` either way."""
    items, value, env = search.items, search.value, search.micro_env
    budget, cap = items.budget, int(items.max_influencers or 0)
    k, group_of, starts = env.k, env.group_of, env.starts
    top = states.value + lam * room + rho * left + float(best_profit.sum())  # L_s
    threshold = search.threshold
    window = float(top.max()) - threshold
    if window <= 0:
        search.drop(np.array([float(top.max())]))
        return _result(search)
    loss_none = best_profit
    open_none = allowed_none & (loss_none < window)
    open_post = allowed_post & (loss_post < window)
    closed = np.concatenate(
        [loss_none[allowed_none & ~open_none], loss_post[allowed_post & ~open_post]]
    )
    if closed.size:
        search.drop(np.array([float(top.max()) - float(closed.min())]))
    # The break choice of each influencer (its best at these prices: no loss) and the options
    # left open beside it.
    zero = np.flatnonzero((loss_post == 0) & (best_profit[group_of] > 0))
    xstar = np.zeros(env.groups, dtype=np.int64)
    first_zero = np.full(env.groups, np.iinfo(np.int64).max)
    np.minimum.at(first_zero, group_of[zero], k[zero])
    has = first_zero < np.iinfo(np.int64).max
    xstar[has] = first_zero[has] + 1
    is_break_post = (k + 1) == xstar[group_of]
    other_post = open_post & ~is_break_post
    other_none = open_none & (xstar > 0)
    n_other = other_none.astype(np.int64) + np.add.reduceat(other_post.astype(np.int64), starts)
    regret = np.minimum(
        np.where(other_none, loss_none, np.inf),
        np.minimum.reduceat(np.where(other_post, loss_post, np.inf), starts),
    )
    order = np.flatnonzero(n_other > 0)
    order = order[np.argsort(regret[order], kind="stable")]
    price = env.cost[starts].astype(np.int64)  # a post's price, per influencer
    f_star = np.where(xstar > 0, env.cum_value[starts + np.maximum(xstar - 1, 0)], 0.0)
    # Other prices around these, and what the open influencers could gain at each by leaving
    # their break choice: rest[r, t] for the influencers from step t on.
    if order.size > _COUNTED_CORE_OPEN:
        return None
    grid = np.meshgrid(lam * _LAMBDA_FACTORS, rho * _RHO_FACTORS, indexing="ij")
    pairs = np.unique(np.stack([grid[0].ravel(), grid[1].ravel()]), axis=1)
    pairs = np.maximum(pairs[:, (pairs[0] != lam) | (pairs[1] != rho)], 0.0)
    r_lam, r_rho = pairs[0].copy(), pairs[1].copy()
    lengths = env.lengths[order]
    first = np.cumsum(lengths) - lengths  # each open influencer's first post among `posts`
    posts = np.repeat(starts[order] - first, lengths) + np.arange(int(lengths.sum()))
    post_cost = ((k + 1) * env.cost)[posts]
    none_open = open_none[order]
    gain = np.zeros((r_lam.size, order.size))
    for r in range(r_lam.size):
        at_break = f_star[order] - r_lam[r] * (price * xstar)[order] - r_rho[r] * (xstar[order] > 0)
        profit_r = np.where(
            open_post[posts], env.cum_value[posts] - r_lam[r] * post_cost - r_rho[r], -np.inf
        )
        best_r = np.maximum.reduceat(profit_r, first) if order.size else np.zeros(0)
        best_r = np.where(none_open, np.maximum(best_r, 0.0), best_r)
        gain[r] = np.maximum(best_r - at_break, 0.0)
    rest = np.zeros((r_lam.size, order.size + 1))
    rest[:, :-1] = np.cumsum(gain[:, ::-1], axis=1)[:, ::-1]
    checked = -(-r_lam.size // _CORE_ROW_TURNS)  # rows a step checks, in turn
    live = top > threshold
    search.drop(top[~live])
    origin = np.flatnonzero(live)
    s_cost = states.cost[origin] + int((price * xstar).sum())
    s_count = states.count[origin] + int((xstar > 0).sum())
    s_value = states.value[origin] + float(f_star.sum())
    s_top = top[origin]
    sort = np.lexsort((-s_value, s_cost, s_count))
    origin, s_cost, s_count, s_value, s_top = (
        origin[sort], s_cost[sort], s_count[sort], s_value[sort], s_top[sort]
    )  # fmt: skip
    s_loss = np.zeros(origin.size)
    best = search.best
    best_at: tuple[int, int, int] | None = None  # (step, parent, posts) of the best plan found
    fits = (s_cost <= budget) & (s_count <= cap)
    if fits.any() and float(s_value[fits].max()) > best:
        start = int(np.flatnonzero(fits)[np.argmax(s_value[fits])])
        best, best_at = float(s_value[start]), (-1, start, -1)
    history = _Steps()
    took_posts: list[np.ndarray] = []
    work, gave_up = 0, False
    for t, g in enumerate(order):
        if s_cost.size == 0:
            break
        lo = int(starts[g])
        posts = np.flatnonzero(other_post[lo : lo + int(env.lengths[g])]) + 1
        x = np.concatenate([[xstar[g]], [0] if other_none[g] else [], posts]).astype(np.int64)
        f = np.where(x > 0, env.cum_value[lo + np.maximum(x - 1, 0)], 0.0)
        loss = np.where(x > 0, loss_post[lo + np.maximum(x - 1, 0)], loss_none[g])
        loss[0] = 0.0
        work += s_cost.size * x.size
        next_regret = float(regret[order[t + 1]]) if t + 1 < order.size else np.inf
        (s_cost, s_value, s_count, s_loss, s_top, parent, took, best, found_parent,
         found_option, dropped) = counted_core_step(
            s_cost, s_value, s_count, s_loss, s_top,
            price[g] * (x - xstar[g]), (x > 0).astype(np.int64) - int(xstar[g] > 0),
            f - f_star[g], loss, budget, cap, best, search.target_gap, next_regret,
            r_lam, r_rho, rest[:, t + 1].copy(), t * checked, checked,
        )  # fmt: skip
        search.drop(np.array([dropped]))
        if found_parent >= 0:
            best_at = (t, int(found_parent), int(x[found_option]))
        history.append(parent, took)
        took_posts.append(x)
        if s_cost.size > max_states or work > _COUNTED_CORE_WORK or search.out_of_room(s_cost.size):
            gave_up = True
            break
    if best_at is not None:
        plan = _core_plan(search, states, env, order, xstar, history, took_posts, origin, best_at)
        search.best, search.best_plan = float(value[plan].sum()), plan
    if gave_up:
        # Every plan a live state leads to either changes nothing more (the state itself, no
        # better than the best plan when it fits) or changes one of the influencers still to
        # come, at least the next one's regret at the break's prices and worth at most the
        # state's engagement and slack at each other row's prices plus what they could gain.
        changed = s_top - s_loss - next_regret
        for r in range(r_lam.size):
            other = s_value + r_lam[r] * (budget - s_cost) + r_rho[r] * (cap - s_count)
            changed = np.minimum(changed, other + rest[r, t + 1])
        search.give_up(float(changed.max()) if changed.size else -np.inf)
        return None
    return _result(search)


def _priced_plans(
    search: _Search,
    states: _MacroStates,
    bound: np.ndarray,
    room: np.ndarray,
    left: np.ndarray,
    complete: Completion,
) -> None:
    """The micro influencers' Lagrangian plans (`search.priced_plans`) for the most promising
    macro states (`bound`: their bounds; `room`, `left`: the budget and the influencers each
    leaves the micro ones), at their own price per influencer
    (`planner.relaxation.cap_price`), each completed (`complete`); one that beats the best plan
    is kept in `search`. Where the certified pass's first, brief step gives up, the
    best plan is often far from the optimum: on the 5,000-row roster of
    `benchmarks/browser_responsiveness.py --roster 5000` with at most 200 influencers at
    $110,000 (macro 0-100%), 6e-4 below it, where the beam searches, even of 100,000 states,
    found nothing better; the Lagrangian plans found the optimum, and the model was certified
    in 0.3 s, not 20 s with HiGHS (docs/benchmarks.md)."""
    if search.priced_plans is None:
        return
    value = search.value
    for state in np.argsort(-bound)[:_PRICED_STATES].tolist():
        if bound[state] <= search.threshold:
            break
        spare, count = int(room[state]), int(left[state])
        rho = search.cap_price(spare, count)
        if count <= 0 or rho <= 0:  # (the cap does not bind the state's LP: nothing to price)
            continue
        plans = search.priced_plans(search.micro_env, states.plan(search, state), spare, count, rho)
        for plan in plans[:_PRICED_COMPLETED]:
            done = complete(plan)
            worth = float(value[done].sum())
            if worth > search.best:
                search.best, search.best_plan = worth, done


def _core_plan(
    search: _Search,
    states: _MacroStates,
    env: Envelopes,
    order: np.ndarray,
    xstar: np.ndarray,
    history: _Steps,
    took_posts: list[np.ndarray],
    origin: np.ndarray,
    best_at: tuple[int, int, int],
) -> np.ndarray:
    """The plan of `_counted_core`'s best state: found at step `step` from state `parent` of
    the step before, taking `posts` of that step's influencer (step -1: a starting state)."""
    step, state, posts = best_at
    x = xstar.copy()
    if step >= 0:
        x[order[step]] = posts
    for t in range(step - 1, -1, -1):
        at = int(history.offsets[t]) + state
        x[order[t]] = took_posts[t][int(history.took[at])]
        state = int(history.parent[at])
    chosen = states.plan(search, int(origin[state]))
    k = env.k
    chosen[env.idx[k < x[env.group_of]]] = True
    return chosen


def _counted_micro_phase(
    search: _Search,
    states: _MacroStates,
    duals: Duals,
    complete: Completion,
    core_limit: int | None = None,
    beam: int | None = None,
    max_work: int = _COUNTED_MAX_WORK,
) -> DPResult:
    """Micro influencers as groups of 0..m posts when the number of influencers is capped.

    With any price rho per influencer and lambda per cent, every plan from state s is worth at
    most v_s + lambda (B - c_s) + rho (K - n_s) + sum_i max_x p_i(x), where
    p_i(x) = f_i(x) - lambda c_i x - rho [x > 0], less the loss max p_i - p_i(x_i) of each choice.
    Each state takes the prices of its smallest LP bound among a few: the model's LP price and
    multiples of the price that is best for the most promising state's own micro LP
    (`planner.relaxation.cap_price`), with the budget price at its break. Options whose loss
    alone sinks every state are fixed away (reduced-cost fixing by groups). The rest are stepped
    through, influencers by their envelope's first ratio, states pruned per count by dominance
    and by v + rho (K - n) + Dantzig's bound of the envelopes still to come (the smallest over
    the prices).

    Heuristic passes (nothing certified): `core_limit` keeps only that many influencers open (the
    least regret), `beam` keeps only that many states after each step (the best bounds); they
    give up past `max_work` states made.
    """
    items, value = search.items, search.value
    budget, cap = items.budget, int(items.max_influencers or 0)
    env = search.micro_env
    room, left = budget - states.cost, cap - states.count
    priced = _state_prices(search, states, duals)
    rho_lp, rho_own, rhos = priced.rho_lp, priced.rho_own, priced.rhos
    bound, rho_s, lam_s = priced.bound, priced.rho_s, priced.lam_s

    # A greedy completion of the most promising macro state, without the local search (at 500
    # rows with a cap of 200 it took 0.4 ms for a plan 4% below the optimum, which the passes
    # then beat; on rate-card prices it found nothing; docs/benchmarks.md).
    for state in np.argsort(-bound)[:_COUNTED_COMPLETIONS]:
        if bound[state] <= search.threshold:
            break
        plan = complete(states.plan(search, int(state)), local_search=False)
        plan_value = float(value[plan].sum())
        if plan_value > search.best:
            search.best, search.best_plan = plan_value, plan
    live = bound > search.threshold
    search.drop(bound[~live])
    states = states.keep(live)
    room, left, rho_s, lam_s = room[live], left[live], rho_s[live], lam_s[live]
    state_bound = bound[live]
    if states.cost.size == 0 or env.groups == 0:
        return _result(search)

    # Reduced-cost fixing by groups, with each state's prices: one row per pair of prices (the
    # states that share it at their best), at most _PER_STATE_FIXING rows, the rest together at
    # the model's LP prices. An option stays open while its loss is within some row's window.
    base = states.value + lam_s * room + rho_s * left
    pairs, row_of = _unique_pairs(rho_s, lam_s)
    pair_base = np.full(pairs.shape[1], -np.inf)
    np.maximum.at(pair_base, row_of.ravel(), base)
    by_base = np.argsort(-pair_base, kind="stable")
    own, rest = by_base[:_PER_STATE_FIXING], by_base[_PER_STATE_FIXING:]
    rho_r, lam_r, base_r = pairs[0, own], pairs[1, own], pair_base[own]
    if rest.size:
        lam_lp = max(duals.budget, 0.0)
        in_rest = np.isin(row_of.ravel(), rest)
        rest_base = states.value[in_rest] + lam_lp * room[in_rest] + rho_lp * left[in_rest]
        lam_r, rho_r = np.append(lam_r, lam_lp), np.append(rho_r, rho_lp)
        base_r = np.append(base_r, rest_base.max())
    # p_i(x) at each row's prices for x = k + 1 posts, its best over x (at least 0, no post):
    # the loss of no post; the best less p_i(k + 1): the loss of k + 1 posts (compiled: rows x
    # posts, 64 x 14,000 at 5,000 influencers, took numpy ~10 ms a pass, planner/kernels.py).
    k, cost = env.k, env.cost
    best_profit = np.maximum(
        charged_best(env.cum_value, k, cost, env.starts, env.lengths, lam_r, rho_r), 0.0
    )
    top_r = base_r + best_profit.sum(axis=1)
    window = top_r - search.threshold
    if not np.any(window > 0):
        search.drop(np.array([float(top_r.max())]))
        return _result(search)

    def post_losses(r: int) -> np.ndarray:
        """The loss of each option of k + 1 posts at row r's prices."""
        return best_profit[r][env.group_of] - (
            env.cum_value - lam_r[r] * ((k + 1) * cost) - rho_r[r]
        )

    keep_none = np.ones(env.groups, dtype=bool)
    keep_post = np.ones(env.idx.size, dtype=bool)
    if core_limit is not None:  # heuristic: only the groups with the least regret stay open
        at = int(np.argmax(top_r))  # as the most promising row sees them
        loss_none_at, loss_post_at = best_profit[at], post_losses(at)
        regret = np.minimum(
            np.where(loss_none_at > 0, loss_none_at, np.inf),
            np.minimum.reduceat(np.where(loss_post_at > 0, loss_post_at, np.inf), env.starts),
        )
        zero_options = (loss_none_at <= 0).astype(np.int64) + np.add.reduceat(
            (loss_post_at <= 0).astype(np.int64), env.starts
        )
        regret = np.where(zero_options > 1, 0.0, regret)
        if regret.size > core_limit:
            open_ = np.zeros(regret.size, dtype=bool)
            open_[np.argpartition(regret, core_limit)[:core_limit]] = True
            keep_none = open_ | (loss_none_at <= 0)
            keep_post = open_[env.group_of] | (loss_post_at <= 0)
    # Options whose loss is within some row's window stay open (those `keep_*`), and what the
    # closed ones could still earn from any state is dropped (-inf: none closed).
    allowed_none, allowed_post, closed = fixed_options(
        env.cum_value, k, cost, env.group_of, lam_r, rho_r, best_profit, window, top_r,
        keep_none, keep_post,
    )  # fmt: skip
    search.drop(np.array([closed]))
    n_options = allowed_none.astype(np.int64) + np.add.reduceat(
        allowed_post.astype(np.int64), env.starts
    )
    # Groups with one option left are decided: their posts join every state.
    decided = n_options == 1
    posts_decided = np.where(
        allowed_none, 0, np.maximum.reduceat(np.where(allowed_post, k + 1, 0), env.starts)
    )
    fixed_take = decided & (posts_decided > 0)
    fixed_items = env.idx[fixed_take[env.group_of] & (k < posts_decided[env.group_of])]
    fixed_cost = int(items.cost[fixed_items].sum())
    fixed_value = float(value[fixed_items].sum())
    fixed_count = int(fixed_take.sum())

    core_groups = np.flatnonzero(~decided)
    in_core = np.zeros(env.groups, dtype=bool)
    in_core[core_groups] = True
    core_rank = np.where(in_core, np.cumsum(in_core) - 1, -1)  # each core influencer's rank
    # Dantzig's bound of the envelopes still to come, for the same prices per influencer (the
    # smallest bound wins). Influencers go in order of their first envelope ratio at the most
    # promising state's price; for every price, the chain from the best first ratio still to
    # come on holds every segment still to come. The chains of every influencer at these
    # prices are the passes' own (`_Search.charged_chains`); each pass keeps their segments of
    # its core influencers, compiled (planner/kernels.py), as flat bound tables for its steps.
    b_price = rhos[np.argsort(np.abs(rhos - rho_own), kind="stable")]
    order, b_start, b_cum_cost, b_cum_value, b_ratio, b_at_step = bound_tables(
        *search.charged_chains(b_price), env.group_of, core_rank, int(core_groups.size)
    )
    # Each step's options, flat in `env`'s order with a slot before each influencer's posts:
    # no post (when allowed), then k + 1 posts for each allowed post k, and what they are worth.
    zero_at = env.starts + np.arange(env.groups)  # each influencer's slot for no post
    post_at = np.arange(env.idx.size) + env.group_of + 1
    slot_ok = np.zeros(env.idx.size + env.groups, dtype=bool)
    slot_ok[zero_at], slot_ok[post_at] = allowed_none, allowed_post
    slot_posts = np.zeros(slot_ok.size, dtype=np.int64)
    slot_posts[post_at] = k + 1
    slot_value = np.zeros(slot_ok.size)
    slot_value[post_at] = env.cum_value
    step_options, step_option_value = slot_posts[slot_ok], slot_value[slot_ok]
    before = np.concatenate([[0], np.cumsum(slot_ok)])
    step_group = core_groups[order]
    step_first = before[zero_at[step_group]].astype(np.int64)
    step_end = before[zero_at[step_group] + 1 + env.lengths[step_group]].astype(np.int64)
    step_price = env.cost[env.starts[step_group]].astype(np.int64)

    certified = core_limit is None and beam is None

    def step_through(max_work: int) -> DPResult:
        """The pass through every open influencer (at most `max_work` states made)."""
        s_cost = states.cost + fixed_cost
        s_value = states.value + fixed_value
        s_count = states.count + fixed_count
        origin = np.arange(states.cost.size)
        fits = (s_cost <= budget) & (s_count <= cap)
        # The compiled step takes states by count, then spend, then falling engagement.
        origin = origin[fits][np.lexsort((-s_value[fits], s_cost[fits], s_count[fits]))]
        s_cost, s_value, s_count = s_cost[origin], s_value[origin], s_count[origin]
        history = _Steps()
        step_start = env.starts[core_groups[order]]  # each step's influencer: first post in `env`
        best_at: tuple[int, int] | None = None  # (step, state) of the best plan seen
        if s_cost.size:
            top_state = int(np.argmax(s_value))
            if s_value[top_state] > search.best:
                search.best, best_at = float(s_value[top_state]), (-1, top_state)

        def rebuild(step: int, state: int) -> np.ndarray:
            """The plan of state `state` after step `step` (-1: before the first core group)."""
            chosen = np.zeros(items.owner.size, dtype=bool)
            first = trace_back(
                step,
                state,
                history.offsets,
                history.parent,
                history.took,
                step_start,
                env.idx,
                chosen,
            )
            chosen[fixed_items] = True
            return chosen | states.plan(search, int(origin[first]))

        def give_up(best_at: tuple[int, int] | None, bound: np.ndarray) -> DPResult:
            if best_at is not None:  # the best state seen is a plan: kept
                plan = rebuild(*best_at)
                search.best, search.best_plan = float(value[plan].sum()), plan
            if certified:  # each live state's bound covers every plan it leads to
                search.give_up(float(bound.max()) if bound.size else -np.inf)
            return search.gave_up()

        # The steps run compiled (`counted_steps`), back here only for what needs Python: the
        # certified pass's greedy completion of its most promising state every 8th step (a
        # better plan lifts the threshold; never in the heuristic passes, whose beams, not the
        # threshold, keep their states few: completing every step of the pass over the nearest
        # influencers took 10-25% of a capped plan at 500 rows and gave the same plans at 500,
        # 5,000 and 50,000; docs/benchmarks.md), a beam's cut among equal bounds (numpy's
        # choice, as before), and the deadline, looked at once every _COUNTED_CHUNK states made.
        work, t, steps = 0, 0, order.size  # states generated so far, the next step
        while True:
            chunk = 0 if time.monotonic() > search.deadline else _COUNTED_CHUNK
            (status, t, s_cost, s_value, s_count, bound, parent, took, best, best_t, best_state,
             dropped, work, cut, history.parent, history.took, history.offsets,
             history.steps) = counted_steps(
                s_cost, s_value, s_count, t, steps, step_first, step_end, step_price,
                step_options, step_option_value, budget, cap, search.best, search.target_gap,
                b_price, b_at_step, b_start, b_cum_cost, b_cum_value, b_ratio,
                0 if beam is None else beam, 0 if beam is not None else 8,
                _COUNTED_MAX_STATES, max_work, work, chunk,
                history.parent, history.took, history.offsets, history.steps,
            )  # fmt: skip
            if dropped > search.dropped_bound:
                search.dropped_bound = float(dropped)
            search.beam_cut |= bool(cut)
            if best_t != -2:  # a state beat the best plan: its plan is rebuilt at the end
                search.best, best_at, search.best_plan = float(best), (best_t, best_state), None
            if status == STEPS_TIED:  # the beam, where its cut falls among equal bounds
                assert beam is not None
                search.beam_cut = True
                top = np.sort(np.argpartition(-bound, beam)[:beam])
                s_cost, s_value, s_count = s_cost[top], s_value[top], s_count[top]
                bound = bound[top]
                history.append(parent[top], took[top])
                if (
                    s_cost.size > _COUNTED_MAX_STATES
                    or work > max_work
                    or search.out_of_room(s_cost.size)
                ):
                    return give_up(best_at, bound)
                if s_cost.size:
                    top_state = int(np.argmax(s_value))
                    if s_value[top_state] > search.best:
                        search.best, best_at = float(s_value[top_state]), (t, top_state)
                        search.best_plan = None
                t += 1
            elif status == STEPS_LIMIT:
                return give_up(best_at, bound)
            elif status == STEPS_CHUNK:
                if search.out_of_room(s_cost.size):
                    return give_up(best_at, bound)
            elif status == STEPS_COMPLETE:
                plan = complete(rebuild(t, int(np.argmax(bound))))
                plan_value = float(value[plan].sum())
                if plan_value > search.best:
                    search.best, search.best_plan, best_at = plan_value, plan, None
                t += 1
            else:
                break
        if best_at is None:
            return _result(search)
        return DPResult(
            "solved", rebuild(*best_at), search.best, max(search.best, search.dropped_bound)
        )

    if core_limit is not None or beam is not None:
        return step_through(max_work)
    # Certified: the pass through every open influencer, briefly (it is quick when the bounds
    # are close); then, unless the caller has the band's pieces to try instead (`pieces_next`),
    # the expanding core, then the pass at full length. (On the sample roster a narrow band's
    # bounds settled in 2-16 ms a piece what the expanding core gave up on after 0.55 s: near-ties
    # among the micro influencers; docs/benchmarks.md.)
    quick = step_through(_COUNTED_QUICK_WORK)
    if quick.status == "gave_up":
        # A better plan narrows every window of the passes that follow. (The brief pass again
        # under it was tried: the sample roster's capped plans 8% slower in all, one of 1,466
        # plans clearly faster; docs/benchmarks.md.)
        _priced_plans(search, states, state_bound, room, left, complete)
    if quick.status != "gave_up" or search.pieces_next:
        return quick
    at = int(np.argmax(top_r))  # the most promising row of prices
    core = (
        search, states, room, left, allowed_none, allowed_post,
        float(lam_r[at]), float(rho_r[at]), best_profit[at], post_losses(at),
    )  # fmt: skip
    found = _counted_core(*core, max_states=_COUNTED_CORE_FIRST_STATES)
    if found is not None:
        return found
    full = step_through(_COUNTED_MAX_WORK)
    if full.status != "gave_up":
        return full
    found = _counted_core(*core)
    return found if found is not None else search.gave_up()
