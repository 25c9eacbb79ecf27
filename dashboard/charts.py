"""Plotly figures for the dashboard: pure functions, planner results in, figures out.

Every figure is built to be read on a phone and on a meeting-room screen: few colours (one per
tier, the same everywhere), short titles, legends above the plot, values in hover labels and,
where the bars are few, printed on the bars. Influencer names are escaped before they reach a
label, so a name written as HTML shows as text.
"""

from __future__ import annotations

import html
import math

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from planner import Plan

MICRO_COLOUR = "#6C4CE0"
MACRO_COLOUR = "#F2994A"
OTHER_COLOUR = "#C9C4D9"
TIER_COLOURS = {"micro": MICRO_COLOUR, "macro": MACRO_COLOUR}
FONT = dict(family="Source Sans Pro, sans-serif", size=13)


def _layout(fig: go.Figure, title: str, *, height: int = 360) -> go.Figure:
    fig.update_layout(
        title=dict(
            text=title,
            x=0,
            xanchor="left",
            y=1,
            yref="container",
            yanchor="top",
            pad=dict(t=10, l=4),
            font=dict(size=16),
        ),
        height=height,
        margin=dict(l=8, r=8, t=96, b=8),
        font=FONT,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
        hoverlabel=dict(font_size=13),
        plot_bgcolor="white",
        separators=".,",
    )
    fig.update_xaxes(showgrid=True, gridcolor="#EEEAF7", zeroline=False, automargin=True)
    fig.update_yaxes(showgrid=True, gridcolor="#EEEAF7", zeroline=False, automargin=True)
    return fig


def _mark(fig: go.Figure, x: float, text: str) -> None:
    """A dashed vertical line at `x`, labelled at the top (your budget, the target)."""
    fig.add_vline(x=x, line=dict(color=MACRO_COLOUR, width=2, dash="dash"))
    fig.add_annotation(
        x=x,
        y=1,
        yref="paper",
        text=text,
        showarrow=False,
        xanchor="left",
        yanchor="bottom",
        font=dict(size=11, color=MACRO_COLOUR),
    )


def _money(value: float) -> str:
    """Dollars in short form ($40.3K); the values charted here are never negative."""
    return "$" + _count(value) if math.isfinite(value) else "–"


def _count(value: float) -> str:
    if not math.isfinite(value):
        return "–"
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if abs(value) >= size:
            return f"{value / size:,.3g}{suffix}"
    return f"{value:,.0f}"


def _influencers(count: int) -> str:
    return f"{count:,} influencer" + ("" if count == 1 else "s")


