"""The optimiser against brute force, the mixed-integer reference (HiGHS) and every constraint."""

from __future__ import annotations

import dataclasses
import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from planner import Campaign, check_roster, heuristics, make_plan
from planner.dp import prepare
from planner.heuristics import (
    Orders,
    greedy_fill,
    improve,
    macro_exchange,
    repair,
    starting_plan,
)
from planner.kernels import first_in
from planner.mip import solve_mip
from planner.model import PostItems, build_items, first_posts
from planner.relaxation import tier_lp
from planner.solver import ranked_posts, solve
from planner.synthetic import synthetic_roster


def brute_force(items):
    """Best value over every number of posts per influencer (or None when nothing is valid)."""
    owners = range(items.n_influencers)
    limits = [int((items.owner == i).sum()) for i in owners]
    best = None
    for posts in itertools.product(*(range(m + 1) for m in limits)):
        chosen = (
            items.k < np.array(posts, dtype=np.int64)[items.owner]
            if items.owner.size
            else (np.zeros(0, dtype=bool))
        )
        if items.check(chosen):
            continue
        value = float(items.value[chosen].sum())
        best = value if best is None else max(best, value)
    return best


@st.composite
def small_case(draw):
    n = draw(st.integers(1, 6))
    rows = []
    for i in range(n):
        macro = draw(st.booleans())
        rows.append(
            {
                "name": f"inf{i}",
                "followers": draw(st.integers(1_000_000, 5_000_000))
                if macro
                else draw(st.integers(1_000, 900_000)),
                "engagement_rate": draw(st.floats(0.001, 0.2)),
                "cost_per_post": draw(st.integers(1, 60)) * 25.0,
                "max_posts": draw(st.sampled_from([None, 0, 1, 2, 3])),
            }
        )
    budget = draw(st.integers(1, 400)) * 5.0
    low = draw(st.sampled_from([0.0, 0.0, 0.1, 0.3, 0.5]))
    high = draw(st.sampled_from([1.0, 1.0, 0.6, 0.4])) if low <= 0.4 else 1.0
    campaign = Campaign(
        budget=budget,
        max_posts=draw(st.integers(0, 3)),
        decay=draw(st.sampled_from([1.0, 0.8, 0.5])),
        macro_share_min=low,
        macro_share_max=high,
        max_macro=draw(st.sampled_from([None, None, 0, 1, 2])),
        max_influencers=draw(st.sampled_from([None, None, 1, 2, 4])),
    )
    return pd.DataFrame(rows), campaign


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_case())
def test_matches_brute_force_exactly(case):
    frame, campaign = case
    roster = check_roster(frame)
    items = build_items(roster.table, campaign)
    expected = brute_force(items)
    solution = solve(items)
    if expected is None:
        assert solution.status == "infeasible"
        return
    assert solution.status == "optimal"
    assert not items.check(solution.chosen)
    assert solution.value == pytest.approx(expected, rel=1e-9, abs=1e-9)
    assert solution.upper_bound >= expected * (1 - 1e-9)


def drawn_plan(items: PostItems, data: st.DataObject) -> np.ndarray:
    """A selection in post order drawn by hypothesis: 0 to 3 first posts of each influencer."""
    taken = np.array(
        data.draw(
            st.lists(st.integers(0, 3), min_size=items.n_influencers, max_size=items.n_influencers)
        ),
        dtype=np.int64,
    )
    return items.k < taken[items.owner] if items.owner.size else np.zeros(0, dtype=bool)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_case(), st.data())
def test_a_greedy_fill_keeps_every_rule_and_leaves_no_post_that_fits(case, data):
    """The completion of partial plans (compiled, `planner.kernels.fill`): from any partial
    plan that keeps the rules, it adds posts in the fill order until no further post fits."""
    frame, campaign = case
    items = build_items(check_roster(frame).table, campaign)
    partial = drawn_plan(items, data)
    rules = {"budget", "max macro", "max influencers", "post order"}
    macro_over = int(items.cost[partial & items.macro].sum()) > items.macro_max
    if rules & set(items.check(partial)) or macro_over:
        return  # not a partial plan the programme would complete
    filled = greedy_fill(items, partial, Orders.of(items, items.value).fill)
    assert np.all(filled[partial])
    assert not rules & set(items.check(filled))
    # The rules it breaks from the fill's own totals (the starting plan's check) are check's.
    again, broken = heuristics._filled(items, partial, Orders.of(items, items.value).fill)
    assert np.array_equal(again, filled)
    assert broken == [rule for rule in items.check(filled) if rule != "post order"]
    macro_spend = int(items.cost[filled & items.macro].sum())
    assert macro_spend <= items.macro_max
    room = items.budget - int(items.cost[filled].sum())
    n_first = int((filled & items.first).sum())
    n_macro = int((filled & items.first & items.macro).sum())
    for j in np.flatnonzero(~filled):
        if items.k[j] > 0 and not filled[j - 1]:
            continue  # not next in post order
        first, macro = items.k[j] == 0, bool(items.macro[j])
        fits = (
            items.cost[j] <= room
            and not (macro and macro_spend + items.cost[j] > items.macro_max)
            and not (
                first
                and campaign.max_influencers is not None
                and n_first >= campaign.max_influencers
            )
            and not (
                first and macro and campaign.max_macro is not None and n_macro >= campaign.max_macro
            )
        )
        assert not fits, f"post {j} still fits"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.booleans(), min_size=0, max_size=30), st.randoms(use_true_random=False))
