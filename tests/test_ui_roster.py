"""The roster UI's helpers that need no running app (ui/roster.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from streamlit.testing.v1 import AppTest
from test_app import run

from dashboard.text import md
from ui import state
from ui.roster import SAMPLE_LABEL, included


def test_only_ticked_rows_are_included_and_an_empty_box_leaves_a_row_out():
    frame = pd.DataFrame(
        {"name": ["a", "b", "c", "d"], "include": [True, False, None, pd.NA]}, dtype=object
    )
    assert included(frame)["name"].tolist() == ["a"]
    assert "include" not in included(frame)
    assert included(frame.drop(columns="include"))["name"].tolist() == ["a", "b", "c", "d"]


# ---------------------------------------------------------------- the roster in the app
def _upload(app: AppTest, name: str, text: str) -> AppTest:
    app.file_uploader[0].set_value((name, text.encode(), "text/csv")).run()
    assert not app.exception
    return app


def _in_order(app: AppTest) -> list[str]:
    """The main area's text elements and metrics, top to bottom."""
    found: list[str] = []

    def walk(node: object) -> None:
        kind = getattr(node, "type", "")
        if kind in ("alert", "warning", "error", "markdown", "caption", "metric"):
            found.append(f"{kind}: {getattr(node, 'value', '') or getattr(node, 'label', '')}")
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app.main)
    return found


NO_PRICES = "name,followers,engagement_rate\nanna,50000,3%\nbob,2000000,1.5%\n"
GOOD = "name,followers,engagement_rate,cost_per_post\nanna,50000,3%,$400\nbob,2000000,1.5%,$9000\n"
BAD = "name,followers,engagement_rate,cost_per_post\nanna,lots,3%,$400\n"


def test_a_roster_without_prices_is_named_loaded_not_in_use_with_its_problem_at_the_top():
    app = _upload(run(), "no_prices.csv", NO_PRICES)
    shown = _in_order(app)
    notice = next(i for i, s in enumerate(shown) if "Still planning with" in s)
    first_metric = next(i for i, s in enumerate(shown) if s.startswith("metric"))
    assert notice < first_metric  # at the top, above the headline
    assert md("no_prices.csv") in shown[notice] and "1 problem" in shown[notice]
    assert md(SAMPLE_LABEL) in shown[notice]
    assert any(s == f"markdown: **In use:** {md(SAMPLE_LABEL)}" for s in shown)
    assert any(f"Loaded but not used: {md('no_prices.csv')}" in s for s in shown)


def test_a_refused_upload_says_so_at_the_top_and_the_sample_stays_in_use():
    app = _upload(run(), "bad.csv", BAD)
    shown = _in_order(app)
    notice = next(i for i, s in enumerate(shown) if "could not be used" in s)
    assert notice < next(i for i, s in enumerate(shown) if s.startswith("metric"))
    assert (
        md("bad.csv") in shown[notice]
        and f"Still planning with: **{md(SAMPLE_LABEL)}**" in (shown[notice])
    )
    assert any(s == f"markdown: **In use:** {md(SAMPLE_LABEL)}" for s in shown)


def test_a_good_upload_is_named_in_use_in_the_run_that_reads_it():
    app = _upload(run(), "good.csv", GOOD)
    shown = _in_order(app)
    assert f"markdown: **In use:** {md('good.csv')}" in shown
    assert not any("Still planning with" in s or "Loaded but not used" in s for s in shown)
    # The synthetic-sample caption is the sample's only.
    assert not any("The sample roster is synthetic" in s for s in shown)
    assert any("The sample roster is synthetic" in s for s in _in_order(run()))


EXPORTS = Path(__file__).resolve().parent / "data" / "exports"


def _upload_file(app: AppTest, name: str) -> AppTest:
    raw = (EXPORTS / name).read_bytes()
    app.file_uploader[0].set_value((name, raw, "text/csv")).run()
    assert not app.exception
    return app


def _plan_names(app: AppTest) -> set[str]:
    return set(app.dataframe[0].value["Influencer"])


def test_an_ambiguous_file_asks_for_the_decimal_mark_and_plans_once_answered():
    app = _upload_file(run(), "ambiguous.csv")
    shown = _in_order(app)
    assert any("Still planning with" in s and md(SAMPLE_LABEL) in s for s in shown)
    question = app.radio(key=state.decimal_key("followers"))
    assert md("230.000") in question.label  # the values that read two ways, quoted
    assert question.value is None  # nothing chosen for the user
    question.set_value("comma")
    next(b for b in app.button if b.label == "Read the file this way").click().run()
    assert not app.exception
    assert f"markdown: **In use:** {md('ambiguous.csv')}" in _in_order(app)
    expected = pd.read_csv(EXPORTS / "ambiguous.csv.expected.csv")
    assert _plan_names(app) <= set(expected["name"])
    followers = app.dataframe[0].value.set_index("Influencer")["Followers"]
    for name, count in expected.set_index("name")["followers"].items():
        if name in followers:
            assert followers[name] == count  # 230.000 read as 230,000


