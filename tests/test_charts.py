"""Chart builders: results in, figures out; what each figure shows is checked on its data."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard import charts
from planner import Campaign, budget_frontier, make_plan, read_roster, split_curve

ROSTER = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
CAMPAIGN = Campaign(budget=80_000, macro_share_min=0.2, macro_share_max=0.6)
PLAN = make_plan(ROSTER, CAMPAIGN)


def test_tier_split_bars_are_shares_of_spend_and_engagement():
    fig = charts.tier_split(PLAN)
    micro, macro = fig.data
    spend = PLAN.by_tier["micro"].spend + PLAN.by_tier["macro"].spend
    assert micro.x[0] == pytest.approx(PLAN.by_tier["micro"].spend / spend * 100)
    assert micro.x[0] + macro.x[0] == pytest.approx(100)
    assert micro.x[1] + macro.x[1] == pytest.approx(100)
    assert f"{PLAN.by_tier['macro'].influencers} influencer" in macro.name


def test_split_curve_shades_the_band_and_marks_the_best_share_and_the_plan():
    curve = split_curve(ROSTER, CAMPAIGN)
    fig = charts.split_curve_chart(curve, (0.2, 0.6), PLAN)
    band = fig.layout.shapes[0]
    assert (band.x0, band.x1) == (20, 60)
    line, best, mine = fig.data
    assert list(line.x) == list(charts.curve_shares(curve, CAMPAIGN.budget))
    top = int(np.nanargmax(curve["expected_engagement"]))
    assert best.x[0] == pytest.approx(curve["macro_spend"][top] / CAMPAIGN.budget * 100)
    # Named by its band, so that a plan at the band's edge reads as inside it.
    low, high = curve["band_low"][top], curve["band_high"][top]
    assert best.name == (
        "Best mix: all micro" if high <= 0 else f"Best mix: {low:.0%}–{high:.0%} of budget on macro"
    )
    assert mine.x[0] == pytest.approx(PLAN.macro_share_of_budget * 100)
    assert mine.y[0] == pytest.approx(PLAN.expected_engagement)


def test_split_curve_of_an_all_infeasible_curve_has_no_best_point():
    curve = pd.DataFrame({"macro_share": [0.0, 0.05], "expected_engagement": [np.nan, np.nan]})
    fig = charts.split_curve_chart(curve, (0.0, 1.0), PLAN)
    assert [t.name for t in fig.data][0] == "Best plan at this macro share"
    assert not any((t.name or "").startswith("Best mix") for t in fig.data)


def test_frontier_marks_the_current_budget():
    frontier = budget_frontier(ROSTER, CAMPAIGN)
    fig = charts.frontier_chart(frontier, CAMPAIGN.budget)
    assert fig.layout.shapes[0].x0 == CAMPAIGN.budget
    bars, line = fig.data
    assert list(line.y) == pytest.approx(list(frontier["expected_engagement"]), nan_ok=True)
    assert list(bars.y[1:]) == pytest.approx(
        list(frontier["marginal_engagement_per_dollar"][1:]), nan_ok=True
    )


def test_frontier_says_its_basis_and_marks_the_campaign_after_declines():
    frontier = budget_frontier(ROSTER, CAMPAIGN)
    fig = charts.frontier_chart(
        frontier,
        CAMPAIGN.budget,
        basis=charts.FRONTIER_BASIS,
        forecast_mark=(300_000.0, 200_000.0, 420_000.0),
    )
    assert "If every offer were accepted" in fig.layout.title.subtitle.text
    assert "not a forecast" in fig.layout.title.subtitle.text
    bars, line, mark = fig.data
    assert line.name == "If every offer were accepted"
    assert mark.name == "Your campaign after declines and backups"
    assert list(mark.x) == [CAMPAIGN.budget] and list(mark.y) == [300_000.0]
    assert list(mark.error_y.array) == [120_000.0]
    # Drawn above the bars (plotly draws an overlaid axis's traces over the base axis's): with
    # the bars overlaid, the diamond at your budget was hidden behind that budget's bar.
    assert fig.layout.yaxis2.overlaying == "y" and bars.yaxis in (None, "y")
    assert line.yaxis == mark.yaxis == "y2"
    assert list(mark.error_y.arrayminus) == [100_000.0]


def test_roster_scatter_highlights_the_chosen_sized_by_spend_and_escapes_names():
    table = ROSTER.table.copy()
    table.loc[0, "name"] = "<img src=x onerror=alert(1)>"
    allocations = PLAN.allocations.copy()
    allocations.loc[len(allocations)] = allocations.iloc[0]
    allocations.loc[len(allocations) - 1, "name"] = table.loc[0, "name"]
    fig = charts.roster_scatter(table, allocations)
    names = [str(t.name) for t in fig.data]
    assert names[0] == "Not in the plan"
    chosen = sum(len(t.x) for t in fig.data[1:])
    assert chosen == table["name"].isin(allocations["name"]).sum()
    texts = [str(x) for t in fig.data for x in t.text]
    assert "&lt;img src=x onerror=alert(1)&gt;" in texts
    assert not any("<img" in x for x in texts)
    sizes = np.concatenate([np.atleast_1d(t.marker.size) for t in fig.data[1:]])
    assert sizes.max() > sizes.min()  # bigger spend, bigger marker


def test_outcome_ranges_names_a_strategy_without_a_plan():
    summary = pd.DataFrame(
        {
            "strategy": ["All micro", "All macro", "Optimal mix"],
            "p10": [10.0, math.nan, 12.0],
            "p50": [11.0, math.nan, 13.0],
            "p90": [12.0, math.nan, 14.0],
            "mean": [11.0, math.nan, 13.0],
        }
    )
    fig = charts.outcome_ranges(summary, None)
    assert list(fig.data[0].y) == ["All micro", "Optimal mix"]
    # under the title, on a line of its own: whole on a phone
    assert fig.layout.title.subtitle.text == "All macro: no plan"


def test_split_curve_draws_the_simulated_range_when_given():
    from planner.plan import split_points
    from planner.risk import Assumptions, split_bands

    points = split_points(ROSTER, CAMPAIGN)
    ranges = split_bands(ROSTER.table, points, CAMPAIGN.decay, Assumptions(), draws=500)
    curve = split_curve(ROSTER, CAMPAIGN, points=points)
    fig = charts.split_curve_chart(curve, (0.2, 0.6), PLAN, ranges)
    upper, lower = fig.data[0], fig.data[1]
    assert lower.fill == "tonexty" and "P10" in lower.name
    np.testing.assert_array_equal(upper.y, ranges["p90"])
    np.testing.assert_array_equal(lower.y, ranges["p10"])


def test_outcome_ranges_bar_spans_p10_to_p90_and_marks_the_target():
    summary = pd.DataFrame(
        {
            "strategy": ["All micro", "All macro", "Optimal mix"],
            "p10": [100.0, np.nan, 120.0],
            "p50": [150.0, np.nan, 170.0],
            "p90": [200.0, np.nan, 260.0],
            "mean": [155.0, np.nan, 180.0],
        }
    )
    fig = charts.outcome_ranges(summary, 210.0)
    bars = fig.data[0]
    assert list(bars.base) == [100.0, 120.0]
    assert list(bars.x) == [100.0, 140.0]
    assert "All macro: no plan" in fig.layout.title.subtitle.text
    assert any(shape.x0 == 210.0 for shape in fig.layout.shapes)


def test_the_split_curve_and_your_plan_are_drawn_on_one_basis():
    # Band 90-100%: the best plan spends 91% on macro; the best within 85-95% spends 88%. Drawn
    # at its band's middle (90%), that point sat inside your band, above your plan.
    campaign = Campaign(budget=100_000, macro_share_min=0.9, macro_share_max=1.0)
    plan = make_plan(ROSTER, campaign)
    curve = split_curve(ROSTER, campaign)
    fig = charts.split_curve_chart(curve, (0.9, 1.0), plan)
    line = next(t for t in fig.data if t.name == "Best plan at this macro share")
    mine = next(t for t in fig.data if (t.name or "").startswith("Your plan"))
    ok = curve["status"] == "optimal"
    assert list(np.asarray(line.x)[ok.to_numpy()]) == pytest.approx(
        list(curve.loc[ok, "macro_spend"] / campaign.budget * 100)
    )
    inside = [y for x, y in zip(line.x, line.y, strict=True) if 90 <= x <= 100]
    assert inside and all(y <= mine.y[0] + 1e-6 for y in inside)


def test_a_curve_with_missing_bands_says_which_and_why_and_draws_what_exists():
    campaign = Campaign(budget=50_000_000)
    plan = make_plan(ROSTER, campaign)
    curve = split_curve(ROSTER, campaign)
    assert (curve["status"] == "infeasible").sum() >= 9
    fig = charts.split_curve_chart(curve, (0.0, 1.0), plan)
    assert "No point at 10–100%: no plan fits the settings" in fig.layout.title.subtitle.text
    line = next(t for t in fig.data if t.name == "Best plan at this macro share")
    assert "markers" in line.mode and np.isfinite(np.asarray(line.y, float)).sum() >= 1
    # The plan spends 4% on macro, between the 0% band (none) and the 10% band (5-15%), and
    # earns more than the only point: no star names 0% "best", and the note says why.
    assert not any((t.name or "").startswith("Best mix") for t in fig.data)
    assert "Your plan's 4% on macro is between the bands" in fig.layout.title.subtitle.text
    # Each note on lines of its own that a 390 px phone shows whole (plotly never wraps a
    # title: "... no plan fits the settings; your plan's 4% on m" was cut at the edge).
    lines = fig.layout.title.subtitle.text.split("<br>")
    assert len(lines) == 3 and all(len(line) <= charts.SUBTITLE_LINE for line in lines)
    assert fig.layout.margin.t >= 56 + 16 * len(lines)


def test_the_likely_range_is_shaded_run_by_run_never_across_a_gap():
    curve = pd.DataFrame(
        {
            "macro_share": [0.0, 0.1, 0.2, 0.3, 0.4],
            "expected_engagement": [10.0, 12.0, np.nan, 11.0, 9.0],
            "macro_spend": [0.0, 9_000.0, np.nan, 31_000.0, 40_000.0],
            "status": ["optimal", "optimal", "infeasible", "optimal", "optimal"],
        }
    )
    ranges = pd.DataFrame(
        {
            "macro_share": [0.0, 0.1, 0.2, 0.3, 0.4],
            "p10": [8.0, 9.0, np.nan, 8.0, 7.0],
            "p90": [12.0, 14.0, np.nan, 13.0, 11.0],
        }
    )
    fig = charts.split_curve_chart(curve, (0.0, 1.0), PLAN, ranges)
    fills = [t for t in fig.data if t.fill == "tonexty"]
    assert len(fills) == 2  # 0-10% and 30-40%: two shaded runs
    for trace in fig.data[:4]:
        assert np.isfinite(np.asarray(trace.y, float)).all()
    assert sum(bool(t.showlegend) for t in fills) == 1
    assert "20%: no plan fits the settings" in fig.layout.title.subtitle.text


def test_a_realistic_curve_places_the_plan_where_its_mark_is():
    """On the realistic curve the plan is the plan of offers, whose full prices can add up to
    more than the budget (offers are declined): its place and the "between the bands" note
    come from the mark (the share it was planned at), not from those full prices."""
    from pathlib import Path

    from dashboard.forecast import forecast_point, offers_plan
    from planner import Campaign, read_roster
    from planner.outreach import forecast
    from planner.risk import Assumptions, split_curve_ranges

    roster = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
    campaign = Campaign(budget=100_000)
    # (The plan for the campaign's whole band: the curve's bands are not candidates here.)
    result = forecast(roster, campaign, Assumptions(), candidates=False)
    offers = offers_plan(roster, result)
    assert offers.macro_share_of_budget > 1  # the case: full prices above the budget
    curve, ranges = split_curve_ranges(
        roster, campaign, Assumptions(), outreach=result.strategy, draws=200
    )
    mark = forecast_point(result)
    figure = charts.split_curve_chart(curve, (0.0, 1.0), offers, ranges, mark=mark)
    subtitle = figure.layout.title.subtitle.text or ""
    assert "between the bands" not in subtitle
    yours = next(t for t in figure.data if str(t.name).startswith("Your plan"))
    assert yours.x[0] == mark[0] * 100 and yours.y[0] == mark[1]


def _strings(node: object) -> list[str]:
    """Every text in a figure's data and layout (axes, hover texts, labels, annotations)."""
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for value in node.values() for s in _strings(value)]
    if isinstance(node, (list, tuple, np.ndarray)):
        return [s for value in node for s in _strings(value)]
    return []