def test_first_in_is_the_first_position_whose_post_is_in_the_mask(mask, rnd):
    """`kernels.first_in` (where the starting plan's repair starts in the drop order)."""
    order = list(range(len(mask)))
    rnd.shuffle(order)
    found = first_in(np.array(order, dtype=np.int64), np.array(mask, dtype=bool))
    expected = next((i for i, j in enumerate(order) if mask[j]), -1)
    assert found == expected


def _rules_broken(items, chosen):
    """The rules `chosen` breaks, from their definitions (what `PostItems.check` computes)."""
    broken = []
    spend = int(items.cost[chosen].sum())
    macro_spend = int(items.cost[chosen & items.macro].sum())
    if spend > items.budget:
        broken.append("budget")
    if not items.macro_min <= macro_spend <= items.macro_max:
        broken.append("macro share")
    first = chosen & items.first
    if items.max_macro is not None and int((first & items.macro).sum()) > items.max_macro:
        broken.append("max macro")
    if items.max_influencers is not None and int(first.sum()) > items.max_influencers:
        broken.append("max influencers")
    later = np.flatnonzero(chosen & (items.k > 0))
    if not np.all(chosen[later - 1]):
        broken.append("post order")
    return broken


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_case(), st.data())
def test_check_names_exactly_the_rules_a_selection_breaks(case, data):
    """`PostItems.check` (one compiled pass, `planner.kernels.plan_facts`) on any selection of
    posts, in post order or not, against each rule's definition."""
    frame, campaign = case
    items = build_items(check_roster(frame).table, campaign)
    chosen = np.array(
        data.draw(st.lists(st.booleans(), min_size=items.owner.size, max_size=items.owner.size)),
        dtype=bool,
    )
    assert items.check(chosen) == _rules_broken(items, chosen)


def _repaired(items, chosen, keep, drop_order):
    """The repair's drops written out (no caps broken): each post in `drop_order` that is its
    influencer's last in the plan and not kept goes while the budget or the band's top is
    broken, a macro one unless the band's bottom breaks, a micro one only over the budget."""
    chosen = chosen.copy()
    spend = int(items.cost[chosen].sum())
    macro_spend = int(items.cost[chosen & items.macro].sum())
    for j in drop_order.tolist():
        over_budget = spend > items.budget
        if not (over_budget or macro_spend > items.macro_max):
            break
        if not chosen[j] or keep[j]:
            continue
        if j + 1 < items.owner.size and items.owner[j + 1] == items.owner[j] and chosen[j + 1]:
            continue
        cost = int(items.cost[j])
        if items.macro[j]:
            if macro_spend - cost < items.macro_min:
                continue
            macro_spend -= cost
        elif not over_budget:
            continue
        chosen[j] = False
        spend -= cost
    if spend > items.budget or macro_spend > items.macro_max:
        return None
    return chosen


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_case(), st.data())
def test_the_repair_drops_exactly_the_posts_its_rule_names(case, data):
    """`repair` (its drops compiled, `planner.kernels.drop_posts`) from any plan in post order
    that breaks no cap, with any posts kept, against the rule written out."""
    frame, campaign = case
    items = build_items(check_roster(frame).table, campaign)
    n = items.owner.size
    chosen = drawn_plan(items, data)
    keep = chosen & np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    if items.broken_caps(chosen):
        return  # (whole influencers go first: another rule)
    drop_order = Orders.of(items, items.value).drop
    expected = _repaired(items, chosen, keep, drop_order)
    got = repair(items, chosen, keep, drop_order)
    assert (got is None) == (expected is None)
    if got is not None:
        assert np.array_equal(got, expected)


def _improved(items, chosen, value, by_value, width, rounds):
    """The local search written out: each round, the best gain of dropping one of the `width`
    last posts of the plan of least value per cent (ties: lower index first), or none, for
    one of the first `width` posts of `by_value` that could be added, every rule kept."""
    chosen = chosen.copy()
    n = items.owner.size
    owner, k, cost, macro = items.owner, items.k, items.cost, items.macro
    for _ in range(rounds):
        adds = [
            j
            for j in by_value.tolist()
            if not chosen[j]
            and (j == 0 or owner[j] != owner[j - 1] or (chosen[j - 1] and k[j] > 0))
        ][:width]
        last = [
            j
            for j in np.flatnonzero(chosen).tolist()
            if not (j + 1 < n and chosen[j + 1] and owner[j + 1] == owner[j])
        ]
        drops = sorted(last, key=lambda j: (value[j] / cost[j], j))[:width]
        best, move = -np.inf, None
        spend, macro_spend = int(cost[chosen].sum()), int(cost[chosen & macro].sum())
        first = chosen & items.first
        n_first, n_macro = int(first.sum()), int((first & macro).sum())
        for d in [-1, *drops]:
            out = (
                (0, 0, 0, 0)
                if d < 0
                else (cost[d], cost[d] * macro[d], k[d] == 0, (k[d] == 0) * macro[d])
            )
            for j in adds:
                gain = value[j] - (value[d] if d >= 0 else 0.0)
                if not gain > 0 or gain <= best or owner[j] == owner[d if d >= 0 else 0]:
                    continue
                if spend - out[0] + cost[j] > items.budget:
                    continue
                if (
                    not items.macro_min
                    <= macro_spend - out[1] + cost[j] * macro[j]
                    <= items.macro_max
                ):
                    continue
                cap, cap_macro = items.max_influencers, items.max_macro
                if cap is not None and n_first - out[2] + (k[j] == 0) > cap:
                    continue
                if cap_macro is not None and n_macro - out[3] + (k[j] == 0) * macro[j] > cap_macro:
                    continue
                best, move = gain, (d, j)
        if move is None:
            break
        if move[0] >= 0:
            chosen[move[0]] = False
        chosen[move[1]] = True
    return chosen


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_case(), st.data())
def test_the_local_search_makes_exactly_the_exchanges_its_rule_names(case, data):
    """`improve` (compiled, `planner.kernels.swap`: its least efficient last posts kept in a
    heap, its adds searched from the first post not in the plan) from any plan in post order,
    with a narrow width so that the width's limits bind, against the rule written out; and
    `first_posts` against its definition on the same selection."""
    frame, campaign = case
    items = build_items(check_roster(frame).table, campaign)
    chosen = drawn_plan(items, data)
    counts = np.bincount(items.owner[chosen], minlength=items.n_influencers)
    assert np.array_equal(first_posts(items, chosen), items.k < counts[items.owner])
    if items.check(chosen) or not items.owner.size:
        return
    width = data.draw(st.integers(1, 4))
    # Values with ties (the heap's order among equal values per cent).
    value = np.round(items.value / items.value.max(), 1) + 1e-3
    by_value = Orders.of(items, value).by_value
    got = improve(items, chosen, value, by_value, width=width, rounds=5)
    assert np.array_equal(got, _improved(items, chosen, value, by_value, width, 5))


