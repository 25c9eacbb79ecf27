"""Plotly figures for the dashboard: pure functions, planner results in, figures out.

Every figure is built to be read on a phone and on a meeting-room screen: few colours (one per
tier, the same everywhere), short titles, legends above the plot, values in hover labels and,
where the bars are few, printed on the bars. User text (influencer and scenario names) enters a
figure only as data, escaped by `dashboard.text.chart_text`, so a name written as HTML shows as
text.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.forecast import average_count
from dashboard.text import chart_text
from planner import Plan
from planner.money import DEFAULT_CURRENCY, currency_label, money_prefix

MICRO_COLOUR = "#6C4CE0"
MACRO_COLOUR = "#F2994A"
# Text in the macro colour (the marks' labels) is this darker orange: #F2994A on white is
# 2.2:1, this is 4.9:1 (WCAG AA asks 4.5:1).
MACRO_TEXT = "#B4570A"
OTHER_COLOUR = "#C9C4D9"
TIER_COLOURS = {"micro": MICRO_COLOUR, "macro": MACRO_COLOUR}
FONT = dict(family="Source Sans Pro, sans-serif", size=13)


def _plain(value: object) -> object:
    """`value` with its arrays (numpy's, pandas') as lists, in dicts and lists too. Plotly checks
    every array it is given through narwhals, whose `inspect.getattr_static` costs about a
    millisecond an array on Python 3.11, once when the trace is built and again when the
    figure is written out (as base64): some 20 ms a run of the Plan tab's two charts. Lists
    are checked and written as they are."""
    if isinstance(value, (np.ndarray, pd.Series, pd.Index)):
        return value.tolist()
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _scatter(**props: object) -> go.Scatter:
    return go.Scatter(**{key: _plain(value) for key, value in props.items()})


def _bar(**props: object) -> go.Bar:
    return go.Bar(**{key: _plain(value) for key, value in props.items()})


# Every axis: light grid lines; a chart's own axis settings override them. Margins are set per
# chart, wide enough for its labels: with `automargin` plotly draws a chart twice (once to
# measure the labels), and Streamlit draws every changed chart afresh, so on each slider move.
# Only axes whose labels the user writes (scenario names) keep it.
AXIS = dict(showgrid=True, gridcolor="#EEEAF7", zeroline=False)
AXIS_KEY = re.compile(r"[xy]axis\d*")


# The axes of every split curve (the Plan tab's and the Compare tab's).
SHARE_AXIS = dict(title="Share of budget on macro influencers", ticksuffix="%", range=[-2, 102])
# The realistic split curve's axis: each point at the macro share its plan was made with (for
# the expected-acceptance plan, of expected spend), not what it books. The Plan tab's curve and
# the Compare tab's curves are the same curves and say so alike.
PLANNED_SHARE_AXIS = {**SHARE_AXIS, "title": "Macro share of budget, as planned"}
ENGAGEMENT_AXIS = dict(title="Expected engagements", rangemode="tozero")


def _legend_at_foot(traces: list, *, top: int, plot: int = 280) -> dict[str, object]:
    """The layout of a chart whose legend lists its entries one a line at the figure's foot,
    below the x axis's title, in a bottom margin made for their lines (`top`: the top margin;
    `plot`: the plot's height). Above the plot, a legend that wraps on a 390 px phone runs into
    the title; placed by the plot's height, it runs into the axis title when the plot is short."""
    lines = sum(
        1 + str(t.name).count("<br>") for t in traces if t.name and t.showlegend is not False
    )
    bottom = 64 + 22 * lines
    return dict(
        height=top + plot + bottom,
        margin=dict(t=top, b=bottom),
        legend=dict(orientation="v", yref="container", y=0, yanchor="bottom", valign="top"),
    )


# Plotly never wraps a title: a subtitle line longer than a 390 px phone's chart is cut at its
# edge. At 12 px some 55 characters fit there; each note is wrapped to lines of at most this.
SUBTITLE_LINE = 50


def _subtitle(parts: list[str]) -> tuple[str, int]:
    """Notes under a chart's title, each on lines of its own that fit a phone, as the title's
    subtitle (`<br>` between lines) and its number of lines (for the top margin)."""
    lines = [line for part in parts if part for line in textwrap.wrap(part, SUBTITLE_LINE)]
    return "<br>".join(lines), len(lines)


