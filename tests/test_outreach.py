"""The campaign that will really happen: offers in rounds, declines and backups (outreach.py)."""

from __future__ import annotations

import dataclasses
import json
import math
import os
import random
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from planner import Campaign, SettingsError, make_plan, read_roster
from planner.model import first_post_engagement, to_cents
from planner.outreach import (
    STRATEGIES,
    Offers,
    curve_campaign,
    forecast,
    macro_reply_sweep,
    offers_from_posts,
    outreach_head_to_head,
    outreach_offers,
    outreach_split_curve,
    posts_per_row,
    simulate_outreach,
    strategy_plan,
    sweep_sentence,
)
from planner.risk import Assumptions, reply_rates, split_curve_ranges, spreads
from planner.roster import check_roster
from planner.synthetic import synthetic_roster
from tests.test_cli import run

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_roster.csv"
ROSTER = read_roster(SAMPLE)
CERTAIN = Assumptions(reply_micro=1, reply_macro=1, spread_micro=0, spread_macro=0, shared_spread=0)


def roster_of(rows: list[str]):
    header = "name,followers,engagement_rate,cost_per_post,reply_rate,engagement_spread"
    return read_roster(("\n".join([header, *rows]) + "\n").encode(), filename="r.csv")


# A small roster where declines, backups and rounds all matter: 4 macro, 26 micro.
SMALL = roster_of(
    [
        f"macro{i},{2_000_000 + 300_000 * i},0.012,{9_000 + 1_500 * i},{0.15 + 0.1 * i},0.6"
        for i in range(4)
    ]
    + [
        f"micro{i},{20_000 + 7_000 * i},{0.02 + 0.001 * (i % 7)},{250 + 60 * i},"
        f"{0.25 + 0.025 * (i % 11)},"
        for i in range(26)
    ]
)


@pytest.mark.parametrize("strategy", list(STRATEGIES))
@pytest.mark.parametrize(
    "campaign",
    [
        Campaign(budget=60_000),
        Campaign(budget=60_000, macro_share_min=0.1, macro_share_max=0.5, max_macro=2),
        Campaign(budget=8_000, max_macro=0, max_posts=2),
    ],
)
def test_certain_replies_and_no_spread_give_the_plan_in_every_draw(strategy, campaign):
    certain_replies_give_the_plan(ROSTER, campaign, strategy)


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_certain_replies_give_the_plan_under_caps_on_influencers(strategy):
    campaign = Campaign(budget=30_000, max_influencers=9, max_macro=1, macro_share_max=0.6)
    # The roster's own reply rates and spreads would override the certain ones.
    table = SMALL.table.assign(reply_rate=np.nan, engagement_spread=np.nan)
    certain_replies_give_the_plan(dataclasses.replace(SMALL, table=table), campaign, strategy)


def certain_replies_give_the_plan(roster, campaign, strategy):
    plan = make_plan(roster, campaign)
    assert plan.status == "optimal"
    for rounds in (1, 3):
        assumptions = dataclasses.replace(CERTAIN, rounds=rounds)
        result = forecast(roster, campaign, assumptions, strategy=strategy, draws=300, seed=5)
        outcome = result.outcome
        assert np.all(outcome.engagement == pytest.approx(plan.expected_engagement, rel=1e-12))
        assert np.all(outcome.spend == pytest.approx(plan.spend, abs=1e-9))
        assert np.all(outcome.booked == len(plan.allocations))
        assert np.all(outcome.macro == pytest.approx(plan.by_tier["macro"].expected_engagement))
        # Nobody beyond the plan is contacted: the plan fills what can be filled.
        assert np.all(outcome.contacted == len(plan.allocations))


def _long_list_case():
    roster = check_roster(synthetic_roster(1_500, seed=3))
    campaign = Campaign(budget=60_000)
    return roster, campaign