@pytest.mark.parametrize("seed", range(6))
def test_the_local_search_on_rosters_of_equal_prices_and_values(seed):
    """`improve` against the rule written out (`_improved`) from random plans of a 300-row
    rate-card roster, its values rounded so that many posts tie, with a budget that leaves
    little room: many rounds, drops before the adds searched so far, ties in the heap."""
    rng = np.random.default_rng(seed)
    roster = check_roster(synthetic_roster(300, seed=seed, rate_card_priced=True))
    items = build_items(roster.table, Campaign(budget=1.0))
    value = np.round(items.value / items.value.max(), 2) + 1e-3
    taken = rng.integers(0, 4, items.n_influencers)
    chosen = items.k < taken[items.owner]
    spend = int(items.cost[chosen].sum())
    macro_spend = int(items.cost[chosen & items.macro].sum())
    items = dataclasses.replace(
        items,
        budget=spend + int(rng.integers(0, 3)) * int(items.cost.min()),
        macro_min=macro_spend // 2,
        macro_max=macro_spend + int(items.cost.max()),
        max_influencers=None if seed % 2 else int((chosen & items.first).sum()) + 2,
    )
    by_value = Orders.of(items, value).by_value
    for width in (3, 10, 100):
        got = improve(items, chosen, value, by_value, width=width, rounds=30)
        assert np.array_equal(got, _improved(items, chosen, value, by_value, width, 30))
        assert not items.check(got)


def test_the_local_search_adds_back_posts_it_dropped():
    """`improve` against the rule written out (`_improved`) on 800 small models (1-2 posts each,
    prices 1-5, engagements 1-10, a budget with no room or one cent): on many the rule drops a
    post and adds it back in a later round, which the compiled search must see (the posts it
    looks for adds among, kept as the plan changes)."""
    rng = np.random.default_rng(0)
    added_back = 0
    for _ in range(800):
        n_inf = int(rng.integers(3, 9))
        owner = np.repeat(np.arange(n_inf), rng.integers(1, 3, n_inf))
        k = np.concatenate([[0], (owner[1:] == owner[:-1]).astype(np.int64)])
        cost = rng.integers(1, 6, owner.size).astype(np.int64)
        value = rng.integers(1, 11, owner.size).astype(float)
        chosen = k < rng.integers(0, 3, n_inf)[owner]
        items = PostItems(
            owner=owner,
            k=k,
            value=value,
            cost=cost,
            macro=np.zeros(owner.size, dtype=bool),
            n_influencers=n_inf,
            budget=int(cost[chosen].sum()) + int(rng.integers(0, 2)),
            macro_min=0,
            macro_max=0,
            max_macro=None,
            max_influencers=None,
        )
        by_value = Orders.of(items, value).by_value
        width = int(rng.integers(1, 4))
        got = improve(items, chosen, value, by_value, width=width, rounds=6)
        assert np.array_equal(got, _improved(items, chosen, value, by_value, width, 6))
        plan, dropped = chosen, set()
        for _ in range(6):  # the rule round by round: posts dropped, then added back
            after = _improved(items, plan, value, by_value, width, 1)
            added_back += bool(set(np.flatnonzero(after & ~plan).tolist()) & dropped)
            dropped |= set(np.flatnonzero(plan & ~after).tolist())
            plan = after
    assert added_back >= 20  # (28 of them)


@pytest.mark.parametrize("seed", range(20))
def test_the_local_search_s_drops_are_the_least_efficient_last_posts(seed):
    """The heap of `planner.kernels.swap`'s drops: the `width` last posts of a plan of least
    value per cent, ties (many: prices and values of 1 or 2) in index order."""
    from planner.kernels import _last_posts_by_ratio

    rng = np.random.default_rng(seed)
    owner = np.sort(rng.integers(0, 60, 200))
    cost = rng.integers(1, 3, owner.size)
    value = rng.integers(1, 3, owner.size).astype(float)
    chosen = rng.random(owner.size) < 0.6
    n = owner.size
    last = [
        j
        for j in np.flatnonzero(chosen).tolist()
        if not (j + 1 < n and chosen[j + 1] and owner[j + 1] == owner[j])
    ]
    for width in (1, 2, 5, 17, 500):
        expected = sorted(last, key=lambda j: (value[j] / cost[j], j))[:width]
        # (the posts looked at: every post, or those of the plan, as `swap` keeps them)
        for plan in (np.arange(n), np.flatnonzero(chosen)):
            got = _last_posts_by_ratio(
                cost,
                value,
                owner,
                chosen,
                plan,
                width,
                np.empty(width),
                np.empty(width, dtype=np.int64),
            )
            assert got.tolist() == expected


