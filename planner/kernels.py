"""Compiled inner loops of the dynamic programme (numba), where numpy's per-call cost dominates.

Each kernel is one step of a programme in planner/dp.py, written as plain loops over typed
arrays; the search around it (bounds, completions, limits, rebuilding the plan) stays in Python,
except for the capped micro phase's passes, whose steps run in one call (`counted_steps`).
`cache=True` keeps the machine code between runs (first use compiles once, about a second).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from planner.compiled import compiled


@njit(nogil=True, inline="always")
def _totals(  # pragma: no cover (compiled)
    cost: np.ndarray, macro: np.ndarray, k: np.ndarray, chosen: np.ndarray
) -> tuple[int, int, int, int]:
    """A plan's spend, macro spend, influencers and macro influencers. (Plain sums: the same
    loop through `_moved`'s tuple ran ~100x slower, 3.4 ms at 142,000 posts.)"""
    spend = macro_spend = influencers = macro_influencers = 0
    for j in range(cost.size):
        if chosen[j]:
            c = cost[j]
            is_macro = macro[j]
            first = k[j] == 0
            spend += c
            macro_spend += c * is_macro
            influencers += first
            macro_influencers += first and is_macro
    return spend, macro_spend, influencers, macro_influencers


@njit(nogil=True, inline="always")
def _moved(  # pragma: no cover (compiled)
    cost: np.ndarray,
    macro: np.ndarray,
    k: np.ndarray,
    j: int,
    sign: int,
    totals: tuple[int, int, int, int],
) -> tuple[int, int, int, int]:
    """`_totals` after post j is added to the plan (`sign` 1) or dropped from it (-1)."""
    spend, macro_spend, influencers, macro_influencers = totals
    spend += sign * cost[j]
    if macro[j]:
        macro_spend += sign * cost[j]
    if k[j] == 0:
        influencers += sign
        macro_influencers += sign * int(macro[j])
    return spend, macro_spend, influencers, macro_influencers


@compiled
def plan_facts(  # pragma: no cover (compiled; tests/test_optimizer.py checks it)
    cost: np.ndarray, macro: np.ndarray, k: np.ndarray, chosen: np.ndarray
) -> tuple[int, int, int, int, bool]:
    """`_totals` of a plan (`planner.model.PostItems.check`), and whether it takes each
    influencer's posts in post order (post k only with post k - 1)."""
    out_of_order = 0
    for j in range(1, cost.size):  # (post 0 is a first post; no branches: the plan's posts
        # are scattered, and a branch per post mispredicted took twice as long)
        out_of_order |= np.int64(chosen[j]) & np.int64(k[j] > 0) & (1 - np.int64(chosen[j - 1]))
    spend, macro_spend, influencers, macro_influencers = _totals(cost, macro, k, chosen)
    return spend, macro_spend, influencers, macro_influencers, out_of_order == 0


@compiled
def plan_value(value: np.ndarray, chosen: np.ndarray) -> float:  # pragma: no cover (compiled)
    """The engagement of the posts in `chosen`, summed in index order (the same as numpy's
    `value[chosen].sum()` up to rounding). The posts' values are gathered first without a
    branch (a plan's posts are scattered: a branch per post, mispredicted, took up to 3x as
    long at 142,000 posts), then summed in the same order."""
    gathered = np.empty(value.size)
    m = 0
    for j in range(value.size):
        gathered[m] = value[j]
        m += chosen[j]
    total = 0.0
    for i in range(m):
        total += gathered[i]
    return total


@compiled
def first_in(order: np.ndarray, mask: np.ndarray) -> int:  # pragma: no cover (compiled)
    """The first position in `order` whose post is in `mask` (-1: none), looking no further."""
    for i in range(order.size):
        if mask[order[i]]:
            return i
    return -1


@compiled
def first_of(  # pragma: no cover (compiled; tests/test_optimizer.py checks it)
    owner: np.ndarray, k: np.ndarray, chosen: np.ndarray, n_influencers: int
) -> np.ndarray:
    """`planner.model.first_posts`: as many posts of each influencer as `chosen` takes, the
    first ones."""
    counts = np.zeros(max(n_influencers, owner.max() + 1 if owner.size else 0), dtype=np.int64)
    for j in range(owner.size):
        counts[owner[j]] += chosen[j]
    out = np.empty(owner.size, dtype=np.bool_)
    for j in range(owner.size):
        out[j] = k[j] < counts[owner[j]]
    return out


@compiled
def fill(  # pragma: no cover (compiled; tests/test_optimizer.py checks it)
    cost: np.ndarray,
    macro: np.ndarray,
    k: np.ndarray,
    chosen: np.ndarray,
    order: np.ndarray,
    limits: tuple[int, int, int, int],
) -> tuple[int, int, int, int]:
    """A greedy fill (`planner.heuristics.greedy_fill`): adds to `chosen` each post in `order`
    that still fits: the budget, the macro share's top, the caps, and an influencer's earlier
    posts before their later ones. `limits`: the budget, the macro spend's most, the caps on
    influencers and on macro influencers (-1: none). Returns the plan's `_totals` after."""
    budget, macro_max, max_influencers, max_macro = limits
    spend, macro_spend, n_first, n_macro = _totals(cost, macro, k, chosen)
    cheapest = cost.min() if cost.size else 0
    # Once the cap on influencers is met, only the later posts of the influencers in the plan
    # can still be added (no first post can, and a later post needs its earlier ones): the
    # pass stops once it has gone past every one of them (`left`, counted when the cap is met,
    # less those it went past before then, marked in `seen`). On a large roster the cap is met
    # early and most posts need not be looked at.
    capped = max_influencers >= 0
    seen = np.zeros(cost.size if capped else 0, dtype=np.bool_)
    left = -1  # (-1: the cap is not met)
    if capped and n_first >= max_influencers:
        left = _later_posts_left(k, chosen, seen)
    for j in order:
        if budget - spend < cheapest or left == 0:
            break  # nothing more fits, or nothing more can be added
        if left > 0:
            if k[j] > 0 and not chosen[j] and chosen[j - k[j]]:
                left -= 1
        elif capped:
            seen[j] = True
        c = cost[j]
        if chosen[j] or c > budget - spend or (k[j] > 0 and not chosen[j - 1]):
            continue
        is_macro = macro[j]
        if is_macro and macro_spend + c > macro_max:
            continue
        if k[j] == 0:
            if (max_influencers >= 0 and n_first >= max_influencers) or (
                is_macro and max_macro >= 0 and n_macro >= max_macro
            ):
                continue
            n_first += 1
            n_macro += is_macro
        chosen[j] = True
        spend += c
        if is_macro:
            macro_spend += c
        if left < 0 and capped and n_first >= max_influencers:
            left = _later_posts_left(k, chosen, seen)
    return spend, macro_spend, n_first, n_macro


@njit(nogil=True)
def _later_posts_left(  # pragma: no cover (compiled)
    k: np.ndarray, chosen: np.ndarray, seen: np.ndarray
) -> int:
    """How many posts not in `chosen` and not `seen` follow an influencer's first post in
    `chosen` (its later posts: posts of an influencer are in a row, post k at first + k)."""
    left = 0
    for j in range(k.size):
        if k[j] > 0 and not chosen[j] and chosen[j - k[j]] and not seen[j]:
            left += 1
    return left


@compiled
def drop_posts(  # pragma: no cover (compiled; tests/test_optimizer.py checks it)
    cost: np.ndarray,
    macro: np.ndarray,
    k: np.ndarray,
    owner: np.ndarray,
    chosen: np.ndarray,
    keep: np.ndarray,
    order: np.ndarray,
    limits: tuple[int, int, int],
) -> tuple[int, int]:
    """The repair's drops (`planner.heuristics.repair`): each post of `chosen` in `order` that
    is an influencer's last one in the plan and not in `keep` is dropped from `chosen` while
    the budget or the macro band's top is broken: a macro post unless that breaks the band's
    bottom, a micro post only while over the budget. `limits`: the budget, the macro spend's
    least and most. Returns the spend and macro spend after."""
    budget, macro_min, macro_max = limits
    spend, macro_spend, _, _ = _totals(cost, macro, k, chosen)
    last = cost.size - 1
    for j in order:
        over_budget = spend > budget
        if not (over_budget or macro_spend > macro_max):
            break
        if not chosen[j] or keep[j]:
            continue
        if j < last and owner[j + 1] == owner[j] and chosen[j + 1]:
            continue  # not this influencer's last post
        c = cost[j]
        if macro[j]:
            if macro_spend - c < macro_min:
                continue
            macro_spend -= c
        elif not over_budget:
            continue
        chosen[j] = False
        spend -= c
    return spend, macro_spend


# Below this many keys `stable_order` is numba's merge sort; from it on a radix sort (at
# 142,000 keys, a 50,000-row roster's posts: ~4 ms against ~20 ms).
_RADIX_FROM = 1024


@compiled
def stable_order(keys: np.ndarray) -> np.ndarray:  # pragma: no cover (compiled)
    """`np.argsort(keys, kind="stable")` of float keys: ascending, equal keys (0.0 and -0.0
    among them) in index order. From `_RADIX_FROM` keys on, a least-significant-digit radix
    sort of the keys' bits mapped to unsigned integers in the floats' order (stable by
    construction; passes whose digit every key shares are skipped); NaN keys (which the merge
    sort puts last) are left to the merge sort."""
    n = keys.size
    if n < _RADIX_FROM or np.isnan(keys).any():
        return np.argsort(keys, kind="mergesort")
    width = 8  # (a table of 256 counts a pass: 16-bit digits sort a little faster alone, but
    # their 2 MB of counts, allocated afresh, cost more in page faults where it is called)
    radix = 1 << width
    passes = 64 // width
    mask = np.uint64(radix - 1)
    sign = np.uint64(1) << np.uint64(63)
    bits = np.empty(n, dtype=np.uint64)
    raw = keys.view(np.uint64)
    for i in range(n):
        b = np.uint64(0) if keys[i] == 0.0 else raw[i]  # (-0.0 as 0.0)
        bits[i] = ~b if b & sign else b | sign
    count = np.zeros((passes, radix), dtype=np.int64)
    for i in range(n):
        b = bits[i]
        for p in range(passes):
            count[p, np.int64((b >> np.uint64(width * p)) & mask)] += 1
    order = np.arange(n)
    spare_bits = np.empty(n, dtype=np.uint64)
    spare_order = np.empty(n, dtype=np.int64)
    for p in range(passes):
        d = 0
        while count[p, d] == 0:
            d += 1
        if count[p, d] == n:  # every key has this digit: the order stays
            continue
        at = 0
        for d in range(radix):
            c = count[p, d]
            count[p, d] = at
            at += c
        shift = np.uint64(width * p)
        for i in range(n):
            b = bits[i]
            d = np.int64((b >> shift) & mask)
            to = count[p, d]
            spare_bits[to], spare_order[to] = b, order[i]
            count[p, d] = to + 1
        bits, spare_bits = spare_bits, bits
        order, spare_order = spare_order, order
    return order