def _figure(
    traces: list, title: str, *, height: int = 360, subtitle: str = "", **layout: object
) -> go.Figure:
    """A figure with the shared look. Its layout is given whole, as one dict: plotly checks a
    layout built from a dict once, where property-by-property updates (`update_layout`,
    `add_shape`) walk their paths and cost about 10 ms a chart, on every slider move.

    `layout` adds to the shared layout; a dict there (an axis, the legend, the margin) is merged
    with the shared one, its keys winning."""
    base: dict[str, object] = dict(
        title=dict(
            text=title,
            x=0,
            xanchor="left",
            y=1,
            yref="container",
            yanchor="top",
            pad=dict(t=10, l=4),
            font=dict(size=16),
            **({"subtitle": dict(text=subtitle, font=dict(size=12))} if subtitle else {}),
        ),
        height=height,
        margin=dict(l=72, r=16, t=96, b=56),
        font=FONT,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hoverlabel=dict(font_size=13),
        plot_bgcolor="white",
        separators=".,",
        xaxis=AXIS,
        yaxis=AXIS,
    )
    for key, value in layout.items():
        shared = AXIS if AXIS_KEY.fullmatch(key) else base.get(key)
        base[key] = (
            {**shared, **value} if isinstance(shared, dict) and isinstance(value, dict) else value
        )
    return go.Figure(data=traces, layout=base)


def _mark(x: float, text: str) -> dict[str, list[dict[str, object]]]:
    """A dashed vertical line at `x`, labelled at the top (your budget, the target): the
    figure's `shapes` and `annotations`."""
    return dict(
        shapes=[
            dict(
                type="line",
                x0=x,
                x1=x,
                xref="x",
                y0=0,
                y1=1,
                yref="y domain",
                line=dict(color=MACRO_COLOUR, width=2, dash="dash"),
            )
        ],
        annotations=[
            dict(
                x=x,
                y=1,
                yref="paper",
                text=text,
                showarrow=False,
                xanchor="left",
                yanchor="bottom",
                font=dict(size=11, color=MACRO_TEXT),
            )
        ],
    )


def _money(value: float, currency: str = DEFAULT_CURRENCY) -> str:
    """Money in short form ($40.3K, €40.3K, CHF 40.3K: the roster's currency, written as
    `planner.money` writes it); the values charted here are never negative."""
    return money_prefix(currency) + _count(value) if math.isfinite(value) else "–"


def _count(value: float) -> str:
    if not math.isfinite(value):
        return "–"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:,.3g}{suffix}"
    return f"{value:,.0f}"


def _influencers(count: int) -> str:
    return f"{count:,} influencer" + ("" if count == 1 else "s")


def tier_split(
    plan: Plan,
    *,
    expected: bool = False,
    currency: str = DEFAULT_CURRENCY,
    booked: Mapping[str, float] | None = None,
) -> go.Figure:
    """Where the money goes and where the engagement comes from, by tier, as 100% bars.
    `expected`: the plan's totals are what a campaign is expected to book after declines and
    backups (`dashboard.forecast.expected_bookings`), and the title says so; `booked`: the
    influencers each tier books on average (`dashboard.forecast.booked_by_tier`), named in the
    legend as they are (a tier with 0.4 booked on average is not "0 influencers", beside its
    spend). Money in `currency` (the roster's)."""
    tiers = ("micro", "macro")

    def spent(value: float) -> str:
        return _money(value, currency)

    spend = np.array([plan.by_tier[t].spend for t in tiers], dtype=float)
    engagement = np.array([plan.by_tier[t].expected_engagement for t in tiers], dtype=float)
    # The spend bar's shares are the plan's own (the headline's "of spend on macro").
    macro = plan.macro_share_of_spend if plan.spend > 0 else 0.0
    spend_shares = (1 - macro, macro)
    traces = []
    for i, tier in enumerate(tiers):
        shares, labels = [], []
        total = engagement.sum()
        for share, value, fmt in (
            (spend_shares[i], spend[i], spent),
            (engagement[i] / total if total > 0 else 0.0, engagement[i], _count),
        ):
            shares.append(share * 100)
            labels.append(f"{share:.0%} · {fmt(value)}" if share >= 0.2 else "")
        traces.append(
            _bar(
                name=f"{tier.capitalize()} ("
                + (
                    _influencers(plan.by_tier[tier].influencers)
                    if booked is None
                    else f"{average_count(booked[tier])} booked on average"
                )
                + ")",
                y=["Spend", "Engagement"],
                x=shares,
                orientation="h",
                marker_color=TIER_COLOURS[tier],
                text=labels,
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                customdata=[spent(spend[i]), _count(engagement[i])],
                hovertemplate=f"%{{y}}, {tier}: %{{customdata}} (%{{x:.1f}}%)<extra></extra>",
            )
        )
    left = plan.budget_left
    unspent = (
        f"{spent(left)} of the {spent(plan.campaign.budget)} budget unspent"
        if left >= 0.01 * plan.campaign.budget
        else ""
    )
    # After declines and backups (`expected`) the bars are what a campaign is expected to book.
    title = "Expected bookings by tier" if expected else "Spend and engagement by tier"
    return _figure(
        traces,
        title,
        subtitle=unspent,
        height=300,
        barmode="stack",
        bargap=0.35,
        xaxis=dict(range=[0, 100.5], dtick=25, ticksuffix="%"),
        yaxis=dict(autorange="reversed", showgrid=False),
        margin=dict(l=88, b=32, t=120 if unspent else 96),
    )


