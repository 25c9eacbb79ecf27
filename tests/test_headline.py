"""The headline's words (`dashboard/headline.py`): what each figure says it is."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard import charts, controls
from dashboard.headline import chance_figure, plan_figures, target_of
from planner import Campaign, Tiers, make_plan, read_roster
from planner.risk import Assumptions, simulate

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
ROSTER = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
PLAN = make_plan(ROSTER, Campaign(budget=50_000))
OUTCOME = simulate(ROSTER, PLAN, Assumptions())


def test_a_target_of_zero_is_a_target_not_no_target():
    values = {controls.TARGET.key: 0}
    assert target_of(values, OUTCOME) == 0
    assert chance_figure(OUTCOME, target_of(values, OUTCOME)).note == "≥ 0 engagements"


def test_no_target_is_what_the_plan_should_earn_with_replies():
    assert target_of({controls.TARGET.key: None}, OUTCOME) == round(OUTCOME.expected) > 0


def _macro_note(plan):
    figure = next(f for f in plan_figures(plan, None, ROSTER.tiers) if f.label == "Micro / macro")
    return figure.note


def test_the_macro_share_is_of_spend_as_the_tier_chart_shows_it():
    # At $50M the plan cannot spend the budget: the share of spend and of budget differ.
    big = make_plan(ROSTER, Campaign(budget=50_000_000))
    # One influencer only: all of the spend is that influencer's tier.
    one = make_plan(ROSTER, Campaign(budget=5_000_000, max_influencers=1))
    for plan in (big, one):
        macro = plan.by_tier["macro"].spend
        assert plan.spend < plan.campaign.budget * 0.9
        share = macro / plan.spend
        assert _macro_note(plan) == f"{share:.0%} of spend on macro"
        micro_bar, macro_bar = charts.tier_split(plan).data
        assert list(macro_bar.y) == ["Spend", "Engagement"]
        assert macro_bar.x[0] == pytest.approx(share * 100)
        assert f"{share:.0%}" in macro_bar.text[0] or share < 0.2
    assert _macro_note(one) in ("100% of spend on macro", "0% of spend on macro")
    title = charts.tier_split(big).layout.title
    assert title.text == "Spend and engagement by tier" and "unspent" in title.subtitle.text


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
    help_text = next(f.help for f in plan_figures(PLAN, None, tiers) if f.label == "Micro / macro")
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
