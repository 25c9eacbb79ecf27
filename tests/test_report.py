"""The client report: one self-contained HTML file, user text escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from dashboard import charts, controls
from dashboard.report import client_report
from planner import Campaign, make_plan, read_roster
from planner.export import plan_table

ROSTER = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
PLAN = make_plan(ROSTER, Campaign(budget=50_000))


def test_report_is_self_contained_escaped_and_has_the_plan():
    table = plan_table(PLAN)
    table.loc[0, table.columns[0]] = "<script>alert(1)</script>"
    html = client_report(
        title="Pitch <b>1</b>",
        subtitle="Budget $50,000",
        headline=[("Expected engagements", f"{PLAN.expected_engagement:,.0f}", "note")],
        figures=[charts.tier_split(PLAN), charts.roster_scatter(ROSTER.table, PLAN.allocations)],
        table=table,
        assumptions=[(s.label, controls.describe(s, s.default)) for s in controls.ALL],
    )
    assert html.startswith("<!DOCTYPE html>")
    assert "<title>Pitch &lt;b&gt;1&lt;/b&gt;</title>" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # plotly.js is inside the file once (opens offline), and no script is loaded from elsewhere.
    assert html.count("plotly.js v") >= 1
    assert not re.search(r"<script[^>]+src=", html)
    assert html.count('class="plotly-graph-div"') == 2
    assert f"{PLAN.expected_engagement:,.0f}" in html
    assert "<table" in html and str(PLAN.allocations["name"].iloc[1]) in html
    assert "Budget ($)" in html and "$100,000.00" in html  # every assumption, readable
    assert "no cap" in html


def test_settings_read_as_a_person_reads_them():
    assert controls.describe(controls.MACRO_SHARE, (10, 60)) == "10–60% of the budget"
    assert controls.describe(controls.MAX_MACRO, None) == "no cap"
    # (Not only "not set": the report and the Excel file show a chance of a target beside it.)
    assert (
        controls.describe(controls.TARGET, None)
        == "not set: the chance shown is of the expected engagements"
    )
    assert controls.describe(controls.PLAN_FOR_REPLIES, True) == "yes"
    assert controls.describe(controls.PLAN_BASIS, "expected") == "Expected acceptances"
    assert controls.describe(controls.ROUNDS, 3) == "3"
    assert controls.describe(controls.REPLY_MICRO, 40) == "40%"
    assert controls.describe(controls.DECAY, 0.8) == "0.8"


def test_the_report_of_a_scenario_is_assembled_without_streamlit():
    from dashboard.forecast import offers_plan
    from dashboard.headline import (
        client_figures,
        forecast_figures,
        forecast_target,
        if_all_accepted_words,
    )
    from dashboard.report import plan_report
    from planner.outreach import forecast
    from planner.risk import split_curve_ranges

    values = {s.key: s.default for s in controls.ALL} | {controls.BUDGET.key: 50_000.0}
    assumptions = controls.assumptions_from(values)
    result = forecast(ROSTER, PLAN.campaign, assumptions, if_all_accepted=PLAN)
    target = forecast_target(values, result)
    curve, ranges = split_curve_ranges(ROSTER, PLAN.campaign, assumptions, outreach=result.strategy)
    offers = offers_plan(ROSTER, result)
    html = plan_report(
        title="Spring launch",
        roster=ROSTER,
        roster_label="Edited from sample roster",
        plan=offers,
        values=values,
        forecast=result,
        target=target,
        curve=curve,
        ranges=ranges,
        created=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
    ).decode()
    assert "<title>Spring launch</title>" in html
    # The headline as the page shows it (the plan's status in a client's words): the six
    # figures of the campaign after declines and backups, and "if every offer were accepted".
    figures = client_figures(forecast_figures(result, target, ROSTER.tiers), result.plan)
    for figure in figures:
        assert f'<div class="label">{figure.label}</div>' in html
        assert f'<div class="value">{figure.value}</div>' in html
    assert if_all_accepted_words(result).replace("$", "") in html.replace("$", "")
    # Tier split, split curve, head-to-head, frontier, roster: five charts.
    assert html.count('class="plotly-graph-div"') == 5
    assert "<dt>Roster</dt><dd>Edited from sample roster</dd>" in html
    # the roster's label, then how many influencers the plan was made from (the sample's label
    # has its file's count: "(synthetic, 400 influencers) (397 influencers)" read as a clash)
    assert f"Edited from sample roster · {len(ROSTER.table):,} influencers considered" in html
    assert "<dt>Budget ($)</dt><dd>$50,000.00</dd>" in html
    # In a client's words: no jargon, no pointers to the planner's docs, a name and a date.
    text = re.sub(r"<(script|style).*?</\1>", "", html, flags=re.S)
    # (In what the client reads: the tags' attributes hold random chart ids, "…e-1…" among them.)
    words = re.sub(r"<[^>]*>", " ", text)
    for jargon in ("README", "certified", "gap", "e-1", "optimal"):
        assert jargon not in words, jargon
    assert "1 December 2026" in text and "best plan possible for its mix of micro and macro" in text
    # The plan table as the app shows it: separators, percent, money, whole engagements, a
    # totals row; no raw numbers or True/False.
    # The table is the plan of offers: what each comes to if booked, which the totals row does
    # not add up (offers are declined: what is booked is the headline's).
    table = text[text.index("<table") : text.index("</table>")]
    row = offers.allocations.iloc[0]
    assert f"<td>{row['followers']:,}</td>" in table
    assert f"<td>{row['engagement_rate'] * 100:.2f}%</td>" in table
    assert f"<td>${row['spend']:,.2f}</td>" in table
    assert f"<td>{row['expected_engagement']:,.0f}</td>" in table
    assert "False" not in table and "True" not in table
    total = table[table.index("<tr class='total'>") :]
    assert f"<td>Total: {len(offers.allocations):,} influencers</td>" in total
    assert f"${offers.spend:,.2f}" not in total
    # Prints on A4 or Letter: charts redrawn at the page's width, never cut across pages.
    assert "@media print" in html and "break-inside: avoid" in html
    assert "beforeprint" in html and "Plotly.relayout" in html