def test_spend_approaches_the_budget_as_rounds_grow_and_never_exceeds_it():
    roster, campaign = _long_list_case()
    means = []
    for rounds in (1, 2, 4, 8):
        assumptions = Assumptions(rounds=rounds)
        _plan, offers = outreach_offers(roster, campaign, assumptions)
        outcome = simulate_outreach(offers, campaign, assumptions, draws=2_000)
        assert outcome.spend.max() <= campaign.budget + 1e-9  # in every draw
        # The list is long enough: many offers were never needed.
        assert outcome.contacted.max() < offers.size
        means.append(outcome.spend.mean())
    assert means[0] < 0.97 * campaign.budget  # one round: below the budget
    assert all(a < b for a, b in zip(means, means[1:], strict=False))
    assert means[-1] > 0.995 * campaign.budget


def test_spend_never_exceeds_the_budget_or_the_macro_share_in_any_draw():
    campaign = Campaign(budget=40_000, macro_share_max=0.4, max_macro=2, max_influencers=12)
    for strategy in STRATEGIES:
        result = forecast(SMALL, campaign, Assumptions(rounds=5), strategy=strategy, draws=3_000)
        outcome = result.outcome
        assert outcome.spend.max() <= campaign.budget
        assert outcome.macro_spend.max() <= 0.4 * campaign.budget
        assert outcome.booked.max() <= 12


# ---------------------------------------------------------------- an independent slow simulation
def slow_outreach(roster, offers: Offers, campaign, assumptions, draws, seed):
    """The process as the module's docstring states it, one draw and one offer at a time, with
    every post drawn on its own (no moment matching)."""
    rng = random.Random(seed)
    table = roster.table
    value1 = first_post_engagement(table)
    spread = spreads(table, assumptions)
    budget = to_cents(campaign.budget)
    macro_max = min(budget, math.floor(campaign.macro_share_max * budget + 1e-6))
    limit_room = macro_max < budget
    cap, max_macro = campaign.max_influencers, campaign.max_macro
    n = offers.size
    out = {"engagement": [], "spend": [], "booked": [], "contacted": []}

    def lognormal(cv):
        if cv == 0:
            return 1.0
        sigma = math.sqrt(math.log1p(cv * cv))
        return math.exp(rng.gauss(0, 1) * sigma - sigma * sigma / 2)

    for _ in range(draws):
        open_, room, count, macro_count, pointer, contacted = budget, macro_max, 0, 0, 0, 0
        booked = []
        for _round in range(assumptions.rounds):
            sent, e_cost, e_n, e_mn, e_mc = [], 0.0, 0.0, 0.0, 0.0
            stop = n
            for i in range(pointer, n):
                c, m, r = int(offers.cost[i]), bool(offers.macro[i]), float(offers.reply[i])
                eligible = c <= open_
                if m and limit_room:
                    eligible = eligible and c <= room
                if m and max_macro is not None:
                    eligible = eligible and macro_count < max_macro
                if cap is not None:
                    eligible = eligible and count < cap
                if not eligible:
                    continue
                fits = e_cost + r * c <= open_
                if cap is not None:
                    fits = fits and e_n + r <= cap - count + 1e-9
                if m and max_macro is not None:
                    fits = fits and e_mn + r <= max_macro - macro_count + 1e-9
                if m and limit_room:
                    fits = fits and e_mc + r * c <= room
                if not fits:
                    stop = i
                    break
                sent.append(i)
                e_cost += r * c
                e_n += r
                if m:
                    e_mn += r
                    e_mc += r * c
            pointer = stop
            contacted += len(sent)
            accepted = [i for i in sent if rng.random() < offers.reply[i]]
            rng.shuffle(accepted)  # the order the answers come back in
            for i in accepted:
                c, m = int(offers.cost[i]), bool(offers.macro[i])
                ok = c <= open_
                if m and limit_room:
                    ok = ok and c <= room
                if m and max_macro is not None:
                    ok = ok and macro_count < max_macro
                if cap is not None:
                    ok = ok and count < cap
                if ok:
                    open_ -= c
                    count += 1
                    if m:
                        room -= c
                        macro_count += 1
                    booked.append(i)
        total = 0.0
        for i in booked:
            row = int(offers.rows[i])
            for k in range(int(offers.posts[i])):
                total += value1[row] * campaign.decay**k * lognormal(spread[row])
        total *= lognormal(assumptions.shared_spread)
        out["engagement"].append(total)
        out["spend"].append((budget - open_) / 100)
        out["booked"].append(len(booked))
        out["contacted"].append(contacted)
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize(
    "campaign",
    [
        Campaign(budget=30_000),
        Campaign(budget=40_000, macro_share_max=0.5, max_macro=1, max_influencers=14),
    ],
)
def test_simulated_means_match_an_independent_slow_simulation(campaign):
    assumptions = Assumptions(spread_macro=0.8)
    _plan, offers = outreach_offers(SMALL, campaign, assumptions)
    fast = simulate_outreach(offers, campaign, assumptions, draws=20_000, seed=3)
    slow = slow_outreach(SMALL, offers, campaign, assumptions, 2_500, seed=11)
    for name in ("engagement", "spend", "booked", "contacted"):
        ours = np.asarray(getattr(fast, name), dtype=float)
        theirs = slow[name]
        error = math.sqrt(ours.var() / ours.size + theirs.var() / theirs.size)
        assert abs(ours.mean() - theirs.mean()) < 4 * error + 1e-9, name
    # Backups were needed and booked, and some accepted offers no longer fitted.
    assert fast.booking_rate[~offers.in_plan].sum() > 0.5
    assert fast.spend.max() <= campaign.budget