def _runs(finite: np.ndarray) -> list[np.ndarray]:
    """The index runs where `finite` holds without a break (a gap ends a run)."""
    idx = np.flatnonzero(finite)
    if not idx.size:
        return []
    return np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)


def curve_shares(curve: pd.DataFrame, budget: float) -> np.ndarray:
    """Each split-curve point's x, in percent of the budget: the macro share its plan really
    has (where it has one), so the curve and "your plan" are drawn on one basis. A band's middle
    is only a name: the best plan with macro spend within 85–95% may spend 88% on macro, and
    drawn at 90% it would sit above a plan that spends 91%, the best within 90–100%."""
    middle = curve["macro_share"].to_numpy(dtype=float) * 100
    if "macro_spend" not in curve:
        return middle
    actual = curve["macro_spend"].to_numpy(dtype=float) / budget * 100
    return np.where(np.isfinite(actual), actual, middle)


def _in_a_band(curve: pd.DataFrame, share: float) -> bool:
    """Whether a macro share (of the budget) lies within one of the curve's bands."""
    if not {"band_low", "band_high"} <= set(curve.columns):
        return True
    low = curve["band_low"].to_numpy(dtype=float)
    high = curve["band_high"].to_numpy(dtype=float)
    return bool(((low - 1e-9 <= share) & (share <= high + 1e-9)).any())


def missing_bands(curve: pd.DataFrame) -> str:
    """Which of the curve's bands have no point, and why, in words ("" when none)."""
    if "status" not in curve:
        return ""
    parts = []
    for reason, statuses in (
        ("no plan fits the settings", ("infeasible",)),
        ("not worked out in time", ("timeout",)),
    ):
        shares = curve.loc[curve["status"].isin(statuses), "macro_share"].to_numpy(float) * 100
        if shares.size:
            text = (
                f"{shares[0]:.0f}%"
                if shares.size == 1
                else f"{shares[0]:.0f}–{shares[-1]:.0f}%"
                if np.allclose(np.diff(shares), np.diff(shares)[0])
                else ", ".join(f"{v:.0f}%" for v in shares)
            )
            parts.append(f"{text}: {reason}")
    return "No point at " + "; ".join(parts) if parts else ""


def _best_mix_words(curve: pd.DataFrame, best: int, share: float) -> str:
    """The best point's mix in words: its band of macro spend when the curve has bands (so that
    a plan at the band's edge, e.g. 15% in the 5–15% band, reads as inside it), else its share."""
    if {"band_low", "band_high"} <= set(curve.columns):
        low, high = float(curve["band_low"].iloc[best]), float(curve["band_high"].iloc[best])
        if high <= 0:
            return "all micro"
        return f"{low:.0%}–{high:.0%} of budget on macro"
    return f"{share:.0f}% of budget on macro"


