"""The outreach simulation's compiled loop (`planner.outreach._draw_outreach`) against the same
process written plainly, one draw, one round and one answer at a time, with the same random
numbers: every output equal, bit for bit (the loop works out the first round of the draws whose
answers all fit across the draws at once, `_first_round`, and sums in locals; none of that may
change a figure)."""

from __future__ import annotations

import dataclasses
import math
import threading

import numpy as np
import pytest

from planner.outreach import (
    _ALONGSIDE,
    _UNITS,
    Offers,
    _bits,
    _draw_outreach,
    _price_tree,
    _stream,
    _uniform,
    simulate_outreach,
)
from planner.risk import Assumptions
from planner.settings import Campaign


def fit(chosen: list[int], cost: np.ndarray, macro: np.ndarray, state: tuple) -> bool:  # type: ignore[type-arg]
    """Whether the answers `chosen` fit together in what is open (`state`: open, macro room,
    influencers and macro influencers booked, the caps)."""
    open_, room, count, macro_count, max_macro, max_influencers = state
    spend = sum(int(cost[row]) for row in chosen)
    macro_spend = sum(int(cost[row]) for row in chosen if macro[row])
    n_macro = sum(1 for row in chosen if macro[row])
    return (
        spend <= open_
        and macro_spend <= room
        and (max_macro == -1 or macro_count + n_macro <= max_macro)
        and (max_influencers == -1 or count + len(chosen) <= max_influencers)
    )


def plain_send(listed: tuple, caps: tuple, state: tuple, pointer: int) -> tuple[list[int], int]:  # type: ignore[type-arg]
    """A round's offers (`_send`), plainly: down the list from `pointer`, each offer that could
    be booked now, while the round's expected acceptances fit in what is open; returns them and
    where the next round starts."""
    cost, expected, reply, macro = listed
    max_macro, max_influencers = caps
    open_, room, count, macro_count = state
    size = cost.size
    if count == max_influencers:
        return [], size
    will_spend, will_count, will_macro, will_macro_spend = 0.0, 0.0, 0.0, 0.0
    sent = []
    for row in range(pointer, size):
        is_macro = bool(macro[row])
        if is_macro and (macro_count == max_macro or int(cost[row]) > min(open_, room)):
            continue
        if not is_macro and int(cost[row]) > open_:
            continue
        will_spend += float(expected[row])
        will_count += float(reply[row])
        if is_macro:
            will_macro += float(reply[row])
            will_macro_spend += float(expected[row])
        if (
            will_spend > open_
            or (max_influencers != -1 and will_count > max_influencers - count + 1e-9)
            or (max_macro != -1 and will_macro > max_macro - macro_count + 1e-9)
            or will_macro_spend > room
        ):
            return sent, row
        sent.append(row)
    return sent, size