@compiled
def envelope_segments(  # pragma: no cover (compiled; tests/test_split_curve.py checks it)
    k: np.ndarray,
    cost: np.ndarray,
    value: np.ndarray,
    cum_value: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    charge: float,
    keep_negative: bool,
    groups: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The segments of each influencer's concave envelope with its first post charged `charge`
    (`planner.relaxation.Envelopes.chain`), in post order: a first segment of posts 0..x*-1,
    x* the first number of posts of the best value per cent (`cum_value`: f_i(k + 1)), then
    each later post alone; those worth nothing left out unless `keep_negative`. Only the
    influencers `groups` (rising) are visited: the caller leaves out those with no segment.
    Returns each segment's first position, number of posts, cost and value."""
    n = 0
    for g in groups:
        n += lengths[g]
    pos = np.empty(n, dtype=np.int64)
    length = np.empty(n, dtype=np.int64)
    seg_cost = np.empty(n, dtype=np.int64)
    seg_value = np.empty(n)
    m = 0
    for g in groups:
        start, end = starts[g], starts[g] + lengths[g]
        best = -np.inf
        for j in range(start, end):
            best = max(best, (cum_value[j] - charge) / ((k[j] + 1) * cost[j]))
        x = 1
        for j in range(start, end):
            if (cum_value[j] - charge) / ((k[j] + 1) * cost[j]) >= best:
                x = k[j] + 1
                break
        worth = cum_value[start + x - 1] - charge
        if keep_negative or worth > 0:
            pos[m], length[m], seg_cost[m], seg_value[m] = start, x, cost[start] * x, worth
            m += 1
        for j in range(start + x, end):
            if keep_negative or value[j] > 0:
                pos[m], length[m], seg_cost[m], seg_value[m] = j, 1, cost[j], value[j]
                m += 1
    return pos[:m], length[:m], seg_cost[:m], seg_value[:m]


@compiled
def envelope_chain(  # pragma: no cover (compiled; tests/test_capped_paths.py checks it)
    k: np.ndarray,
    cost: np.ndarray,
    value: np.ndarray,
    cum_value: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    charge: float,
    keep_negative: bool,
    groups: np.ndarray,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
    np.ndarray,
]:  # fmt: skip
    """`envelope_segments` as a Dantzig chain (`planner.relaxation.Envelopes.chain`): the
    segments by falling value per cent, ties in segment order (a stable sort), and the chain's
    arrays: each segment's cost, value, first position, number of posts, whether it starts an
    influencer, then the cumulative cost and value (a leading 0) and value per cent (a trailing
    0), as `planner.chain.DantzigChain` builds them."""
    pos, length, seg_cost, seg_value = envelope_segments(
        k, cost, value, cum_value, starts, lengths, charge, keep_negative, groups
    )
    m = pos.size
    order = stable_order(-(seg_value / seg_cost))
    c_cost = np.empty(m, dtype=np.int64)
    c_value = np.empty(m)
    c_pos = np.empty(m, dtype=np.int64)
    c_length = np.empty(m, dtype=np.int64)
    c_first = np.empty(m, dtype=np.bool_)
    cum_cost = np.empty(m + 1, dtype=np.int64)
    cum_value_out = np.empty(m + 1)
    ratio = np.empty(m + 1)
    cum_cost[0], cum_value_out[0], ratio[m] = 0, 0.0, 0.0
    for i in range(m):
        o = order[i]
        c_cost[i], c_value[i], c_pos[i], c_length[i] = seg_cost[o], seg_value[o], pos[o], length[o]
        c_first[i] = k[pos[o]] == 0
        cum_cost[i + 1] = cum_cost[i] + seg_cost[o]
        cum_value_out[i + 1] = cum_value_out[i] + seg_value[o]
        ratio[i] = seg_value[o] / max(seg_cost[o], 1)
    return c_cost, c_value, c_pos, c_length, c_first, cum_cost, cum_value_out, ratio


@njit(nogil=True, inline="always")
def _profit(  # pragma: no cover (compiled)
    value: float, posts: int, cost: int, lam: float, charge: float
) -> float:
    """f_i(x) - lambda c_i x - charge: `posts` posts worth `value` at `cost` cents a post, at
    `lam` a cent and `charge` an influencer (the posts' cost is summed in integers first, as
    numpy's `lam * ((k + 1) * cost)` does)."""
    return value - lam * (posts * cost) - charge


@compiled
def charged_best(  # pragma: no cover (compiled; tests/test_capped_paths.py checks it)
    cum_value: np.ndarray,
    k: np.ndarray,
    cost: np.ndarray,
    starts: np.ndarray,
    lengths: np.ndarray,
    lams: np.ndarray,
    charges: np.ndarray,
) -> np.ndarray:
    """[row, influencer] the best of f_i(x) - lambda c_i x - charge over x = 1..m_i at each row's
    prices (lams[row] a cent, charges[row] an influencer), as `np.maximum.reduceat(cum_value -
    lams[:, None] * ((k + 1) * cost) - charges[:, None], starts, axis=1)` computes it
    (`planner.dp._charged_profit`; the capped micro phase's fixing by groups), the same
    operations in the same order, without the [row, post] table."""
    best = np.empty((lams.size, starts.size))
    for r in range(lams.size):
        lam, charge = lams[r], charges[r]
        for g in range(starts.size):
            s = starts[g]
            top = _profit(cum_value[s], k[s] + 1, cost[s], lam, charge)
            for j in range(s + 1, s + lengths[g]):
                p = _profit(cum_value[j], k[j] + 1, cost[j], lam, charge)
                if p > top:
                    top = p
            best[r, g] = top
    return best


@compiled
def lagrangian_bounds(  # pragma: no cover (compiled; tests/test_capped_paths.py checks it)
    cost: np.ndarray,
    value: np.ndarray,
    count: np.ndarray,
    lams: np.ndarray,
    rest: np.ndarray,
    limits: tuple[int, int, int, int, int],
    prices: tuple[float, float, float, float],
) -> np.ndarray:
    """`planner.dp._LagrangianBound`'s bounds, the same operations in the same order as its
    numpy table [lambda, state] (then the smallest over the lambdas, NaN if any is), without
    the table. `limits`: the budget, the band's top and bottom, the caps on macro influencers
    and on influencers (-1: none); `prices`: the duals of the band's top and bottom, of the
    macro cap and of the cap."""
    budget, macro_max, macro_min, max_macro, max_influencers = limits
    d_top, d_bottom, d_macro_count, d_count = prices
    out = np.empty(cost.size)
    for j in range(cost.size):
        c, n = cost[j], count[j]
        least = np.inf
        nan = False
        for r in range(lams.size):
            s = lams[r] * (budget - c) + d_top * (macro_max - c) + d_bottom * (c - macro_min)
            if max_macro >= 0:
                s = s + d_macro_count * (max_macro - n)
            if max_influencers >= 0:
                s = s + d_count * (max_influencers - n)
            s = s + rest[r]
            if s != s:
                nan = True
            elif s < least:
                least = s
        out[j] = value[j] + (np.nan if nan else least)
    return out


@compiled
def merge_orders(  # pragma: no cover (compiled; tests/test_capped_paths.py checks it)
    a: np.ndarray, b: np.ndarray, key: np.ndarray, second: np.ndarray
) -> np.ndarray:
    """Two lists of indices, each sorted by (`key`, `second`, index), merged into one so sorted
    (as a stable sort of the two together by `key`, then `second`, would order them)."""
    out = np.empty(a.size + b.size, dtype=np.int64)
    i = j = m = 0
    while i < a.size and j < b.size:
        x, y = a[i], b[j]
        if key[y] < key[x] or (
            key[y] == key[x] and (second[y] < second[x] or (second[y] == second[x] and y < x))
        ):
            out[m] = y
            j += 1
        else:
            out[m] = x
            i += 1
        m += 1
    while i < a.size:
        out[m] = a[i]
        i += 1
        m += 1
    while j < b.size:
        out[m] = b[j]
        j += 1
        m += 1
    return out


@compiled
def pareto_runs(  # pragma: no cover (compiled; tests/test_optimizer.py checks the plans)
    key: np.ndarray, value: np.ndarray, count: np.ndarray, short: np.ndarray
) -> np.ndarray:
    """Which states to keep (`planner.dp._pareto_by_count`), given in order of `key` (count,
    then `short`: below the band's bottom, then spend; states of one key in any order): of each
    key the first of the most engagement, kept in a run of one count that reaches the bottom
    when it is worth more than every state before it in the run, and always in a run that is
    short of the bottom."""
    keep = np.zeros(key.size, dtype=np.bool_)
    best = -np.inf
    i = 0
    while i < key.size:
        top = i  # the first of the most engagement among the states of this key
        j = i + 1
        while j < key.size and key[j] == key[i]:
            if value[j] > value[top]:
                top = j
            j += 1
        new_run = i == 0 or count[i] != count[i - 1] or short[i] != short[i - 1]
        if short[i]:
            keep[top] = True
        else:
            if new_run:
                best = -np.inf
            keep[top] = value[top] > best
            best = max(best, value[top])
        i = j
    return keep


@compiled
def best_exchange(  # pragma: no cover (compiled; tests/test_optimizer.py checks it)
    kept: np.ndarray,
    drop_profit: np.ndarray,
    add_cost: np.ndarray,
    add_profit: np.ndarray,
    low: int,
    high: int,
) -> tuple[int, int, float]:
    """The macro exchange's best pair (`planner.heuristics.macro_exchange`): the drop set a
    and add set b with low <= kept[a] + add_cost[b] <= high that gain most (add_profit[b] -
    drop_profit[a]); for each a, the first of the best add sets in its range of add costs (by
    add cost, stably), from a sparse table of range maxima; the first best a. Returns a, b
    and the gain (-inf: no pair)."""
    order = np.argsort(add_cost, kind="mergesort")
    n = order.size
    sorted_cost = add_cost[order]
    sorted_profit = add_profit[order]
    levels = 1
    while (1 << levels) <= n:
        levels += 1
    # table[j, i]: position of the first best profit in [i, i + 2^j)
    table = np.zeros((levels, max(n, 1)), dtype=np.int64)
    for i in range(n):
        table[0, i] = i
    width = 1
    for j in range(1, levels):
        for i in range(n - 2 * width + 1):
            left, right = table[j - 1, i], table[j - 1, i + width]
            table[j, i] = right if sorted_profit[right] > sorted_profit[left] else left
        width *= 2
    best_a, best_pos, best_gain = 0, 0, -np.inf
    for a in range(kept.size):
        lo = np.searchsorted(sorted_cost, low - kept[a], side="left")
        hi = np.searchsorted(sorted_cost, high - kept[a], side="right")
        if hi <= lo:
            continue
        span = hi - lo
        level = 0
        while (1 << (level + 1)) <= span:
            level += 1
        first, second = table[level, lo], table[level, hi - (1 << level)]
        pos = second if sorted_profit[second] > sorted_profit[first] else first
        gain = sorted_profit[pos] - drop_profit[a]
        if gain > best_gain:
            best_a, best_pos, best_gain = a, pos, gain
    return best_a, int(order[best_pos]) if n else 0, best_gain


@compiled
def trace_back(  # pragma: no cover (compiled; tests/test_optimizer.py checks the plans)
    step: int,
    state: int,
    offsets: np.ndarray,
    parent: np.ndarray,
    took: np.ndarray,
    step_start: np.ndarray,
    idx: np.ndarray,
    chosen: np.ndarray,
) -> int:
    """The posts state `state` of step `step` took in the capped micro phase (planner/dp.py,
    `_Steps`), written into `chosen`: at step t it took `took` posts of the influencer whose
    first post is `idx[step_start[t]]`, and came from state `parent` of step t - 1. Returns the
    state it came from before the first step."""
    for t in range(step, -1, -1):
        at = offsets[t] + state
        first = step_start[t]
        for i in range(took[at]):
            chosen[idx[first + i]] = True
        state = parent[at]
    return state


@compiled
def _last_posts_by_ratio(  # pragma: no cover (compiled)
    cost: np.ndarray,
    value: np.ndarray,
    owner: np.ndarray,
    chosen: np.ndarray,
    plan: np.ndarray,
    width: int,
    heap_key: np.ndarray,
    heap_idx: np.ndarray,
) -> np.ndarray:
    """The `width` last posts of `chosen` (an influencer's last in the plan) of the least value
    per cent, by it, ties in index order: kept in a heap of the `width` smallest as the posts
    go by in index order (a post ties with one kept only after it, so it goes in only below
    the largest kept), then sorted. `plan`: rising indices that hold every post of `chosen`
    (the posts looked at). `heap_key`, `heap_idx`: room for `width` entries."""
    n = cost.size
    size = 0
    for j in plan:
        if not chosen[j] or (j + 1 < n and chosen[j + 1] and owner[j + 1] == owner[j]):
            continue
        key = value[j] / cost[j]
        if size < width:  # sift up
            at = size
            size += 1
            while at > 0:
                up = (at - 1) // 2
                if heap_key[up] > key:  # (equal: the one kept has the smaller index)
                    break
                heap_key[at], heap_idx[at] = heap_key[up], heap_idx[up]
                at = up
            heap_key[at], heap_idx[at] = key, j
        elif key < heap_key[0]:  # replaces the largest; sift down
            at = 0
            while True:
                child = 2 * at + 1
                if child >= size:
                    break
                if child + 1 < size and _above(heap_key, heap_idx, child + 1, child):
                    child += 1
                if not (heap_key[child] > key or (heap_key[child] == key and heap_idx[child] > j)):
                    break
                heap_key[at], heap_idx[at] = heap_key[child], heap_idx[child]
                at = child
            heap_key[at], heap_idx[at] = key, j
    return _by_ratio(cost, value, heap_idx[:size])


@njit(nogil=True)
def _by_ratio(  # pragma: no cover (compiled)
    cost: np.ndarray, value: np.ndarray, posts: np.ndarray
) -> np.ndarray:
    """`posts` by rising value per cent, ties in index order (sorted by index, then a stable
    sort by value per cent)."""
    idx = np.sort(posts)
    keys = np.empty(idx.size)
    for i in range(idx.size):
        keys[i] = value[idx[i]] / cost[idx[i]]
    return idx[np.argsort(keys, kind="mergesort")]


@compiled
def _last_posts_from_tail(  # pragma: no cover (compiled)
    cost: np.ndarray,
    value: np.ndarray,
    owner: np.ndarray,
    chosen: np.ndarray,
    by_ratio: np.ndarray,
    width: int,
    most: int,
    found: np.ndarray,
) -> np.ndarray:
    """`_last_posts_by_ratio`'s posts (the `width` last posts of `chosen` of the least value per
    cent, by it, ties in index order) found from the end of `by_ratio` (every post by falling
    value per cent, ties in index order), looking at no more than `most` of its posts; None
    past them (the caller then keeps its heap over the plan's posts). A plan that holds most
    posts has its least efficient near that end: at 5,000 rows a plan of 13,600 of 14,300
    posts had them within the last ~700. Past the `width`-th post found, the posts tied with
    it are found too (they come in falling index order from this end), then all are sorted.
    `found`: room for every post."""
    n = cost.size
    count = 0
    kth = np.inf  # the `width`-th post's value per cent, once found
    looked = 0
    for i in range(by_ratio.size - 1, -1, -1):
        looked += 1
        if looked > most:
            return None
        j = by_ratio[i]
        if not chosen[j] or (j + 1 < n and chosen[j + 1] and owner[j + 1] == owner[j]):
            continue
        key = value[j] / cost[j]
        if count >= width and key > kth:
            break
        found[count] = j
        count += 1
        if count == width:
            kth = key
    return _by_ratio(cost, value, found[:count])[:width]


@njit(nogil=True)
def _n_chosen(chosen: np.ndarray) -> int:  # pragma: no cover (compiled)
    """How many posts `chosen` holds."""
    n = 0
    for j in range(chosen.size):
        n += chosen[j]
    return n


@njit(nogil=True)
def _plan_moved(plan: np.ndarray, size: int, dropped: int, added: int) -> int:  # pragma: no cover
    """`plan[:size]` (rising) without post `dropped` (-1: none) and with post `added`; its new
    size."""
    if dropped >= 0:
        at = np.searchsorted(plan[:size], dropped)
        plan[at : size - 1] = plan[at + 1 : size].copy()
        size -= 1
    at = np.searchsorted(plan[:size], added)
    plan[at + 1 : size + 1] = plan[at:size].copy()
    plan[at] = added
    return size + 1


@njit(nogil=True, inline="always")
def _above(  # pragma: no cover (compiled)
    heap_key: np.ndarray, heap_idx: np.ndarray, a: int, b: int
) -> bool:
    """Whether heap entry a is after entry b by (value per cent, index)."""
    return heap_key[a] > heap_key[b] or (heap_key[a] == heap_key[b] and heap_idx[a] > heap_idx[b])


@compiled
def swap(  # pragma: no cover (compiled; tests/test_optimizer.py checks it)
    cost: np.ndarray,
    value: np.ndarray,
    owner: np.ndarray,
    k: np.ndarray,
    macro: np.ndarray,
    chosen: np.ndarray,
    by_ratio: np.ndarray,
    limits: tuple[int, int, int, int, int],
    width: int,
    rounds: int,
) -> None:
    """Local search (`planner.heuristics.improve`): up to `rounds` times, the best exchange of
    one of the `width` least efficient last posts of `chosen` (or none) for one of the `width`
    most efficient posts that could be added, while that gains engagement and keeps every rule.
    `by_ratio`: every post by falling value per cent, ties in index order (the adds are its
    first `width` that could be added, and the drops are found from its end while that is
    shorter than the plan, so a round does not look at every post). `limits`: the budget, the
    macro spend's least and most, the caps (-1: none)."""
    budget, macro_min, macro_max, max_influencers, max_macro = limits
    n = cost.size
    spend, macro_spend, n_total, n_macro = _totals(cost, macro, k, chosen)
    adds = np.empty(width, dtype=np.int64)
    add_value = np.empty(width)
    heap_key, heap_idx = np.empty(width), np.empty(width, dtype=np.int64)
    least = np.empty(width, dtype=np.int64)
    found = np.empty(n, dtype=np.int64)
    # Every post before position `start` of `by_ratio` is in the plan (none is an add).
    start = 0
    # The plan's posts in index order (the drops are looked for among them when they are not
    # found near the end of `by_ratio`): each round drops one at most and adds one.
    # (+ 1: each post is written to the next place before it is counted, without a branch;
    # a plan's posts are scattered, and a branch per post mispredicts)
    plan = np.empty(_n_chosen(chosen) + rounds + 1, dtype=np.int64)
    size = 0
    for j in range(n):
        plan[size] = j
        size += chosen[j]
    for _ in range(rounds):
        if budget - spend < 0:
            break
        n_add = 0
        for i in range(start, by_ratio.size):
            if n_add == width:
                break
            j = by_ratio[i]
            if chosen[j]:
                if n_add == 0 and i == start:
                    start += 1
                continue
            if j == 0 or owner[j] != owner[j - 1] or (chosen[j - 1] and k[j] > 0):
                adds[n_add] = j  # the influencer's next post
                n_add += 1
        # The drops from the end of `by_ratio`, unless that means looking at more posts than
        # the plan holds (then among the plan's posts).
        drops = _last_posts_from_tail(cost, value, owner, chosen, by_ratio, width, size, found)
        if drops is None:
            drops = _last_posts_by_ratio(
                cost, value, owner, chosen, plan[:size], width, heap_key, heap_idx
            )
        # The adds by falling engagement, ties in their order: for each drop the first that
        # fits gains the most, and the search stops there (or where no add could beat the best
        # exchange so far), instead of trying every pair.
        for b in range(n_add):
            add_value[b] = value[adds[b]]
        by_gain = np.argsort(-add_value[:n_add], kind="mergesort")
        # The least price of the adds up to each place along `by_gain` (falling).
        for r in range(n_add):
            c = cost[adds[by_gain[r]]]
            least[r] = c if r == 0 or c < least[r - 1] else least[r - 1]
        best, best_drop, best_add = -np.inf, -1, -1
        for a in range(-1, drops.size):  # -1: drop nothing
            d = drops[a] if a >= 0 else -1
            d_cost = cost[d] if d >= 0 else 0
            d_value = value[d] if d >= 0 else 0.0
            d_macro = d >= 0 and macro[d]
            d_first = d >= 0 and k[d] == 0
            # (Drop nothing: compared with the first post's influencer, as the numpy search was.)
            d_owner = owner[d] if d >= 0 else owner[0]
            # The best add for this drop: the largest gain above `best`, of those the first in
            # `adds` (gains only fall along `by_gain`; equal ones come in `adds`' order, unless
            # rounding made unequal engagements gain the same: then the first in `adds` wins).
            top, top_gain = -1, best
            # The adds before the first place where one fits the budget are skipped: none of
            # them fits, and where the loop would stop at one of them (its gain too small), it
            # stops at that place too (gains only fall).
            room = budget - spend + d_cost
            lo, hi = 0, n_add
            while lo < hi:
                mid = (lo + hi) // 2
                if least[mid] <= room:
                    hi = mid
                else:
                    lo = mid + 1
            for r in range(lo, n_add):
                b = by_gain[r]
                j = adds[b]
                gain = value[j] - d_value
                if not gain > 0 or gain < top_gain:
                    break
                if gain == top_gain and (top < 0 or b > top):
                    if top < 0:
                        break  # (no better than the best exchange so far)
                    continue
                if owner[j] == d_owner:
                    continue
                if spend - d_cost + cost[j] > budget:
                    continue
                new_macro = macro_spend - (d_cost if d_macro else 0) + (cost[j] if macro[j] else 0)
                if new_macro > macro_max or new_macro < macro_min:
                    continue
                first = k[j] == 0
                if max_influencers >= 0 and n_total - d_first + first > max_influencers:
                    continue
                if (
                    max_macro >= 0
                    and n_macro - (d_first and d_macro) + (first and macro[j]) > max_macro
                ):
                    continue
                top, top_gain = b, gain
            if top >= 0:
                best, best_drop, best_add = top_gain, d, adds[top]
        if best_add < 0:
            break
        totals = (spend, macro_spend, n_total, n_macro)
        size = _plan_moved(plan, size, best_drop, best_add)
        if best_drop >= 0:
            chosen[best_drop] = False
            totals = _moved(cost, macro, k, best_drop, -1, totals)
            # Its place in `by_ratio` (by falling value per cent, then index).
            key = value[best_drop] / cost[best_drop]
            lo, hi = 0, by_ratio.size
            while lo < hi:
                mid = (lo + hi) // 2
                j = by_ratio[mid]
                at_key = value[j] / cost[j]
                if at_key > key or (at_key == key and j < best_drop):
                    lo = mid + 1
                else:
                    hi = mid
            start = min(start, lo)
        chosen[best_add] = True
        spend, macro_spend, n_total, n_macro = _moved(cost, macro, k, best_add, 1, totals)


@njit(nogil=True, inline="always")
def _slope_above(  # pragma: no cover (compiled)
    cum_cost: np.ndarray, ratio: np.ndarray, spend: int
) -> float:
    """Value per cent of a Dantzig chain's next cent after `spend` (0 past either end):
    `planner.chain.DantzigChain.slope_above` for one spend."""
    i = np.searchsorted(cum_cost, spend, side="right") - 1
    return ratio[i] if i >= 0 else ratio[ratio.size - 1]


@compiled
def split_spend(  # pragma: no cover (compiled; tests/test_optimizer.py checks the LP)
    macro_cum_cost: np.ndarray,
    macro_ratio: np.ndarray,
    micro_cum_cost: np.ndarray,
    micro_ratio: np.ndarray,
    budget: int,
    low: int,
    high: int,
) -> int:
    """The largest macro spend m in [low, high] (low <= high) where one more macro cent still
    earns at least one more micro cent (the split of `planner.relaxation._split`), by a binary
    search over cents on the macro and the micro chains (cumulative costs and ratios)."""
    lo, hi = low, high
    while lo < hi:
        mid = (lo + hi + 1) // 2
        macro_slope = _slope_above(macro_cum_cost, macro_ratio, mid - 1)
        if macro_slope >= _slope_above(micro_cum_cost, micro_ratio, budget - mid):
            lo = mid
        else:
            hi = mid - 1
    return lo


# The Lagrangian searches of `planner.relaxation` (`counted_lp` with a cap on influencers in
# total only, `cap_price`) compiled: each price's envelope chains, split and count without a
# return to Python (a capped plan at 500 rows made some 25 such chains, ~45 us each in Python).
KELLEY_ONE = 0  # one set of envelopes with `room` cents (`cap_price`)
KELLEY_SPLIT = 1  # micro and macro envelopes and the band (`counted_lp`)
# Envelopes as they take them (`planner.relaxation.Envelopes.arrays`: k, cost, value,
# cum_value, starts, lengths, each influencer's engagement with every post bought), and a chain
# (`planner.relaxation.SegmentChain.arrays`: each link's cost and whether it starts an
# influencer, the cumulative cost and value, the value per cent).
EnvelopeArrays = tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray
]
ChainArrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]