def split_curve_chart(
    curve: pd.DataFrame,
    band: tuple[float, float],
    plan: Plan,
    ranges: pd.DataFrame | None = None,
    *,
    mark: tuple[float, float] | None = None,
    booked: float | None = None,
) -> go.Figure:
    """Best expected engagement against the macro share of budget, the campaign's band shaded,
    the curve's best point and the current plan marked: the answer to "micro or macro?".

    Each point is drawn at its plan's own macro share (`curve_shares`), as "your plan" is;
    bands with no plan are named under the title (`missing_bands`). `ranges` (from
    `planner.risk.split_bands`, one row per band) adds each point's simulated P10-P90 range,
    shaded run by run: a band with no plan breaks the shading, never bridges it.
    `mark`: where the campaign sits on a realistic curve (the share it was planned at, its
    simulated mean), with `booked` the macro share of its expected spend (the headline's); the
    realistic curve's points are then drawn at the share they were planned at, the mark's
    basis."""
    budget = plan.campaign.budget
    share = (
        curve["macro_share"].to_numpy(dtype=float) * 100
        if mark is not None
        else curve_shares(curve, budget)
    )
    value = curve["expected_engagement"].to_numpy(dtype=float)
    traces = []
    if ranges is not None and len(ranges):
        at = dict(zip(curve["macro_share"].to_numpy(float), share, strict=True))
        x = np.array([at.get(v, v * 100) for v in ranges["macro_share"].to_numpy(float)])
        p10 = ranges["p10"].to_numpy(dtype=float)
        p90 = ranges["p90"].to_numpy(dtype=float)
        for n, run in enumerate(_runs(np.isfinite(p10) & np.isfinite(p90))):
            traces.append(
                _scatter(
                    x=x[run],
                    y=p90[run],
                    mode="lines",
                    line=dict(width=0, color=MICRO_COLOUR),
                    showlegend=False,
                    hoverinfo="skip",
                    legendgroup="range",
                )
            )
            traces.append(
                _scatter(
                    x=x[run],
                    y=p10[run],
                    mode="lines",
                    line=dict(width=0, color=MICRO_COLOUR),
                    fill="tonexty",
                    fillcolor="rgba(108, 76, 224, 0.15)",
                    name="Likely range (P10–P90, simulated)",
                    legendgroup="range",
                    showlegend=n == 0,
                    customdata=p90[run],
                    hovertemplate="Macro share %{x:.0f}%<br>80% of simulated campaigns: "
                    "%{y:,.0f}–%{customdata:,.0f}<extra></extra>",
                )
            )
    traces.append(
        _scatter(
            x=share,
            y=value,
            mode="lines+markers",
            # Legend names broken in two lines: whole on a 390 px phone.
            name="Best plan at this macro share"
            + ("<br>(simulated mean after declines and backups)" if mark is not None else ""),
            line=dict(color=MICRO_COLOUR, width=3),
            marker=dict(size=6),
            connectgaps=False,
            customdata=np.stack([curve["band_low"] * 100, curve["band_high"] * 100], axis=1)
            if {"band_low", "band_high"} <= set(curve.columns)
            else None,
            hovertemplate="Macro share %{x:.0f}%<br>%{y:,.0f} engagements"
            + (
                "<br>best with macro within %{customdata[0]:.0f}–%{customdata[1]:.0f}%"
                if {"band_low", "band_high"} <= set(curve.columns)
                else ""
            )
            + "<extra></extra>",
        )
    )
    # A plan whose share falls between the bands (0% is no macro at all, 10% is 5-15%) can beat
    # every point: then the star would name a worse share "best", and the note says why.
    # The plan's place on the curve's basis: where a realistic curve puts it (`mark`), else its
    # own macro share and expected engagement.
    plan_share, plan_value = (
        mark if mark is not None else (plan.macro_share_of_budget, plan.expected_engagement)
    )
    between = plan.has_plan and not _in_a_band(curve, plan_share)
    beaten = (
        between and np.isfinite(value).any() and plan_value > float(np.nanmax(value)) * (1 + 1e-9)
    )
    if np.isfinite(value).any() and not beaten:
        best = int(np.nanargmax(value))
        words = _best_mix_words(curve, best, share[best])
        traces.append(
            _scatter(
                x=[share[best]],
                y=[value[best]],
                mode="markers",
                name=f"Best mix: {words}",
                marker=dict(symbol="star", size=16, color=MACRO_COLOUR, line=dict(width=1)),
                hovertemplate=f"Best mix: {words}<br>%{{y:,.0f}} engagements<extra></extra>",
            )
        )
    if plan.has_plan:
        # `mark`: where the campaign sits on a realistic curve (`dashboard.forecast.
        # forecast_point`), else the plan's own macro share and expected engagement.
        x, y = plan_share, plan_value
        traces.append(
            _scatter(
                x=[x * 100],
                y=[y],
                mode="markers",
                name=f"Your plan: {x:.0%} of budget on macro"
                + (
                    ""
                    if booked is None
                    else f" as planned,<br>{booked:.0%} of expected spend booked"
                ),
                marker=dict(symbol="circle-open", size=14, color="#1F1B2E", line=dict(width=2)),
                hovertemplate="Your plan: %{x:.1f}% macro<br>%{y:,.0f} engagements<extra></extra>",
            )
        )
    notes, lines = _subtitle(
        [
            "Expected engagements by share of budget on macro",
            *missing_bands(curve).split("; "),
            f"Your plan's {plan_share:.0%} on macro is between the bands" if between else "",
        ]
    )
    # The title short and the rest below it, so that both read whole on a 390 px phone.
    return _figure(
        traces,
        "Micro or macro?",
        subtitle=notes,
        **_legend_at_foot(traces, top=56 + 16 * lines),
        xaxis=SHARE_AXIS if mark is None else PLANNED_SHARE_AXIS,
        yaxis=ENGAGEMENT_AXIS,
        shapes=[
            dict(
                type="rect",
                x0=band[0] * 100,
                x1=band[1] * 100,
                xref="x",
                y0=0,
                y1=1,
                yref="y domain",
                fillcolor=MICRO_COLOUR,
                opacity=0.08,
                line_width=0,
                layer="below",
            )
        ],
        annotations=[
            dict(
                x=(band[0] + band[1]) * 50,
                y=1,
                yref="paper",
                text="your band",
                showarrow=False,
                font=dict(size=11, color=MICRO_COLOUR),
                yanchor="bottom",
            )
        ],
    )