@pytest.mark.parametrize(("currency", "sign"), [("EUR", "€"), ("CHF", "CHF ")])
def test_money_on_every_chart_is_in_the_rosters_currency(currency, sign):
    frontier = budget_frontier(ROSTER, CAMPAIGN)
    summary = pd.DataFrame(
        {
            "scenario": ["a", "b"],
            "currency": [currency, currency],
            "micro_spend": [40_000.0, 30_000.0],
            "macro_spend": [40_000.0, 50_000.0],
            "micro_engagement": [1e6, 9e5],
            "macro_engagement": [8e5, 9e5],
        }
    )
    figures = {
        "tier split": charts.tier_split(PLAN, currency=currency),
        "frontier": charts.frontier_chart(frontier, CAMPAIGN.budget, currency=currency),
        "roster": charts.roster_scatter(ROSTER.table, PLAN.allocations, currency=currency),
        "compare": charts.compare_split(summary),
    }
    for name, figure in figures.items():
        texts = _strings(figure.to_plotly_json())
        assert not [t for t in texts if "$" in t], name
        assert any(sign in t for t in texts), name
    axis = figures["frontier"].layout
    assert axis.xaxis.tickprefix == sign and axis.xaxis.title.text == f"Budget ({sign.strip()})"
    assert axis.yaxis.title.text == f"Per extra {sign.strip()}"
    assert f"your budget {sign}80K" in _strings(axis.to_plotly_json())


