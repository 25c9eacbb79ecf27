"""The split curve from shared work (`planner.solver.solve_bands`) against independent solves."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings

from planner import Campaign, check_roster
from planner.chain import DantzigChain
from planner.dp import _MacroGroups, prepare
from planner.model import PostItems, build_items
from planner.plan import split_points
from planner.relaxation import Envelopes, SegmentChain
from planner.solver import solve, solve_bands
from planner.synthetic import synthetic_roster
from tests.test_optimizer import brute_force, small_case


def _independent(point):
    return solve(point.items)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_case())
def test_each_point_of_the_shared_curve_is_the_best_plan_of_its_band(case):
    """On small rosters: every band's plan is valid for its band and worth what brute force
    finds (the bands share their set-up)."""
    frame, campaign = case
    roster = check_roster(frame)
    for point in split_points(roster, campaign):
        expected = brute_force(point.items)
        if expected is None:
            assert point.solution.status == "infeasible"
            continue
        assert point.solution.status == "optimal"
        assert not point.items.check(point.solution.chosen)
        assert point.solution.value == pytest.approx(expected, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("rate_card", [False, True])
@pytest.mark.parametrize("seed", [1, 2])
def test_shared_curve_equals_eleven_independent_solves(seed, rate_card):
    """Medium rosters: each of the 11 points within 1e-6 of the same band solved alone, each
    certified (gap <= 1e-6), and `on_point` told of every point in turn."""
    roster = check_roster(synthetic_roster(150, seed=seed, rate_card_priced=rate_card))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(budget=round(total * 0.1), macro_share_max=0.6)
    told = []
    points = split_points(roster, campaign, on_point=lambda done, n: told.append((done, n)))
    assert told == [(i, 11) for i in range(1, 12)]
    for point in points:
        alone = _independent(point)
        assert point.solution.status == alone.status
        if alone.status == "infeasible":
            continue
        assert point.solution.gap <= 1e-6
        assert not point.items.check(point.solution.chosen)
        assert abs(point.solution.value - alone.value) <= 1e-6 * alone.value


def test_parts_of_the_curve_are_its_points():
    """`part=(i, n)` solves every n-th band from the i-th: the parts together are the curve."""
    roster = check_roster(synthetic_roster(80, seed=5))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(budget=round(total * 0.1), macro_share_max=0.6)
    whole = split_points(roster, campaign)
    parts = split_points(roster, campaign, part=(0, 2)) + split_points(
        roster, campaign, part=(1, 2)
    )
    parts.sort(key=lambda p: p.share)
    assert [p.share for p in parts] == [p.share for p in whole]
    for a, b in zip(parts, whole, strict=True):
        assert a.solution.status == b.solution.status
        assert (a.items.macro_min, a.items.macro_max) == (b.items.macro_min, b.items.macro_max)
        if a.solution.status != "infeasible":
            assert a.solution.value == pytest.approx(b.solution.value, rel=1e-6)


def test_a_capped_curve_is_certified_at_every_point():
    """With a cap on influencers each band still gets a certified plan."""
    roster = check_roster(synthetic_roster(60, seed=3))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(budget=round(total * 0.1), max_influencers=8)
    for point in split_points(roster, campaign):
        alone = solve(
            dataclasses.replace(
                build_items(roster.table, campaign),
                macro_min=point.items.macro_min,
                macro_max=point.items.macro_max,
            )
        )
        assert point.solution.status == alone.status
        if alone.status != "infeasible":
            assert point.solution.gap <= 1e-6
            assert np.isclose(point.solution.value, alone.value, rtol=1e-6)


def _bands(items, step=0.1):
    """The split curve's 11 bands (as `split_points` makes them), in cents."""
    bands = [(0, 0)]
    for share in np.round(np.arange(step, 1.0 + 1e-9, step), 6):
        low, high = max(0.0, share - step / 2), min(1.0, share + step / 2)
        bands.append((int(np.ceil(low * items.budget)), int(np.floor(high * items.budget))))
    return bands