# The budget frontier plans as if every offer were accepted (each budget's certified plan).
# A forecast after declines and backups at each of its 20 to 40 budgets (two candidate plans
# solved and simulated at each) took 15 s on the sample roster on this 2-core machine under
# load, some 5 s quiet: too slow for the page (docs/outreach.md). The campaign's own forecast
# is marked on it instead (`forecast_mark`).
# Short: it is the chart's second title line, whole on a 390 px phone (the caption says more).
FRONTIER_BASIS = "If every offer were accepted (not a forecast)"
FRONTIER_WHY = (
    "The line plans every budget as if every offer were accepted, the plan's own certified "
    "objective, so it is higher than what a campaign is expected to earn. Simulating declines "
    "and backups at each of its budgets would take several seconds, too slow for this page; "
    "the diamond is your campaign after declines and backups (the headline's figure, with its "
    "P10–P90)."
)


def frontier_chart(
    frontier: pd.DataFrame,
    budget: float,
    *,
    basis: str = "",
    currency: str = DEFAULT_CURRENCY,
    forecast_mark: tuple[float, float, float] | None = None,
) -> go.Figure:
    """Best expected engagement by budget, and the engagements each extra dollar (euro, …)
    buys there (`basis`: what the engagements assume, added to the title; money in
    `currency`, the roster's). `forecast_mark`: the campaign's forecast after declines and
    backups (mean, P10, P90), drawn at its budget.

    The bars are on the base y axis (right) and the engagements on the axis overlaid on it
    (left): plotly draws an overlaid axis's traces above the base axis's, and with the bars
    above them the campaign's diamond at your budget was hidden behind that budget's bar."""
    prefix, unit = money_prefix(currency), currency_label(currency)
    traces = [
        _bar(
            x=frontier["budget"],
            y=frontier["marginal_engagement_per_dollar"],
            name=f"Engagements per extra {unit} (if all accepted)",
            marker_color=OTHER_COLOUR,
            hovertemplate=f"Around {prefix}%{{x:,.0f}}: %{{y:,.2f}} engagements per extra {unit}"
            "<extra></extra>",
        ),
        _scatter(
            x=frontier["budget"],
            y=frontier["expected_engagement"],
            mode="lines+markers",
            name="If every offer were accepted",
            line=dict(color=MICRO_COLOUR, width=3),
            yaxis="y2",
            hovertemplate=f"Budget {prefix}%{{x:,.0f}}<br>%{{y:,.0f}} engagements if every "
            "offer were accepted<extra></extra>",
        ),
    ]
    if forecast_mark is not None:
        mean, p10, p90 = forecast_mark
        traces.append(
            _scatter(
                x=[budget],
                y=[mean],
                mode="markers",
                name="Your campaign after declines and backups",
                marker=dict(color=MACRO_COLOUR, size=13, symbol="diamond"),
                yaxis="y2",
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=[max(p90 - mean, 0.0)],
                    arrayminus=[max(mean - p10, 0.0)],
                    color=MACRO_COLOUR,
                ),
                hovertemplate=f"Your budget {_money(budget, currency)}<br>%{{y:,.0f}} "
                "engagements expected "
                f"after declines and backups (P10–P90 {p10:,.0f}–{p90:,.0f})<extra></extra>",
            )
        )
    foot = _legend_at_foot(traces, top=96 if basis else 72)
    foot["margin"]["r"] = 64
    return _figure(
        traces,
        "What more budget buys",
        subtitle=basis,
        xaxis=dict(title=f"Budget ({unit})", tickprefix=prefix),
        **foot,
        yaxis=dict(title=f"Per extra {unit}", rangemode="tozero", showgrid=False, side="right"),
        yaxis2=dict(
            title="Expected engagements",
            rangemode="tozero",
            overlaying="y",
            side="left",
            tickmode="auto",  # its own round ticks (an overlaid axis follows the base's)
        ),
        **_mark(budget, f"your budget {_money(budget, currency)}"),
    )