def plain_draws(args: list) -> dict[str, np.ndarray]:  # type: ignore[type-arg]
    """The process of `_draw_outreach`, plainly (Python numbers, lists, one answer at a time)."""
    (cost, expected, reply, macro, value, variance, micro_prices, macro_prices, budget) = args[:9]
    macro_max, max_macro, max_influencers, rounds, key, order_key, first_draw = args[9:16]
    size, draws = cost.size, args[16].size
    out = {
        name: np.zeros(draws, dtype=np.int64)
        for name in ("spent", "macro_spent", "booked", "macro_booked", "contacted")
    }
    out["sums"] = np.zeros((4, draws))
    out["sent_per_offer"] = np.zeros(size, dtype=np.int64)
    out["booked_per_offer"] = np.zeros(size, dtype=np.int64)
    out["first_round_fits"] = np.zeros(draws, dtype=bool)  # (what the test checks it covers)
    listed = (cost, expected, reply, macro)
    caps = (max_macro, max_influencers)
    for draw in range(draws):
        open_, room, count, macro_count, pointer, contacted, turn = budget, macro_max, 0, 0, 0, 0, 0
        sums = [0.0, 0.0, 0.0, 0.0]
        macro_cents = 0
        for round_ in range(rounds):
            if pointer >= size:
                break
            offers, pointer = plain_send(listed, caps, (open_, room, count, macro_count), pointer)
            if not offers:
                break
            contacted += len(offers)
            for row in offers:
                out["sent_per_offer"][row] += 1
            answered = [
                row
                for row in offers
                if int(_bits(key, first_draw + draw, row)) < math.ceil(float(reply[row]) * _UNITS)
            ]
            # The answers not drawn yet (the first `head`) all booked once they fit together.
            head = len(answered)

            state = (open_, room, count, macro_count, max_macro, max_influencers)
            if round_ == 0:
                out["first_round_fits"][draw] = fit(answered[:head], cost, macro, state)
            while head > 0 and not fit(answered[:head], cost, macro, state):
                pick = int(_uniform(order_key, first_draw + draw, turn) * head)
                turn += 1
                head -= 1
                answered[pick], answered[head] = answered[head], answered[pick]
            for j, row in enumerate(answered):
                price, is_macro = int(cost[row]), bool(macro[row])
                if j >= head and (
                    price > open_
                    or (is_macro and (price > room or macro_count == max_macro))
                    or count == max_influencers
                ):
                    continue
                open_ -= price
                count += 1
                out["booked_per_offer"][row] += 1
                if is_macro:
                    room -= price
                    macro_count += 1
                    macro_cents += price
                sums[int(is_macro)] += float(value[row])
                sums[2 + int(is_macro)] += float(variance[row])
        out["spent"][draw] = budget - open_
        out["macro_spent"][draw] = macro_cents
        out["booked"][draw] = count
        out["macro_booked"][draw] = macro_count
        out["contacted"][draw] = contacted
        out["sums"][:, draw] = sums
    return out


def loop_arguments(
    offers: Offers,
    budget: int,
    macro_max: int,
    caps: tuple[int, int],
    rounds: int,
    draws: int,
    seed: int,
    first_draw: int = 0,
) -> list:  # type: ignore[type-arg]
    cost = offers.cost.astype(np.int64)
    return [
        cost,
        offers.reply * offers.cost,
        offers.reply,
        offers.macro.astype(np.uint8),
        offers.value,
        offers.variance,
        _price_tree(cost, ~offers.macro),
        _price_tree(cost, offers.macro),
        budget,
        macro_max,
        caps[0],
        caps[1],
        rounds,
        _stream(seed, 3),
        _stream(seed, 5),
        first_draw,
        *(np.zeros(draws, dtype=np.int64) for _ in range(5)),
        np.zeros((4, draws)),
        np.zeros(offers.size, dtype=np.int64),
        np.zeros(offers.size, dtype=np.int64),
    ]


def random_offers(
    size: int, seed: int, *, dear_first: int = 0, cheap_macro: bool = False
) -> Offers:
    """A list of `size` offers (a tenth of them macro, dearer unless `cheap_macro`); the first
    `dear_first` dearer than any budget below, so the first round skips them (its offers do not
    start at the list's first)."""
    rng = np.random.default_rng(seed)
    macro = rng.random(size) < 0.1
    dear = (20_000, 80_000) if cheap_macro else (200_000, 900_000)
    cost = np.where(macro, rng.integers(*dear, size), rng.integers(5_000, 60_000, size))
    cost[:dear_first] = 10**9
    return Offers(
        rows=np.arange(size),
        posts=np.ones(size, dtype=np.int64),
        cost=cost.astype(np.int64),
        value=rng.gamma(2.0, 1_000.0, size) * np.where(macro, 20, 1),
        variance=rng.gamma(2.0, 1e5, size),
        reply=rng.uniform(0.05, 0.95, size),
        macro=macro,
        in_plan=np.arange(size) < size // 3,
    )