@njit(nogil=True, inline="always")
def _lp_bought(  # pragma: no cover (compiled)
    cost: np.ndarray, first: np.ndarray, cum_cost: np.ndarray, spend: int
) -> float:
    """`planner.relaxation._bought`: the fractional number of influencers a chain's LP buys."""
    s = min(spend, cum_cost[cum_cost.size - 1])
    i = np.searchsorted(cum_cost, s, side="right") - 1
    whole = 0
    for j in range(i):
        whole += first[j]
    bought = float(whole)
    if i < first.size and first[i]:
        bought += (s - cum_cost[i]) / cost[i]
    return bought


@njit(nogil=True, inline="always")
def _charged_chain(  # pragma: no cover (compiled)
    envelopes: EnvelopeArrays,
    charge: float,
    keep_negative: bool,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
    np.ndarray,
]:  # fmt: skip
    """`planner.relaxation.Envelopes.chain` (`envelopes`: its k, cost, value, cum_value, starts,
    lengths and each influencer's engagement with every post bought): without the worthless
    segments, only the influencers whose engagement reaches the charge are visited."""
    k, cost, value, cum_value, starts, lengths, whole = envelopes
    if keep_negative:
        groups = np.arange(starts.size)
    else:
        n = 0
        for g in range(starts.size):
            n += whole[g] >= charge
        groups = np.empty(n, dtype=np.int64)
        n = 0
        for g in range(starts.size):
            if whole[g] >= charge:
                groups[n] = g
                n += 1
    return envelope_chain(k, cost, value, cum_value, starts, lengths, charge, keep_negative, groups)