def test_seeded_draws_repeat_and_the_summary_orders_its_quantiles():
    campaign = Campaign(budget=50_000)
    first = forecast(ROSTER, campaign, Assumptions(), draws=4_000, seed=9, target=250_000)
    again = forecast(ROSTER, campaign, Assumptions(), draws=4_000, seed=9, target=250_000)
    other = forecast(ROSTER, campaign, Assumptions(), draws=4_000, seed=10, target=250_000)
    assert np.array_equal(first.outcome.engagement, again.outcome.engagement)
    assert not np.array_equal(first.outcome.engagement, other.outcome.engagement)
    s = first.summary()
    assert s["p10"] <= s["p50"] <= s["p90"]
    assert 0 < s["probability_of_target"] < 1
    assert 0 <= s["budget_filled"] <= 1
    assert s["mean_booked"] < s["mean_contacted"] <= s["outreach_list_length"]
    assert s["if_all_accepted"]["expected_engagement"] > s["mean"]  # declines cost something
    table = first.contact_table(ROSTER)
    assert table["contact_order"].is_monotonic_increasing
    assert (table["chance_booked"] <= table["chance_contacted"]).all()
    assert set(table["role"]) == {"plan", "backup"}


def test_backups_recover_what_declines_leave_unspent():
    """Today's simulation of the plan alone against the same plan with backups and rounds."""
    from planner.risk import simulate

    campaign = Campaign(budget=30_000)
    assumptions = Assumptions()
    plan = make_plan(ROSTER, campaign)
    alone = simulate(ROSTER, plan, assumptions, draws=4_000)
    offers = offers_from_posts(ROSTER, campaign, assumptions, posts_per_row(ROSTER, plan))
    with_backups = simulate_outreach(offers, campaign, assumptions, draws=4_000)
    assert with_backups.spend.mean() > 2 * alone.spend.mean()
    # Backups earn less per dollar than the plan's own influencers, but they earn.
    assert with_backups.engagement.mean() > 1.15 * alone.engagement.mean()


def test_expected_acceptance_plan_offers_more_than_the_budget_at_full_price():
    campaign = Campaign(budget=30_000)
    plan, offers = outreach_offers(ROSTER, campaign, Assumptions(), strategy="expected")
    assert plan.status == "optimal"
    full_price = offers.cost[offers.in_plan].sum() / 100
    expected = (offers.cost * offers.reply)[offers.in_plan].sum() / 100
    assert full_price > 1.5 * campaign.budget
    assert expected <= campaign.budget + 0.01 * len(plan.allocations)


