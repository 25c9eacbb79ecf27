"""The headline's words (`dashboard/headline.py`): what each figure says it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import charts, controls
from dashboard.forecast import expected_bookings
from dashboard.headline import forecast_figures, forecast_target
from planner import Campaign, Tiers, read_roster
from planner.outreach import forecast
from planner.risk import Assumptions

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
ROSTER = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
FORECAST = forecast(ROSTER, Campaign(budget=50_000), Assumptions(), draws=2_000)


def _figure(label, result=FORECAST, target=1.0, tiers=ROSTER.tiers):
    return next(f for f in forecast_figures(result, target, tiers) if f.label == label)


def test_a_target_of_zero_is_a_target_not_no_target():
    values = {controls.TARGET.key: 0}
    assert forecast_target(values, FORECAST) == 0
    chance = _figure("Chance of target", target=forecast_target(values, FORECAST))
    assert chance.note == "≥ 0" and chance.value == "100%"


def test_no_target_is_what_the_campaign_is_expected_to_earn():
    expected = round(FORECAST.outcome.engagement.mean())
    assert forecast_target({controls.TARGET.key: None}, FORECAST) == expected > 0


def test_the_macro_share_is_of_expected_spend_as_the_tier_chart_shows_it():
    # At $50M the campaign cannot spend the budget: the share of spend and of budget differ.
    # One influencer only: all of the spend is that influencer's tier.
    for campaign in (
        Campaign(budget=50_000_000),
        Campaign(budget=5_000_000, max_influencers=1),
    ):
        result = forecast(ROSTER, campaign, Assumptions(), draws=2_000)
        booked = expected_bookings(result)
        assert booked.spend < campaign.budget * 0.9
        share = booked.by_tier["macro"].spend / booked.spend
        figure = _figure("Macro share", result)
        assert (figure.value, figure.note) == (f"{share:.0%}", "of expected spend")
        micro_bar, macro_bar = charts.tier_split(booked, expected=True).data
        assert list(macro_bar.y) == ["Spend", "Engagement"]
        assert macro_bar.x[0] == pytest.approx(share * 100)
        assert f"{share:.0%}" in macro_bar.text[0] or share < 0.2
        if campaign.max_influencers == 1:
            assert figure.value in ("100%", "0%")
    title = charts.tier_split(expected_bookings(result), expected=True).layout.title
    assert title.text == "Expected bookings by tier" and "unspent" in title.subtitle.text


def test_every_sentence_that_states_a_threshold_states_the_settings():
    tiers = Tiers(micro_threshold=5_000, macro_threshold=500_000)
    assert (tiers.micro_words, tiers.macro_words) == (
        "5,000–499,999 followers",
        "500,000+ followers",
    )
    assert Tiers().macro_words == "1M+ followers" and Tiers(1, 2_500_000).macro_words.startswith(
        "2.5M"
    )
    for setting in (controls.MACRO_SHARE, controls.MAX_MACRO):
        assert "500,000+ followers" in controls.help_of(setting, tiers)
        assert "1M" not in controls.help_of(setting, tiers)
    help_text = _figure("Macro share", tiers=tiers).help
    assert "5,000–499,999 followers" in help_text and "1M" not in help_text


def test_the_page_states_the_thresholds_of_the_link():
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["macro_threshold"] = "500000"
    app.run()
    assert not app.exception
    intro = " ".join(m.value for m in app.markdown)
    assert "499,999 followers" in intro and "999,999" not in intro and "1M" not in intro
    share = app.slider(key=controls.MACRO_SHARE.key)
    assert "500,000\\+ followers" in share.help or "500,000+ followers" in share.help


def test_the_sidebar_names_the_tabs_by_their_names():
    from streamlit.testing.v1 import AppTest

    from ui import state

    app = AppTest.from_file(APP, default_timeout=120)
    app.session_state[state.REPLIES_OPEN] = True
    app.run()
    assert not app.exception
    words = " ".join(c.value for c in app.sidebar.caption)
    assert f"**{state.TAB_RISK}** tab" in words
    assert "Risk view" not in words and "README" not in words


def test_the_tier_chart_names_influencers_booked_on_average_not_rounded_to_none():
    # The European export: one macro influencer among six, booked in some campaigns only.
    from dashboard.forecast import booked_by_tier

    roster = read_roster(Path(__file__).resolve().parent / "data" / "exports" / "european.csv")
    result = forecast(roster, Campaign(budget=100_000), Assumptions(), draws=2_000)
    booked = booked_by_tier(result)
    assert 0 < booked["macro"] < 0.5  # rounded, "0 influencers" beside the tier's spend
    bookings = expected_bookings(result)
    assert bookings.by_tier["macro"].spend > 0
    names = [t.name for t in charts.tier_split(bookings, expected=True, booked=booked).data]
    assert names == [
        f"Micro ({booked['micro']:.1f} booked on average)",
        f"Macro ({booked['macro']:.1f} booked on average)",
    ]


def test_a_campaign_certain_to_earn_its_expected_engagements_has_a_100_percent_chance_of_them():
    """With every reply certain and no spread, every simulated campaign earns exactly the
    expected engagements (850,240.53 on the sample at $100,000, shown as 850,241): the chance of
    the default target, those expected engagements as shown, is 100% (it read 0%)."""
    import numpy as np

    roster = ROSTER
    certain = Assumptions(
        reply_micro=1.0, reply_macro=1.0, spread_micro=0.0, spread_macro=0.0, shared_spread=0.0
    )
    result = forecast(roster, Campaign(budget=100_000), certain, draws=200)
    mean = result.outcome.engagement.mean()
    assert np.ptp(result.outcome.engagement) < 1e-6 * mean  # every draw the same
    assert round(mean) > mean  # the case: the figure shown is above every draw
    target = forecast_target({controls.TARGET.key: None}, result)
    chance = next(
        f for f in forecast_figures(result, target, roster.tiers) if f.label == "Chance of target"
    )
    assert chance.value == "100%"


def test_one_round_of_offers_is_said_to_replace_no_declined_offer_as_it_does():
    # With one round the simulation sends the first offers only (the plan's, for the default
    # plan basis): no declined offer is replaced, so no backup is "offered in 1 round".
    one = forecast(ROSTER, Campaign(budget=50_000), Assumptions(rounds=1), draws=2_000)
    assert one.summary()["mean_contacted"] == one.summary()["plan_offers"]
    words = _figure("Expected engagements", one).help
    assert "declined ones not replaced" in words and "backups offered in 1 round" not in words
    assert "1 = declined offers are not replaced" in controls.ROUNDS.help
    three = _figure("Expected engagements").help
    assert "3 rounds, each after the first offering backups for declines" in three


def test_a_tier_booked_in_few_campaigns_is_not_named_as_booking_none_beside_its_spend():
    # Macro at a 5% reply rate and a cap of one: booked in some 3% of campaigns, so 0.03 on
    # average, with some 1% of the expected spend; the legend read "0.0 booked on average".
    from dashboard.forecast import booked_by_tier

    result = forecast(
        ROSTER, Campaign(budget=100_000, max_macro=1), Assumptions(reply_macro=0.05), draws=2_000
    )
    booked = booked_by_tier(result)
    bookings = expected_bookings(result)
    assert 0 < booked["macro"] < 0.05 and bookings.by_tier["macro"].spend > 0
    names = [t.name for t in charts.tier_split(bookings, expected=True, booked=booked).data]
    assert names[1] == "Macro (<0.1 booked on average)"


def test_influencers_booked_on_average_are_said_by_one_rule_not_rounded_to_a_whole():
    # One influencer at most and one round: 0.7 booked on average (the headline read "1
    # booked", the Strategies tab's 0.4 booked for all macro read "0" beside its spend).
    from dashboard.forecast import average_count

    one = forecast(
        ROSTER, Campaign(budget=100_000, max_influencers=1), Assumptions(rounds=1), draws=2_000
    )
    booked = float(one.summary()["mean_booked"])
    assert 0.5 < booked < 0.95
    assert (
        _figure("To contact", one).note
        == f"{booked:.1f} booked"
        == f"{average_count(booked)} booked"
    )
    # The Excel file's About sheet says it as the headline does (it read 1).
    from datetime import UTC, datetime

    from dashboard.forecast import offers_plan
    from dashboard.report import plan_facts

    values = {s.key: s.default for s in controls.ALL}
    facts = plan_facts(
        title="t",
        roster_label="sample",
        plan=offers_plan(ROSTER, one),
        values=values,
        created=datetime.now(UTC),
        forecast=one,
        target=1.0,
    )
    said = next(f.value for f in facts if f.label == "Influencers booked (mean)")
    assert said == average_count(booked)
    assert [average_count(v) for v in (0.0, 0.03, 0.42, 143.7, float("nan"))] == [
        "0.0",
        "<0.1",
        "0.4",
        "144",
        "",
    ]