@pytest.mark.parametrize(
    "caps",
    [
        {},
        {"max_influencers": 12},
        {"max_macro": 2},
        {"max_influencers": 15, "max_macro": 1},
    ],
    ids=["uncapped", "cap", "macro-cap", "both"],
)
@pytest.mark.parametrize("seed", [4, 11])
def test_bands_from_shared_work_are_the_bands_solved_alone(seed, caps):
    """`solve_bands` (the set-up, macro groups, envelopes and their chains shared by every band)
    gives each band the status and engagement of `solve` on that band alone, each certified,
    with and without caps on influencers and on macro influencers. (Sharing what does depend on
    the band, or on the charge, certifies plans that are not the best: e.g. the envelopes' chain
    without a charge kept for the one with, or the macro groups' table out of order.)"""
    frame = synthetic_roster(200, seed=seed, macro_fraction=0.1)
    roster = check_roster(frame)
    total = float((roster.table["cost_per_post"] * 3).sum())
    items = build_items(roster.table, Campaign(budget=round(total * 0.15), **caps))
    bands = _bands(items)
    shared = solve_bands(items, bands)
    for (low, high), point in zip(bands, shared, strict=True):
        banded = dataclasses.replace(items, macro_min=low, macro_max=high)
        alone = solve(banded)
        assert point.status == alone.status, (low, high)
        if alone.status == "infeasible":
            continue
        assert point.status == "optimal" and point.gap <= 1e-6
        assert not banded.check(point.chosen)
        assert point.value == pytest.approx(alone.value, rel=1e-6)


def test_the_shared_macro_groups_table_is_each_group_s_posts():
    """`_MacroGroups` (built once for every band): group g is a macro influencer, best first
    post per dollar first; its row holds the engagement of 0, 1, ..., m posts summed in post
    order (-inf past m) and its posts are that influencer's, in post order."""
    roster = check_roster(synthetic_roster(300, seed=8, macro_fraction=0.2))
    items = build_items(roster.table, Campaign(budget=100_000))
    value = items.value / items.value.max()
    groups = _MacroGroups.of(items, value)
    macro_owners = np.unique(items.owner[items.macro])
    assert len(groups) == macro_owners.size
    per_dollar = []
    for g, posts in enumerate(groups.posts):
        owner = items.owner[posts[0]]
        assert posts.tolist() == np.flatnonzero(items.owner == owner).tolist()
        assert groups.cost[g] == items.cost[posts[0]]
        m = posts.size
        assert groups.value[g, : m + 1].tolist() == [0.0, *np.cumsum(value[posts]).tolist()]
        assert np.all(groups.value[g, m + 1 :] == -np.inf)
        per_dollar.append(value[posts[0]] / items.cost[posts[0]])
    assert per_dollar == sorted(per_dollar, reverse=True)
    # The chains without a charge, kept by the shared envelopes, are the ones built afresh.
    env = Envelopes(items, value, ~items.macro)
    for keep_negative in (False, True):
        kept = env.chain(0.0, keep_negative)
        assert env.chain(0.0, keep_negative) is kept
        fresh = Envelopes(items, value, ~items.macro).chain(0.0, keep_negative)
        assert kept.idx.tolist() == fresh.idx.tolist()
        assert kept.cum_value.tolist() == fresh.cum_value.tolist()


