"""The Compare tab: saved scenarios side by side (their figures, tier split and split curves)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, controls
from dashboard.forecast import (
    average_count,
    booked_by_tier,
    curve_with_campaign,
    expected_bookings,
)
from dashboard.text import md
from planner import SettingsError
from planner.money import DEFAULT_CURRENCY, table_money
from ui import a11y, cache, scenarios, state
from ui.current import chart
from ui.roster import included

COMPARE_HEADINGS = {
    "scenario": "Scenario",
    "status": "Status",
    "currency": "Currency",
    "budget": "Budget",
    "expected_engagement": "Expected engagements",
    "p10": "P10",
    "p90": "P90",
    "spend": "Expected spend",
    "cost_per_engagement": "Cost per engagement",
    "micro_influencers": "Micro influencers booked (mean)",
    "macro_influencers": "Macro influencers booked (mean)",
    "macro_share_of_spend": "Macro share of spend",
    "if_all_accepted": "If every offer were accepted",
}


def _compared(scenario_id: str, name: str) -> tuple[dict[str, object], pd.DataFrame | None]:
    """One saved scenario's row of the comparison, and its split curve."""
    try:
        item = scenarios.load(scenario_id)
    except scenarios.Unavailable:  # the database is down (not cached yet): the others still show
        return {"scenario": name, "status": "unavailable right now: try again"}, None
    label = f"{item.name} ({item.created_at:%d %b %H:%M})"
    settings = scenarios.settings_of(item)
    try:
        tiers, rate_card, campaign, assumptions = controls.planner_settings_from(settings)
    except SettingsError:
        return {"scenario": label, "status": "settings cannot be used"}, None
    roster, _ = cache.checked(
        included(item.roster), tiers, rate_card, cache.SHARED, scenarios.reading_of(item)
    )
    if roster is None:
        return {"scenario": label, "status": "roster has problems"}, None
    key = cache.roster_key(roster, cache.SHARED)
    strategy = controls.strategy_of(settings)
    # The same figures as the headline: the campaign after declines and backups.
    forecast = cache.outreach_forecast(roster, key, campaign, assumptions, strategy)
    curve, _ranges = curve_with_campaign(
        *cache.forecast_curve(forecast, roster, key, campaign, strategy, assumptions)(), forecast
    )
    if not forecast.plan.has_plan:
        return {"scenario": label, "status": forecast.plan.status}, curve
    booked = expected_bookings(forecast)
    influencers = booked_by_tier(forecast)
    summary = forecast.summary()
    plain = forecast.if_all_accepted
    return {
        "scenario": label,
        "status": forecast.plan.status,
        "currency": roster.currency,
        "budget": campaign.budget,
        "expected_engagement": booked.expected_engagement,
        "p10": summary["p10"],
        "p90": summary["p90"],
        "spend": booked.spend,
        "cost_per_engagement": booked.cost_per_engagement,
        # As the tier chart says them ("0.9 booked on average", "<0.1"): 0.4 is not none.
        "micro_influencers": average_count(influencers["micro"]),
        "macro_influencers": average_count(influencers["macro"]),
        "macro_share_of_spend": booked.macro_share_of_spend if booked.spend > 0 else None,
        "if_all_accepted": plain.expected_engagement if plain.has_plan else None,
        "micro_spend": booked.by_tier["micro"].spend,
        "macro_spend": booked.by_tier["macro"].spend,
        "micro_engagement": booked.by_tier["micro"].expected_engagement,
        "macro_engagement": booked.by_tier["macro"].expected_engagement,
    }, curve


def show_compare() -> None:
    from dashboard.store import scenario_id_from

    app = state.app_state()
    known = app.known_scenarios
    st.markdown(
        "Pick two to four saved scenarios to see them side by side. Listed are the scenarios "
        "saved or opened in this browser session; paste the link of any other saved scenario "
        "to add it."
    )
    link = st.text_input(
        "Add a saved scenario by its link",
        key=state.COMPARE_LINK,
        placeholder="https://…/?scenario=…",
    )
    if link:
        scenario_id = scenario_id_from(link)
        if scenario_id is None:
            st.warning(
                "That is not a saved scenario's link: it has no `scenario=` id the planner makes."
            )
        elif scenario_id not in known:
            try:
                app.known(scenario_id, scenarios.load(scenario_id).name)
            except scenarios.Unavailable as error:
                st.warning(md(str(error)))
    if len(known) < 2:
        st.info(
            "Save this scenario (**Save and share** above) and at least one other, or paste "
            "their links here, to compare them.",
            icon=":material/compare_arrows:",
        )
        return
    picked = st.multiselect(
        "Scenarios to compare",
        list(known),
        default=list(known)[-4:],
        format_func=lambda i: known.get(i, i),
        max_selections=4,
        key=state.COMPARE_PICK,
    )
    if len(picked) < 2:
        st.info("Pick at least two scenarios.")
        return
    rows, curves = [], {}
    for scenario_id in picked:
        row, curve = _compared(scenario_id, known.get(scenario_id, scenario_id))
        # Two scenarios saved with one name in the same minute: numbered, so that the charts
        # keep them apart.
        seen = sum(1 for r in rows if str(r["scenario"]).split(" · #")[0] == row["scenario"])
        if seen:
            row["scenario"] = f"{row['scenario']} · #{seen + 1}"
        rows.append(row)
        if curve is not None:
            curves[str(row["scenario"])] = curve
    summary = pd.DataFrame(rows)
    # Money in the scenarios' currency; scenarios in different currencies show theirs in a
    # column of its own, their amounts as plain numbers (no exchange rates).
    currencies = set(summary["currency"].dropna()) if "currency" in summary else set()
    shown = [c for c in summary.columns if c in COMPARE_HEADINGS]
    if len(currencies) <= 1:
        currency = currencies.pop() if currencies else DEFAULT_CURRENCY
        shown = [c for c in shown if c != "currency"]
        amount, precise = table_money(currency), table_money(currency, digits=4)
    else:
        amount, precise = "%,.2f", "%.4f"
    a11y.named_table("Saved scenarios compared").dataframe(
        summary[shown].rename(columns=COMPARE_HEADINGS),
        hide_index=True,
        width="stretch",
        column_config={
            "Budget": st.column_config.NumberColumn(format=amount),
            "Expected engagements": st.column_config.NumberColumn(format="%,.0f"),
            "P10": st.column_config.NumberColumn(format="%,.0f"),
            "P90": st.column_config.NumberColumn(format="%,.0f"),
            "If every offer were accepted": st.column_config.NumberColumn(format="%,.0f"),
            "Expected spend": st.column_config.NumberColumn(format=amount),
            "Cost per engagement": st.column_config.NumberColumn(format=precise),
            "Macro share of spend": st.column_config.NumberColumn(format="percent"),
        },
    )
    if "micro_spend" in summary:
        planned = summary.dropna(subset=["micro_spend"])
        if len(planned):
            chart(charts.compare_split(planned))
    if curves:
        chart(charts.compare_curves(curves))