# At most this many influencers not in the plan are drawn: beyond it the chart (some 60 bytes
# and an SVG marker per point, sent again on every move) would cost the browser more than the
# rest of the page, and a cloud of 50,000 points shows no more than one of 5,000. The ones drawn
# are a fixed random pick of the roster's rows, the same from move to move; the title says so.
SCATTER_REST = 5_000


def roster_scatter(
    table: pd.DataFrame, allocations: pd.DataFrame, *, currency: str = DEFAULT_CURRENCY
) -> go.Figure:
    """Every influencer by followers (log scale) and engagement rate (of a large roster, the
    chosen ones and `SCATTER_REST` of the others); the chosen ones coloured by tier and sized
    by spend (in `currency`, the roster's)."""
    spend = allocations.set_index("name")["spend"] if len(allocations) else pd.Series(dtype=float)
    chosen = table["name"].isin(spend.index)
    rest = table.loc[~chosen]
    subtitle = ""
    if len(rest) > SCATTER_REST:
        keep = np.zeros(len(table), dtype=bool)
        keep[np.random.default_rng(0).permutation(len(table))[:SCATTER_REST]] = True
        rest = table.loc[~chosen & keep]
        subtitle = (
            f"{len(rest):,} of the {int((~chosen).sum()):,} influencers not in the plan shown, "
            "picked at random"
        )
    traces = [
        _scatter(
            x=rest["followers"],
            y=rest["engagement_rate"] * 100,
            mode="markers",
            name="Not in the plan",
            marker=dict(color=OTHER_COLOUR, size=6, opacity=0.7),
            text=rest["name"].map(chart_text),
            hovertemplate="%{text}<br>%{x:,.0f} followers · %{y:.2f}%<extra></extra>",
        )
    ]
    largest = float(spend.max()) if len(spend) else 1.0
    for tier in ("micro", "macro"):
        rows = table.loc[chosen & (table["tier"] == tier)]
        if rows.empty:
            continue
        row_spend = rows["name"].map(spend).to_numpy(dtype=float)
        traces.append(
            _scatter(
                x=rows["followers"],
                y=rows["engagement_rate"] * 100,
                mode="markers",
                name=f"Chosen {tier}",
                marker=dict(
                    color=TIER_COLOURS[tier],
                    size=8 + 22 * np.sqrt(row_spend / largest),
                    opacity=0.85,
                    line=dict(color="white", width=1),
                ),
                text=rows["name"].map(chart_text),
                customdata=row_spend,
                hovertemplate=(
                    "%{text}<br>%{x:,.0f} followers · %{y:.2f}%<br>"
                    f"spend {money_prefix(currency)}%{{customdata:,.0f}}<extra></extra>"
                ),
            )
        )
    subtitle, lines = _subtitle([subtitle])
    return _figure(
        traces,
        "The roster: who is in the plan",
        subtitle=subtitle,
        margin=dict(t=96 + 16 * max(lines - 1, 0)),
        xaxis=dict(type="log", title="Followers (log scale)"),
        yaxis=dict(title="Engagement rate", ticksuffix="%", rangemode="tozero"),
    )


STRATEGY_COLOURS = {"All micro": MICRO_COLOUR, "All macro": MACRO_COLOUR, "Optimal mix": "#1F1B2E"}