def test_offers_that_could_never_be_booked_are_left_out_of_the_list():
    """A plan made for a wider band (as the split curve's expected-acceptance plans are: the
    band holds expected spend) can hold offers whose full price is above the budget or the
    macro share's top: nobody could book them, so they are not sent, and backups are neither
    offered what they could not book."""
    campaign = Campaign(budget=30_000, macro_share_max=0.3, max_posts=3)  # macro room $9,000
    table = ROSTER.table
    name = table["name"].tolist()
    posts = np.zeros(len(table), dtype=np.int64)
    for who, n in (
        ("@green_kitchen583", 2),  # $7,475 a post: one fits in $9,000, two do not
        ("@urban_glow381", 1),  # $14,146: above the macro share's top
        ("@golden_gamer918", 1),  # $151,688: above the whole budget
    ):
        posts[name.index(who)] = n
    micro = np.flatnonzero((table["tier"] == "micro").to_numpy())[:20]
    posts[micro] = 1
    offers = offers_from_posts(ROSTER, campaign, Assumptions(), posts)
    listed = {name[row]: int(n) for row, n in zip(offers.rows, offers.posts, strict=True)}
    assert listed["@green_kitchen583"] == 1
    assert "@urban_glow381" not in listed and "@golden_gamer918" not in listed
    assert (offers.cost <= 30_000 * 100).all()
    assert (offers.cost[offers.macro] <= 9_000 * 100).all()
    assert offers.in_plan.sum() == 21
    # Every offer of the plan is booked in some simulated campaigns.
    outcome = simulate_outreach(offers, campaign, Assumptions(), draws=2_000)
    assert (outcome.booking_rate[offers.in_plan] > 0).all()
    # No macro influencer may be booked: no macro offer at all.
    none = dataclasses.replace(campaign, max_macro=0)
    assert not offers_from_posts(ROSTER, none, Assumptions(), posts).macro.any()


def test_bad_strategy_and_rounds_are_refused_with_the_choices():
    with pytest.raises(SettingsError, match="expected, reply_weighted, plan"):
        outreach_offers(ROSTER, Campaign(budget=1_000), Assumptions(), strategy="best")  # type: ignore[arg-type]
    with pytest.raises(SettingsError, match="rounds"):
        Assumptions(rounds=0)
    with pytest.raises(SettingsError, match="rounds"):
        Assumptions(rounds=2.5)  # type: ignore[arg-type]


def test_reply_rates_come_from_the_roster_where_it_has_them():
    _plan, offers = outreach_offers(SMALL, Campaign(budget=20_000), Assumptions())
    own = reply_rates(SMALL.table, Assumptions())[offers.rows]
    assert np.array_equal(offers.reply, own)
    assert offers.reply.min() < 0.2 < offers.reply.max()


# ---------------------------------------------------------------- head-to-head, curve, sweep
def test_head_to_head_each_strategy_with_its_own_backups():
    campaign = Campaign(budget=30_000)
    table = outreach_head_to_head(ROSTER, campaign, Assumptions(), draws=1_000, target=150_000)
    assert table["strategy"].tolist() == ["All micro", "All macro", "Optimal mix"]
    assert (table["mean_spend"] <= campaign.budget).all()
    assert (table["p10"] <= table["mean"]).all() and (table["mean"] <= table["p90"]).all()
    assert table.loc[0, "mean"] > table.loc[1, "mean"]  # macro rarely replies at 20%


