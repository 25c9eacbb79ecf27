"""The dashboard through Streamlit's AppTest: controls drive the plan, links restore settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.controls import (
    BUDGET,
    ESTIMATE_PRICES,
    PLAN_BASIS,
    REPLY_MACRO,
    REPLY_MICRO,
    SPREAD_MICRO,
)
from ui import state
from ui.state import AppState

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")


def waits_for_first_chart(app: AppTest) -> bool:
    """Whether the page holds the plan table back until the browser has drawn a chart."""
    return any(
        e.proto.component_name == "planner_after_first_chart" for e in app.get("bidi_component")
    )


def run(**params: str | list[str]) -> AppTest:
    """The app opened by a link with these parameters, as the browser shows it: its first run,
    then the rerun the page asks for once it has drawn its first chart (the plan table's)."""
    app = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        app.query_params[key] = value
    app.run()
    return app.run() if waits_for_first_chart(app) else app


def app_state(app: AppTest) -> AppState:
    """What the app keeps for the test's session (`ui/state.py`)."""
    return app.session_state[state.APP]


def headline(app: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in app.metric}


MAIN = "Expected engagements"  # the headline's main figure: after declines and backups


def all_accepted_spend(app: AppTest) -> str:
    """What the plan as if every offer were accepted spends, from the headline's secondary
    line ("... would earn N engagements for $X.")."""
    for caption in app.caption:
        found = re.search(r"for \\?(\$[\d,.]+?)\\?\.(?:\s|$)", caption.value)
        if found and "If every offer were accepted" in caption.value:
            return found.group(1)
    raise AssertionError("no 'if every offer were accepted' line in the headline")


@pytest.fixture(scope="module")
def first() -> AppTest:
    return run()


def test_first_open_shows_the_sample_plan_and_every_chart(first):
    assert not first.exception
    figures = headline(first)
    assert figures[MAIN] not in ("", "0")
    assert figures["Plan status"] == "Optimal"
    # The Plan tab: tier split and split curve (the other tabs draw when opened).
    assert len(first.get("plotly_chart")) == 2
    assert not first.error and not first.warning


def test_the_plan_table_follows_once_the_browser_has_drawn_the_first_chart():
    app = AppTest.from_file(APP, default_timeout=120).run()
    assert not app.exception
    assert waits_for_first_chart(app)  # in the table's place
    assert not app.dataframe
    assert len(app.get("plotly_chart")) == 2  # both charts
    app.run()  # what the browser's "drawn" asks for
    assert not waits_for_first_chart(app)
    assert len(app.dataframe) == 1
    assert app.dataframe[0].value.columns[0] == "Influencer"


def test_the_budget_and_roster_tab_shows_the_frontier_and_the_roster():
    app = run(tab="Budget and roster")
    assert not app.exception
    frontier, _roster = app.get("plotly_chart")
    # The frontier says its basis and marks the campaign after declines and backups.
    assert any("as if every offer were accepted" in c.value for c in app.caption)
    spec = frontier.proto.spec
    assert "not a forecast" in spec and "Your campaign after declines and backups" in spec


def test_the_roster_tables_are_drawn_only_while_open_and_edits_stay_when_closed():
    app = run()
    assert len(app.dataframe) == 1  # the plan table; the editor and the left-out list are closed
    app.session_state[state.ROSTER_OPEN] = True
    app.session_state[state.LEFT_OUT_OPEN] = True
    app.run()
    assert not app.exception
    assert len(app.dataframe) == 3
    before = headline(app)
    # What the editor returns after the user unticks the plan's first influencer.
    planned = app.dataframe[0].value.iloc[0, 0]  # the plan table comes first: its first name
    edited = app_state(app).edited.copy()
    largest = edited.index[edited["name"] == planned][0]
    edited.loc[largest, "include"] = False
    app_state(app).keep_edits(edited)
    app.session_state[state.ROSTER_OPEN] = False  # closing the section keeps the edit
    app.run()
    assert not app.exception
    assert len(app.dataframe) == 2
    assert not app_state(app).roster.frame.loc[largest, "include"]
    assert headline(app)[MAIN] != before[MAIN]
    app.session_state[state.ROSTER_OPEN] = (
        True  # reopened: the editor starts from the edited roster
    )
    app.run()
    assert not app_state(app).edited.loc[largest, "include"]


def test_the_budget_slider_and_the_typed_budget_move_together(first):
    before = headline(first)[MAIN]
    first.slider(key=state.BUDGET_SLIDER).set_value(40_000.0).run()
    assert first.number_input(key=BUDGET.key).value == 40_000.0
    assert all_accepted_spend(first) == "$40,000"
    assert headline(first)[MAIN] != before
    first.number_input(key=BUDGET.key).set_value(2_500_000.0).run()
    assert first.slider(key=state.BUDGET_SLIDER).value == 1_000_000.0
    assert not first.exception


def test_a_move_works_out_the_plan_tab_before_it_draws_the_sidebar(monkeypatch):
    """On a move the Plan tab's table and charts are worked out right after the headline's
    final figures, before the sidebar and the tabs are drawn (the browser paints the figures
    meanwhile: `ui/tab_plan.prepare`), and the tab shows what it shows when it works them out
    itself (a session's first run)."""
    import ui.sidebar
    import ui.tab_plan

    done: list[str] = []
    prepare, draw = ui.tab_plan.prepare, ui.sidebar._draw

    def prepare_seen(*args: object, **kwargs: object) -> object:
        done.append("prepare")
        return prepare(*args, **kwargs)  # type: ignore[arg-type]

    def draw_seen(*args: object, **kwargs: object) -> object:
        done.append("sidebar")
        return draw(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(ui.tab_plan, "prepare", prepare_seen)
    monkeypatch.setattr(ui.sidebar, "_draw", draw_seen)
    app = run()
    done.clear()
    app.slider(key=state.BUDGET_SLIDER).set_value(90_000.0).run()
    assert not app.exception
    assert done == ["prepare", "sidebar"]
    moved = [chart.proto.spec for chart in app.get("plotly_chart")]
    assert len(moved) == 2 and len(app.dataframe) == 1
    # The same settings opened by a link: its first run draws the tab without `prepare` first.
    done.clear()
    opened = AppTest.from_file(APP, default_timeout=120)
    opened.query_params[BUDGET.key] = "90000"
    opened.run()
    assert done[0] == "sidebar"
    assert [chart.proto.spec for chart in opened.get("plotly_chart")] == moved
    assert headline(opened) == headline(app)


def test_a_link_restores_its_settings():
    app = run(budget="25000", macro_share=["0", "30"], max_posts="2", decay="0.9")
    assert not app.exception
    assert app.number_input(key=BUDGET.key).value == 25_000.0
    assert app.slider(key="macro_share").value == (0, 30)
    assert app.slider(key="max_posts").value == 2
    assert all_accepted_spend(app).startswith("$2")
    assert not app.warning


def test_a_link_with_bad_values_says_so_and_uses_the_defaults():
    app = run(budget="lots", max_posts="99")
    assert not app.exception
    warnings = " ".join(w.value for w in app.warning)
    assert "Budget" in warnings and "'lots' is not a number" in warnings
    assert "Posts per influencer" in warnings
    assert app.number_input(key=BUDGET.key).value == 100_000.0
    assert app.slider(key="max_posts").value == 3


def test_impossible_settings_explain_what_to_change_instead_of_charts():
    app = run(macro_share=["50", "100"], max_macro="0")
    assert not app.exception
    text = " ".join(e.value for e in app.error)
    assert "No plan fits these settings" in text
    assert "cap" in text
    assert not app.get("plotly_chart")


def share_link(app: AppTest) -> str:
    app.session_state[state.SHARE_OPEN] = True
    app.run()
    (link,) = [c.value for c in app.code]
    return link


def test_share_link_carries_the_settings():
    app = run(budget="30000")
    assert not app.code  # the popover's contents are drawn only while it is open
    assert "budget=30000" in share_link(app)
    # A later run draws the sidebar after the headline figures: the link still has the new value.
    app.slider(key=state.BUDGET_SLIDER).set_value(45_000.0).run()
    assert any("budget=45000" in c.value for c in app.code)


def test_settings_in_a_closed_section_keep_their_values_and_their_place_in_the_link():
    """*Replies and risk* and *Assumptions* draw their widgets only while open; their settings
    are read from the link, kept while the section is closed and written back into the link."""
    app = run(spread_micro="1.5", estimate_prices="true")
    assert not app.exception and not app.warning
    assert not app.sidebar.toggle  # both sections are closed: their widgets are not drawn
    assert app.session_state[SPREAD_MICRO.key] == 1.5
    assert app.session_state[ESTIMATE_PRICES.key] is True
    app.session_state[state.REPLIES_OPEN] = True
    app.run()
    assert app.slider(key="spread_micro").value == 1.5  # the link's value, shown when opened
    app.slider(key="reply_micro").set_value(60).run()
    app.slider(key="spread_micro").set_value(0.5).run()  # back to its default
    app.session_state[state.REPLIES_OPEN] = False
    app.run()
    app.slider(key=state.BUDGET_SLIDER).set_value(50_000.0).run()
    assert all_accepted_spend(app) == "$50,000"
    assert app.session_state[REPLY_MICRO.key] == 60
    link = share_link(app)
    assert "reply_micro=60" in link and "estimate_prices=true" in link
    assert "budget=50000" in link and "spread_micro" not in link
    # The link opens the same settings.
    params = dict(p.split("=") for p in link.split("?", 1)[1].split("&") if "macro_share" not in p)
    again = run(**params)
    assert again.session_state[REPLY_MICRO.key] == 60
    assert again.session_state[ESTIMATE_PRICES.key] is True
    assert headline(again) == headline(app)


def test_a_link_brought_back_by_the_browser_brings_back_its_section_settings():
    """The browser's back and forward buttons change the link without changing a widget: the
    sidebar's section settings are read from it again (the bound ones Streamlit sets itself,
    checked in the browser tests)."""
    app = run(reply_micro="60")
    before = headline(app)
    app.query_params["reply_micro"] = "55"  # back to an earlier link, as a browser would
    app.query_params["plan_basis"] = "reply_weighted"
    app.run()
    assert not app.exception
    assert app.session_state[REPLY_MICRO.key] == 55
    assert app.session_state[PLAN_BASIS.key] == "reply_weighted"
    assert headline(app)[MAIN] != before[MAIN]
    del app.query_params["reply_micro"]  # and to one without it: the default
    app.run()
    assert app.session_state[REPLY_MICRO.key] == REPLY_MICRO.default
    assert "reply_micro" not in share_link(app)


def test_each_section_draws_exactly_the_settings_it_keeps_in_the_link():
    """A setting drawn in a section but not listed in it would lose its place in the link while
    the section is closed; one listed but not drawn could never be changed."""
    from ui.sidebar import SECTIONS

    app = run()
    for section in SECTIONS:
        app.session_state[section.key] = True
    app.run()
    drawn = {
        w.key
        for expander in app.sidebar.expander
        for kind in ("slider", "number_input", "toggle", "selectbox")
        for w in expander.get(kind)
    }
    listed = {s.key for section in SECTIONS for s in section.settings}
    assert drawn == listed


def test_a_bad_value_for_a_closed_section_setting_says_so_and_leaves_the_link():
    app = run(reply_micro="150")
    warnings = " ".join(w.value for w in app.warning)
    assert "Micro reply rate" in warnings and "outside 0–100" in warnings
    assert app.session_state[REPLY_MICRO.key] == 40
    assert "reply_micro" not in share_link(app)


def test_the_sidebar_stays_with_its_values_when_a_run_stops_early():
    """After the first run the sidebar is drawn after the headline; a run that stops before the
    headline (settings that cannot be used, no plan) must still draw it, or the page would lose
    the very settings the user has to change."""
    app = run()

    def sidebar() -> tuple[int, int, int]:
        return len(app.sidebar.slider), len(app.sidebar.number_input), len(app.sidebar.toggle)

    app.session_state[state.ASSUMPTIONS_OPEN] = True  # the tier thresholds are in there
    app.run()
    drawn = sidebar()
    app.number_input(key=BUDGET.key).set_value(60_000.0).run()
    app.number_input(key="micro_threshold").set_value(2_000_000).run()
    assert not app.exception
    assert "must be above the micro threshold" in " ".join(e.value for e in app.error)
    assert app.number_input(key="micro_threshold").value == 2_000_000
    assert sidebar() == drawn
    app.number_input(key="micro_threshold").set_value(1_000).run()
    assert all_accepted_spend(app) == "$60,000"
    app.slider(key="macro_share").set_value((50, 100)).run()
    app.number_input(key="max_macro").set_value(0).run()
    assert "No plan fits these settings" in " ".join(e.value for e in app.error)
    assert app.slider(key="macro_share").value == (50, 100)
    assert app.number_input(key="max_macro").value == 0
    assert app.number_input(key=BUDGET.key).value == 60_000.0
    assert sidebar() == drawn
    app.number_input(key="max_macro").set_value(None).run()
    assert not app.error
    assert all_accepted_spend(app) == "$60,000"


def test_the_plan_basis_changes_the_plan_and_the_secondary_line_stays():
    app = run()
    before = headline(app)
    accepted = all_accepted_spend(app)
    app.session_state[state.REPLIES_OPEN] = True
    app.run()
    app.selectbox(key=PLAN_BASIS.key).set_value("plan").run()
    assert not app.exception
    after = headline(app)
    assert after[MAIN] != before[MAIN]
    assert "P10–P90" in app.metric[0].proto.delta
    # "If every offer were accepted" is the same plan whatever the basis.
    assert all_accepted_spend(app) == accepted
    assert "plan_basis=plan" in share_link(app)


def test_the_headline_follows_the_macro_reply_rate_and_the_rounds():
    app = run()
    before = headline(app)
    app.session_state[state.REPLIES_OPEN] = True
    app.run()
    app.slider(key=REPLY_MACRO.key).set_value(90).run()
    assert not app.exception
    moved = headline(app)
    assert moved[MAIN] != before[MAIN]
    assert moved["Macro share"] != before["Macro share"]
    app.slider(key="rounds").set_value(1).run()
    assert headline(app)[MAIN] != moved[MAIN]
    assert "rounds=1" in share_link(app) and "reply_macro=90" in share_link(app)


def test_an_old_link_that_planned_for_replies_opens_the_reply_weighted_plan():
    old = run(plan_for_replies="true")
    assert not old.exception and not old.warning
    assert old.session_state[PLAN_BASIS.key] == "reply_weighted"
    assert "plan_for_replies" not in old.query_params
    assert (
        old.query_params["plan_basis"] == ["reply_weighted"]
        or old.query_params["plan_basis"] == "reply_weighted"
    )
    assert headline(old) == headline(run(plan_basis="reply_weighted"))
    assert headline(run(plan_for_replies="false")) == headline(run())
    bad = run(plan_for_replies="maybe")
    assert "not true or false" in " ".join(w.value for w in bad.warning)
    assert bad.session_state[PLAN_BASIS.key] == "expected"


def test_the_strategies_tab_shows_the_head_to_head_the_ranges_and_the_outreach_list():
    app = run(tab="Strategies and risk")
    assert not app.exception
    assert len(app.get("plotly_chart")) == 1  # the ranges: only the open tab's
    summary, outreach = app.dataframe[0].value, app.dataframe[1].value
    assert list(summary["Strategy"]) == ["All micro", "All macro", "Optimal mix"]
    assert (summary["P10 (1 in 10 below)"] <= summary["P90 (1 in 10 above)"]).all()
    assert set(outreach["Role"]) == {"Plan", "Backup"}
    assert "TikTok" in set(outreach["Platform"]) and "tiktok" not in set(outreach["Platform"])
    before = summary["P90 (1 in 10 above)"].tolist()
    app.session_state[state.REPLIES_OPEN] = True
    app.run()
    app.slider(key="spread_micro").set_value(1.5).run()
    assert app.dataframe[0].value["P90 (1 in 10 above)"].tolist() != before


def test_a_strategy_that_books_nothing_says_why_under_the_strategies_table():
    """At $500 no macro post fits the budget: the All macro row reads 0, and the page says why
    in the roster's terms (the expected-acceptance plan gives such offers a post limit of 0,
    and its own reason blamed the rows: "no influencer in the roster can post")."""
    app = run(tab="Strategies and risk", budget="500")
    assert not app.exception
    summary = app.dataframe[0].value.set_index("Strategy")
    assert summary.loc["All macro", "Mean"] == 0
    notes = [c.value for c in app.caption if c.value.startswith("**All macro**")]
    assert len(notes) == 1
    assert "more than the budget of" in notes[0] and "can post" not in notes[0]


def test_a_target_sets_the_chance_in_the_headline():
    low = headline(run(target="1000"))["Chance of target"]
    high = headline(run(target="5000000"))["Chance of target"]
    assert low == "100%" and high == "0%"


def save(app: AppTest, name: str) -> str:
    app.session_state[state.SAVE_OPEN] = True  # open the Save and share popover
    app.run()
    field = next(t for t in app.text_input if t.label == "Scenario name")
    field.input(name)
    next(b for b in app.button if b.label == "Save and get the link").click().run()
    assert not app.exception, app.exception
    link = next(c.value for c in app.code if "?scenario=" in c.value and "view=" not in c.value)
    return link.split("?scenario=")[1]


def test_a_name_typed_in_save_and_share_is_kept_when_the_popover_closes():
    app = run()
    app.session_state[state.SAVE_OPEN] = True
    app.run()
    next(t for t in app.text_input if t.label == "Scenario name").input("Autumn push").run()
    app.session_state[state.SAVE_OPEN] = False
    app.run()
    assert not [t for t in app.text_input if t.label == "Scenario name"]  # drawn only while open
    app.session_state[state.SAVE_OPEN] = True
    app.run()
    assert next(t for t in app.text_input if t.label == "Scenario name").value == "Autumn push"


def test_save_and_share_then_open_the_link_gives_the_same_scenario():
    app = run()
    app.slider(key=state.BUDGET_SLIDER).set_value(55_000.0).run()
    app.number_input(key="max_macro").set_value(1).run()
    scenario_id = save(app, "Spring launch")
    assert len(scenario_id) == 22
    assert any("Saved" in s.value for s in app.success)
    figures = headline(app)

    opened = run(scenario=scenario_id)
    assert not opened.exception and not opened.warning
    assert opened.number_input(key=BUDGET.key).value == 55_000.0
    assert opened.number_input(key="max_macro").value == 1
    assert headline(opened) == figures

    # Exploring after opening does not change what was saved.
    opened.slider(key=state.BUDGET_SLIDER).set_value(20_000.0).run()
    assert headline(run(scenario=scenario_id)) == figures


def test_an_unknown_or_malformed_scenario_link_says_so_and_shows_the_default_app():
    for bad in ("A" * 22, "not-an-id"):
        app = run(scenario=bad)
        assert not app.exception
        assert any("scenario" in w.value for w in app.warning)
        assert app.number_input(key=BUDGET.key).value == 100_000.0
        assert headline(app)["Plan status"] == "Optimal"


def test_the_client_view_hides_editing_and_locks_settings_until_explore():
    app = run()
    scenario_id = save(app, "For the client")
    client = run(scenario=scenario_id, view="client")
    assert not client.exception
    assert client.title[0].value == "For the client"
    assert not client.get("file_uploader")
    # No roster editor: every table shown is read-only, and there is no section to edit in.
    assert client.dataframe and all(d.proto.editing_mode == 0 for d in client.dataframe)
    assert all("roster_editor" not in str(d.proto.id) for d in client.dataframe)
    assert not [e for e in client.expander if e.label == "Review and edit the roster"]
    assert client.slider(key=state.BUDGET_SLIDER).disabled
    assert not [b for b in client.button if b.label == "Save and get the link"]
    client.toggle(key="explore").set_value(True).run()
    assert not client.slider(key=state.BUDGET_SLIDER).disabled
    client.slider(key=state.BUDGET_SLIDER).set_value(30_000.0).run()
    assert all_accepted_spend(client) == "$30,000"


def test_compare_two_saved_scenarios():
    app = run(tab="Compare")
    first = save(app, "Small")
    app.slider(key=state.BUDGET_SLIDER).set_value(250_000.0).run()
    save(app, "Large")
    assert not app.exception
    table = app.dataframe[0].value
    assert table["Scenario"].str.startswith("Small").any()
    assert table["Scenario"].str.startswith("Large").any()
    assert len(app.get("plotly_chart")) == 2
    assert first in app_state(app).known_scenarios
    # Influencers booked as the tier chart says them, on average and not rounded (the macro
    # tier books 0.9 on average at $100,000: the table read 1; a tier booked 0.03 times on
    # average is "<0.1", not "0.0" beside its share of the spend).
    from dashboard.forecast import average_count, booked_by_tier
    from planner import Campaign, read_roster
    from planner.outreach import forecast
    from planner.risk import Assumptions

    roster = read_roster(Path(APP).parent / "data" / "sample_roster.csv")
    booked = booked_by_tier(forecast(roster, Campaign(budget=100_000), Assumptions()))
    small = table[table["Scenario"].str.startswith("Small")].iloc[0]
    assert small["Macro influencers booked (mean)"] == average_count(booked["macro"])
    assert small["Micro influencers booked (mean)"] == average_count(booked["micro"])
    assert average_count(0.03) == "<0.1" and average_count(0.0) == "0.0"


def test_saving_more_often_than_the_limit_says_how_long_to_wait_and_keeps_the_page():
    from dashboard.limits import SaveLimits

    app = run()
    for number in range(SaveLimits.PER_MINUTE):
        save(app, f"Version {number}")
    before = headline(app)
    app.session_state[state.SAVE_OPEN] = True
    app.run()
    next(b for b in app.button if b.label == "Save and get the link").click().run()
    assert not app.exception
    refusal = next(w.value for w in app.warning if "Not saved" in w.value)
    assert f"already saved {SaveLimits.PER_MINUTE} scenarios in the last minute" in refusal
    assert "Try again in" in refusal
    assert headline(app) == before


def test_the_headline_the_strategies_tab_and_the_report_agree_for_the_same_scenario():
    """One simulation behind every figure: the Strategies tab's optimal mix is the headline's
    campaign (mean, P10, P90, chance of the target), and the client report assembled from the
    same scenario shows the same headline figures."""
    from dashboard import controls
    from dashboard.forecast import offers_plan
    from dashboard.headline import client_figures, forecast_figures
    from dashboard.report import plan_report
    from planner import read_roster
    from planner.outreach import forecast
    from planner.risk import split_curve_ranges

    app = run(tab="Strategies and risk", budget="60000", target="250000")
    assert not app.exception
    shown = headline(app)
    mix = app.dataframe[0].value.set_index("Strategy").loc["Optimal mix"]
    assert f"{mix['Mean']:,.0f}" == shown[MAIN]
    assert f"{mix['Chance of ≥ 250,000']:.0%}" == shown["Chance of target"]
    p10, p90 = (c.strip() for c in app.metric[0].proto.delta.removeprefix("P10–P90 ").split("–"))
    assert p10 == f"{mix['P10 (1 in 10 below)'] / 1e3:.0f}K"
    assert p90 == f"{mix['P90 (1 in 10 above)'] / 1e3:.0f}K"

    values = {s.key: s.default for s in controls.ALL} | {"budget": 60_000.0, "target": 250_000}
    roster = read_roster(Path(APP).parent / "data" / "sample_roster.csv")
    campaign, assumptions = controls.campaign_from(values), controls.assumptions_from(values)
    result = forecast(roster, campaign, assumptions)
    curve, ranges = split_curve_ranges(roster, campaign, assumptions, outreach=result.strategy)
    html = plan_report(
        title="Same scenario",
        roster=roster,
        roster_label="Sample roster",
        plan=offers_plan(roster, result),
        values=values,
        forecast=result,
        target=250_000.0,
        curve=curve,
        ranges=ranges,
    ).decode()
    figures = forecast_figures(result, 250_000.0, roster.tiers)
    for figure in figures:
        assert shown[figure.label] == figure.value
    # The report: the same figures, the plan's status in a client's words.
    for figure in client_figures(figures, result.plan):
        assert f'<div class="value">{figure.value}</div>' in html