def outcome_ranges(summary: pd.DataFrame, target: float | None) -> go.Figure:
    """Simulated outcomes of each strategy (rows with strategy, p10, p50, p90, mean): the
    P10-P90 range as a bar, the median as a tick, the mean as a diamond, the target as a line.
    A strategy with no plan, or whose plan books nothing (`mean_spend` 0: all macro on a budget
    below every macro post), is named under the title instead of drawn at 0, where its marks
    sat on the axis, half hidden, beside its name."""
    planned = summary["p10"].notna().to_numpy()
    nothing = planned & (
        summary["mean_spend"].fillna(1).to_numpy(dtype=float) <= 0
        if "mean_spend" in summary
        else np.zeros(len(summary), dtype=bool)
    )
    ok = summary[planned & ~nothing]
    traces = [
        _bar(
            y=ok["strategy"],
            x=ok["p90"] - ok["p10"],
            base=ok["p10"],
            orientation="h",
            marker_color=[STRATEGY_COLOURS.get(s, OTHER_COLOUR) for s in ok["strategy"]],
            opacity=0.55,
            name="P10–P90: 8 in 10 campaigns land here",
            customdata=np.stack([ok["p10"], ok["p90"]], axis=1),
            hovertemplate="%{y}<br>P10 %{customdata[0]:,.0f} – P90 %{customdata[1]:,.0f}"
            "<extra></extra>",
        ),
        _scatter(
            y=ok["strategy"],
            x=ok["p50"],
            mode="markers",
            marker=dict(symbol="line-ns", size=22, line=dict(width=3, color="#1F1B2E")),
            name="Median",
            hovertemplate="%{y}<br>median %{x:,.0f}<extra></extra>",
        ),
        _scatter(
            y=ok["strategy"],
            x=ok["mean"],
            mode="markers",
            marker=dict(symbol="diamond", size=11, color="white", line=dict(width=2)),
            name="Mean",
            hovertemplate="%{y}<br>mean %{x:,.0f}<extra></extra>",
        ),
    ]
    notes = [f"{name}: no plan" for name in summary.loc[~planned, "strategy"]] + [
        f"{name}: books nothing" for name in summary.loc[nothing, "strategy"]
    ]
    # The notes under the title, on a line of their own: after it, the title ran past a 390 px
    # phone's width ("How sure? Simulated engagements by strategy (A").
    return _figure(
        traces,
        "How sure? Simulated engagements by strategy",
        subtitle="; ".join(notes),
        # (Room for the note above the legend, which takes three lines on a phone.)
        height=320 + (44 if notes else 0),
        xaxis=dict(title="Engagements", rangemode="tozero"),
        yaxis=dict(autorange="reversed", showgrid=False),
        margin=dict(l=96, t=140 if notes else 96),
        **(_mark(target, f"target {_count(target)}") if target is not None and target > 0 else {}),
    )


def _cut(text: str, most: int = 44) -> str:
    """`text` cut in the middle to at most `most` characters (its end, a date, kept)."""
    return text if len(text) <= most else text[: most - 17] + "…" + text[-16:]


def compare_split(summary: pd.DataFrame) -> go.Figure:
    """Saved scenarios side by side (rows with scenario, micro_spend, macro_spend,
    micro_engagement, macro_engagement, and each scenario's currency where the rows have one):
    spend and expected engagement by tier, in two panels.
    A long name is cut in the middle on its axis (the hover shows it whole), so that the bars
    keep their width."""
    labels = summary["scenario"].map(chart_text)
    currencies = (
        [str(c) for c in summary["currency"]]
        if "currency" in summary
        else [DEFAULT_CURRENCY] * len(summary)
    )
    traces = []
    for tier in ("micro", "macro"):
        for panel, column in (("", f"{tier}_spend"), ("2", f"{tier}_engagement")):
            shown = [
                _money(float(v), currency) if not panel else _count(float(v))
                for v, currency in zip(summary[column], currencies, strict=True)
            ]
            traces.append(
                _bar(
                    y=labels,
                    x=summary[column],
                    xaxis="x" + panel,
                    yaxis="y" + panel,
                    orientation="h",
                    name=tier.capitalize(),
                    legendgroup=tier,
                    showlegend=not panel,
                    marker_color=TIER_COLOURS[tier],
                    text=shown,
                    textposition="inside",
                    insidetextanchor="middle",
                    customdata=shown,
                    hovertemplate=f"%{{y}}<br>{tier}: "
                    + ("%{x:,.0f}" if panel else "%{customdata}")
                    + "<extra></extra>",
                )
            )
    panel_titles = [
        dict(
            text=text,
            x=x,
            xref="paper",
            xanchor="center",
            y=1,
            yref="paper",
            yanchor="bottom",
            showarrow=False,
            font=dict(size=16),
        )
        for text, x in (("Spend", 0.225), ("Expected engagements", 0.775))
    ]
    return _figure(
        traces,
        "The micro/macro split of each scenario",
        height=190 + 60 * len(summary),
        barmode="stack",
        bargap=0.3,
        xaxis=dict(domain=[0, 0.45], anchor="y"),
        xaxis2=dict(domain=[0.55, 1], anchor="y2"),
        yaxis=dict(
            autorange="reversed",
            showgrid=False,
            anchor="x",
            automargin=True,
            tickvals=list(labels),
            ticktext=[chart_text(_cut(str(label))) for label in summary["scenario"]],
        ),
        yaxis2=dict(autorange="reversed", showgrid=False, showticklabels=False, anchor="x2"),
        annotations=panel_titles,
        # The legend goes under the bars: above them sit the two panels' titles.
        legend=dict(y=-0.15, yanchor="top"),
        margin=dict(l=8, t=72, b=40),
    )