def test_the_best_mix_is_never_below_all_micro_on_its_own_simulated_basis():
    """At $40,000 the expected-acceptance plan for the campaign's band (0-100% macro) books a
    little macro and earns less after declines than all micro: the forecast is the all-micro
    plan, the mix is kept as the other candidate, and the head-to-head's best mix is not
    below all micro."""
    campaign = Campaign(budget=40_000)
    chosen = forecast(ROSTER, campaign, Assumptions(), draws=2_000)
    mix = forecast(ROSTER, campaign, Assumptions(), draws=2_000, candidates=False)
    assert mix.candidate == "mix" and mix.offers.macro[mix.offers.in_plan].any()
    assert chosen.candidate == "all micro" and chosen.other is not None
    assert not chosen.offers.macro.any()
    assert chosen.outcome.engagement.mean() > mix.outcome.engagement.mean()
    assert np.array_equal(chosen.other.outcome.engagement, mix.outcome.engagement)
    assert chosen.plan.campaign == campaign  # shown with the campaign's own settings
    assert chosen.summary()["candidate"] == "all micro"
    table = outreach_head_to_head(ROSTER, campaign, Assumptions(), draws=2_000)
    best, micro = table.set_index("strategy").loc[["Optimal mix", "All micro"], "mean"]
    assert best >= micro
    # The all-micro row is the candidate the forecast simulated: the same as planning the
    # micro influencers alone.
    alone = forecast(
        dataclasses.replace(
            ROSTER, table=ROSTER.table[ROSTER.table["tier"] == "micro"].reset_index(drop=True)
        ),
        dataclasses.replace(campaign, macro_share_max=0.0),
        Assumptions(),
        draws=2_000,
    )
    assert alone.outcome.engagement.mean() == pytest.approx(micro, rel=1e-12)


@pytest.mark.parametrize(
    "budget, band", [(100_000, (0.0, 1.0)), (30_000, (0.0, 1.0)), (100_000, (0.2, 0.5))]
)
def test_the_headline_is_the_best_of_its_band_and_the_curves_bands_inside_it(budget, band):
    """The forecast's candidates are the plan for the campaign's band and the plan of each
    split curve band inside it (all micro: the 0% band), screened on the curve's own simulated
    campaigns; the best two and all micro are simulated as often as the headline and the best
    of them is the forecast. So the curve's best band inside the campaign's band is a finalist,
    the forecast earns at least as much as every other finalist on the same draws, and its
    plan is booked under the campaign's own limits."""
    campaign = Campaign(budget=budget, macro_share_min=band[0], macro_share_max=band[1])
    result = forecast(ROSTER, campaign, Assumptions(), draws=2_000)
    assert result.curve is not None
    curve, _ranges = result.curve
    assert curve.equals(outreach_split_curve(ROSTER, curve_campaign(campaign), Assumptions())[0])
    finalists = (result, *result.others)
    for one in result.others:
        assert result.outcome.engagement.mean() >= one.outcome.engagement.mean()
    bands = {one.band for one in finalists}
    if result.band is not None:
        assert band[0] - 1e-9 <= result.band[0] <= result.band[1] <= band[1] + 1e-9
    inside = (curve["band_low"] >= band[0] - 1e-9) & (curve["band_high"] <= band[1] + 1e-9)
    inside &= curve["expected_engagement"].notna()
    best = curve[inside].sort_values("expected_engagement").iloc[-1]
    # the curve's best band inside the campaign's is a finalist (or is the band's own plan)
    assert (best["band_low"], best["band_high"]) in bands or None in bands
    if band[0] == 0:
        assert (0.0, 0.0) in bands or result.candidate == "all micro"
    budget_cents = to_cents(budget)
    spent = np.rint(result.outcome.spend * 100)
    assert (spent <= budget_cents).all()
    assert (result.outcome.macro_spend <= band[1] * budget + 0.01).all()
    assert result.plan.campaign == campaign and result.plan.has_plan
    in_summary = result.summary()["candidate_band"]
    assert in_summary == (None if result.band is None else list(result.band))


@pytest.mark.parametrize("budget", [100_000, 40_000])
def test_a_forecast_started_from_the_bands_plan_is_the_same_forecast(budget):
    """The page shows the plan for the campaign's band at once (`candidates=False`) and then
    compares the curve's bands starting from it (`start`): the same forecast as in one go."""
    campaign = Campaign(budget=budget)
    first = forecast(ROSTER, campaign, Assumptions(), draws=2_000, candidates=False)
    started = forecast(ROSTER, campaign, Assumptions(), draws=2_000, start=first)
    whole = forecast(ROSTER, campaign, Assumptions(), draws=2_000)
    assert (started.candidate, started.band) == (whole.candidate, whole.band)
    assert np.array_equal(started.outcome.engagement, whole.outcome.engagement)
    assert [o.band for o in started.others] == [o.band for o in whole.others]
    assert started.curve is not None and whole.curve is not None
    assert started.curve[0].equals(whole.curve[0])
    with pytest.raises(ValueError, match="candidates=False"):
        forecast(ROSTER, campaign, Assumptions(), draws=2_000, start=whole)