def test_scenarios_in_two_currencies_show_each_ones_money():
    summary = pd.DataFrame(
        {
            "scenario": ["euro", "pound"],
            "currency": ["EUR", "GBP"],
            "micro_spend": [40_000.0, 30_000.0],
            "macro_spend": [40_000.0, 50_000.0],
            "micro_engagement": [1e6, 9e5],
            "macro_engagement": [8e5, 9e5],
        }
    )
    micro_spend = charts.compare_split(summary).data[0]
    assert list(micro_spend.text) == ["€40K", "£30K"]


def test_the_compare_tabs_split_curves_name_their_axis_as_the_plan_tabs_curve_does():
    """The Compare tab draws the same realistic curves as the Plan tab, each point at the macro
    share its plan was made with: the axis says so on both (it read "Share of budget on macro
    influencers" on Compare and "Macro share of budget, as planned" on the Plan tab)."""
    curve = pd.DataFrame({"macro_share": [0.0, 0.1], "expected_engagement": [1.0, 2.0]})
    figure = charts.compare_curves({"a": curve})
    assert figure.layout.xaxis.title.text == "Macro share of budget, as planned"


def test_a_strategy_that_books_nothing_is_named_not_drawn_at_zero():
    """All macro at $500 books nothing: its median and mean sat at 0 on the axis, half hidden
    beside its name. It is named under the title instead, as a strategy with no plan is."""
    summary = pd.DataFrame(
        {
            "strategy": ["All micro", "All macro", "Optimal mix"],
            "p10": [10_841.0, 0.0, 10_841.0],
            "p50": [17_005.0, 0.0, 17_005.0],
            "p90": [26_658.0, 0.0, 26_658.0],
            "mean": [18_105.0, 0.0, 18_105.0],
            "mean_spend": [487.18, 0.0, 487.18],
        }
    )
    figure = charts.outcome_ranges(summary, 18_105.0)
    for trace in figure.data:
        assert "All macro" not in list(trace.y)
    assert figure.layout.title.subtitle.text == "All macro: books nothing"


def test_the_compare_tabs_stars_name_the_best_band_as_the_plan_tabs_star_does():
    curve = pd.DataFrame(
        {
            "macro_share": [0.0, 0.1, 0.2],
            "band_low": [0.0, 0.05, 0.15],
            "band_high": [0.0, 0.15, 0.25],
            "expected_engagement": [1.0, 3.0, 2.0],
        }
    )
    star = charts.compare_curves({"a": curve}).data[1]
    assert "best mix 5%–15% of budget on macro" in star.hovertemplate
    curve["expected_engagement"] = [3.0, 1.0, 2.0]
    assert "best mix all micro" in charts.compare_curves({"a": curve}).data[1].hovertemplate