@njit(nogil=True, inline="always")
def _kelley_point(  # pragma: no cover (compiled)
    mode: int,
    price: float,
    cap: int,
    micro: ChainArrays,
    macro: ChainArrays,
    limits: tuple[int, int, int],
) -> tuple[float, float, bool]:
    """The Lagrangian bound at `price` per influencer and the influencers its LP buys, from the
    chains at that price (`micro`, `macro`: each link's cost and whether it starts an
    influencer, the cumulative cost and value, the value per cent), as `cap_price`'s `f`
    (KELLEY_ONE: `micro` with limits[0] cents) or `counted_lp`'s `evaluate` (KELLEY_SPLIT:
    limits the budget and the band's bottom and top); False where the band cannot be met."""
    budget, low, top = limits
    m_cost, m_first, m_cum_cost, m_cum_value, m_ratio = micro
    if mode == KELLEY_ONE:
        bound = price * cap + _chain_value(
            m_cum_cost, m_cum_value, m_ratio, 0, m_cum_cost.size, budget
        )
        return bound, _lp_bought(m_cost, m_first, m_cum_cost, budget), True
    M_cost, M_first, M_cum_cost, M_cum_value, M_ratio = macro
    high = min(top, budget, M_cum_cost[M_cum_cost.size - 1])
    if low > high:
        return 0.0, 0.0, False
    m = split_spend(M_cum_cost, M_ratio, m_cum_cost, m_ratio, budget, low, high)
    micro_spend = min(budget - m, m_cum_cost[m_cum_cost.size - 1])
    z = _chain_value(M_cum_cost, M_cum_value, M_ratio, 0, M_cum_cost.size, m) + _chain_value(
        m_cum_cost, m_cum_value, m_ratio, 0, m_cum_cost.size, micro_spend
    )
    bought = _lp_bought(m_cost, m_first, m_cum_cost, micro_spend) + _lp_bought(
        M_cost, M_first, M_cum_cost, m
    )
    return z + price * cap, bought, True


@njit(nogil=True, inline="always")
def _chains_at(  # pragma: no cover (compiled)
    mode: int, price: float, micro: EnvelopeArrays, macro: EnvelopeArrays
) -> tuple[ChainArrays, ChainArrays]:
    """The micro and the macro chain at `price` per influencer (of `micro`, `macro`: envelopes
    as `_charged_chain` takes them; the macro chain keeps its worthless segments, as
    `counted_lp`'s; KELLEY_ONE: the micro chain twice)."""
    cost, _, _, _, first, cum_cost, cum_value, ratio = _charged_chain(micro, price, False)
    chain_micro = (cost, first, cum_cost, cum_value, ratio)
    if mode == KELLEY_ONE:
        return chain_micro, chain_micro
    cost, _, _, _, first, cum_cost, cum_value, ratio = _charged_chain(macro, price + 0.0, True)
    return chain_micro, (cost, first, cum_cost, cum_value, ratio)


@compiled
def kelley_price(  # pragma: no cover (compiled; tests/test_capped_paths.py checks it)
    mode: int,
    cap: int,
    micro: EnvelopeArrays,
    macro: EnvelopeArrays,
    unpriced: tuple[ChainArrays, ChainArrays],
    limits: tuple[int, int, int],
    top_price: float,
    tolerance: float,
    max_cuts: int,
) -> tuple[float, bool]:
    """`planner.relaxation._kelley` over `_kelley_point(mode, ...)`, the same steps in the same
    order: the price of the cap `cap` that minimises the bound, and False where the band cannot
    be met. `unpriced`: the micro and macro chains at price 0, which the caller keeps (the
    longest: at 5,000 rows, building them again in each search cost more than the search)."""
    best_price = 0.0
    low_bound, low_count, ok = _kelley_point(mode, 0.0, cap, unpriced[0], unpriced[1], limits)
    if not ok:
        return 0.0, False
    best = low_bound
    if low_count <= cap:
        return best_price, True
    chain_micro, chain_macro = _chains_at(mode, top_price, micro, macro)
    high_bound, high_count, _ = _kelley_point(
        mode, top_price, cap, chain_micro, chain_macro, limits
    )
    if high_bound < best:
        best_price, best = top_price, high_bound
    lo, hi = 0.0, top_price
    for _ in range(max_cuts):
        g_lo, g_hi = cap - low_count, cap - high_count
        if g_hi <= 0:
            break
        price = (high_bound - low_bound + g_lo * lo - g_hi * hi) / (g_lo - g_hi)
        floor = low_bound + g_lo * (price - lo)
        if best - floor <= tolerance * abs(best) or not lo < price < hi:
            break
        chain_micro, chain_macro = _chains_at(mode, price, micro, macro)
        at_bound, at_count, _ = _kelley_point(mode, price, cap, chain_micro, chain_macro, limits)
        if at_bound < best:
            best_price, best = price, at_bound
        if at_count > cap:
            lo, low_bound, low_count = price, at_bound, at_count
        else:
            hi, high_bound, high_count = price, at_bound, at_count
    return best_price, True


@compiled
def _chain_value(
    cum_cost: np.ndarray, cum_value: np.ndarray, ratio: np.ndarray, lo: int, hi: int, spend: float
) -> float:
    """LP value of spending `spend` on the Dantzig chain held in positions lo..hi-1 of the
    flat arrays (`planner.chain.DantzigChain.value_at` for one spend)."""
    total = cum_cost[hi - 1]
    spend = min(max(spend, cum_cost[lo]), total)
    # Last link whose cumulative cost is <= spend.
    i = lo + np.searchsorted(cum_cost[lo:hi], spend, side="right") - 1
    return cum_value[i] + (spend - cum_cost[i]) * ratio[i]


@compiled
def macro_bounds(  # pragma: no cover (compiled; tests/test_split_curve.py checks it)
    cost: np.ndarray,
    value: np.ndarray,
    rest_cum_cost: np.ndarray,
    rest_cum_value: np.ndarray,
    rest_ratio: np.ndarray,
    micro_cum_cost: np.ndarray,
    micro_cum_value: np.ndarray,
    micro_ratio: np.ndarray,
    budget: int,
    mmin: int,
    mmax: int,
) -> np.ndarray:
    """`planner.chain.DantzigChain.macro_bound` of the states (spend `cost`, engagement
    `value`), the macro posts still to decide and the micro posts given as their chains'
    cumulative costs, values and ratios: each state's LP bound when the band decides the split
    (it spends as much more on macro as the band allows, and the next macro cent earns at
    least the last micro cent), NaN where it does not, -inf where the band's bottom is out of
    reach."""
    rest_size, micro_size = rest_cum_cost.size, micro_cum_cost.size
    rest_total = rest_cum_cost[rest_size - 1]
    out = np.empty(cost.size)
    for s in range(cost.size):
        room = budget - cost[s]
        more = min(mmax - cost[s], rest_total, room)
        if cost[s] + more < mmin:
            out[s] = -np.inf
            continue
        left = room - more
        # The next micro cent after `left` (a spend outside the chain: its last ratio, 0).
        i = np.searchsorted(micro_cum_cost, left, side="right") - 1
        above = micro_ratio[i if i >= 0 else micro_ratio.size - 1]
        # The last macro cent up to `more` (infinite at 0).
        below = np.inf
        if more > 0:
            below = rest_ratio[max(np.searchsorted(rest_cum_cost, more, side="left") - 1, 0)]
        if not below >= above:
            out[s] = np.nan
            continue
        rest = _chain_value(rest_cum_cost, rest_cum_value, rest_ratio, 0, rest_size, more)
        micro = _chain_value(micro_cum_cost, micro_cum_value, micro_ratio, 0, micro_size, left)
        out[s] = value[s] + rest + micro
    return out


@njit(nogil=True)
def _runs_sorted(key: np.ndarray, run_start: np.ndarray) -> np.ndarray:  # pragma: no cover
    """`np.argsort(key, kind="stable")` of keys that come as runs (`run_start`), each mostly in
    order already: each run sorted stably where it is not in order, then merged run by run,
    equal keys from the earlier run first."""
    m = key.size
    order = np.empty(m, dtype=np.int64)
    spare = np.empty(m, dtype=np.int64)
    done = 0  # order[:done] holds the runs merged so far
    for o in range(run_start.size - 1):
        a, b = run_start[o], run_start[o + 1]
        if a == b:
            continue
        ordered = True
        for j in range(a, b - 1):
            if key[j] > key[j + 1]:
                ordered = False
                break
        run = np.arange(a, b) if ordered else np.argsort(key[a:b], kind="mergesort") + a
        # Merge order[:done] with the run into spare, then back.
        i = j = t = 0
        n_run = b - a
        while i < done and j < n_run:
            if key[run[j]] < key[order[i]]:
                spare[t] = run[j]
                j += 1
            else:
                spare[t] = order[i]
                i += 1
            t += 1
        while i < done:
            spare[t] = order[i]
            i += 1
            t += 1
        while j < n_run:
            spare[t] = run[j]
            j += 1
            t += 1
        done = t
        order, spare = spare, order
    return order