@pytest.mark.parametrize("budget", [100_000, 30_000])
def test_a_forecast_drawn_alongside_is_the_forecast_drawn_in_one_thread(budget):
    """`forecast(alongside=True)` draws the band's plan's and the finalists' campaigns half in
    the pool: every simulated figure of the forecast and its others is the same as without."""
    campaign = Campaign(budget=budget)
    for start in (None, "first"):
        made = []
        for alongside in (True, False):
            first = forecast(
                ROSTER, campaign, Assumptions(), draws=2_000, candidates=False, alongside=alongside
            )
            made.append(
                forecast(
                    ROSTER,
                    campaign,
                    Assumptions(),
                    draws=2_000,
                    start=first if start else None,
                    alongside=alongside,
                )
            )
            made.append(first)
        for a, b in ((made[0], made[2]), (made[1], made[3])):
            assert len(a.others) == len(b.others)
            for one, other in zip((a, *a.others), (b, *b.others), strict=True):
                assert (one.candidate, one.band) == (other.candidate, other.band)
                for field in dataclasses.fields(one.outcome):
                    assert np.array_equal(
                        getattr(one.outcome, field.name), getattr(other.outcome, field.name)
                    ), field.name


def test_on_the_defaults_a_band_of_the_curve_earns_more_than_the_whole_bands_plan():
    """The case that made the curve's bands candidates: on the sample at $100,000 the plan for
    the whole band (0-100%, 58% on macro as planned) earned less after declines and backups
    than the curve's best band, so the page's star sat above its headline."""
    campaign = Campaign(budget=100_000)
    alone = forecast(ROSTER, campaign, Assumptions(), draws=2_000, candidates=False)
    result = forecast(ROSTER, campaign, Assumptions(), draws=2_000)
    assert result.candidate == "band" and result.band is not None and result.band[1] < 0.58
    assert result.outcome.engagement.mean() > 1.02 * alone.outcome.engagement.mean()
    assert alone.candidate == "mix" and alone.curve is None and not alone.others


def test_realistic_split_curve_band_contains_its_line_and_parts_combine():
    campaign = Campaign(budget=30_000)
    curve, ranges = outreach_split_curve(ROSTER, campaign, Assumptions(), draws=300)
    assert len(curve) == 11
    ok = curve["expected_engagement"].notna()
    # Mostly-macro bands cannot be planned: few macro posts can be booked at full price in $30K.
    assert ok[:6].all() and not ok.iloc[-1]
    assert (curve.loc[~ok, "status"] == "infeasible").all()
    line = curve.loc[ok, "expected_engagement"].to_numpy()
    assert (ranges.loc[ok, "p10"].to_numpy() <= line).all()
    assert (line <= ranges.loc[ok, "p90"].to_numpy()).all()
    assert (curve.loc[ok, "spend"] <= campaign.budget).all()
    # In parts (as the app's workers compute it), the same rows.
    parts = [
        outreach_split_curve(ROSTER, campaign, Assumptions(), draws=300, part=(i, 2))
        for i in range(2)
    ]
    joined = pd.concat([p[0] for p in parts]).sort_values("macro_share").reset_index(drop=True)
    assert np.allclose(joined["expected_engagement"], curve["expected_engagement"], equal_nan=True)
    # Through the function the app's workers call.
    via, via_ranges = split_curve_ranges(
        ROSTER, campaign, Assumptions(), draws=300, outreach="expected"
    )
    assert np.allclose(via["expected_engagement"], curve["expected_engagement"], equal_nan=True)
    assert np.allclose(via_ranges["p90"], ranges["p90"], equal_nan=True)