def _posts_with_big_macro_posts(seed: int) -> PostItems:
    """A roster of 300 with macro posts of up to 1.5 times the budget ($20,000)."""
    roster = check_roster(synthetic_roster(300, seed=seed, macro_fraction=0.2))
    items = build_items(roster.table, Campaign(budget=20_000, max_posts=3))
    rng = np.random.default_rng(seed)
    price = rng.uniform(0.05, 1.5, items.n_influencers) * items.budget
    cost = np.where(items.macro, price[items.owner].astype(np.int64), items.cost)
    return dataclasses.replace(items, cost=cost)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_posts_within_reach_are_those_some_plan_may_take(seed):
    """Post k of an influencer is within reach when k + 1 of its posts fit the budget and, for a
    macro post, the macro band's top; brute force on a handful of influencers: every post within
    reach is in some plan (taken alone with the posts before it), none out of reach is."""
    items = _posts_with_big_macro_posts(seed)
    for top in (0.0, 0.1, 0.35, 0.6, 1.0):
        banded = dataclasses.replace(items, macro_max=int(top * items.budget))
        reach = banded.within_reach()
        for j in range(items.owner.size):
            plan = (items.owner == items.owner[j]) & (items.k <= items.k[j])
            assert reach[j] == (not banded.check(plan)), (top, j)
        assert not reach[items.macro].all() and reach[items.macro].any() or top == 0.0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_band_s_set_up_is_the_widest_one_narrowed_to_its_top(seed):
    """The split curve's bands share the set-up of the widest band (`_Shared`), each narrowed
    to its own top (`Prepared.within`), against the definition: the same groups in the same
    order, each with the posts within reach (its options past them -inf); the macro chains of
    exactly the posts within reach, by engagement per cent; the micro parts shared. Made once for
    each top; the set-up itself where the top leaves every macro post within reach."""
    items = _posts_with_big_macro_posts(seed)
    value = items.value / items.value.max()
    widest = prepare(dataclasses.replace(items, macro_min=0, macro_max=items.budget), value)
    assert widest.within(items, value) is widest
    whole = items.cost * (items.k + 1)
    for top in (0.05, 0.25, 0.5, 0.75):
        banded = dataclasses.replace(items, macro_min=0, macro_max=int(top * items.budget))
        narrowed = widest.within(banded, value)
        assert narrowed is not widest and widest.within(banded, value) is narrowed
        reach = items.macro & (whole <= banded.macro_max)
        assert np.array_equal(narrowed.groups.cost, widest.groups.cost)
        for g, posts in enumerate(narrowed.groups.posts):
            assert posts is widest.groups.posts[g]
            fits = int(np.count_nonzero(reach[posts]))
            row, wide_row = narrowed.groups.value[g], widest.groups.value[g]
            assert np.array_equal(row[: fits + 1], wide_row[: fits + 1])
            assert np.all(row[fits + 1 :] == -np.inf)
        fresh = DantzigChain.of_items(items, value, reach)
        assert np.array_equal(narrowed.rest_macro[0].idx, fresh.idx)
        assert np.array_equal(narrowed.rest_macro[0].cum_value, fresh.cum_value)
        assert np.array_equal(narrowed.rest_macro.every[0], items.cost[fresh.idx])
        assert sorted(narrowed.macro_env.idx.tolist()) == np.flatnonzero(reach).tolist()
        assert narrowed.micro_chain is widest.micro_chain  # (the micro posts are the same)
        assert narrowed.micro_env is widest.micro_env
        assert prepare(banded, value).rest_macro[0].idx.tolist() == fresh.idx.tolist()
    # With a top that every macro post within the budget's reach fits, nothing is narrowed.
    fits = int(whole[items.macro & items.within_reach()].max())
    assert widest.within(dataclasses.replace(items, macro_max=fits), value) is widest


def test_the_curve_s_bands_with_macro_posts_out_of_reach_are_each_band_s_best_plan():
    """Bands whose top leaves some macro posts out of reach: each band's plan from the shared
    set-up is the band's own optimum (solved alone), and its bound holds (certified)."""
    items = _posts_with_big_macro_posts(4)
    bands = [(0, 0)] + [
        (int(max(0.0, s - 0.05) * items.budget), int(min(1.0, s + 0.05) * items.budget))
        for s in np.arange(0.1, 1.01, 0.1)
    ]
    for (low, high), point in zip(bands, solve_bands(items, bands), strict=True):
        banded = dataclasses.replace(items, macro_min=low, macro_max=high)
        alone = solve(banded)
        assert point.status == alone.status
        if alone.status == "optimal":
            assert not banded.check(point.chosen)
            assert point.value == pytest.approx(alone.value, rel=1e-6)
            assert point.upper_bound >= alone.value * (1 - 1e-9)