@compiled
def macro_step(  # pragma: no cover (compiled; tests/test_optimizer.py checks the plans)
    s_cost: np.ndarray,
    s_value: np.ndarray,
    s_count: np.ndarray,
    options: np.ndarray,
    cost: int,
    cum_value: np.ndarray,
    band: np.ndarray,
    caps: np.ndarray,
    rest: tuple[np.ndarray, np.ndarray, np.ndarray],
    after: int,
    micro: tuple[np.ndarray, np.ndarray, np.ndarray],
    lagrangian: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    threshold: float,
) -> tuple[
    bool, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, float, int
]:  # fmt: skip
    """One step of the macro phase (`planner.dp._macro_phase`) before its beam: the states
    (spend, engagement, count) each taking every option of the group (`options` posts at `cost`
    cents, engagement `cum_value[x]`), option by option; those past the band's top or the cap
    left out; the undominated (`planner.dp._pareto_by_count`: one key of count, short of the
    bottom, spend, sorted stably, then `pareto_runs`); their bounds: the LP bound where the band
    decides the split (`macro_bounds`, with the chain of the macro posts of the groups from
    `after` on, built from every macro post by engagement per cent), else, and for every state
    under a cap, no more than the Lagrangian bound (`planner.dp._LagrangianBound`); those above
    `threshold` kept, in that order.

    `band` is (budget, macro min, macro max, kmax), `caps` (by count, cap on macro influencers,
    cap on influencers; -1 where none), `rest` every macro post's cost, engagement, engagement
    per cent (`DantzigChain.ratio`) and group by engagement per cent, `micro` the micro chain's
    cumulative cost, value and ratio, `lagrangian` its budget prices, group suffixes, micro
    rests and (macro top, macro bottom,
    macro count, count) prices. Returns whether the key fitted (when not, nothing was done: the
    caller takes this step in numpy), the kept states' spend, engagement, count, parent, posts
    taken and bound, the largest bound dropped (-inf: none) and how many successors were made
    (within the band's top and kmax, before dominance and bounds)."""
    budget, mmin, mmax, kmax = band[0], band[1], band[2], band[3]
    by_count, max_macro, max_influencers = caps[0] > 0, caps[1], caps[2]
    n_states, n_options = s_cost.size, options.size
    total = n_states * n_options
    new_cost = np.empty(total, dtype=np.int64)
    new_value = np.empty(total)
    new_count = np.empty(total, dtype=np.int64)
    m = 0
    for o in range(n_options):  # the successors in the states' order, option by option
        x = options[o]
        for i in range(n_states):
            c = s_cost[i] + cost * x
            n = s_count[i] + (1 if x > 0 else 0)
            if c <= mmax and n <= kmax:
                new_cost[m], new_value[m], new_count[m] = c, s_value[i] + cum_value[x], n
                m += 1
    made = m  # the successors within the band's top and the count limit
    none = np.zeros(0, dtype=np.int64)
    if m == 0:
        return True, none, np.zeros(0), none, none, none, np.zeros(0), -np.inf, 0
    # The same successors' parents and options (the loop above, again: cheaper than packing),
    # and where each option's run starts.
    parent = np.empty(m, dtype=np.int64)
    took = np.empty(m, dtype=np.int64)
    run_start = np.empty(n_options + 1, dtype=np.int64)
    m = 0
    for o in range(n_options):
        x = options[o]
        run_start[o] = m
        for i in range(n_states):
            if s_cost[i] + cost * x <= mmax and s_count[i] + (1 if x > 0 else 0) <= kmax:
                parent[m], took[m] = i, x
                m += 1
    run_start[n_options] = m
    top_cost, low_cost, top_count = new_cost[0], new_cost[0], 0
    for j in range(m):
        top_cost = max(top_cost, new_cost[j])
        low_cost = min(low_cost, new_cost[j])
        if by_count:
            top_count = max(top_count, new_count[j])
    span = top_cost + 1
    if low_cost < 0 or span > ((1 << 62) - 1) // ((top_count + 1) * 2):  # (the key's 62 bits)
        return False, none, np.zeros(0), none, none, none, np.zeros(0), -np.inf, 0
    key = np.empty(m, dtype=np.int64)
    for j in range(m):
        counted = new_count[j] if by_count else 0
        key[j] = (counted * 2 + (1 if new_cost[j] < mmin else 0)) * span + new_cost[j]
    order = _runs_sorted(key, run_start)
    sorted_key = np.empty(m, dtype=np.int64)
    sorted_value = np.empty(m)
    sorted_count = np.empty(m, dtype=np.int64)
    sorted_short = np.empty(m, dtype=np.bool_)
    for j in range(m):
        o = order[j]
        sorted_key[j], sorted_value[j] = key[o], new_value[o]
        sorted_count[j] = new_count[o] if by_count else 0
        sorted_short[j] = new_cost[o] < mmin
    keep = pareto_runs(sorted_key, sorted_value, sorted_count, sorted_short)
    sel = order[keep]
    k = sel.size
    cost_sel = np.empty(k, dtype=np.int64)
    value_sel = np.empty(k)
    for j in range(k):
        cost_sel[j], value_sel[j] = new_cost[sel[j]], new_value[sel[j]]
    # The chain of the macro posts still to decide (groups from `after` on), as
    # `planner.chain.DantzigChain` sums it.
    every_cost, every_value, every_ratio, every_group = rest
    size = every_cost.size
    rest_cum_cost = np.empty(size + 1, dtype=np.int64)
    rest_cum_value = np.empty(size + 1)
    rest_ratio = np.empty(size + 1)
    rest_cum_cost[0], rest_cum_value[0] = 0, 0.0
    r = 0
    for j in range(size):
        if every_group[j] >= after:
            rest_cum_cost[r + 1] = rest_cum_cost[r] + every_cost[j]
            rest_cum_value[r + 1] = rest_cum_value[r] + every_value[j]
            rest_ratio[r] = every_ratio[j]
            r += 1
    rest_ratio[r] = 0.0
    micro_cum_cost, micro_cum_value, micro_ratio = micro
    bound = macro_bounds(
        cost_sel,
        value_sel,
        rest_cum_cost[: r + 1],
        rest_cum_value[: r + 1],
        rest_ratio[: r + 1],
        micro_cum_cost,
        micro_cum_value,
        micro_ratio,
        budget,
        mmin,
        mmax,
    )
    lams, group_suffix, micro_rest, prices = lagrangian
    capped = max_macro >= 0 or max_influencers >= 0
    for j in range(k):
        if not (capped or np.isnan(bound[j])):
            continue
        c, n = cost_sel[j], new_count[sel[j]]
        low = np.inf
        for row in range(lams.size):
            slack = (
                lams[row] * float(budget - c)
                + prices[0] * float(mmax - c)
                + prices[1] * float(c - mmin)
            )
            if max_macro >= 0:
                slack = slack + prices[2] * float(max_macro - n)
            if max_influencers >= 0:
                slack = slack + prices[3] * float(max_influencers - n)
            at = slack + (group_suffix[row, after] + micro_rest[row])
            if np.isnan(at):  # (np.min: NaN wins)
                low = at
                break
            low = min(low, at)
        lag = value_sel[j] + low
        if np.isnan(bound[j]) or lag < bound[j]:  # np.fmin
            bound[j] = lag
    kept = 0
    dropped = -np.inf
    for j in range(k):
        if bound[j] > threshold:
            kept += 1
        elif not bound[j] <= dropped:
            dropped = bound[j]
    out_cost = np.empty(kept, dtype=np.int64)
    out_value = np.empty(kept)
    out_count = np.empty(kept, dtype=np.int64)
    out_parent = np.empty(kept, dtype=np.int64)
    out_took = np.empty(kept, dtype=np.int64)
    out_bound = np.empty(kept)
    kept = 0
    for j in range(k):
        if bound[j] > threshold:
            t = sel[j]
            out_cost[kept], out_value[kept] = new_cost[t], new_value[t]
            out_count[kept] = new_count[t]
            out_parent[kept], out_took[kept], out_bound[kept] = parent[t], took[t], bound[j]
            kept += 1
    return True, out_cost, out_value, out_count, out_parent, out_took, out_bound, dropped, made


@njit(nogil=True, inline="always")
def _merged_front(  # pragma: no cover (compiled)
    front_cost: np.ndarray,
    front_value: np.ndarray,
    n_front: int,
    out_cost: np.ndarray,
    out_value: np.ndarray,
    start: int,
    kept: int,
    next_cost: np.ndarray,
    next_value: np.ndarray,
) -> int:
    """The Pareto front (spend up, engagement strictly up) of the front so far and the kept
    states start..kept-1 (one count, by spend), written to next_*; returns its length."""
    a, b, m = 0, start, 0
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
    return m


@njit(nogil=True, inline="always")
def _bisect_last(cum: np.ndarray, a: int, b: int, want: float) -> int:  # pragma: no cover
    """The last i before `b` with cum[i] <= want, searched in [a, b) by halves (cum rising; the
    answer is a - 1 when cum[a] > want)."""
    while a < b:
        mid = (a + b) // 2
        if cum[mid] <= want:
            a = mid + 1
        else:
            b = mid
    return a - 1


@compiled
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
    # influencers than the current count, and a second buffer to merge into (rows 0 and 1).
    front_cost = np.empty((2, size), np.int64)
    front_value = np.empty((2, size), np.float64)
    heads = np.zeros(n_opt, np.int64)
    kept = 0
    dropped = -np.inf
    n_tables = b_price.size
    # Each table's link for the last successor whose bound was worked out: within a count the
    # successors come by rising spend, so the link of the room left only moves down from it
    # (down from it, doubling in length, then by halves); a new count starts again from each
    # chain's end.
    links = np.empty(n_tables, np.int64)
    # What each table's bound needs of its chain, the same for every successor: the room left
    # is t_room[r] - spend, kept within [t_low[r], t_high[r]], and the chain's value up to
    # its link b_at[r], t_value[r], is taken off.
    t_room = np.empty(n_tables, np.int64)
    t_low = np.empty(n_tables, np.int64)
    t_high = np.empty(n_tables, np.int64)
    t_value = np.empty(n_tables, np.float64)
    for r in range(n_tables):
        lo, hi = b_start[r], b_start[r + 1]
        t_room[r] = b_cum_cost[lo + b_at[r]] + budget
        t_low[r], t_high[r] = b_cum_cost[lo], b_cum_cost[hi - 1]
        t_value[r] = b_cum_value[lo + b_at[r]]
    d_count = (options > 0).astype(np.int64)
    d_cost = price * options
    # The loop is written out in one piece: helper functions taking arrays (inlined or not)
    # counted references to each array at every call, numba's atomic increments and decrements,
    # some twenty a successor, which took over half of the step's time.
    count_now, first_kept, row, n_front, link = -1, 0, 0, 0, 0
    best_in_count = -np.inf
    # Each option's next successor (count, spend, engagement; worked out once, when its head
    # moves), and how many options have one left.
    h_count = np.empty(n_opt, np.int64)
    h_cost = np.empty(n_opt, np.int64)
    h_value = np.empty(n_opt, np.float64)
    live = 0
    for o in range(n_opt):
        if n_states > 0:
            h_count[o] = s_count[0] + d_count[o]
            h_cost[o] = s_cost[0] + d_cost[o]
            h_value[o] = s_value[0] + option_value[o]
            live += 1
    while live > 0:
        # The next successor in (count, spend, -engagement) order: option o moves state
        # heads[o] (each option's successors come in that order, as the states do).
        pick = -1
        p_count, p_cost, p_value = 0, 0, 0.0
        for o in range(n_opt):
            if heads[o] >= n_states:
                continue
            c, w, v = h_count[o], h_cost[o], h_value[o]
            if (
                pick < 0
                or c < p_count
                or (c == p_count and (w < p_cost or (w == p_cost and v > p_value)))
            ):
                pick, p_count, p_cost, p_value = o, c, w, v
        parent = heads[pick]
        h = parent + 1
        heads[pick] = h
        if h < n_states:
            h_count[pick] = s_count[h] + d_count[pick]
            h_cost[pick] = s_cost[h] + d_cost[pick]
            h_value[pick] = s_value[h] + option_value[pick]
        else:
            live -= 1
        if p_cost > budget or p_count > cap:
            continue
        # Dominated by a state kept before it with no more influencers and no more spend:
        # within its count the states before it (the most engagement kept in the count so
        # far), across counts the front. A new count first merges the last count's kept states
        # (one count, by spend) into the front, and starts each table's link again from its
        # chain's end.
        if p_count != count_now:
            n_front = _merged_front(
                front_cost[row], front_value[row], n_front, out_cost, out_value, first_kept,
                kept, front_cost[1 - row], front_value[1 - row],
            )  # fmt: skip
            count_now, first_kept, link, row = p_count, kept, 0, 1 - row
            best_in_count = -np.inf
            for r in range(n_tables):
                links[r] = b_start[r + 1] - 1
        while link < n_front and front_cost[row, link] <= p_cost:
            link += 1
        beaten = best_in_count
        if link > 0 and front_value[row, link - 1] > beaten:
            beaten = front_value[row, link - 1]
        if p_value <= beaten:
            continue
        best_in_count = p_value
        bound = np.inf
        for r in range(n_tables):
            lo = b_start[r]
            # `_chain_value` of chain r for the room left, its link searched from the last one
            # (down from it doubling in length, then by halves between the last two).
            spend = min(max(t_room[r] - p_cost, t_low[r]), t_high[r])
            i = links[r]
            if b_cum_cost[i] > spend:
                above = i
                step = 1
                j = i - 1
                while j > lo and b_cum_cost[j] > spend:
                    above = j
                    step *= 2
                    j = i - step
                first, last = max(j, lo), above
                while first < last:
                    mid = (first + last) // 2
                    if b_cum_cost[mid] <= spend:
                        first = mid + 1
                    else:
                        last = mid
                i = first - 1
            links[r] = i
            rest = b_cum_value[i] + (spend - b_cum_cost[i]) * b_ratio[i] - t_value[r]
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