@pytest.mark.parametrize(
    "roster", [read_roster(ROOT / "tests" / "data" / "exports" / "european.csv"), ROSTER, SMALL]
)
def test_the_campaign_sits_on_its_realistic_curve(roster):
    """The band that holds the campaign's own plan (as planned) gets that plan, booked as the
    headline's forecast books it: the same offers, and a simulated mean within 4 standard
    errors of the forecast's. Before, the point was booked under its band's top at full price:
    on european.csv (one macro influencer whose post costs more than 15% of the budget) it fell
    16% below the forecast, which sat above the curve's "best share"."""
    campaign = Campaign(budget=100_000 if len(roster.table) < 10 else 60_000)
    mix = forecast(roster, campaign, Assumptions(), candidates=False)
    curve, ranges = outreach_split_curve(roster, campaign, Assumptions(), draws=2_000)
    share = mix.plan.macro_share_of_budget
    band = curve[(curve["band_low"] <= share + 1e-9) & (share - 1e-9 <= curve["band_high"])]
    assert len(band) >= 1
    row = band.index[0]
    assert curve.loc[row, "planned_value"] == pytest.approx(mix.plan.expected_engagement, rel=1e-5)
    engagement = mix.outcome.engagement
    error = math.sqrt(engagement.var() / 2_000 + engagement.var() / engagement.size)
    assert abs(curve.loc[row, "expected_engagement"] - engagement.mean()) <= 4 * error
    # The 0% point is all micro: no macro influencer planned or booked.
    micro = forecast(
        roster, dataclasses.replace(campaign, macro_share_max=0.0), Assumptions(), draws=2_000
    )
    assert curve.loc[0, "expected_engagement"] == pytest.approx(
        micro.outcome.engagement.mean(), rel=1e-9
    )
    assert curve.loc[0, "macro_spend"] == 0


def test_macro_reply_sweep_moves_the_best_share_towards_macro():
    # At $60,000 the answer is clear on this roster (all micro at a 10% macro reply rate, a
    # mostly macro plan at 100%); at $30,000 micro influencers fill the budget either way and
    # the best band is within the noise of 200 draws.
    campaign = Campaign(budget=60_000)
    sweep = macro_reply_sweep(ROSTER, campaign, Assumptions(), rates=(0.1, 1.0), draws=1_000)
    assert sweep["reply_macro"].tolist() == [0.1, 1.0]
    assert sweep.loc[0, "best_share"] <= sweep.loc[1, "best_share"]
    assert (sweep["best_mean"] >= sweep["all_micro_mean"]).all()
    assert (sweep["best_p10"] <= sweep["best_mean"]).all()
    # What is booked: with every macro influencer replying, more of the budget goes to macro.
    assert sweep.loc[0, "best_booked_macro_share"] < sweep.loc[1, "best_booked_macro_share"]
    assert "10%" in sweep_sentence(sweep) and "100%" in sweep_sentence(sweep)


def test_the_sweeps_row_at_the_campaigns_own_reply_rate_is_the_headline():
    """Before, the sweep's best share was the curve's best band on 500 campaigns (20% on the
    sample at $100,000) while the headline planned 5-15%: now each row is the headline's plan
    at that rate."""
    campaign = Campaign(budget=100_000)
    assumptions = Assumptions()
    sweep = macro_reply_sweep(
        ROSTER, campaign, assumptions, rates=(assumptions.reply_macro,), draws=2_000
    )
    result = forecast(ROSTER, campaign, assumptions, draws=2_000)
    row = sweep.iloc[0]
    assert row["best_mean"] == pytest.approx(result.outcome.engagement.mean())
    assert row["best_share"] == pytest.approx(result.plan.macro_share_of_budget)
    micro = next(o for o in (result, *result.others) if o.candidate == "all micro")
    assert row["all_micro_mean"] == pytest.approx(micro.outcome.engagement.mean())