@pytest.mark.parametrize("decay", [1.0, 0.8, 0.5])
def test_envelope_chains_are_their_definition(decay):
    """`Envelopes.chain` (the compiled `envelope_segments`), against its definition influencer
    by influencer: a first segment of posts 0..x*-1, x* the fewest posts of the best value per
    cent with the first post charged, then each later post alone; worthless segments left out
    unless asked for; all by falling value per cent, ties in post order."""
    roster = check_roster(synthetic_roster(120, seed=6, macro_fraction=0.2))
    items = build_items(roster.table, Campaign(budget=50_000, max_posts=4, decay=decay))
    value = items.value / items.value.max()
    for mask in (~items.macro, items.macro):
        env = Envelopes(items, value, mask)
        for charge in (0.0, 0.01, 0.05, 0.3, 5.0):
            for keep_negative in (False, True):
                expected = []  # (value per cent, position, posts, cost, value)
                for start, length in zip(env.starts, env.lengths, strict=True):
                    f = env.cum_value[start : start + length]  # f_i(1), ..., f_i(m)
                    spend = env.cost[start] * np.arange(1, length + 1)
                    slope = (f - charge) / spend
                    x = int(np.flatnonzero(slope >= slope.max())[0]) + 1
                    segments = [(start, x, int(spend[x - 1]), float(f[x - 1] - charge))]
                    for j in range(start + x, start + length):
                        segments.append((j, 1, int(env.cost[j]), float(env.value[j])))
                    for pos, n, cost, worth in segments:
                        if keep_negative or worth > 0:
                            expected.append((-worth / cost, pos, n, cost, worth))
                expected.sort(key=lambda s: (s[0], s[1]))
                chain = env.chain(charge, keep_negative)
                assert chain.idx.tolist() == [s[1] for s in expected]
                assert chain.length.tolist() == [s[2] for s in expected]
                assert chain.cost.tolist() == [s[3] for s in expected]
                assert chain.value.tolist() == [s[4] for s in expected]
                # Its sums as the chain's own constructor works them out (the compiled
                # `envelope_chain` builds them in the same call).
                built = SegmentChain(chain.cost, chain.value, chain.idx, chain.length, chain.first)
                for name in ("cost", "value", "cum_cost", "cum_value", "ratio"):
                    found, own = getattr(chain, name), getattr(built, name)
                    assert found.dtype == own.dtype and found.tolist() == own.tolist(), name
                assert chain.total == built.total
                assert chain.first.tolist() == (env.k[chain.idx] == 0).tolist()