@pytest.mark.parametrize("seed", range(20))
def test_the_local_search_s_drops_from_the_end_of_its_ranking(seed):
    """`planner.kernels._last_posts_from_tail`: the same drops as the heap (the `width` last
    posts of a plan of least value per cent, ties in index order: many, prices and values of 1
    or 2) found from the end of the posts ranked by falling value per cent; None once it has
    looked at more than `most` posts."""
    from planner.kernels import _last_posts_from_tail

    rng = np.random.default_rng(seed)
    owner = np.sort(rng.integers(0, 60, 200))
    cost = rng.integers(1, 3, owner.size)
    value = rng.integers(1, 3, owner.size).astype(float)
    chosen = rng.random(owner.size) < (0.6 if seed % 2 else 0.95)
    n = owner.size
    by_ratio = np.argsort(-(value / cost), kind="stable")
    last = [
        j
        for j in np.flatnonzero(chosen).tolist()
        if not (j + 1 < n and chosen[j + 1] and owner[j + 1] == owner[j])
    ]
    for width in (1, 2, 5, 17, 500):
        expected = sorted(last, key=lambda j: (value[j] / cost[j], j))[:width]
        found = np.empty(n, dtype=np.int64)
        got = _last_posts_from_tail(cost, value, owner, chosen, by_ratio, width, n, found)
        assert got is not None and got.tolist() == expected
        # Looking at fewer posts than it needs: None (the caller's heap then finds them).
        looked = next(
            i + 1
            for i in range(n)
            if _last_posts_from_tail(cost, value, owner, chosen, by_ratio, width, i + 1, found)
            is not None
        )
        assert (
            _last_posts_from_tail(cost, value, owner, chosen, by_ratio, width, looked - 1, found)
            is None
        )
        got = _last_posts_from_tail(cost, value, owner, chosen, by_ratio, width, looked, found)
        assert got is not None and got.tolist() == expected


def _exchange_candidates(items, chosen, value, width):
    """The macro exchange's candidates from every post's masks: the `width` least efficient
    last macro posts of the plan, and the `width` best next macro posts of other influencers."""
    n = items.owner.size
    same_next = np.zeros(n, dtype=bool)
    same_next[:-1] = items.owner[1:] == items.owner[:-1]
    last = chosen & items.macro & ~(np.concatenate([chosen[1:], [False]]) & same_next)
    prev_taken = np.concatenate([[False], chosen[:-1]]) & (items.k > 0)
    ratio = value / items.cost
    drop = np.flatnonzero(last)
    drop = drop[np.argsort(ratio[drop], kind="stable")[:width]]
    add = np.flatnonzero(~chosen & items.macro & ((items.k == 0) | prev_taken))
    add = add[~np.isin(items.owner[add], items.owner[drop])]
    return drop, add[np.argsort(-ratio[add], kind="stable")[:width]]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_case(), st.data())
def test_the_macro_exchange_moves_only_its_candidates(case, data):
    """`macro_exchange` (its candidates found among the macro posts alone) from any plan in
    post order: the posts it drops and adds are among the candidates read from every post's
    masks, and it gains exactly the best exchange of subsets of them that keeps the band."""
    frame, campaign = case
    items = build_items(check_roster(frame).table, campaign)
    chosen = drawn_plan(items, data)
    if not items.owner.size:
        return
    value = items.value / items.value.max()
    price = data.draw(st.sampled_from([0.0, 1e-4, 1e-3]))
    for width in (1, 2, 10):
        drop, add = _exchange_candidates(items, chosen, value, width)
        got = macro_exchange(items, chosen, value, price, width=width)
        assert set(np.flatnonzero(chosen & ~got)) <= set(drop.tolist())
        assert set(np.flatnonzero(got & ~chosen)) <= set(add.tolist())
    if items.max_macro is not None:
        return
    spend = int(items.cost[chosen & items.macro].sum())
    for width in (1, 2, 3):
        drop, add = _exchange_candidates(items, chosen, value, width)
        best, expected = 0.0, chosen
        for d in itertools.chain.from_iterable(
            itertools.combinations(drop.tolist(), r) for r in range(drop.size + 1)
        ):
            for a in itertools.chain.from_iterable(
                itertools.combinations(add.tolist(), r) for r in range(add.size + 1)
            ):
                d_, a_ = list(d), list(a)
                moved = spend - int(items.cost[d_].sum()) + int(items.cost[a_].sum())
                gain = float(np.sum(value[a_] - price * items.cost[a_]))
                gain -= float(np.sum(value[d_] - price * items.cost[d_]))
                ok = items.macro_min <= moved <= min(items.macro_max, items.budget)
                if ok and gain > best + 1e-12:
                    best, expected = gain, chosen.copy()
                    expected[d_] = False
                    expected[a_] = True
        got = macro_exchange(items, chosen, value, price, width=width)
        gained = float(np.sum(value[got] - price * items.cost[got] * items.macro[got]))
        gained -= float(np.sum(value[chosen] - price * items.cost[chosen] * items.macro[chosen]))
        assert abs(gained - best) <= 1e-9