def tier_split(plan: Plan) -> go.Figure:
    """Where the money goes and where the engagement comes from, by tier, as 100% bars."""
    tiers = ("micro", "macro")
    spend = np.array([plan.by_tier[t].spend for t in tiers], dtype=float)
    engagement = np.array([plan.by_tier[t].expected_engagement for t in tiers], dtype=float)
    fig = go.Figure()
    for i, tier in enumerate(tiers):
        shares, labels = [], []
        for values, fmt in ((spend, _money), (engagement, _count)):
            total = values.sum()
            share = values[i] / total * 100 if total > 0 else 0.0
            shares.append(share)
            labels.append(f"{share:.0f}% · {fmt(values[i])}" if share >= 20 else "")
        fig.add_trace(
            go.Bar(
                name=f"{tier.capitalize()} ({_influencers(plan.by_tier[tier].influencers)})",
                y=["Budget spent", "Expected engagement"],
                x=shares,
                orientation="h",
                marker_color=TIER_COLOURS[tier],
                text=labels,
                textposition="inside",
                insidetextanchor="middle",
                textangle=0,
                customdata=[_money(spend[i]), _count(engagement[i])],
                hovertemplate=f"{tier.capitalize()}: %{{x:.1f}}%<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.35)
    fig.update_xaxes(range=[0, 100.5], dtick=25, ticksuffix="%", title=None)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    return _layout(fig, "Budget and engagement by tier", height=300)


def split_curve_chart(
    curve: pd.DataFrame,
    band: tuple[float, float],
    plan: Plan,
    ranges: pd.DataFrame | None = None,
) -> go.Figure:
    """Best expected engagement against the macro share of budget, the campaign's band shaded,
    the curve's best point and the current plan marked: the answer to "micro or macro?".

    `ranges` (from `planner.risk.split_bands`) adds each point's simulated P10-P90 range."""
    share = curve["macro_share"].to_numpy(dtype=float) * 100
    value = curve["expected_engagement"].to_numpy(dtype=float)
    fig = go.Figure()
    if ranges is not None and len(ranges):
        fig.add_trace(
            go.Scatter(
                x=ranges["macro_share"] * 100,
                y=ranges["p90"],
                mode="lines",
                line=dict(width=0, color=MICRO_COLOUR),
                showlegend=False,
                hoverinfo="skip",
                connectgaps=False,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=ranges["macro_share"] * 100,
                y=ranges["p10"],
                mode="lines",
                line=dict(width=0, color=MICRO_COLOUR),
                fill="tonexty",
                fillcolor="rgba(108, 76, 224, 0.15)",
                name="Likely range (P10–P90, simulated)",
                customdata=ranges["p90"],
                hovertemplate="Macro share %{x:.0f}%<br>80% of simulated campaigns: "
                "%{y:,.0f}–%{customdata:,.0f}<extra></extra>",
                connectgaps=False,
            )
        )
    fig.add_vrect(
        x0=band[0] * 100,
        x1=band[1] * 100,
        fillcolor=MICRO_COLOUR,
        opacity=0.08,
        line_width=0,
        layer="below",
    )
    fig.add_trace(
        go.Scatter(
            x=share,
            y=value,
            mode="lines+markers",
            name="Best plan at this macro share",
            line=dict(color=MICRO_COLOUR, width=3),
            marker=dict(size=6),
            connectgaps=False,
            hovertemplate="Macro share %{x:.0f}%<br>%{y:,.0f} engagements<extra></extra>",
        )
    )
    if np.isfinite(value).any():
        best = int(np.nanargmax(value))
        fig.add_trace(
            go.Scatter(
                x=[share[best]],
                y=[value[best]],
                mode="markers",
                name=f"Best share: {share[best]:.0f}%",
                marker=dict(symbol="star", size=16, color=MACRO_COLOUR, line=dict(width=1)),
                hovertemplate="Best: %{x:.0f}% macro<br>%{y:,.0f} engagements<extra></extra>",
            )
        )
    if plan.has_plan:
        fig.add_trace(
            go.Scatter(
                x=[plan.macro_share * 100],
                y=[plan.expected_engagement],
                mode="markers",
                name=f"Your plan: {plan.macro_share:.0%} macro",
                marker=dict(symbol="circle-open", size=14, color="#1F1B2E", line=dict(width=2)),
                hovertemplate="Your plan: %{x:.1f}% macro<br>%{y:,.0f} engagements<extra></extra>",
            )
        )
    fig.update_xaxes(title="Share of budget on macro influencers", ticksuffix="%", range=[-2, 102])
    fig.update_yaxes(title="Expected engagements", rangemode="tozero")
    # Up to four legend entries: below the plot (set after the shared layout), so they never
    # run into the title.
    fig.add_annotation(
        x=(band[0] + band[1]) * 50,
        y=1,
        yref="paper",
        text="your band",
        showarrow=False,
        font=dict(size=11, color=MICRO_COLOUR),
        yanchor="bottom",
    )
    fig = _layout(fig, "Micro or macro? Engagement by macro share of budget", height=460)
    fig.update_layout(margin=dict(t=48), legend=dict(y=-0.28, yanchor="top"))
    return fig


def frontier_chart(frontier: pd.DataFrame, budget: float) -> go.Figure:
    """Best expected engagement by budget, and the engagements each extra dollar buys there."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_trace(
        go.Bar(
            x=frontier["budget"],
            y=frontier["marginal_engagement_per_dollar"],
            name="Engagements per extra $",
            marker_color=OTHER_COLOUR,
            hovertemplate="Around $%{x:,.0f}: %{y:,.2f} engagements per extra $<extra></extra>",
        ),
        secondary_y=True,
    )
    fig.add_trace(
        go.Scatter(
            x=frontier["budget"],
            y=frontier["expected_engagement"],
            mode="lines+markers",
            name="Expected engagements",
            line=dict(color=MICRO_COLOUR, width=3),
            hovertemplate="Budget $%{x:,.0f}<br>%{y:,.0f} engagements<extra></extra>",
        ),
        secondary_y=False,
    )
    _mark(fig, budget, f"your budget {_money(budget)}")
    fig.update_xaxes(title="Budget", tickprefix="$")
    fig.update_yaxes(title="Expected engagements", rangemode="tozero", secondary_y=False)
    fig.update_yaxes(title="Per extra $", rangemode="tozero", showgrid=False, secondary_y=True)
    return _layout(fig, "What more budget buys")


def roster_scatter(table: pd.DataFrame, allocations: pd.DataFrame) -> go.Figure:
    """Every influencer by followers (log scale) and engagement rate; the chosen ones coloured by
    tier and sized by spend."""
    spend = allocations.set_index("name")["spend"] if len(allocations) else pd.Series(dtype=float)
    chosen = table["name"].isin(spend.index)
    names = table["name"].map(lambda n: html.escape(str(n)))
    fig = go.Figure()
    rest = table.loc[~chosen]
    fig.add_trace(
        go.Scatter(
            x=rest["followers"],
            y=rest["engagement_rate"] * 100,
            mode="markers",
            name="Not in the plan",
            marker=dict(color=OTHER_COLOUR, size=6, opacity=0.7),
            text=names[~chosen],
            hovertemplate="%{text}<br>%{x:,.0f} followers · %{y:.2f}%<extra></extra>",
        )
    )
    largest = float(spend.max()) if len(spend) else 1.0
    for tier in ("micro", "macro"):
        rows = table.loc[chosen & (table["tier"] == tier)]
        if rows.empty:
            continue
        row_spend = rows["name"].map(spend).to_numpy(dtype=float)
        fig.add_trace(
            go.Scatter(
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
                text=names[rows.index],
                customdata=row_spend,
                hovertemplate=(
                    "%{text}<br>%{x:,.0f} followers · %{y:.2f}%<br>"
                    "spend $%{customdata:,.0f}<extra></extra>"
                ),
            )
        )
    fig.update_xaxes(type="log", title="Followers (log scale)")
    fig.update_yaxes(title="Engagement rate", ticksuffix="%", rangemode="tozero")
    return _layout(fig, "The roster: who is in the plan")


def head_to_head_chart(comparison: pd.DataFrame) -> go.Figure:
    """All micro, all macro and the optimal mix under the same budget: expected engagements."""
    colours = {"All micro": MICRO_COLOUR, "All macro": MACRO_COLOUR, "Optimal mix": "#1F1B2E"}
    values = comparison["expected_engagement"].to_numpy(dtype=float)
    labels = [
        f"{_count(v)} · {_money(c)}/1K" if math.isfinite(v) and math.isfinite(c) else "no plan"
        for v, c in zip(
            values, comparison["cost_per_engagement"].to_numpy(float) * 1000, strict=True
        )
    ]
    fig = go.Figure(
        go.Bar(
            x=comparison["strategy"],
            y=np.nan_to_num(values),
            marker_color=[colours.get(s, OTHER_COLOUR) for s in comparison["strategy"]],
            text=labels,
            textposition="outside",
            cliponaxis=False,
            customdata=comparison["influencers"],
            hovertemplate=(
                "%{x}<br>%{y:,.0f} engagements<br>%{customdata} influencers<extra></extra>"
            ),
        )
    )
    top = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
    fig.update_yaxes(title="Expected engagements", range=[0, top * 1.18])
    fig.update_xaxes(showgrid=False)
    fig.update_layout(showlegend=False)
    return _layout(fig, "Head to head: same budget, three strategies")


def outcome_ranges(summary: pd.DataFrame, target: float | None) -> go.Figure:
    """Simulated outcomes of each strategy (rows with strategy, p10, p50, p90, mean): the
    P10-P90 range as a bar, the median as a tick, the mean as a diamond, the target as a line."""
    colours = {"All micro": MICRO_COLOUR, "All macro": MACRO_COLOUR, "Optimal mix": "#1F1B2E"}
    fig = go.Figure()
    ok = summary.dropna(subset=["p10"])
    fig.add_trace(
        go.Bar(
            y=ok["strategy"],
            x=ok["p90"] - ok["p10"],
            base=ok["p10"],
            orientation="h",
            marker_color=[colours.get(s, OTHER_COLOUR) for s in ok["strategy"]],
            opacity=0.55,
            name="P10–P90: 8 in 10 campaigns land here",
            customdata=np.stack([ok["p10"], ok["p90"]], axis=1),
            hovertemplate="%{y}<br>P10 %{customdata[0]:,.0f} – P90 %{customdata[1]:,.0f}"
            "<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=ok["strategy"],
            x=ok["p50"],
            mode="markers",
            marker=dict(symbol="line-ns", size=22, line=dict(width=3, color="#1F1B2E")),
            name="Median",
            hovertemplate="%{y}<br>median %{x:,.0f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            y=ok["strategy"],
            x=ok["mean"],
            mode="markers",
            marker=dict(symbol="diamond", size=11, color="white", line=dict(width=2)),
            name="Mean",
            hovertemplate="%{y}<br>mean %{x:,.0f}<extra></extra>",
        )
    )
    if target is not None and target > 0:
        _mark(fig, target, f"target {_count(target)}")
    missing = summary.loc[summary["p10"].isna(), "strategy"].tolist()
    title = "How sure? Simulated engagements by strategy"
    if missing:
        title += f" ({', '.join(missing)}: no plan)"
    fig.update_xaxes(title="Engagements", rangemode="tozero")
    fig.update_yaxes(autorange="reversed", showgrid=False)
    return _layout(fig, title, height=320)


def compare_split(summary: pd.DataFrame) -> go.Figure:
    """Saved scenarios side by side (rows with scenario, micro_spend, macro_spend,
    micro_engagement, macro_engagement): spend and expected engagement by tier."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Spend", "Expected engagements"))
    for tier in ("micro", "macro"):
        for col, column, fmt in ((1, f"{tier}_spend", _money), (2, f"{tier}_engagement", _count)):
            fig.add_trace(
                go.Bar(
                    y=summary["scenario"],
                    x=summary[column],
                    orientation="h",
                    name=tier.capitalize(),
                    legendgroup=tier,
                    showlegend=col == 1,
                    marker_color=TIER_COLOURS[tier],
                    text=[fmt(float(v)) for v in summary[column]],
                    textposition="inside",
                    insidetextanchor="middle",
                    hovertemplate=f"%{{y}}<br>{tier}: %{{x:,.0f}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    fig.update_layout(barmode="stack", bargap=0.3)
    fig.update_yaxes(autorange="reversed", showgrid=False)
    fig.update_yaxes(showticklabels=False, row=1, col=2)
    fig = _layout(fig, "The micro/macro split of each scenario", height=190 + 60 * len(summary))
    # The legend goes under the bars: above them sit the two panels' titles.
    fig.update_layout(legend=dict(y=-0.15, yanchor="top"), margin=dict(t=72))
    return fig


def compare_curves(curves: dict[str, pd.DataFrame]) -> go.Figure:
    """The split curves of several saved scenarios on one chart, each with its best share."""
    palette = [MICRO_COLOUR, MACRO_COLOUR, "#1F1B2E", "#2E9E8F"]
    fig = go.Figure()
    for i, (label, curve) in enumerate(curves.items()):
        colour = palette[i % len(palette)]
        share = curve["macro_share"].to_numpy(dtype=float) * 100
        value = curve["expected_engagement"].to_numpy(dtype=float)
        fig.add_trace(
            go.Scatter(
                x=share,
                y=value,
                mode="lines+markers",
                name=html.escape(label),
                line=dict(color=colour, width=3),
                marker=dict(size=5),
                hovertemplate=f"{html.escape(label)}<br>macro %{{x:.0f}}%<br>"
                "%{y:,.0f} engagements<extra></extra>",
            )
        )
        if np.isfinite(value).any():
            best = int(np.nanargmax(value))
            fig.add_trace(
                go.Scatter(
                    x=[share[best]],
                    y=[value[best]],
                    mode="markers",
                    marker=dict(symbol="star", size=14, color=colour, line=dict(width=1)),
                    showlegend=False,
                    hovertemplate=f"{html.escape(label)}: best at %{{x:.0f}}% macro<extra></extra>",
                )
            )
    fig.update_xaxes(title="Share of budget on macro influencers", ticksuffix="%", range=[-2, 102])
    fig.update_yaxes(title="Expected engagements", rangemode="tozero")
    return _layout(fig, "Micro or macro? The split curves of each scenario", height=420)
