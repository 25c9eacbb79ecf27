"""The Plan tab: how the budget splits by tier, the split curve, the plan table and its
downloads (CSV, Excel, the client report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import charts
from dashboard.forecast import (
    BOOKED_HEADING,
    OFFERS_EXTRA_KINDS,
    REPLY_HEADING,
    booked_by_tier,
    booked_macro_share,
    curve_with_campaign,
    expected_bookings,
    forecast_point,
    if_booked,
    offers_table,
)
from dashboard.report import plan_facts, plan_report
from planner.export import headings, to_csv_bytes, to_excel_bytes
from planner.money import table_money
from ui import a11y, cache, progress, speed
from ui.current import Current, chart
from ui.roster import SAMPLE_LABEL

# How long a move's run waits for the split curve before drawing the rest of the tab without it.
ALL_AT_ONCE = 0.5


@dataclass(frozen=True)
class CurveDrawn:
    """The split curve with the campaign's point (`curve_with_campaign`), and its chart."""

    curve: pd.DataFrame
    ranges: pd.DataFrame
    chart: go.Figure


@dataclass(frozen=True)
class Prepared:
    """The Plan tab's content worked out before any of it is drawn (`prepare`): the plan table,
    the tier chart and, when the split curve is ready at once (it comes with the headline's
    forecast), the curve and its chart."""

    curve_ready: cache.PendingCurve
    table: pd.DataFrame
    tiers: go.Figure
    curve: CurveDrawn | None


def prepare(c: Current, *, with_curve: bool = True) -> Prepared:
    """The Plan tab's content for `c` (its forecast made), worked out without drawing anything
    (`with_curve=False`: the split curve's chart is left to `show_plan`, after the table).

    On a move the page works this out right after the headline's final figures are sent and
    before it draws the sidebar and the tabs (`streamlit_app.py`): the browser then gets the new
    figures alone and paints them while the server works, instead of taking in the sidebar, the
    tier chart and the table with them (measured in Chromium with a 5,000-row roster and a cap
    of 30, a run's median time from sending the figures to painting them: 39-83 ms against
    37-114 ms without it, four pairs at load 2.7-3.7; docs/benchmarks.md, fifteenth session)."""
    forecast = c.forecast
    assert forecast is not None  # made before the tabs are drawn (`show_forecast`)
    curve_ready = cache.forecast_curve(
        forecast, c.roster, c.key, c.campaign, c.strategy, c.assumptions
    )
    tiers = charts.tier_split(
        expected_bookings(forecast),
        expected=True,
        currency=c.roster.currency,
        booked=booked_by_tier(forecast),
    )
    table = offers_table(c.roster, forecast, c.plan)
    curve = _curve_drawn(c, curve_ready()) if with_curve and curve_ready.done() else None
    return Prepared(curve_ready, table, tiers, curve)


def _curve_drawn(c: Current, made: tuple[pd.DataFrame, pd.DataFrame]) -> CurveDrawn:
    """The split curve `made` (curve, ranges) with the campaign's point, and its chart, the
    campaign's plan marked on it."""
    forecast = c.forecast
    assert forecast is not None
    curve, ranges = curve_with_campaign(*made, forecast)
    figure = charts.split_curve_chart(
        curve,
        (c.campaign.macro_share_min, c.campaign.macro_share_max),
        c.plan,
        ranges,
        mark=forecast_point(forecast),
        booked=booked_macro_share(forecast),
    )
    return CurveDrawn(curve, ranges, figure)