def test_the_starting_plan_reaches_a_macro_band_its_best_macro_post_overshoots():
    """A band of $65,000-$75,000 on macro spend whose most efficient macro post costs $76,500:
    no plan can buy that post, so the LP leaves it out (`PostItems.within_reach`) and buys the
    band from the others. An LP that bought part of it (as before) makes rounding up break the
    band's top and rounding down leave it short of the bottom: the starting plan adds the next
    macro posts that fit instead (before, it added that post too, which the repair may not drop,
    and found no plan: the programme then had nothing to prune against; on a 5,000-row roster
    at 65-75% macro its macro phase took 5.5 s instead of 0.13 s)."""
    dollars = np.array([76_500, 40_000, 30_000, 5_000, 5_000, 5_000, 5_000, 5_000])
    items = PostItems(
        owner=np.arange(8),
        k=np.zeros(8, dtype=np.int64),
        value=np.array([10.0, 4.5, 3.2, 0.4, 0.4, 0.4, 0.4, 0.4]),
        cost=dollars * 100,
        macro=np.arange(8) < 3,
        n_influencers=8,
        budget=10_000_000,
        macro_min=6_500_000,
        macro_max=7_500_000,
        max_macro=None,
        max_influencers=None,
    )
    lp = tier_lp(items, items.value)
    assert lp.y[0] == 0  # no part of the $76,500 post
    assert lp.y[1] == lp.y[2] == 1  # every macro post within reach: $70,000
    assert lp.bound == pytest.approx(4.5 + 3.2 + 0.4 * 5)  # and every micro post, $25,000
    part = lp.y.copy()
    part[0], part[1], part[2] = 65 / 76.5, 0.0, 0.0  # the LP when it counted that post
    for y in (lp.y, part):
        plan = starting_plan(items, y, items.value)
        assert plan is not None and not items.check(plan)
        assert plan[[1, 2]].all() and not plan[0]  # $40,000 + $30,000 of macro
    assert solve(items).value == pytest.approx(float(items.value[plan].sum()))


def test_the_starting_plan_makes_room_under_the_cap_for_the_band_s_macro_posts():
    """At most 3 influencers and a macro band of $40,000-$50,000: the capped LP holds three
    micro influencers whole and part of a macro one, so reaching the band's bottom takes a
    fourth influencer. The repair drops the micro influencer whose first post is least
    efficient, with all its posts (before, nothing was dropped for the cap and no rounding
    was a plan: on a 5,000-row roster with a cap of 30, 6 of the split curve's 11 bands had no
    starting plan and their heuristic macro pass ran without one to prune against)."""
    items = PostItems(
        owner=np.array([0, 1, 1, 2, 2, 3]),
        k=np.array([0, 0, 1, 0, 1, 0]),
        value=np.array([9.0, 3.0, 2.0, 2.5, 1.0, 1.5]),
        cost=np.array([45_000, 5_000, 5_000, 5_000, 5_000, 5_000]) * 100,
        macro=np.array([True, False, False, False, False, False]),
        n_influencers=4,
        budget=6_000_000,
        macro_min=4_000_000,
        macro_max=5_000_000,
        max_macro=None,
        max_influencers=3,
    )
    chosen = np.array([True, True, True, True, True, True])
    keep = np.array([True, False, False, False, False, False])
    drop_order = Orders.of(items, items.value).drop
    repaired = repair(items, chosen, keep, drop_order)
    assert repaired is not None and not items.check(repaired)
    # Influencer 3 (one post, 1.5 for $5,000) goes whole; the budget then drops post 4.
    assert repaired.tolist() == [True, True, True, True, False, False]
    assert repair(items, chosen, np.ones(6, dtype=bool), drop_order) is None  # all kept


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10_000),
    rate_card=st.booleans(),
    share=st.sampled_from([(0.0, 1.0), (0.0, 0.5), (0.2, 0.6), (0.0, 0.0)]),
    caps=st.sampled_from([(None, None), (2, None), (None, 40), (3, 60)]),
    fraction=st.sampled_from([0.03, 0.1, 0.3]),
)
def test_matches_textbook_formulation(seed, rate_card, share, caps, fraction):
    roster = check_roster(synthetic_roster(120, seed=seed, rate_card_priced=rate_card))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(
        budget=round(total * fraction, 2),
        macro_share_min=share[0],
        macro_share_max=share[1],
        max_macro=caps[0],
        max_influencers=caps[1],
    )
    items = build_items(roster.table, campaign)
    ours = solve(items)
    reference = solve_mip(items)
    assert ours.status in ("optimal", "infeasible")
    assert (ours.status == "infeasible") == (reference.status == "infeasible")
    if ours.status == "infeasible":
        return
    assert not items.check(ours.chosen)
    assert ours.gap <= 1e-6
    # Both are within 1e-6 of the optimum, so of each other.
    assert abs(ours.value - reference.value) <= 2e-6 * max(ours.value, reference.value)
    assert ours.upper_bound >= reference.value * (1 - 1e-9)


