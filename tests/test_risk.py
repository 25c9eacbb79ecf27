"""How sure is a plan: simulation, reply-aware planning, the outreach list and the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from planner import Campaign, SettingsError, make_plan, read_roster
from planner.plan import split_points
from planner.risk import (
    Assumptions,
    outreach_list,
    reply_weighted_engagement,
    simulate,
    simulate_posts,
    split_bands,
)
from tests.test_cli import run

ROOT = Path(__file__).resolve().parent.parent
ROSTER = read_roster(ROOT / "data" / "sample_roster.csv")
CAMPAIGN = Campaign(budget=60_000)
PLAN = make_plan(ROSTER, CAMPAIGN)
CERTAIN = Assumptions(reply_micro=1, reply_macro=1, spread_micro=0, spread_macro=0, shared_spread=0)


def roster_of(rows: list[str]):
    header = "name,followers,engagement_rate,cost_per_post,reply_rate,engagement_spread"
    return read_roster(("\n".join([header, *rows]) + "\n").encode(), filename="r.csv")


def test_no_spread_and_certain_replies_give_the_plan_value_in_every_draw():
    outcome = simulate(ROSTER, PLAN, CERTAIN, draws=500)
    assert outcome.engagement == pytest.approx(np.full(500, PLAN.expected_engagement), rel=1e-12)
    assert outcome.spend == pytest.approx(np.full(500, PLAN.spend))
    assert outcome.micro + outcome.macro == pytest.approx(outcome.engagement)
    assert outcome.macro[0] == pytest.approx(PLAN.by_tier["macro"].expected_engagement)


def test_seeded_draws_repeat_and_the_mean_matches_the_expectation():
    assumptions = Assumptions()
    first = simulate(ROSTER, PLAN, assumptions, draws=20_000, seed=11)
    again = simulate(ROSTER, PLAN, assumptions, draws=20_000, seed=11)
    other = simulate(ROSTER, PLAN, assumptions, draws=20_000, seed=12)
    assert np.array_equal(first.engagement, again.engagement)
    assert not np.array_equal(first.engagement, other.engagement)
    # Analytic expectation: every post's engagement times its influencer's reply rate.
    table = ROSTER.table.set_index("name")
    reply = np.where(table["tier"] == "macro", assumptions.reply_macro, assumptions.reply_micro)
    rate = dict(zip(table.index, reply, strict=True))
    expected = sum(
        rate[row.name] * row.expected_engagement for row in PLAN.allocations.itertuples()
    )
    assert first.expected == pytest.approx(expected)
    standard_error = first.engagement.std() / np.sqrt(first.draws)
    assert abs(first.engagement.mean() - expected) < 4 * standard_error
    summary = first.summary(target=expected)
    assert summary["p10"] < summary["p50"] < summary["p90"]
    assert 0 < summary["probability_of_target"] < 1


def _width(outcome) -> float:
    return (outcome.quantile(0.9) - outcome.quantile(0.1)) / outcome.expected


def test_spreading_over_many_influencers_narrows_the_range_down_to_the_shared_shock():
    one = roster_of(["solo,1000000,0.02,100000,1,0.5"])
    many = roster_of([f"m{i},10000,0.02,1000,1,0.5" for i in range(100)])
    # Both have the same expectation: 20,000 engagements from one post each.
    for shared, floor in ((0.0, 0.0), (0.3, 0.3)):
        assumptions = Assumptions(shared_spread=shared)
        solo = simulate_posts(one.table, [0], [0], 0.8, assumptions, draws=20_000)
        spread = simulate_posts(
            many.table, np.arange(100), np.zeros(100), 0.8, assumptions, draws=20_000
        )
        assert solo.expected == pytest.approx(spread.expected)
        assert _width(spread) < (0.2 if not floor else 0.7) * _width(solo)
        shock_only = simulate_posts(
            many.table,
            np.arange(100),
            np.zeros(100),
            0.8,
            Assumptions(spread_micro=0, spread_macro=0, shared_spread=shared),
            draws=20_000,
        )
        # The shared shock is a floor: independent spread never narrows the range below it.
        assert _width(spread) >= _width(shock_only) - 1e-9
        if floor:
            assert _width(spread) > 0.6  # a 30% shared spread alone spans about 0.75
        else:
            assert _width(spread) < 0.15


def test_replies_scale_the_mean_and_spend():
    outcome = simulate(ROSTER, PLAN, Assumptions(spread_micro=0, spread_macro=0, shared_spread=0))
    assert outcome.spend.mean() < PLAN.spend
    assert outcome.engagement.min() < outcome.engagement.max()


def test_reply_aware_planning_prefers_influencers_who_reply():
    roster = roster_of(
        [
            "keen,50000,0.03,500,0.9,",
            "silent,50000,0.03,500,0.1,",
            "also_keen,40000,0.03,500,0.9,",
        ]
    )
    campaign = Campaign(budget=1_000, max_posts=1)
    naive = make_plan(roster, campaign)
    weights = reply_weighted_engagement(roster.table, Assumptions())
    aware = make_plan(roster, campaign, first_value=weights)
    assert set(naive.allocations["name"]) == {"keen", "silent"}
    assert set(aware.allocations["name"]) == {"keen", "also_keen"}
    assert aware.expected_engagement == pytest.approx(0.9 * 1500 + 0.9 * 1200)
    assert aware.optimality_gap <= 1e-6


def test_reply_rates_fall_back_to_the_tier_default():
    weights = reply_weighted_engagement(ROSTER.table, Assumptions(reply_micro=0.5, reply_macro=0))
    macro = (ROSTER.table["tier"] == "macro").to_numpy()
    assert np.all(weights[macro] == 0)
    plan = make_plan(ROSTER, CAMPAIGN, first_value=weights)
    assert plan.by_tier["macro"].spend == 0


def test_outreach_list_puts_the_plan_first_and_backups_until_the_budget_is_expected():
    listed = outreach_list(ROSTER, PLAN, Assumptions())
    roles = listed["role"].tolist()
    n_plan = len(PLAN.allocations)
    assert roles[:n_plan] == ["plan"] * n_plan and set(roles[n_plan:]) == {"backup"}
    assert set(listed["name"][:n_plan]) == set(PLAN.allocations["name"])
    assert not set(listed["name"][n_plan:]) & set(PLAN.allocations["name"])
    assert listed["contact_order"].tolist() == list(range(1, len(listed) + 1))
    cumulative = listed["cumulative_expected_spend"].to_numpy()
    assert cumulative[-1] >= CAMPAIGN.budget
    assert cumulative[-2] < CAMPAIGN.budget  # no more backups than needed
    assert listed["why"].str.len().min() > 20
    # With certain replies the plan fills the budget as it is: no backups.
    assert set(outreach_list(ROSTER, PLAN, CERTAIN)["role"]) == {"plan"}


def test_split_bands_order_their_quantiles():
    points = split_points(ROSTER, CAMPAIGN)
    bands = split_bands(ROSTER.table, points, CAMPAIGN.decay, Assumptions(), draws=1_000)
    assert len(bands) == len(points)
    ok = bands["p10"].notna()
    assert ok.sum() >= 9
    assert (bands.loc[ok, "p10"] <= bands.loc[ok, "p50"]).all()
    assert (bands.loc[ok, "p50"] <= bands.loc[ok, "p90"]).all()


def test_assumptions_are_checked():
    with pytest.raises(SettingsError, match="micro reply rate"):
        Assumptions(reply_micro=1.5)
    with pytest.raises(SettingsError, match="campaign-wide spread"):
        Assumptions(shared_spread=-1)


def test_engagement_spread_column_is_read_per_influencer():
    roster = roster_of(["a,10000,0.02,100,,50%", "b,10000,0.02,100,,1.2"])
    assert roster.table["engagement_spread"].tolist() == [0.5, 1.2]
    with pytest.raises(Exception, match="engagement_spread"):
        roster_of(["a,10000,0.02,100,,lots"])


def test_cli_simulate_json():
    done = run(
        "simulate",
        "--roster",
        str(ROOT / "data" / "sample_roster.csv"),
        "--budget",
        "60000",
        "--draws",
        "2000",
        "--seed",
        "3",
        "--target",
        "200000",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    for key in ("mean", "p10", "p50", "p90", "probability_of_target"):
        assert isinstance(payload[key], float)
    assert payload["p10"] <= payload["p50"] <= payload["p90"]
    again = json.loads(run(*done.args[3:]).stdout)
    assert again == payload


def test_cli_simulate_bad_draws_exit_2():
    done = run("simulate", "--roster", "data/sample_roster.csv", "--budget", "1000", "--draws", "0")
    assert done.returncode == 2
    assert "--draws" in done.stderr and "Traceback" not in done.stderr