def compare_curves(curves: dict[str, pd.DataFrame]) -> go.Figure:
    """The split curves of several saved scenarios on one chart, each with its best mix."""
    palette = [MICRO_COLOUR, MACRO_COLOUR, "#1F1B2E", "#2E9E8F"]
    traces = []
    for i, (label, curve) in enumerate(curves.items()):
        colour = palette[i % len(palette)]
        name = chart_text(label)
        share = curve["macro_share"].to_numpy(dtype=float) * 100
        value = curve["expected_engagement"].to_numpy(dtype=float)
        traces.append(
            _scatter(
                x=share,
                y=value,
                mode="lines+markers",
                name=name,
                line=dict(color=colour, width=3),
                marker=dict(size=5),
                text=[name] * len(share),
                hovertemplate="%{text}<br>macro %{x:.0f}%<br>%{y:,.0f} engagements<extra></extra>",
            )
        )
        if np.isfinite(value).any():
            best = int(np.nanargmax(value))
            traces.append(
                _scatter(
                    x=[share[best]],
                    y=[value[best]],
                    mode="markers",
                    marker=dict(symbol="star", size=14, color=colour, line=dict(width=1)),
                    showlegend=False,
                    text=[name],
                    hovertemplate="%{text}: best mix "
                    + _best_mix_words(curve, best, share[best])
                    + "<extra></extra>",
                )
            )
    return _figure(
        traces,
        "Micro or macro? The split curves of each scenario",
        height=420,
        xaxis=PLANNED_SHARE_AXIS,
        yaxis=ENGAGEMENT_AXIS,
    )


def reply_sweep_chart(sweep: pd.DataFrame) -> go.Figure:
    """The macro reply rate sweep (`planner.outreach.macro_reply_sweep`): by macro reply rate,
    the best macro share of the budget planned and the macro share of what it books, after
    declines and backups."""
    rate = sweep["reply_macro"].to_numpy(dtype=float) * 100
    traces = [
        _scatter(
            x=rate,
            y=sweep["best_share"] * 100,
            mode="lines+markers",
            name="Best macro share planned",
            line=dict(color=MACRO_COLOUR, width=3),
            customdata=sweep["best_mean"],
            hovertemplate="Macro reply rate %{x:.0f}%<br>best share %{y:.0f}% of the budget"
            "<br>%{customdata:,.0f} engagements<extra></extra>",
        ),
        _scatter(
            x=rate,
            y=sweep["best_booked_macro_share"] * 100,
            mode="lines+markers",
            name="Macro share of what it books",
            line=dict(color=MICRO_COLOUR, width=2, dash="dot"),
            hovertemplate="Macro reply rate %{x:.0f}%<br>%{y:.0f}% of spend booked on macro"
            "<extra></extra>",
        ),
    ]
    return _figure(
        traces,
        "Best macro share by macro reply rate, after declines and backups",
        height=320,
        xaxis=dict(title="Macro reply rate", ticksuffix="%", range=[0, 105]),
        yaxis=dict(title="Macro share", ticksuffix="%", range=[0, 105]),
    )