# ---------------------------------------------------------------- the CLI
def test_cli_prints_the_same_figures_as_the_api():
    args = ["--roster", str(SAMPLE), "--budget", "40000", "--draws", "3000", "--seed", "4"]
    args += ["--target", "200000", "--rounds", "2"]
    done = run("simulate", *args, "--format", "json")
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    result = forecast(
        ROSTER,
        Campaign(budget=40_000),
        Assumptions(rounds=2),
        draws=3_000,
        seed=4,
        target=200_000,
    )
    expected = result.summary()
    for key in (
        "mean",
        "p10",
        "p50",
        "p90",
        "mean_spend",
        "budget_filled",
        "mean_contacted",
        "mean_booked",
        "probability_of_target",
    ):
        assert payload[key] == pytest.approx(expected[key], rel=1e-12), key
    for tier in ("micro", "macro"):
        assert payload["by_tier"][tier] == pytest.approx(expected["by_tier"][tier], rel=1e-12)
    assert payload["strategy"] == "expected" and payload["rounds"] == 2
    table = run("simulate", *args)
    assert table.returncode == 0, table.stderr
    assert f"mean {expected['mean']:,.0f} (P10 {expected['p10']:,.0f}" in table.stdout
    assert f"{expected['probability_of_target']:.1%}" in table.stdout
    assert "If every offer were accepted (not expected)" in table.stdout


def test_cli_outreach_off_keeps_the_plan_alone_and_conflicts_are_refused():
    base = ["simulate", "--roster", str(SAMPLE), "--budget", "20000", "--draws", "500"]
    off = run(*base, "--outreach", "off", "--format", "json")
    assert off.returncode == 0, off.stderr
    assert "expected" in json.loads(off.stdout)  # today's plan-alone figures
    clash = run(*base, "--plan-for-replies")
    assert clash.returncode == 2 and "--outreach" in clash.stderr
    bad = run(*base, "--rounds", "0")
    assert bad.returncode == 2 and "rounds" in bad.stderr and "Traceback" not in bad.stderr


def test_the_app_s_curve_workers_give_the_realistic_curve():
    from dashboard.curve_jobs import CurveJobs

    campaign = Campaign(budget=30_000)
    jobs = CurveJobs()
    jobs.warm()
    assert jobs.up(timeout=120)
    key = ("sample", campaign, None, Assumptions(), "expected")
    job = jobs.submit(ROSTER, key, campaign, None, Assumptions(), outreach="expected")
    assert len(job) == CurveJobs.PARTS  # computed by the workers, in parts
    curve, ranges = jobs.result(key, job)
    here, here_ranges = outreach_split_curve(ROSTER, campaign, Assumptions())
    assert np.allclose(curve["expected_engagement"], here["expected_engagement"], equal_nan=True)
    assert np.allclose(ranges["p10"], here_ranges["p10"], equal_nan=True)


def test_the_simulation_runs_where_numba_cannot_keep_its_compiled_code():
    """A server whose folders cannot be written (numba finds no place to keep the compiled
    loop) still simulates: the loop is compiled in its process instead of failing at import."""
    code = (
        "import planner.kernels; from planner.outreach import _draw_outreach, warm; warm(); "
        "print(type(_draw_outreach._cache).__name__)"
    )
    # (A locator for IPython's cells only: for a module's file it finds no place, as numba's
    # own locators do where neither the module's folder nor the user's cache can be written.)
    env = {**os.environ, "NUMBA_CACHE_LOCATOR_CLASSES": "IPythonCacheLocator"}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "NullCache"


def test_a_plan_for_expected_acceptances_that_books_nothing_says_why_in_the_rosters_terms():
    """Macro influencers only, $500: every post costs more than the budget. The
    expected-acceptance roster gives those offers a post limit of 0 (`bookable_posts`); the
    reason is the budget, not the rows (before: "no influencer in the roster can post (each has
    no followers, no engagement, no price or a post limit of 0)")."""
    table = ROSTER.table[ROSTER.table["tier"] == "macro"].reset_index(drop=True)
    macro_only = dataclasses.replace(ROSTER, table=table)
    plan = strategy_plan(macro_only, Campaign(budget=500), Assumptions(), "expected")
    assert plan.booked_nothing
    assert "more than the budget of $500" in plan.message
    assert "can post" not in plan.message