def test_plan_respects_every_constraint_on_the_sample():
    roster = check_roster(
        pd.read_csv(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
    )
    campaign = Campaign(
        budget=80_000,
        macro_share_min=0.2,
        macro_share_max=0.5,
        max_macro=2,
        max_influencers=150,
        max_posts=2,
        decay=0.7,
    )
    plan = make_plan(roster, campaign)
    assert plan.status == "optimal"
    assert plan.spend <= campaign.budget
    macro = plan.by_tier["macro"]
    assert 0.2 * campaign.budget <= macro.spend <= 0.5 * campaign.budget
    assert macro.influencers <= 2
    assert len(plan.allocations) <= 150
    limits = roster.table.set_index("name")["max_posts"].fillna(2).clip(upper=2)
    assert (
        plan.allocations.set_index("name")["posts"] <= limits.loc[plan.allocations["name"]]
    ).all()
    assert plan.optimality_gap <= 1e-6


def test_infeasible_band_names_the_constraint_and_the_fix():
    roster = check_roster(
        pd.DataFrame(
            {
                "name": ["a", "b"],
                "followers": [2_000_000, 5_000],
                "engagement_rate": [0.01, 0.05],
                "cost_per_post": [75_000, 100],
            }
        )
    )
    plan = make_plan(roster, Campaign(budget=100_000, macro_share_min=0.1, macro_share_max=0.5))
    assert plan.status == "infeasible"
    assert "macro share" in plan.message
    assert "raise the maximum macro share to 75%" in plan.message
    assert "lower the minimum macro share to 0%" in plan.message


def test_no_macro_influencers_but_a_minimum_share():
    roster = check_roster(
        pd.DataFrame(
            {"name": ["a"], "followers": [5_000], "engagement_rate": [0.05], "cost_per_post": [100]}
        )
    )
    plan = make_plan(roster, Campaign(budget=1_000, macro_share_min=0.2))
    assert plan.status == "infeasible"
    assert "no macro influencer" in plan.message


def test_equal_efficiency_5000_is_exact():
    roster = check_roster(synthetic_roster(2000, seed=3, rate_card_priced=True))
    total = float((roster.table["cost_per_post"] * 3).sum())
    plan = make_plan(roster, Campaign(budget=round(total * 0.1)))
    assert plan.status == "optimal" and plan.optimality_gap <= 1e-6
    assert plan.spend <= round(total * 0.1)


def _medium_items(seed: int, rate_card: bool):
    roster = check_roster(synthetic_roster(300, seed=seed, rate_card_priced=rate_card))
    total = float((roster.table["cost_per_post"] * 3).sum())
    return build_items(roster.table, Campaign(budget=round(total * 0.1), macro_share_max=0.6))


def test_when_the_programme_gives_up_highs_finishes_the_job(monkeypatch):
    items = _medium_items(3, rate_card=True)
    expected = solve(items)
    monkeypatch.setattr("planner.dp.MAX_STATES", -1)  # give up at the first step
    fallback = solve(items)
    assert fallback.status == "optimal"
    assert not items.check(fallback.chosen)
    assert fallback.value == pytest.approx(expected.value, rel=1e-6)


def test_a_timeout_keeps_the_best_plan_found_instead_of_calling_it_infeasible(monkeypatch):
    items = _medium_items(4, rate_card=False)
    monkeypatch.setattr("planner.dp.MAX_STATES", -1)
    monkeypatch.setattr(
        "planner.mip.milp",
        lambda *a, **k: type("R", (), {"x": None, "status": 1})(),  # time limit, no plan
    )
    found = solve(items)
    assert found.status in ("optimal", "feasible")
    assert not items.check(found.chosen)
    assert found.value > 0 and found.gap < 0.05


BANDS = [(0.0, 1.0), (0.1, 1.0), (0.0, 0.4), (0.2, 0.6)]
CAPS = [(None, None), (1, None), (None, 3), (2, 4), (0, 2)]


@pytest.mark.parametrize("band", BANDS)
@pytest.mark.parametrize("caps", CAPS)
def test_every_combination_of_caps_and_band_matches_brute_force(band, caps):
    """Caps on macro influencers and on influencers in total, alone and together, with and
    without each side of the macro band: brute force on small rosters, gap 0 to 1e-9."""
    rng = np.random.default_rng(hash((band, caps)) % 2**32)
    for _ in range(6):
        n = int(rng.integers(3, 7))
        macro = rng.random(n) < 0.4
        frame = pd.DataFrame(
            {
                "name": [f"inf{i}" for i in range(n)],
                "followers": np.where(
                    macro, rng.integers(1_000_000, 5_000_000, n), rng.integers(1_000, 900_000, n)
                ),
                "engagement_rate": rng.uniform(0.001, 0.2, n),
                "cost_per_post": rng.integers(1, 60, n) * 25.0,
                "max_posts": rng.choice([1, 2, 3], n),
            }
        )
        campaign = Campaign(
            budget=float(rng.integers(40, 400) * 5),
            decay=float(rng.choice([1.0, 0.8, 0.5])),
            macro_share_min=band[0],
            macro_share_max=band[1],
            max_macro=caps[0],
            max_influencers=caps[1],
        )
        items = build_items(check_roster(frame).table, campaign)
        expected = brute_force(items)
        solution = solve(items)
        if expected is None:
            assert solution.status == "infeasible"
            continue
        assert solution.status == "optimal"
        assert not items.check(solution.chosen)
        assert solution.value == pytest.approx(expected, rel=1e-9, abs=1e-9)
        assert solution.upper_bound >= expected * (1 - 1e-9)


@pytest.mark.parametrize("band", [(0.0, 1.0), (0.2, 0.6), (0.0, 0.3)])
@pytest.mark.parametrize("caps", [(None, 6), (2, None), (3, 12), (None, 40)])
@pytest.mark.parametrize("rate_card,size", [(False, 100), (True, 20)])
def test_every_combination_of_caps_and_band_matches_highs(band, caps, rate_card, size):
    """The same combinations on medium rosters against the mixed-integer reference (rate-card
    priced rosters kept small: with caps both engines take seconds on them)."""
    roster = check_roster(synthetic_roster(size, seed=11, rate_card_priced=rate_card))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(
        budget=round(total * 0.1, 2),
        macro_share_min=band[0],
        macro_share_max=band[1],
        max_macro=caps[0],
        max_influencers=caps[1],
    )
    items = build_items(roster.table, campaign)
    ours = solve(items)
    reference = solve_mip(items)
    assert (ours.status == "infeasible") == (reference.status == "infeasible")
    if ours.status == "infeasible":
        return
    assert ours.status == "optimal" and ours.gap <= 1e-6
    assert not items.check(ours.chosen)
    assert abs(ours.value - reference.value) <= 2e-6 * max(ours.value, reference.value)
    assert ours.upper_bound >= reference.value * (1 - 1e-9)


@pytest.mark.parametrize("band", [(0.0, 0.6), (0.2, 0.5)])
@pytest.mark.parametrize("cap", [25, 50])
def test_capped_benchmark_cases_never_reach_highs(no_highs, band, cap):
    """benchmarks/optimiser.py --capped at 500 realistic influencers with caps 25 and 50 (all
    twelve cases, and two at 5,000: tests/test_capped_paths.py)."""

    roster = check_roster(synthetic_roster(500, seed=7))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(
        budget=round(total * 0.1),
        macro_share_min=band[0],
        macro_share_max=band[1],
        max_influencers=cap,
    )
    items = build_items(roster.table, campaign)
    solution = solve(items)
    assert solution.status == "optimal" and solution.gap <= 1e-6
    assert not items.check(solution.chosen)


def _undominated_macro_states(cost, value, count, by_count, macro_min):  # type: ignore[no-untyped-def]
    """What `planner.dp._pareto_by_count` keeps, by its definition, state by state: of the
    states of one count (all one count unless `by_count`), spend and shortness of the band's
    bottom, the first of the most engagement; one that reaches the bottom only if it earns more
    than every state of its count that reaches the bottom for less."""
    counts = count if by_count else np.zeros_like(count)
    kept = []
    for i in range(cost.size):
        same = [
            j
            for j in range(cost.size)
            if counts[j] == counts[i] and cost[j] == cost[i] and value[j] >= value[i]
        ]
        if any(value[j] > value[i] or j < i for j in same):
            continue
        if cost[i] >= macro_min and any(
            counts[j] == counts[i] and macro_min <= cost[j] < cost[i] and value[j] >= value[i]
            for j in range(cost.size)
        ):
            continue
        kept.append(i)
    return kept


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.integers(0, 4), st.integers(0, 3)), min_size=1, max_size=30
    ),
    st.booleans(),
    st.integers(0, 7),
    st.booleans(),
)
def test_macro_dominance_keeps_exactly_the_undominated_states(
    states: list[tuple[int, int, int]], by_count: bool, macro_min: int, huge: bool
) -> None:
    """The macro phase's dominance check (one sort by an integer key, then a compiled pass)
    against its definition, with ties in spend and engagement; `huge` spends do not fit the
    key in 64 bits, which takes the sort by the key's parts."""
    from planner.dp import _pareto_by_count

    offset = (1 << 61) if huge else 0
    cost = np.array([c for c, _, _ in states], dtype=np.int64) + offset
    value = np.array([v for _, v, _ in states], dtype=float)
    count = np.array([n for _, _, n in states], dtype=np.int64)
    kept = _pareto_by_count(cost, value, count, by_count, macro_min + offset)
    assert sorted(kept.tolist()) == _undominated_macro_states(
        cost, value, count, by_count, macro_min + offset
    )