def test_foreign_headers_open_the_mapping_step_prefilled_and_plan_after_it():
    app = _upload_file(run(), "foreign_headers.csv")
    asked = {s.key: s for s in app.selectbox if str(s.key).startswith("column_")}
    assert asked, "a select box per field not recognised"
    # Pre-filled with the guesses, used only once confirmed: still the sample until then.
    assert any("Still planning with" in s for s in _in_order(app))
    assert asked[state.column_key("name")].value == "Nome"
    next(b for b in app.button if b.label == "Read the file this way").click().run()
    assert not app.exception
    assert f"markdown: **In use:** {md('foreign_headers.csv')}" in _in_order(app)
    expected = pd.read_csv(EXPORTS / "foreign_headers.csv.expected.csv")
    assert _plan_names(app) <= set(expected["name"])
    prices = app.dataframe[0].value.set_index("Influencer")
    price_heading = next(c for c in prices.columns if c.startswith("Price per post"))
    for name, price in expected.set_index("name")["cost_per_post"].items():
        if name in prices.index:
            assert prices.loc[name, price_heading] == price
    # The answers stay with the session's files of these headers: the same file again plans
    # at once.
    again = _upload_file(app, "foreign_headers.csv")
    assert not [s for s in again.selectbox if str(s.key).startswith("column_")]


def test_a_european_file_is_read_right_and_shows_what_was_understood():
    app = _upload_file(run(), "european.csv")
    assert f"markdown: **In use:** {md('european.csv')}" in _in_order(app)
    app.session_state[state.UNDERSTOOD_OPEN] = True
    app.run()
    understood = next(d.value for d in app.dataframe if "from column" in d.value.columns)
    assert set(understood["field"]) >= {"name", "followers", "engagement_rate", "cost_per_post"}
    assert any("EUR" in c.value for c in app.caption)
    expected = pd.read_csv(EXPORTS / "european.csv.expected.csv").set_index("name")
    table = app.dataframe[0].value.set_index("Influencer")
    price_heading = next(c for c in table.columns if c.startswith("Price per post"))
    assert "€" in price_heading
    # The headline's money too.
    figures = {m.label: m for m in app.metric}
    assert figures["Expected spend"].value.startswith("€")
    assert any("€" in c.value for c in app.caption if "If every offer were accepted" in c.value)
    for name in table.index:
        assert table.loc[name, price_heading] == expected.loc[name, "cost_per_post"]


def test_the_currency_is_said_once_with_where_it_came_from():
    app = _upload_file(run(), "european.csv")
    app.session_state[state.UNDERSTOOD_OPEN] = True
    app.run()
    said = [c.value for c in app.caption if c.value.startswith("Currency")]
    assert said == [md("Currency: EUR (from the prices' symbol or code)") + "."]


def test_a_roster_whose_price_column_is_not_recognised_is_asked_about_not_called_priceless():
    text = "name,followers,engagement_rate,Prezzo\nanna,50000,3%,400\nbob,2000000,1.5%,9000\n"
    app = _upload(run(), "prezzo.csv", text)
    asked = {s.key: s for s in app.selectbox if str(s.key).startswith("column_")}
    assert asked[state.column_key("cost_per_post")].value == "Prezzo"
    info = " ".join(i.value for i in app.info)
    assert "has no prices" not in info
    assert "No column of this roster was recognised as the price of one post" in info
    assert "choose it above" in info


def test_a_rate_read_one_of_two_ways_is_said_in_view_under_the_roster():
    text = "name,followers,er,price\nanna,50000,3.5%,400\nbob,60000,0.8,500\n"
    app = _upload(run(), "mixed.csv", text)
    assert f"markdown: **In use:** {md('mixed.csv')}" in _in_order(app)
    said = [w.value for w in app.warning if "writes the engagement rate as percents" in w.value]
    assert len(said) == 1 and md("0.8 as 80%") in said[0]


def test_after_unticking_rows_a_problem_names_the_files_row():
    from planner import RosterError, check_roster, read_table

    text = (
        "Shortlist\n\nname,followers,engagement_rate,cost_per_post\n"
        "anna,50000,3%,400\nbob,60000,2%,500\ncara,lots,3%,600\n"
    )
    frame = read_table(text.encode(), filename="shortlist.csv").assign(include=True)
    frame.loc[frame["name"] == "bob", "include"] = False
    try:
        check_roster(included(frame))
    except RosterError as error:
        rows = [p.row for p in error.problems]
    assert rows == [6]  # cara is on the file's line 6 (title, blank row, header above)


def test_a_euro_roster_puts_the_sidebars_money_in_euros():
    euros = (
        "name;followers;engagement_rate;cost_per_post\n"
        "anna;50.000;3,0 %;400,00 €\nbob;2.000.000;1,5 %;9.000,00 €\n"
    )
    app = _upload(run(), "euros.csv", euros)
    labels = [w.label for w in app.sidebar.number_input] + [w.label for w in app.sidebar.slider]
    assert "Budget (€)" in labels
    assert not [label for label in labels if "$" in label]
    slider = next(s for s in app.sidebar.slider if s.key == state.BUDGET_SLIDER)
    assert slider.proto.format.startswith("€")


def test_a_euro_rosters_strategies_and_outreach_list_are_in_euros_with_units():
    """The Strategies tab's money is the roster's, as the headline's (it showed "$18,667.14"
    and "$11,700.00" beside "€26,146" in the headline), and the outreach list's headings carry
    their units, on the page and in its CSV file ("Reply rate" read 20.0, a rate or a percent?)."""
    import json

    app = _upload_file(run(tab="Strategies and risk"), "european.csv")
    assert {m.label: m for m in app.metric}["Expected spend"].value.startswith("€")
    strategies, outreach = app.dataframe[0], app.dataframe[1]

    def money_format(frame, heading: str) -> str:
        config = json.loads(frame.proto.columns or "{}")
        return config[heading]["type_config"]["format"]

    assert money_format(strategies, "Expected spend").startswith("€")
    assert "Spend if booked (€)" in outreach.value.columns
    assert money_format(outreach, "Spend if booked (€)").startswith("€")
    assert {"Reply rate (%)", "Chance contacted (%)", "Chance booked (%)"} <= set(
        outreach.value.columns
    )
