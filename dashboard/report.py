"""The client report: one self-contained HTML file (plotly.js inside, so it opens offline and the
charts stay interactive) with the headline figures, the charts, the plan table and every
assumption. Every piece of user text is escaped: a name written as HTML shows as text."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import pandas as pd
import plotly.graph_objects as go

from dashboard import charts, controls
from dashboard.forecast import (
    OFFERS_EXTRA_KINDS,
    average_count,
    booked_by_tier,
    booked_macro_share,
    expected_bookings,
    forecast_mark,
    forecast_point,
    if_booked,
    offers_table,
)
from dashboard.headline import (
    CERTIFIES_FOR_CLIENTS,
    client_figures,
    forecast_figures,
    if_all_accepted_words,
    status_words,
)
from dashboard.text import html_text
from planner import Plan, Roster, budget_frontier
from planner.export import Fact, Kind, kinds, totals_row
from planner.money import DEFAULT_CURRENCY, money, money_rate
from planner.outreach import Forecast, outreach_head_to_head

_STYLE = """
body { font-family: 'Source Sans Pro', -apple-system, 'Segoe UI', Roboto, sans-serif;
       color: #1F1B2E; margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 1.9rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 32px 0 8px; }
.sub { color: #5C5670; margin: 0 0 20px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(160px, 1fr));
           gap: 12px; }
.figure { border: 1px solid #E4DFF2; border-radius: 8px; padding: 10px 12px; }
.figure .label { color: #5C5670; font-size: 0.85rem; }
.figure .value { font-size: 1.5rem; font-weight: 600; }
.figure .note { color: #5C5670; font-size: 0.8rem; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; }
th, td { border-bottom: 1px solid #EEEAF7; padding: 4px 8px; text-align: right; }
th { background: #F5F3FB; position: sticky; top: 0; }
td:first-child, th:first-child { text-align: left; }
.table-wrap { max-height: 600px; overflow: auto; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; }
dt { color: #5C5670; } dd { margin: 0; }
footer { color: #5C5670; font-size: 0.8rem; margin-top: 32px; }
tr.total td { font-weight: 600; border-top: 2px solid #C9C4D9; }
@media (max-width: 600px) { .charts { grid-template-columns: 1fr; } }
/* Printed (or saved as PDF) on A4 or Letter: one chart a row, at the page's width (the script
   below redraws each chart at PRINT_WIDTH px before printing), never cut across pages; the
   whole table, its heading row repeated on each page. */
@page { margin: 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  .charts { display: block; }
  .charts > div, .figure, tr, h2 { break-inside: avoid; page-break-inside: avoid; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .table-wrap { max-height: none; overflow: visible; }
  th { position: static; }
  thead { display: table-header-group; }
  .modebar-container { display: none !important; }
}
"""
# The printable width of A4 (210 mm) and Letter (8.5 in) less 12 mm margins, in CSS pixels.
PRINT_WIDTH = 680
_PRINT_SCRIPT = (
    "<script>(function () {"
    "function each(f) { document.querySelectorAll('.plotly-graph-div').forEach(f); }"
    "window.addEventListener('beforeprint', function () { each(function (d) {"
    f" Plotly.relayout(d, {{width: {PRINT_WIDTH}}}); }}); }});"
    "window.addEventListener('afterprint', function () { each(function (d) {"
    " Plotly.relayout(d, {width: null, autosize: true}); Plotly.Plots.resize(d); }); });"
    "})();</script>"
)


def client_report(
    *,
    title: str,
    subtitle: str,
    headline: Sequence[tuple[str, str, str]],
    figures: Sequence[go.Figure],
    table: pd.DataFrame,
    assumptions: Sequence[tuple[str, str]],
    notes: Sequence[str] = (),
    created: datetime | None = None,
    totals: Mapping[str, object] | None = None,
    currency: str = DEFAULT_CURRENCY,
    renamed: Mapping[str, str] | None = None,
    extra_kinds: Mapping[str, Kind] | None = None,
) -> str:
    """The report as HTML text. `headline` is (label, value, note) per figure; `assumptions` is
    (name, value) per setting; `table`'s numbers are written as the app shows them (by their
    column's kind, `planner.export.kinds`; money in `currency`), with `totals` as its last
    row."""
    esc = html_text
    cards = "".join(
        f'<div class="figure"><div class="label">{esc(label)}</div>'
        f'<div class="value">{esc(value)}</div><div class="note">{esc(note)}</div></div>'
        for label, value, note in headline
    )
    charts = "".join(
        figure.to_html(
            full_html=False,
            include_plotlyjs=(i == 0),  # plotly.js once, inside the file: opens offline
            config={"displaylogo": False, "responsive": True},
            default_width="100%",
        )
        for i, figure in enumerate(figures)
    )
    rows = _table_html(table, totals, kinds(currency, renamed, extra_kinds), currency)
    settings = "".join(f"<dt>{esc(name)}</dt><dd>{esc(value)}</dd>" for name, value in assumptions)
    extra = "".join(f"<p>{esc(note)}</p>" for note in notes)
    stamp = f"{created or datetime.now(UTC):%d %B %Y, %H:%M} UTC"
    return (
        "<!DOCTYPE html>\n<html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{esc(title)}</h1><p class='sub'>{esc(subtitle)}</p>"
        f"<section class='figures'>{cards}</section>"
        f"<h2>Charts</h2><section class='charts'>{charts}</section>"
        f"<h2>The plan</h2><div class='table-wrap'>{rows}</div>"
        f"<h2>Assumptions</h2><dl>{settings}</dl>{extra}"
        f"<footer>Influencer budget planner · report made {esc(stamp)}</footer>"
        f"{_PRINT_SCRIPT}</body></html>"
    )


def _cell(kind: str | None, value: object, currency: str) -> str:
    """One number as the app's table shows it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, str) or kind is None or isinstance(value, bool):
        return str(value)
    number = float(value)  # type: ignore[arg-type]
    if kind == "count":
        return f"{number:,.0f}"
    if kind == "percent":
        return f"{number:.2f}%"
    if kind == "money":
        return money(number, cents=True, currency=currency)
    if kind == "money_rate":
        return money_rate(number, 4, currency=currency)
    return str(value)


def _table_html(
    table: pd.DataFrame,
    totals: Mapping[str, object] | None,
    by_heading: Mapping[str, Kind],
    currency: str,
) -> str:
    """The plan table as HTML, every cell escaped, numbers formatted as in the app."""
    esc = html_text
    heads = "".join(f"<th scope='col'>{esc(h)}</th>" for h in table.columns)
    column_kinds = [by_heading.get(str(h)) for h in table.columns]
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{esc(_cell(k, v, currency))}</td>" for k, v in zip(column_kinds, row, strict=True)
        )
        + "</tr>"
        for row in table.itertuples(index=False)
    )
    if totals:
        body += (
            "<tr class='total'>"
            + "".join(
                f"<td>{esc(_cell(k, totals.get(str(h)), currency))}</td>"
                for k, h in zip(column_kinds, table.columns, strict=True)
            )
            + "</tr>"
        )
    return f"<table class='plan'><thead><tr>{heads}</tr></thead><tbody>{body}</tbody></table>"


def plan_facts(
    *,
    title: str,
    roster_label: str,
    plan: Plan,
    values: Mapping[str, object],
    created: datetime,
    forecast: Forecast,
    target: float,
    currency: str = DEFAULT_CURRENCY,
) -> list[Fact]:
    """The scenario in facts: its name, when the file was made, the roster, the headline
    numbers (the campaign after declines and backups, `forecast`, as the page's headline) and
    every setting (the Excel file's first sheet). `plan`: the plan of offers."""
    campaign = plan.campaign
    s = forecast.summary()
    booked = expected_bookings(forecast)
    micro, macro = plan.by_tier["micro"], plan.by_tier["macro"]
    return [
        Fact(title, ""),
        Fact("Made", f"{created:%d %b %Y, %H:%M} UTC"),
        Fact("Roster", roster_label),
        Fact("Plan of offers", status_words(forecast.plan, forecast.band)),
        Fact("Budget", campaign.budget, "money"),
        Fact("Expected engagements (after declines and backups)", round(s["mean"]), "count"),  # type: ignore[call-overload]
        Fact("P10 engagements", round(s["p10"]), "count"),  # type: ignore[call-overload]
        Fact("P90 engagements", round(s["p90"]), "count"),  # type: ignore[call-overload]
        Fact("Expected spend", round(booked.spend, 2), "money"),
        Fact("Expected left", round(campaign.budget - booked.spend, 2), "money"),
        Fact("Influencers to contact (mean)", round(s["mean_contacted"]), "count"),  # type: ignore[call-overload]
        # As the headline says it (0.7, not 1).
        Fact("Influencers booked (mean)", average_count(float(s["mean_booked"]))),  # type: ignore[arg-type]
        Fact(
            f"Chance of at least {target:,.0f} engagements",
            round(forecast.outcome.probability(target) * 100, 2),
            "percent",
        ),
        Fact("If every offer were accepted", if_all_accepted_words(forecast, currency)),
        Fact("Micro influencers offered first", micro.influencers, "count"),
        Fact("Macro influencers offered first", macro.influencers, "count"),
        Fact("", ""),
        Fact("Settings", ""),
        *(
            Fact(controls.label_of(s, currency), controls.describe(s, values[s.key], currency))
            for s in controls.ALL
        ),
    ]


def plan_report(
    *,
    title: str,
    roster: Roster,
    roster_label: str,
    plan: Plan,
    values: Mapping[str, object],
    forecast: Forecast,
    target: float,
    curve: pd.DataFrame,
    ranges: pd.DataFrame,
    created: datetime | None = None,
) -> bytes:
    """The client report of a scenario as the page shows it: the headline figures of the
    campaign after declines and backups (`forecast`, with the chance of reaching `target` from
    the same simulation), the charts (the realistic split curve and its `ranges` as computed
    for the page; the budget frontier and the realistic head-to-head made here), the plan of
    offers (`plan`: `dashboard.forecast.offers_plan`) and every setting (`values`, by key)."""
    campaign = plan.campaign
    assumptions = controls.assumptions_from(values)
    created = created or datetime.now(UTC)
    headline = client_figures(
        forecast_figures(forecast, target, roster.tiers, roster.currency),
        forecast.plan,
        forecast.band,
    )
    frontier = budget_frontier(roster, campaign)
    comparison = outreach_head_to_head(
        roster,
        campaign,
        assumptions,
        strategy=forecast.strategy,
        target=target,
        mix=forecast,
    )
    band = (campaign.macro_share_min, campaign.macro_share_max)
    figures = [
        charts.tier_split(
            expected_bookings(forecast),
            expected=True,
            currency=roster.currency,
            booked=booked_by_tier(forecast),
        ),
        charts.split_curve_chart(
            curve,
            band,
            plan,
            ranges,
            mark=forecast_point(forecast),
            booked=booked_macro_share(forecast),
        ),
        charts.outcome_ranges(
            comparison.rename(columns={"probability_of_target": "chance"}), target
        ),
        charts.frontier_chart(
            frontier,
            campaign.budget,
            basis=charts.FRONTIER_BASIS,
            currency=roster.currency,
            forecast_mark=forecast_mark(forecast),
        ),
        charts.roster_scatter(roster.table, plan.allocations, currency=roster.currency),
    ]
    settings = [("Roster", roster_label)] + [
        (
            controls.label_of(s, roster.currency),
            controls.describe(s, values[s.key], roster.currency),
        )
        for s in controls.ALL
    ]
    table = offers_table(roster, forecast, plan)
    return client_report(
        title=title,
        subtitle=f"{created:%d %B %Y} · "
        f"budget {money(campaign.budget, currency=roster.currency)} · "
        # (Not in brackets after the label: the sample's own label has a count, of the file's
        # rows, and read "(synthetic, 400 influencers) (397 influencers)".)
        f"{roster_label} · {len(roster.table):,} influencers considered · "
        f"{status_words(forecast.plan, forecast.band)}",
        headline=[(f.label, f.value, f.note or "") for f in headline],
        figures=figures,
        table=table,
        totals=totals_row(table, roster.currency, if_booked(roster.currency)),
        currency=roster.currency,
        renamed=if_booked(roster.currency),
        extra_kinds=OFFERS_EXTRA_KINDS,
        assumptions=settings,
        notes=[
            if_all_accepted_words(forecast, roster.currency),
            CERTIFIES_FOR_CLIENTS,
            "Expected engagements = followers × engagement rate × audience quality; each "
            "repeat post by the same influencer earns the repeat-post factor times the one "
            "before.",
            "Reply rates, rounds of offers and how much a post's engagement varies are "
            "assumptions, set above: published figures where there are any (about 40% of "
            "contacted influencers reply), estimates where there are none.",
        ]
        + (["Some prices are estimates from the rate card."] if plan.prices_estimated else []),
        created=created,
    ).encode()