def show_plan(c: Current, *, first_run: bool, prepared: Prepared | None = None) -> None:
    """The Plan tab. The split curve comes with the headline's forecast (its bands were the
    forecast's candidates: `cache.forecast_curve`), so it is ready at once; a forecast without
    one has it worked out in the worker processes. On every
    run after a session's first the tab is drawn once the curve is ready, all of it at once,
    while the previous tab stays on screen, faded: sent earlier, the tier chart and the table
    reach the browser with the headline figures, and rendering them delayed those by some 30 ms
    a move. That holds while the curve is ready within `ALL_AT_ONCE` seconds; when it takes
    longer (a large roster, a cap on influencers) the tier chart and the table are drawn at once
    (they agree with the headline) and the curve's place says how far along it is
    (`progress.wait_for_curve`), above the old curve, faded as out of date. On a first run
    nothing is on screen yet, so the tier chart comes first, the curve takes its place when
    ready, and the table follows once the browser has drawn the first chart
    (`speed.after_first_chart`). `prepared`: the tab's content worked out already for `c`
    (`prepare`)."""
    forecast = c.forecast
    assert forecast is not None  # made before the tabs are drawn (`show_forecast`)
    if prepared is None:  # (the tier chart first, as before: the curve's after the table)
        prepared = prepare(c, with_curve=False)
    curve_ready = prepared.curve_ready
    ready = None if first_run else progress.curve_within(curve_ready, ALL_AT_ONCE)
    left, right = st.columns(2)
    with left:
        chart(prepared.tiers)
    curve_note = right.empty()  # what the curve's update is doing, while it takes time
    curve_slot = right.container()

    st.subheader("The plan of offers")
    st.caption(
        "The offers to send first, certified optimal for the plan basis (*Replies and risk* in "
        "the sidebar); backups follow in the outreach list (*Strategies and risk* tab). Spend "
        "and engagements are what each offer comes to if it is booked: offers are declined at "
        "the reply rates, so the campaign is expected to book what the headline says."
    )
    table = prepared.table
    currency = c.roster.currency
    names = headings(currency)
    booked = if_booked(currency)
    height = min(420, 38 + 35 * len(table))
    if first_run:
        speed.after_first_chart(height)
    else:
        # printf-style formats: the named ones ("dollar", "percent", "localized") build a number
        # formatter in the browser for every cell drawn, some 10 ms a move here.
        a11y.named_table("The plan of offers").dataframe(
            table,
            hide_index=True,
            width="stretch",
            height=height,
            column_config={
                names["followers"]: st.column_config.NumberColumn(format="%,.0f"),
                names["engagement_rate"]: st.column_config.NumberColumn(format="%.2f%%"),
                names["cost_per_post"]: st.column_config.NumberColumn(format=table_money(currency)),
                booked["spend"]: st.column_config.NumberColumn(format=table_money(currency)),
                booked["expected_engagement"]: st.column_config.NumberColumn(format="%,.0f"),
                booked["cost_per_engagement"]: st.column_config.NumberColumn(
                    format=table_money(currency, digits=4)
                ),
                REPLY_HEADING: st.column_config.NumberColumn(format="%.1f%%"),
                BOOKED_HEADING: st.column_config.NumberColumn(format="%.1f%%"),
            },
        )

    def excel() -> bytes:  # built when pressed
        created = datetime.now(UTC)
        about = plan_facts(
            title=c.title,
            roster_label=c.roster_label,
            plan=c.plan,
            values=c.values,
            created=created,
            forecast=forecast,
            target=c.target,
            currency=currency,
        )
        return to_excel_bytes(
            table,
            about=about,
            totals=True,
            currency=currency,
            renamed=booked,
            extra_kinds=OFFERS_EXTRA_KINDS,
        )

    downloads = st.columns(3)
    downloads[0].download_button(
        "Plan as CSV",
        lambda: to_csv_bytes(table),
        file_name="influencer_plan.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
    )
    downloads[1].download_button(
        "Plan as Excel",
        excel,
        file_name="influencer_plan.xlsx",
        on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        width="stretch",
        help="The file to send a client: the scenario and its settings on a first sheet, the "
        "plan with totals, names exactly as typed.",
    )
    report_slot = downloads[2].container()
    st.caption(
        f"Solved in {c.plan.solve_seconds * 1000:.0f} ms. "
        + (
            "The sample roster is synthetic, built from published benchmarks (see the README). "
            if c.roster_label == SAMPLE_LABEL
            else ""
        )
        + "Expected engagement = followers × engagement rate × audience quality, each repeat "
        "post earning the decay factor times the one before."
    )

    # The point that holds the campaign's plan is the headline's campaign (its simulation).
    drawn = prepared.curve
    if drawn is None:
        drawn = _curve_drawn(c, ready or progress.wait_for_curve(curve_ready, curve_note))
    curve, ranges = drawn.curve, drawn.ranges
    with curve_slot:
        chart(drawn.chart)
    # Built when pressed, outside this run, so it reads nothing from the session and no cache:
    # it gets the curve now and plans the rest itself.
    report_slot.download_button(
        "Client report (HTML)",
        lambda: plan_report(
            title=c.title,
            roster=c.roster,
            roster_label=c.roster_label,
            plan=c.plan,
            values=c.values,
            forecast=forecast,
            target=c.target,
            curve=curve,
            ranges=ranges,
        ),
        file_name="influencer_plan_report.html",
        mime="text/html",
        on_click="ignore",
        icon=":material/description:",
        width="stretch",
        help="One file with the figures, the interactive charts, the plan table and every "
        "assumption. Opens offline in any browser.",
    )