@pytest.mark.parametrize(
    ("size", "budget", "macro_share", "caps", "rounds", "dear_first", "seed"),
    [
        (120, 1_500_000, 1.0, (-1, -1), 3, 0, 123),  # most draws' first round fits, some do not
        (120, 1_500_000, 0.3, (-1, -1), 3, 0, 123),  # the macro share's room
        (120, 1_500_000, 1.0, (1, 12), 4, 0, 124),  # caps on macro and on influencers
        (150, 3_000_000, 1.0, (1, -1), 4, -1, 7),  # macro closed once one is booked (cheap)
        (120, 1_500_000, 1.0, (-1, -1), 1, 0, 121),  # one round
        (200, 3_000_000, 0.5, (2, -1), 6, 3, 206),  # a first round that skips the list's first
        (60, 4_000, 1.0, (-1, -1), 3, 0, 63),  # no offer fits: no draw sends any
    ],
)
def test_the_compiled_loop_gives_the_plain_process_bit_for_bit(
    size, budget, macro_share, caps, rounds, dear_first, seed
):
    offers = random_offers(
        size, seed=seed, dear_first=max(dear_first, 0), cheap_macro=dear_first < 0
    )
    macro_max = min(budget, math.floor(macro_share * budget))
    fast = loop_arguments(offers, budget, macro_max, caps, rounds, draws=700, seed=5)
    _draw_outreach(*fast)
    plain = plain_draws(fast)
    names = ("spent", "macro_spent", "booked", "macro_booked", "contacted", "sums")
    for name, array in zip((*names, "sent_per_offer", "booked_per_offer"), fast[16:], strict=True):
        np.testing.assert_array_equal(array, plain[name], err_msg=name)
    # Draws whose first round's answers all fit (unless no offer is ever sent), and in the
    # first three cases draws whose answers do not.
    fitted = int(plain["first_round_fits"].sum())
    assert fitted > 0 or not plain["contacted"].any()
    if caps[0] != 1 and rounds in (3, 4) and size == 120:
        assert fitted < 700


@pytest.mark.parametrize(("split", "caps", "seed"), [(300, (-1, -1), 123), (613, (1, 12), 124)])
def test_draws_drawn_in_two_parts_are_the_same_draws(split, caps, seed):
    """`_draw_outreach` from `first_draw` on gives those draws of the whole, bit for bit (the
    first round's shortcut too: its blocks start at other draws then)."""
    offers = random_offers(120, seed=seed)
    whole = loop_arguments(offers, 1_500_000, 1_500_000, caps, 3, draws=1_400, seed=5)
    _draw_outreach(*whole)
    head = loop_arguments(offers, 1_500_000, 1_500_000, caps, 3, draws=split, seed=5)
    tail = loop_arguments(
        offers, 1_500_000, 1_500_000, caps, 3, draws=1_400 - split, seed=5, first_draw=split
    )
    _draw_outreach(*head)
    _draw_outreach(*tail)
    for at in range(16, 22):  # the per-draw arrays: the head's, then the tail's
        np.testing.assert_array_equal(np.concatenate((head[at], tail[at]), axis=-1), whole[at])
    for at in (22, 23):  # the per-offer counts: summed
        np.testing.assert_array_equal(head[at] + tail[at], whole[at])


@pytest.mark.parametrize("pool_busy", [False, True])
@pytest.mark.parametrize("draws", [2_000, 2_001, 10_000])
def test_a_simulation_drawn_alongside_is_the_one_drawn_alone(draws, pool_busy):
    """`simulate_outreach(alongside=True)` (half the draws in the pool; all of them by the caller
    when the pool is busy) gives the simulation drawn in one part, every figure bit for bit."""
    offers = random_offers(150, seed=9)
    campaign = Campaign(budget=15_000.0, max_influencers=25)
    alone = simulate_outreach(offers, campaign, Assumptions(), draws=draws, seed=11)
    release = threading.Event()
    holds = [_ALONGSIDE.submit(release.wait) for _ in range(2)] if pool_busy else []
    try:
        together = simulate_outreach(
            offers, campaign, Assumptions(), draws=draws, seed=11, alongside=True
        )
    finally:
        release.set()
        for hold in holds:
            hold.result()
    for field in dataclasses.fields(alone):
        np.testing.assert_array_equal(
            getattr(together, field.name), getattr(alone, field.name), err_msg=field.name
        )
    assert alone.contacted.any() and alone.booked.any()