def _best_exchange_by_numpy(
    kept: np.ndarray,
    drop_profit: np.ndarray,
    add_cost: np.ndarray,
    add_profit: np.ndarray,
    low: int,
    high: int,
) -> tuple[int, int, float]:
    """The drop set a and add set b with low <= kept[a] + add_cost[b] <= high that gain most
    (add_profit[b] - drop_profit[a]): for each a, the best b in a range of add costs, by a
    sparse table of range maxima (n log n instead of every pair)."""
    order = np.argsort(add_cost, kind="stable")
    sorted_cost, sorted_profit = add_cost[order], add_profit[order]
    n = order.size
    table = [np.arange(n)]  # table[j][i]: position of the best profit in [i, i + 2^j)
    width = 1
    while 2 * width <= n:
        prev = table[-1]
        left, right = prev[: n - 2 * width + 1], prev[width : n - width + 1]
        table.append(np.where(sorted_profit[right] > sorted_profit[left], right, left))
        width *= 2
    lo = np.searchsorted(sorted_cost, low - kept, side="left")
    hi = np.searchsorted(sorted_cost, high - kept, side="right")
    some = hi > lo
    span = np.where(some, hi - lo, 1)
    level = np.floor(np.log2(span)).astype(np.int64)
    pos = np.zeros(kept.size, dtype=np.int64)
    for j in np.unique(level[some]):
        rows = np.flatnonzero(some & (level == j))
        first = table[j][lo[rows]]
        second = table[j][hi[rows] - (1 << int(j))]
        pos[rows] = np.where(sorted_profit[second] > sorted_profit[first], second, first)
    gain = np.where(some, sorted_profit[pos] - drop_profit, -np.inf)
    a = int(np.argmax(gain))
    return a, int(order[pos[a]]), float(gain[a])