def test_macro_bounds_are_the_chains_lp_bound():
    """`DantzigChain.macro_bound` (the compiled `macro_bounds`), against its definition in the
    chains' own terms: each state spends as much more on macro as the band allows, a bound
    where the last macro cent earns at least the next micro cent (NaN where not), -inf where
    the band's bottom is out of reach; with spends outside the chains too."""
    roster = check_roster(synthetic_roster(400, seed=12, macro_fraction=0.15))
    items = build_items(roster.table, Campaign(budget=80_000))
    value = items.value / items.value.max()
    prepared = prepare(items, value)
    rng = np.random.default_rng(12)
    # Chains whose ratios tie (the last macro cent worth exactly the next micro cent).
    tied = DantzigChain(np.array([100, 200]), np.array([1.0, 1.5]))
    tied_micro = DantzigChain(np.array([50, 50, 100]), np.array([0.5, 0.375, 0.75]))
    micro = prepared.micro_chain
    cases = [(prepared.rest_macro[g], micro, items.budget) for g in (0, len(prepared.groups))]
    for rest, micro, budget in [*cases, (tied, tied_micro, 400)]:
        # Random spends, spends outside the chains, and spends that land on their links.
        cost = np.concatenate(
            [[0, budget, budget + 1, -5], rng.integers(0, budget, 300)]
            + [budget // 2 - rest.cum_cost, budget - rest.cum_cost - micro.cum_cost[1]]
        )
        state_value = rng.random(cost.size)
        for low, high in ((0, budget), (budget // 4, budget // 2), (budget // 3, budget // 3)):
            more = np.minimum(np.minimum(high - cost, rest.total), budget - cost)
            room = budget - cost - more
            expected = state_value + rest.value_at(more) + micro.value_at(room)
            decided = rest.slope_below(more) >= micro.slope_above(room)
            expected = np.where(decided, expected, np.nan)
            expected = np.where(cost + more < low, -np.inf, expected)
            found = rest.macro_bound(cost, state_value, micro, budget, low, high)
            assert np.array_equal(found, expected, equal_nan=True)


def _tied_macro_items(seed: int, band: tuple[float, float], spread: float = 0.0):
    """Posts where the macro influencers' engagement is their price times one ratio (a rate
    card's ties; within `spread` of it): no macro state beats another (or few do) and every
    bound is the LP's until the last group, so the macro phase's steps prune (almost) nothing
    and it meets in the middle."""
    from planner.model import PostItems

    rng = np.random.default_rng(seed)
    n_macro, n_micro = 14, 12
    cost = np.concatenate(
        [rng.integers(100_000, 300_000, n_macro), rng.integers(1_000, 9_000, n_micro)]
    ).astype(np.int64)
    ratio = np.concatenate([1.0 - spread * rng.random(n_macro), rng.uniform(0.5, 0.95, n_micro)])
    budget = int(cost[:n_macro].sum() * 0.6)
    return PostItems(
        owner=np.arange(cost.size, dtype=np.int64),
        k=np.zeros(cost.size, dtype=np.int64),
        value=cost * ratio,
        cost=cost,
        macro=np.arange(cost.size) < n_macro,
        n_influencers=cost.size,
        budget=budget,
        macro_min=int(band[0] * budget),
        macro_max=int(band[1] * budget),
        max_macro=None,
        max_influencers=None,
    )


@pytest.mark.parametrize("band", [(0.85, 0.95), (0.95, 1.0), (0.0, 1.0)])
def test_the_macro_phase_meeting_in_the_middle_is_exact(band, monkeypatch):
    """Models whose macro steps prune (almost) nothing (`_tied_macro_items`, twelve): each
    plan is HiGHS's optimum and the plan of the phase stepping through every group (certified,
    the same engagement); the phase met in the middle in some of them. Fails with the rest's
    choices joined to the wrong states, or a choice that skips the band's bottom kept."""
    import planner.dp as dp
    from planner.mip import solve_mip

    met = []
    real_meet = dp._meet

    def spy(*args):
        met.append(True)
        return real_meet(*args)

    for seed in range(12):
        items = _tied_macro_items(seed, band, 0.0 if seed < 6 else 1e-3)
        monkeypatch.setattr(dp, "_meet", spy)
        monkeypatch.setattr(dp, "_MEET_STATES", 256)
        ours = solve(items)
        monkeypatch.setattr(dp, "_MEET_STATES", 1 << 40)
        stepped = solve(items)
        reference = solve_mip(items, mip_rel_gap=1e-9)
        assert ours.status == stepped.status == reference.status == "optimal"
        assert not items.check(ours.chosen)
        assert ours.value == pytest.approx(reference.value, rel=1e-6)
        assert ours.value == pytest.approx(stepped.value, rel=1e-6)
        assert ours.upper_bound >= reference.value * (1 - 1e-9)
    assert met


def test_the_rest_s_choices_beaten_only_where_every_state_meets_the_bottom():
    """`planner.dp._macro_rest`: one choice of the groups left beats another (less spend, more
    engagement) only when every state meets the band's bottom with it: one macro group of
    $10 a post worth 5 beats one of $12 worth 4, unless with the least spend of the states
    ($1) the $10 falls short of an $12 bottom."""
    from types import SimpleNamespace

    from planner.dp import _macro_rest

    groups = SimpleNamespace(
        cost=np.array([10, 12], dtype=np.int64),
        value=np.array([[0.0, 5.0], [0.0, 4.0]]),
    )
    allowed = np.ones((2, 2), dtype=bool)
    for bottom, kept in ((0, {(0, 0.0), (10, 5.0), (22, 9.0)}), (12, None)):
        items = SimpleNamespace(macro_min=bottom, macro_max=100)
        rest = _macro_rest(SimpleNamespace(groups=groups, items=items), [0, 1], allowed, 1)
        got = set(zip(rest.cost.tolist(), rest.value.tolist(), strict=True))
        if kept is not None:
            assert got == kept
        else:  # short of the bottom: only equal spends compete, so the $12 choice stays
            assert (12, 4.0) in got and (10, 5.0) in got
        for i in range(rest.cost.size):  # each with the posts it takes
            assert int(rest.took[i] @ groups.cost) == rest.cost[i]
            assert groups.value[[0, 1], rest.took[i]].sum() == rest.value[i]


def test_only_capped_models_build_envelopes(monkeypatch, macro_phases):
    """The influencers' envelopes (the capped LP and micro phase) are built when a model with a
    cap first asks for them: an uncapped split curve, some of whose bands run the programme,
    builds none; a capped one builds them, the micro influencers' (every micro post) first."""
    import planner.dp

    built = []

    def counted(items, value, mask):
        built.append(int(mask.sum()))
        return Envelopes(items, value, mask)

    monkeypatch.setattr(planner.dp, "Envelopes", counted)
    roster = check_roster(synthetic_roster(300, seed=3, rate_card_priced=True))
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(budget=round(total * 0.1), macro_share_max=0.6)
    points = split_points(roster, campaign)
    assert macro_phases and all(p.solution.status == "optimal" for p in points)
    assert built == []
    capped = split_points(roster, dataclasses.replace(campaign, max_influencers=20))
    assert all(p.solution.status == "optimal" for p in capped)
    assert len(built) >= 2 and built[0] == int((~build_items(roster.table, campaign).macro).sum())


@pytest.mark.parametrize("decay", [0.8, 1.0])
def test_the_rankings_shared_across_budgets_give_each_budget_s_chains(decay):
    """The budget frontier's models share the posts' rankings (`solver._Ranked`): each budget's
    Dantzig chains, taken from them without sorting again, are `lp_chains`' for that budget
    (the posts within its reach, by engagement per cent, ties in post order), and `SamePosts`
    solves each budget as `solve` does, post for post. Without decay an influencer's posts
    tie, and twin influencers tie with each other."""
    from planner.model import with_limits
    from planner.relaxation import lp_chains
    from planner.solver import SamePosts, _Ranked

    frame = synthetic_roster(150, seed=6, macro_fraction=0.1)
    frame = pd.concat([frame, frame.iloc[:20]], ignore_index=True)  # twins: exact ties
    frame["name"] = [f"@creator{i}" for i in range(len(frame))]
    roster = check_roster(frame)
    total = float((roster.table["cost_per_post"] * 3).sum())
    campaign = Campaign(budget=round(total * 0.3), decay=decay, macro_share_max=0.7)
    items = build_items(roster.table, campaign)
    ranked, posts = _Ranked.of(items), SamePosts(items)
    value = items.value / items.value.max()
    for share in (0.005, 0.02, 0.1, 0.3):
        model = with_limits(items, dataclasses.replace(campaign, budget=round(total * share)))
        assert 0 < model.within_reach().sum() < model.owner.size or share == 0.3
        for ours, theirs in zip(ranked.chains(model), lp_chains(model, value), strict=True):
            assert np.array_equal(ours.idx, theirs.idx)
            assert np.array_equal(ours.cum_cost, theirs.cum_cost)
            assert np.array_equal(ours.cum_value, theirs.cum_value)
        shared, alone = posts.solve(model), solve(model)
        assert (shared.status, shared.value, shared.upper_bound) == (
            alone.status,
            alone.value,
            alone.upper_bound,
        )
        assert np.array_equal(shared.chosen, alone.chosen)