@compiled
def bound_tables(  # pragma: no cover (compiled; tests/test_capped_paths.py checks it)
    c_cost: np.ndarray,
    c_value: np.ndarray,
    c_idx: np.ndarray,
    c_first: np.ndarray,
    c_start: np.ndarray,
    group_of: np.ndarray,
    core_rank: np.ndarray,
    n_core: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The capped micro phase's bound tables (`planner.dp._counted_micro_phase`) for the core
    influencers: chain r (links c_start[r]..c_start[r+1]-1: segment cost, value, first position
    in the envelopes, whether it starts an influencer) restricted to the segments of the
    influencers with core_rank[group_of[position]] >= 0, in the same order, as
    `planner.chain.DantzigChain` sums it (cumulative cost and value with a leading 0, value per
    cent with a trailing 0); the core influencers by falling first-segment ratio in chain 0
    (stable; -inf where it has none); and for each step t and chain r, the link from which the
    chain holds every segment of the influencers after step t: the first whose ratio is at most
    the best first ratio still to come (`np.searchsorted` on the falling ratios), the chain's
    length after the last step. Returns the order, each chain's start in the flat arrays, the
    flat cumulative costs, values and ratios, and the links [step, chain]."""
    tables = c_start.size - 1
    size = 0
    for j in range(c_start[tables]):
        if core_rank[group_of[c_idx[j]]] >= 0:
            size += 1
    b_start = np.zeros(tables + 1, np.int64)
    b_cum_cost = np.empty(size + tables, np.int64)
    b_cum_value = np.empty(size + tables, np.float64)
    b_ratio = np.empty(size + tables, np.float64)
    first_ratio = np.full((tables, n_core), -np.inf)
    at = 0
    for r in range(tables):
        b_start[r] = at
        b_cum_cost[at], b_cum_value[at] = 0, 0.0
        for j in range(c_start[r], c_start[r + 1]):
            core = core_rank[group_of[c_idx[j]]]
            if core < 0:
                continue
            ratio = c_value[j] / max(c_cost[j], 1)
            b_ratio[at] = ratio
            at += 1
            b_cum_cost[at] = b_cum_cost[at - 1] + c_cost[j]
            b_cum_value[at] = b_cum_value[at - 1] + c_value[j]
            if c_first[j]:
                first_ratio[r, core] = ratio
        b_ratio[at] = 0.0
        at += 1
    b_start[tables] = at
    order = np.argsort(-first_ratio[0], kind="mergesort")
    b_at = np.empty((n_core, tables), np.int64)
    for r in range(tables):
        lo, links = b_start[r], b_start[r + 1] - b_start[r] - 1
        to_come = -np.inf
        for t in range(n_core - 1, -1, -1):
            if t == n_core - 1:
                b_at[t, r] = links
            else:  # the first link of ratio <= to_come: -ratio >= -to_come, by halves
                a, b = 0, links
                while a < b:
                    mid = (a + b) // 2
                    if -b_ratio[lo + mid] < -to_come:
                        a = mid + 1
                    else:
                        b = mid
                b_at[t, r] = a
            to_come = max(to_come, first_ratio[r, order[t]])
    return order, b_start, b_cum_cost, b_cum_value, b_ratio, b_at


@compiled
def fixed_options(  # pragma: no cover (compiled; tests/test_capped_paths.py checks it)
    cum_value: np.ndarray,
    k: np.ndarray,
    cost: np.ndarray,
    group_of: np.ndarray,
    lam: np.ndarray,
    rho: np.ndarray,
    best: np.ndarray,
    window: np.ndarray,
    top: np.ndarray,
    keep_none: np.ndarray,
    keep_post: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, float]:
    """The capped micro phase's reduced-cost fixing by groups (`planner.dp._counted_micro_phase`)
    for influencers whose x + 1 posts earn cum_value[j] at cost[j] cents a post (position j,
    k[j] = x, influencer group_of[j]), with `best` [row, influencer] `charged_best` at each row's
    prices (lam[r] a cent, rho[r] an influencer), at least 0: the loss of no post. Which options
    stay open: no post for influencer g while some row r loses less than window[r] by it
    (best[r, g]) and keep_none[g]; x + 1 posts while some row loses less than its window by
    them, best[r, group_of[j]] - (cum_value[j] - lam[r] (x + 1) cost[j] - rho[r]), and
    keep_post[j]. And what the closed options could still earn from any state: the largest over
    the rows r of top[r] less the least loss of a closed option at r's prices (-inf when none is
    closed)."""
    rows, groups = best.shape
    allowed_none = np.zeros(groups, np.bool_)
    allowed_post = np.zeros(group_of.size, np.bool_)
    for r in range(rows):
        for g in range(groups):
            if not allowed_none[g] and best[r, g] < window[r]:
                allowed_none[g] = True
        for j in range(group_of.size):
            if allowed_post[j]:
                continue
            loss = best[r, group_of[j]] - _profit(cum_value[j], k[j] + 1, cost[j], lam[r], rho[r])
            if loss < window[r]:
                allowed_post[j] = True
    for g in range(groups):
        allowed_none[g] = allowed_none[g] and keep_none[g]
    for j in range(group_of.size):
        allowed_post[j] = allowed_post[j] and keep_post[j]
    closed = -np.inf
    for r in range(rows):
        least = np.inf
        for g in range(groups):
            if not allowed_none[g] and best[r, g] < least:
                least = best[r, g]
        for j in range(group_of.size):
            if allowed_post[j]:
                continue
            loss = best[r, group_of[j]] - _profit(cum_value[j], k[j] + 1, cost[j], lam[r], rho[r])
            if loss < least:
                least = loss
        if least < np.inf and top[r] - least > closed:
            closed = top[r] - least
    return allowed_none, allowed_post, closed


# `counted_steps`' statuses: why it returned.
STEPS_DONE = 0  # every step taken, or no state left
STEPS_TIED = 1  # the beam's cut falls among equal bounds: the caller cuts (numpy's rule)
STEPS_COMPLETE = 2  # a step whose most promising state the caller completes
STEPS_LIMIT = 3  # too many states, or too many made
STEPS_CHUNK = 4  # this call made its share of states: the caller checks its deadline


@compiled
def counted_steps(  # pragma: no cover (compiled; tests/test_capped_paths.py checks it)
    s_cost: np.ndarray,
    s_value: np.ndarray,
    s_count: np.ndarray,
    t: int,
    end: int,
    step_first: np.ndarray,
    step_end: np.ndarray,
    step_price: np.ndarray,
    options: np.ndarray,
    option_value: np.ndarray,
    budget: int,
    cap: int,
    best: float,
    target_gap: float,
    b_price: np.ndarray,
    b_at_step: np.ndarray,
    b_start: np.ndarray,
    b_cum_cost: np.ndarray,
    b_cum_value: np.ndarray,
    b_ratio: np.ndarray,
    beam: int,
    every: int,
    max_states: int,
    max_work: int,
    work: int,
    chunk: int,
    h_parent: np.ndarray,
    h_took: np.ndarray,
    h_offsets: np.ndarray,
    h_steps: int,
) -> tuple:  # type: ignore[type-arg]  # (eighteen items: the docstring)
    """Steps t, t + 1, ..., end - 1 of the capped micro phase (`planner.dp._counted_micro_phase`)
    in one call: each `counted_step` with options step_first[t]..step_end[t]-1 at
    step_price[t] cents a post and the bound tables' links b_at_step[t], then (`beam` > 0) the
    `beam` states of the best bounds (in their order), each step's parents and posts appended
    to the history (`h_*`, grown by doubling; `h_steps` steps so far), and the best state's
    engagement (the first of the most) taken as the best plan's when it beats `best` (the
    threshold is best (1 + target_gap), as `planner.dp._Search.threshold`).

    Returns at the first of: no state left or every step taken (STEPS_DONE); a beam cut among
    equal bounds (STEPS_TIED: the step's states uncut, with their parents and posts, not in the
    history); a step t with t % every == 0 (`every` > 0) and states left, its best state taken
    (STEPS_COMPLETE); more than `max_states` states or `work` (states made, summed over the
    passes' steps) past `max_work`, before the best state is looked at (STEPS_LIMIT); past
    `chunk` states made in this call, before the next step (STEPS_CHUNK). Returns the status,
    the step it stopped at (the next to take for STEPS_DONE and STEPS_CHUNK), the states, their
    bounds, the last step's parents and posts, `best`, the step and state where it was last
    raised (-2: not in this call), the largest bound dropped (-inf: none), `work`, whether a
    beam left out a state, and the history."""
    n_states = s_cost.size
    bound = np.empty(n_states, np.float64)
    parent = np.empty(0, np.int32)
    took = np.empty(0, np.int32)
    best_t, best_state = -2, -1
    dropped_all = -np.inf
    cut = False
    made = 0
    while True:
        if s_cost.size == 0 or t >= end:
            return (
                STEPS_DONE, t, s_cost, s_value, s_count, bound, parent, took, best, best_t,
                best_state, dropped_all, work, cut, h_parent, h_took, h_offsets, h_steps,
            )  # fmt: skip
        if made > chunk:
            return (
                STEPS_CHUNK, t, s_cost, s_value, s_count, bound, parent, took, best, best_t,
                best_state, dropped_all, work, cut, h_parent, h_took, h_offsets, h_steps,
            )  # fmt: skip
        first, last = step_first[t], step_end[t]
        work += s_cost.size * (last - first)
        made += s_cost.size * (last - first)
        s_cost, s_value, s_count, parent, took, bound, dropped = counted_step(
            s_cost, s_value, s_count, options[first:last], option_value[first:last],
            step_price[t], budget, cap, best * (1 + target_gap), b_price, b_at_step[t],
            b_start, b_cum_cost, b_cum_value, b_ratio,
        )  # fmt: skip
        if dropped > dropped_all:
            dropped_all = dropped
        n = s_cost.size
        if beam > 0 and n > beam:
            # The `beam` largest bounds, as np.argpartition(-bound, beam)[:beam] in index
            # order, when the cut falls between two different bounds (else numpy's own choice
            # among the equal ones, by the caller).
            kth = -np.partition(-bound, beam - 1)[beam - 1]
            above = 0
            for i in range(n):
                if bound[i] >= kth:
                    above += 1
            if above != beam:
                return (
                    STEPS_TIED, t, s_cost, s_value, s_count, bound, parent, took, best, best_t,
                    best_state, dropped_all, work, cut, h_parent, h_took, h_offsets, h_steps,
                )  # fmt: skip
            cut = True
            m = 0
            for i in range(n):
                if bound[i] >= kth:
                    s_cost[m], s_value[m], s_count[m] = s_cost[i], s_value[i], s_count[i]
                    parent[m], took[m], bound[m] = parent[i], took[i], bound[i]
                    m += 1
            s_cost, s_value, s_count = s_cost[:m], s_value[:m], s_count[:m]
            parent, took, bound = parent[:m], took[:m], bound[:m]
            n = m
        # The history: this step's parents and posts.
        start = h_offsets[h_steps]
        if start + n > h_parent.size:
            size = max(start + n, 2 * h_parent.size)
            grown_parent = np.empty(size, np.int32)
            grown_took = np.empty(size, np.int32)
            grown_parent[:start] = h_parent[:start]
            grown_took[:start] = h_took[:start]
            h_parent, h_took = grown_parent, grown_took
        if h_steps + 2 > h_offsets.size:
            grown = np.zeros(2 * h_offsets.size, np.int64)
            grown[: h_offsets.size] = h_offsets
            h_offsets = grown
        h_parent[start : start + n] = parent
        h_took[start : start + n] = took
        h_steps += 1
        h_offsets[h_steps] = start + n
        if n > max_states or work > max_work:
            return (
                STEPS_LIMIT, t, s_cost, s_value, s_count, bound, parent, took, best, best_t,
                best_state, dropped_all, work, cut, h_parent, h_took, h_offsets, h_steps,
            )  # fmt: skip
        if n > 0:
            top = 0
            for i in range(1, n):
                if s_value[i] > s_value[top]:
                    top = i
            if s_value[top] > best:
                best, best_t, best_state = s_value[top], t, top
            if every > 0 and t % every == 0:
                return (
                    STEPS_COMPLETE, t, s_cost, s_value, s_count, bound, parent, took, best,
                    best_t, best_state, dropped_all, work, cut, h_parent, h_took, h_offsets,
                    h_steps,
                )  # fmt: skip
        t += 1


@compiled
def counted_core_step(  # pragma: no cover (compiled; tests/test_capped_paths.py checks its plans)
    s_cost: np.ndarray,
    s_value: np.ndarray,
    s_count: np.ndarray,
    s_loss: np.ndarray,
    s_top: np.ndarray,
    d_cost: np.ndarray,
    d_count: np.ndarray,
    d_value: np.ndarray,
    d_loss: np.ndarray,
    budget: int,
    cap: int,
    best: float,
    target_gap: float,
    regret_next: float,
    r_lam: np.ndarray,
    r_rho: np.ndarray,
    r_rest: np.ndarray,
    r_first: int,
    r_check: int,
) -> tuple[
    np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray,
    float, int, int, float,
]:  # fmt: skip
    """One influencer decided in the capped micro phase's expanding core
    (`planner.dp._counted_core`): option o changes a state's spend, influencers, engagement and
    Lagrangian loss by d_cost[o], d_count[o], d_value[o], d_loss[o] (option 0: the break's own
    choice, no change). Every state is a whole plan (the influencers not decided yet at their
    break choice), so one that fits the budget and the cap is a plan: the best of them raises
    `best` at once. States come sorted by influencers, then spend, then falling engagement, and
    the successors are merged in the same order and kept when

    - no state with no more influencers and no more spend has at least their engagement;
    - their bound beats best * (1 + target_gap): s_top (the Lagrangian bound of the state they
      started from) less their loss, less `regret_next`, the least any further change costs
      (the influencers still to come have at least that regret), since a plan that changes
      nothing more is the state itself;
    - and, for the rows r of other prices checked in this step (`r_check` of them from
      `r_first` on, round the table: a state need not be judged by every row every step, only
      soon), value + r_lam[r] (budget - spend) + r_rho[r] (cap - count) + r_rest[r] beats it
      too (r_rest[r]: what the influencers still to come could gain at those prices by leaving
      their break choice).

    Returns the kept states (spend, engagement, count, loss, top), each one's parent (index into
    the states given) and option, the best plan's value, parent and option (-1: none better
    than `best` was given), and the largest bound of the states dropped by their bound."""
    n_states = s_cost.size
    n_opt = d_cost.size
    size = n_states * n_opt
    out_cost = np.empty(size, np.int64)
    out_value = np.empty(size, np.float64)
    out_count = np.empty(size, np.int64)
    out_loss = np.empty(size, np.float64)
    out_top = np.empty(size, np.float64)
    out_parent = np.empty(size, np.int32)
    out_took = np.empty(size, np.int32)
    # The front of the states with fewer influencers, as in `counted_step` (whose loop, written
    # out for the same reason, this one follows).
    front_cost = np.empty((2, size), np.int64)
    front_value = np.empty((2, size), np.float64)
    heads = np.zeros(n_opt, np.int64)
    kept = 0
    dropped = -np.inf
    found_parent, found_option = -1, -1
    threshold = best * (1 + target_gap)
    count_now, first_kept, row, n_front, link = -1, 0, 0, 0, 0
    best_in_count = -np.inf
    while True:
        pick = -1
        p_count, p_cost, p_value = 0, 0, 0.0
        for o in range(n_opt):
            h = heads[o]
            if h >= n_states:
                continue
            c = s_count[h] + d_count[o]
            w = s_cost[h] + d_cost[o]
            v = s_value[h] + d_value[o]
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
        if p_count != count_now:
            n_front = _merged_front(
                front_cost[row], front_value[row], n_front, out_cost, out_value, first_kept,
                kept, front_cost[1 - row], front_value[1 - row],
            )  # fmt: skip
            count_now, first_kept, link, row = p_count, kept, 0, 1 - row
            best_in_count = -np.inf
        while link < n_front and front_cost[row, link] <= p_cost:
            link += 1
        beaten = best_in_count
        if link > 0 and front_value[row, link - 1] > beaten:
            beaten = front_value[row, link - 1]
        if p_value <= beaten:
            continue
        best_in_count = p_value
        if p_cost <= budget and p_count <= cap and p_value > best:
            best, found_parent, found_option = p_value, parent, pick
            threshold = best * (1 + target_gap)
        loss = s_loss[parent] + d_loss[pick]
        bound = s_top[parent] - loss - regret_next
        for j in range(r_check):
            if bound <= threshold:
                break
            r = (r_first + j) % r_lam.size
            other = p_value + r_lam[r] * (budget - p_cost) + r_rho[r] * (cap - p_count) + r_rest[r]
            bound = min(bound, other)
        if bound <= threshold:
            dropped = max(dropped, bound)
            continue
        out_cost[kept] = p_cost
        out_value[kept] = p_value
        out_count[kept] = p_count
        out_loss[kept] = loss
        out_top[kept] = s_top[parent]
        out_parent[kept] = parent
        out_took[kept] = pick
        kept += 1
    return (
        out_cost[:kept].copy(),
        out_value[:kept].copy(),
        out_count[:kept].copy(),
        out_loss[:kept].copy(),
        out_top[:kept].copy(),
        out_parent[:kept].copy(),
        out_took[:kept].copy(),
        best,
        found_parent,
        found_option,
        dropped,
    )


# `_last_at_most` and `_room_bound` run for every state at every step of `core_steps`: inlined
# there (numba's own inlining, as `_totals`), the circle class at 10,000 items takes ~20% less
# time (docs/benchmarks.md, tenth session).
@njit(nogil=True, inline="always")
def _last_at_most(cum: np.ndarray, lo: int, hint: int, want: float) -> int:
    """The last i in [lo, hint] with cum[i] <= want (cum rising, cum[lo] <= want): a few steps
    down from `hint` (the states come by rising spend, so the answer moves little), else a
    binary search."""
    i = hint
    for _ in range(8):
        if cum[i] <= want:
            return i
        i -= 1
        if i < lo:
            return lo
    return _bisect_last(cum, lo, i + 1, want)


@njit(nogil=True, inline="always")
def _room_bound(
    cum_cost: np.ndarray,
    cum_value: np.ndarray,
    ratio: np.ndarray,
    s: int,
    t: int,
    room: int,
    hint_in: int,
    hint_out: int,
) -> tuple[float, int, int]:
    """Dantzig's bound of what a state can still gain when the items left of s are in and those
    from t on are out (items by falling value per cent; `room` = budget - the state's spend):
    with room, the items from t on fill it; over budget, the items before s leave, the least
    efficient first, until it fits (-inf when they cannot free enough). Also the links found,
    as hints for the next state (`_last_at_most`)."""
    n = cum_cost.size - 1
    if room >= 0:
        want = cum_cost[t] + room
        i = _last_at_most(cum_cost, t, min(max(hint_in, t), n), want)
        gain = cum_value[i] - cum_value[t]
        if i < n:
            gain += (want - cum_cost[i]) * ratio[i]
        return gain, i, hint_out
    keep = cum_cost[s] + room  # weight of the items before s that may stay
    if keep < 0:
        return -np.inf, hint_in, hint_out
    i = _last_at_most(cum_cost, 0, min(max(hint_out, 0), s), keep)
    kept = cum_value[i]
    if i < s:
        kept += (keep - cum_cost[i]) * ratio[i]
    return kept - cum_value[s], hint_in, i


@njit(nogil=True, inline="always")
def _multiples_loss(
    room: int, omega: int, price: float, kappas: np.ndarray, gammas: np.ndarray
) -> float:
    """What a state with `room` (budget - its spend) loses at least against price * room, over
    every completion by items outside the core, given prices (kappa, gamma) of
    `multiple_prices`: a completion that adds and frees items worth M multiples of omega and a
    remainder E in all (N = M omega + E <= room) loses price (room - N) of unspent budget plus at
    least kappa |E| + gamma |M| by the items it changes. The least of that over every M and N
    is at M = 0, floor(room / omega) or the next (a convex function of M); the largest over the
    given prices."""
    q = room // omega
    f = room - q * omega  # in [0, omega)
    loss = 0.0
    for p in range(kappas.size):
        kappa, gamma = kappas[p], gammas[p]
        low = min(kappa, price)  # a remainder left unspent, or spent on remainders
        at = min(gamma * abs(q) + low * f, gamma * abs(q + 1) + kappa * (omega - f))
        at = min(at, low * room if room >= 0 else -kappa * room)
        loss = max(loss, at)
    return loss


@njit(nogil=True, inline="always")
def _change(
    cost: np.ndarray, value: np.ndarray, price: float, omega: int, s: int, j: int
) -> tuple[float, int, int]:
    """Item j outside the core changed from its state in the break solution (freed before s,
    else added): its reduced cost at `price`, and its weight as a multiple of omega (the
    nearest) and the remainder's size."""
    c = value[j] - price * cost[j] if j < s else price * cost[j] - value[j]
    multiple = (cost[j] + omega // 2) // omega
    return c, multiple, abs(cost[j] - multiple * omega)


@compiled
def multiple_prices(  # pragma: no cover (compiled; tests/test_expanding_core.py checks it)
    cost: np.ndarray,
    value: np.ndarray,
    price: float,
    omega: int,
    s: int,
    t: int,
    shares: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Prices of the break weight's multiples for `core_steps`, for the items outside the core
    (before s, in every state; from t on, in none), items by falling value per cent and `price`
    a budget price between ratio[t] and ratio[s - 1] (the break's).

    Changing item j from its state in the break solution (adding it from t on, freeing it before
    s) costs its reduced cost c_j = |v_j - price w_j| against Dantzig's bound at `price`. Its
    weight is a whole multiple k_j of omega (the nearest) plus a remainder d_j; with
    kappa <= c_j / |d_j| for every item and gamma <= (c_j - kappa |d_j|) / k_j, changing items
    costs at least kappa |their remainders' sum| + gamma |their multiples' sum|
    (`_multiples_loss`). On the circle class (profits concave in the weight, items by value per
    cent are items by weight) every cheap change near the break moves the weight by about a
    multiple of the break item's: a state whose room is far from a multiple of it cannot be
    filled cheaply, which no bound of Dantzig's kind sees.

    kappa is the largest that holds, times each of `shares`, each with its largest gamma;
    empty when some c_j < 0 or kappa is 0 (no bound)."""
    n = cost.size
    kappa = np.inf
    for j in range(n):
        if s <= j < t:
            continue
        c, _, rest = _change(cost, value, price, omega, s, j)
        if c < 0.0:
            return np.zeros(0), np.zeros(0)
        if rest > 0:
            kappa = min(kappa, c / rest)
    if kappa <= 0.0:
        return np.zeros(0), np.zeros(0)
    if kappa == np.inf:  # no item has a remainder: any kappa holds
        kappa = price
    kappas = shares * (kappa * (1 - 1e-9))
    gammas = np.full(shares.size, np.inf)
    for j in range(n):
        if s <= j < t:
            continue
        c, multiple, rest = _change(cost, value, price, omega, s, j)
        if multiple > 0:
            for p in range(shares.size):
                gammas[p] = min(gammas[p], (c - kappas[p] * rest) / multiple)
    for p in range(shares.size):  # (none with a multiple: any gamma holds, 0 is one)
        gammas[p] = max(gammas[p], 0.0) * (1 - 1e-9) if gammas[p] < np.inf else 0.0
    return kappas, gammas


@compiled
def core_steps(
    cost: np.ndarray,
    value: np.ndarray,
    cum_cost: np.ndarray,
    cum_value: np.ndarray,
    ratio: np.ndarray,
    sequence: np.ndarray,
    left: np.ndarray,
    right: np.ndarray,
    brk: int,
    first_step: int,
    last_step: int,
    s_cost: np.ndarray,
    s_value: np.ndarray,
    s_bits: np.ndarray,
    s_origin: np.ndarray,
    budget: int,
    best: float,
    target_gap: float,
    max_states: int,
    fix_top: float,
    fix_price: float,
    right_min: np.ndarray,
    omega: int,
    kappas: np.ndarray,
    gammas: np.ndarray,
) -> tuple[
    np.ndarray,
    np.ndarray,
    np.ndarray,
    np.ndarray,
    float,
    int,
    np.uint64,
    int,
    int,
    float,
    int,
    bool,
]:
    """Steps first_step..last_step-1 of the expanding core (Pisinger's *minknap*, 1997) for a
    0/1 knapsack of items by falling value per cent (`planner.dp._micro_pass`).

    States (spend, value) start from the break solution (the items before the break b bought)
    and may be over budget. Step k decides item sequence[k]: at or after b it may be added, before
    b removed (the core grows alternately to the right and to the left; after step k the items
    left[k]..right[k]-1 are decided). States are kept sorted by spend with strictly rising value
    (each one beats every cheaper one), and dropped when their bound (value + `_room_bound`) does
    not beat the best plan by more than `target_gap`. Each state carries the decisions of its last
    64 steps (bit 0: the last step; 1: the item's state differs from the break solution) and
    which starting state it came from.

    Whole items (`right_min[t]`: the lightest item from t on): a state with room less than that
    adds nothing unless it frees the rest from the left, and adding more only costs more (what
    it adds is worth at most ratio[t] a cent, what it frees at least ratio[s - 1]), so it gains
    at most max(0, Dantzig's value of the lightest item's weight from t on - Dantzig's loss of
    freeing that weight less its room from before s). Dantzig's bound lets it use its room at
    ratio[t]; on the circle class (concave profits: no light item still to come) the whole-item
    bound leaves ~18% fewer states to make.

    Multiples of the break weight (`multiple_prices`, prices `kappas`, `gammas` for the items
    outside the core at first_step, and `_multiples_loss`): at the break item's price
    ratio[brk], a state is worth at most value + ratio[brk] room less what it must lose to use
    its room with items weighing about whole multiples of `omega`. On the circle class at
    10,000 items it leaves ~6% of the states to make (docs/benchmarks.md). Empty prices: none.

    Reduced-cost fixing as the best plan rises (minknap's, item by item as the core grows): with
    a budget price `fix_price` under which every plan is worth at most `fix_top` less the reduced
    cost v - fix_price c it gives up, an item whose change from the break solution alone sinks
    every plan below the best is decided as in the break solution: its step keeps every state
    (fix_top = inf: never).

    Returns the states after the last step done, the best plan's value seen (`best` or more),
    that plan's spend, bits and origin with the step it was seen at (-1: none better than
    `best`), the largest bound dropped, the states generated (work) and whether the states outgrew
    `max_states` (then the states returned are those before the step that outgrew it)."""
    n_states = s_cost.size
    dropped = -np.inf
    work = 0
    found_cost, found_bits, found_origin, found_step = 0, np.uint64(0), 0, -1
    threshold = best * (1 + target_gap)
    gave_up = False
    for k in range(first_step, last_step):
        j = sequence[k]
        adds = j >= brk
        reduced = value[j] - fix_price * cost[j]
        changed = fix_top - max(-reduced if adds else reduced, 0.0)  # bounds a change of j
        if changed <= threshold:
            dropped = max(dropped, changed)
            s_bits = s_bits << np.uint64(1)
            continue
        w = cost[j] if adds else -cost[j]
        v = value[j] if adds else -value[j]
        s, t = left[k], right[k]
        size = 2 * n_states
        work += size
        new_cost = np.empty(size, np.int64)
        new_value = np.empty(size, np.float64)
        new_bits = np.empty(size, np.uint64)
        new_origin = np.empty(size, np.int64)
        a, b, m = 0, 0, 0
        top = -np.inf
        hint_in, hint_out = cum_cost.size - 1, s
        n_items = cum_cost.size - 1
        # Whole items (see above): what adding the lightest item's weight from t on can gain.
        lightest = right_min[t]
        add_one = 0.0
        if t < n_items:
            add_one, _, _ = _room_bound(cum_cost, cum_value, ratio, s, t, lightest, n_items, s)
        hint_whole = s
        while a < n_states or b < n_states:
            # The next state by spend (then value, highest first): unchanged (a) or moved (b).
            take_a = False
            if b >= n_states:
                take_a = True
            elif a < n_states:
                cb = s_cost[b] + w
                vb = s_value[b] + v
                take_a = s_cost[a] < cb or (s_cost[a] == cb and s_value[a] >= vb)
            if take_a:
                c, val, src, moved = s_cost[a], s_value[a], a, np.uint64(0)
                a += 1
            else:
                c, val, src, moved = s_cost[b] + w, s_value[b] + v, b, np.uint64(1)
                b += 1
            if val <= top:
                continue  # a cheaper state has at least this value
            top = val
            gain, hint_in, hint_out = _room_bound(
                cum_cost, cum_value, ratio, s, t, budget - c, hint_in, hint_out
            )
            bound = val + gain
            room = budget - c
            if bound > threshold and 0 <= room < lightest and t < n_items:
                need = lightest - room  # to free from before s
                if s > 0 and need <= cost[s - 1]:  # part of the first item there
                    free = -need * ratio[s - 1]
                else:
                    free, _, hint_whole = _room_bound(
                        cum_cost, cum_value, ratio, s, t, -need, n_items, hint_whole
                    )
                bound = min(bound, val + max(add_one + free, 0.0))
            if bound > threshold and kappas.size:
                loss = _multiples_loss(room, omega, ratio[brk], kappas, gammas)
                bound = min(bound, val + ratio[brk] * room - loss)
            if bound <= threshold:
                dropped = max(dropped, bound)
                continue
            bits = (s_bits[src] << np.uint64(1)) | moved
            org = s_origin[src]
            if c <= budget and val > best:
                best = val
                threshold = best * (1 + target_gap)
                found_cost, found_bits, found_origin, found_step = c, bits, org, k
            new_cost[m], new_value[m], new_bits[m], new_origin[m] = c, val, bits, org
            m += 1
        if m > max_states:  # given up: the states of the step before are returned
            gave_up = True
            break
        # States whose bound the last improvement sank are left for the next step to drop.
        s_cost, s_value = new_cost[:m].copy(), new_value[:m].copy()
        s_bits, s_origin = new_bits[:m].copy(), new_origin[:m].copy()
        n_states = m
        if n_states == 0:
            break
    return (
        s_cost,
        s_value,
        s_bits,
        s_origin,
        best,
        found_cost,
        found_bits,
        found_origin,
        found_step,
        dropped,
        work,
        gave_up,
    )


@compiled
def pair_states(  # pragma: no cover (compiled; tests/test_expanding_core.py checks the plans)
    cost: np.ndarray,
    value: np.ndarray,
    by_cost: np.ndarray,
    s: int,
    t: int,
    s_cost: np.ndarray,
    s_value: np.ndarray,
    budget: int,
    best: float,
) -> tuple[float, int, int]:
    """Each state of the expanding core (`core_steps`, after a step with the items
    s..t-1 decided) completed by one item outside the core, the pairing of Martello, Pisinger &
    Toth (1999): a state with room takes the most valuable item from t on that fits; a state
    over budget gives up the least valuable item before s that frees enough. Items by rising
    price in `by_cost`. Returns the best plan's value if above `best` (else `best`), its state
    and the item flipped (-1, -1: none)."""
    n = by_cost.size
    add_cost = np.empty(n, np.int64)  # items from t on, by price: the most value up to each
    add_value = np.empty(n)
    add_item = np.empty(n, np.int64)
    m_add = 0
    top, arg = -np.inf, -1
    for j in by_cost:
        if j >= t:
            if value[j] > top:
                top, arg = value[j], j
            add_cost[m_add], add_value[m_add], add_item[m_add] = cost[j], top, arg
            m_add += 1
    drop_cost = np.empty(n, np.int64)  # items before s, by price: the least value from each on
    drop_value = np.empty(n)
    drop_item = np.empty(n, np.int64)
    m_drop = 0
    for j in by_cost:
        if j < s:
            drop_cost[m_drop], drop_value[m_drop], drop_item[m_drop] = cost[j], value[j], j
            m_drop += 1
    for i in range(m_drop - 2, -1, -1):
        if drop_value[i + 1] < drop_value[i]:
            drop_value[i], drop_item[i] = drop_value[i + 1], drop_item[i + 1]
    found_state, found_item = -1, -1
    for k in range(s_cost.size):
        room = budget - s_cost[k]
        if room >= 0:  # the last item priced at most `room`
            a = np.searchsorted(add_cost[:m_add], room, side="right")
            if a > 0 and s_value[k] + add_value[a - 1] > best:
                best, found_state, found_item = s_value[k] + add_value[a - 1], k, add_item[a - 1]
        else:  # the first item priced at least the excess
            a = np.searchsorted(drop_cost[:m_drop], -room, side="left")
            if a < m_drop and s_value[k] - drop_value[a] > best:
                best, found_state, found_item = s_value[k] - drop_value[a], k, drop_item[a]
    return best, found_state, found_item