@pytest.mark.parametrize("seed", range(40))
def test_the_compiled_best_exchange_is_the_numpy_range_maxima_search(seed):
    """`planner.kernels.best_exchange` (the macro exchange's best pair, compiled) against the
    numpy search it replaced, written out above: the same drop set, add set and gain, on
    subsets' costs and profits with many ties (equal costs, equal profits) and empty ranges."""
    from planner.kernels import best_exchange

    rng = np.random.default_rng(seed)
    n_drop, n_add = int(rng.integers(1, 70)), int(rng.integers(1, 70))
    kept = rng.integers(0, 40, n_drop).astype(np.int64)
    drop_profit = rng.integers(-3, 4, n_drop) / 2.0
    add_cost = rng.integers(0, 30, n_add).astype(np.int64)
    add_profit = rng.integers(-3, 6, n_add) / 2.0
    low = int(rng.integers(0, 40))
    high = low + int(rng.integers(0, 30))
    got = best_exchange(kept, drop_profit, add_cost, add_profit, low, high)
    expected = _best_exchange_by_numpy(kept, drop_profit, add_cost, add_profit, low, high)
    assert got[:2] == expected[:2]
    assert got[2] == expected[2]


def test_the_local_search_keeps_its_plan_s_posts_in_index_order():
    """`kernels._plan_moved`, the plan's posts `swap` looks for drops among: after each
    exchange (a post dropped or none, a post added) the plan's posts in rising order, every one
    once, against a sorted set."""
    from planner.kernels import _plan_moved

    rng = np.random.default_rng(5)
    for _ in range(200):
        held = set(rng.choice(1_000, size=int(rng.integers(0, 30)), replace=False).tolist())
        plan = np.empty(len(held) + 40, dtype=np.int64)
        plan[: len(held)] = sorted(held)
        size = len(held)
        for _ in range(40):
            dropped = int(rng.choice(sorted(held))) if held and rng.random() < 0.6 else -1
            added = int(rng.choice(sorted(set(range(1_000)) - held)))
            size = _plan_moved(plan, size, dropped, added)
            held.discard(dropped)
            held.add(added)
            assert plan[:size].tolist() == sorted(held)


def test_a_plan_that_runs_the_programme_ranks_its_posts_once(monkeypatch, macro_phases):
    """An uncapped plan whose programme runs ranks its posts once (`solver._Ranked`): the LP's
    and the programme's chains come from that ranking, no chain sorts the posts again; a plan
    of the same posts at another budget ranks nothing (`solver.ranked_posts` kept it), and a
    roster with other posts is ranked anew. The programme's own set-up, sorting the posts
    again, finds the same plan."""
    import planner.chain
    import planner.solver

    roster = check_roster(synthetic_roster(2_000, seed=7))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(budget=round(total * 0.1), macro_share_max=0.6)
    items = build_items(roster.table, campaign)
    sorted_posts, ranked = [], []
    of_items = planner.chain.DantzigChain.of_items.__func__
    rank = planner.solver._Ranked.of.__func__

    def counted_chain(cls, items, value, mask):
        sorted_posts.append(int(mask.sum()))
        return of_items(cls, items, value, mask)

    def counted_rank(cls, items):
        ranked.append(items.owner.size)
        return rank(cls, items)

    with monkeypatch.context() as patched:
        patched.setattr(planner.solver, "_rankings", type(planner.solver._rankings)())
        patched.setattr(planner.chain.DantzigChain, "of_items", classmethod(counted_chain))
        patched.setattr(planner.solver._Ranked, "of", classmethod(counted_rank))
        found = solve(items)
        assert macro_phases and found.status == "optimal"
        assert ranked == [items.owner.size] and sorted_posts == []
        # Another budget: the same posts, ranked already; the plan is the one from scratch.
        other = build_items(roster.table, dataclasses.replace(campaign, budget=round(total * 0.2)))
        kept = solve(other)
        assert ranked == [items.owner.size] and sorted_posts == []
        # Another decay: other engagements, ranked anew.
        solve(build_items(roster.table, dataclasses.replace(campaign, decay=0.5)))
        assert ranked == [items.owner.size] * 2
    planner.solver._rankings.clear()
    fresh = solve(other)
    assert (fresh.status, fresh.value, fresh.upper_bound) == (
        kept.status,
        kept.value,
        kept.upper_bound,
    )
    assert np.array_equal(fresh.chosen, kept.chosen)
    with monkeypatch.context() as patched:
        patched.setattr(
            planner.solver, "prepare", lambda items, value, chains: prepare(items, value)
        )
        again = solve(items)
    assert again.status == "optimal" and np.array_equal(again.chosen, found.chosen)


def test_the_rankings_kept_are_those_of_the_last_posts_planned(monkeypatch):
    """`ranked_posts` keeps the rankings of the last few sets of posts, the least recently used
    going first; it knows posts by their prices, engagements and post numbers alone."""
    from collections import OrderedDict

    import planner.solver

    monkeypatch.setattr(planner.solver, "_rankings", OrderedDict())
    monkeypatch.setattr(planner.solver, "_RANKINGS_KEPT", 2)
    roster = check_roster(synthetic_roster(60, seed=3))
    a, b, c = (build_items(roster.table, Campaign(budget=5_000, decay=d)) for d in (0.5, 0.6, 0.7))
    first_a, first_b = ranked_posts(a), ranked_posts(b)
    assert ranked_posts(a) is first_a  # (a used last: b goes first)
    ranked_posts(c)
    assert ranked_posts(a) is first_a and ranked_posts(b) is not first_b
    # A copy of the posts, under other limits, is the same posts.
    copy = dataclasses.replace(a, cost=a.cost.copy(), budget=9_000, max_influencers=3)
    assert ranked_posts(copy) is first_a
    # One post's price a cent higher is other posts.
    dearer = a.cost.copy()
    dearer[-1] += 1
    assert ranked_posts(dataclasses.replace(a, cost=dearer)) is not first_a
