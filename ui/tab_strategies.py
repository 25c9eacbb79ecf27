"""The Strategies and risk tab: all micro, all macro and the campaign's own mix after declines
and backups (the same simulation as the headline), whom to contact in what order, and how the
best macro share moves with the macro reply rate (on a button press: it is slow)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.forecast import all_micro_words, average_count, strategy_notes
from dashboard.headline import rounds_words
from dashboard.text import md
from planner.export import platform_name, to_csv_bytes
from planner.money import DEFAULT_CURRENCY, currency_label, table_money
from planner.outreach import sweep_sentence
from planner.risk import DRAWS
from ui import a11y, cache, state
from ui.current import Current, chart


def outreach_headings(currency: str = DEFAULT_CURRENCY) -> dict[str, str]:
    """The outreach list's headings, on the page and in its CSV file, each with its unit as the
    plan table's (money in the roster's `currency`: "Spend if booked (€)"; percentages "(%)")."""
    return {
        "contact_order": "Order",
        "role": "Role",
        "name": "Influencer",
        "tier": "Tier",
        "platform": "Platform",
        "posts": "Posts offered",
        "spend": f"Spend if booked ({currency_label(currency)})",
        "reply_rate": "Reply rate (%)",
        "expected_engagement_if_booked": "Engagements if booked",
        "chance_contacted": "Chance contacted (%)",
        "chance_booked": "Chance booked (%)",
    }


def outreach_frame(c: Current) -> pd.DataFrame:
    """The outreach list in words (`Forecast.contact_table`), percentages as shown."""
    assert c.forecast is not None
    table = c.forecast.contact_table(c.roster).copy()
    table["role"] = table["role"].map({"plan": "Plan", "backup": "Backup"})
    table["tier"] = table["tier"].map(lambda t: str(t).capitalize())
    table["platform"] = table["platform"].map(platform_name)
    for column in ("reply_rate", "chance_contacted", "chance_booked"):
        table[column] = (table[column] * 100).round(1)
    table["expected_engagement_if_booked"] = table["expected_engagement_if_booked"].round()
    return table.rename(columns=outreach_headings(c.roster.currency))


def show_strategies(c: Current) -> None:
    """The three strategies after declines and backups, the outreach list and the sweep."""
    a = c.assumptions
    with st.spinner(
        "Working out all micro and all macro (each planned, with its backups) and simulating "
        f"them with the optimal mix: {DRAWS:,} campaigns each…"
        + cache.queue_words(cache.COMPARISON),
        show_time=True,
    ):
        comparison = cache.head_to_head_outreach(
            c.roster, c.key, c.campaign, a, c.strategy, c.target
        )
    summary = comparison.rename(columns={"probability_of_target": "chance"})
    chart(charts.outcome_ranges(summary, c.target))
    st.markdown(
        "Each strategy is planned the same way (the plan basis in the sidebar) from its own "
        "influencers, with its own backups, and simulated the same way: offers declined at the "
        f"reply rates (micro {a.reply_micro:.0%}, macro {a.reply_macro:.0%}), "
        f"{rounds_words(a.rounds)}, each post landing around its "
        f"expectation (post spread {a.spread_micro:g} micro, {a.spread_macro:g} macro) and the "
        f"whole campaign moving together (campaign-wide spread {a.shared_spread:g}). *Optimal "
        "mix* is the campaign in the headline: the same simulated campaigns. Every assumption "
        "is under **Replies and risk** in the sidebar."
    )
    chance_heading = f"Chance of ≥ {c.target:,.0f}"
    money = table_money(c.roster.currency)  # the roster's currency, as the headline's
    shown = summary[
        ["strategy", "p10", "p50", "p90", "mean", "chance", "mean_spend", "mean_contacted"]
        + ["mean_booked", "if_all_accepted"]
    ].rename(
        columns={
            "strategy": "Strategy",
            "p10": "P10 (1 in 10 below)",
            "p50": "Median",
            "p90": "P90 (1 in 10 above)",
            "mean": "Mean",
            "chance": chance_heading,
            "mean_spend": "Expected spend",
            "mean_contacted": "Contacted (mean)",
            "mean_booked": "Booked (mean)",
            "if_all_accepted": "If every offer were accepted",
        }
    )
    # Booked as the headline and the tier chart say it: 0.4 all macro is not "0" beside spend.
    shown["Booked (mean)"] = shown["Booked (mean)"].map(average_count)
    counts = st.column_config.NumberColumn(format="%,.0f")
    a11y.named_table("Strategies compared").dataframe(
        shown,
        hide_index=True,
        width="stretch",
        column_config={
            "P10 (1 in 10 below)": counts,
            "Median": counts,
            "P90 (1 in 10 above)": counts,
            "Mean": counts,
            chance_heading: st.column_config.NumberColumn(format="percent"),
            "Expected spend": st.column_config.NumberColumn(format=money),
            "Contacted (mean)": counts,
            "If every offer were accepted": counts,
        },
    )
    for strategy, why in strategy_notes(comparison):
        st.caption(f"**{md(strategy)}**: {md(why)}")
    _sweep(c, comparison)

    st.subheader("Outreach list")
    st.caption(
        "Whom to contact, in order: the plan's offers first, then backups. In each round offers "
        "go out down the list while their expected acceptances fit in the budget still open; "
        "accepted offers are booked as they come back while the budget allows. *Chance "
        "contacted* and *Chance booked*: the share of the simulated campaigns in which the "
        "offer was sent and booked. Influencers never contacted in any campaign are left out."
    )
    outreach = outreach_frame(c)
    names = outreach_headings(c.roster.currency)
    percent = st.column_config.NumberColumn(format="%.1f%%")
    a11y.named_table("Outreach list").dataframe(
        outreach,
        hide_index=True,
        width="stretch",
        height=min(420, 38 + 35 * len(outreach)),
        column_config={
            names["spend"]: st.column_config.NumberColumn(format=money),
            names["expected_engagement_if_booked"]: st.column_config.NumberColumn(format="%,.0f"),
            names["reply_rate"]: percent,
            names["chance_contacted"]: percent,
            names["chance_booked"]: percent,
        },
    )
    st.download_button(
        "Outreach list as CSV",
        lambda: to_csv_bytes(outreach),
        file_name="influencer_outreach.csv",
        mime="text/csv",
        on_click="ignore",
        icon=":material/download:",
    )


def _sweep(c: Current, comparison: pd.DataFrame) -> None:
    """How the best macro share moves when macro reply rates go from 20% to 100% (the article's
    claim tested on this roster): slow, so worked out on a button press and kept (cached)."""
    st.subheader("Do macro influencers pay off if they reply?")
    app = state.app_state()
    scenario = (c.key, c.campaign, c.assumptions, c.strategy)
    if app.sweep_asked != scenario:
        st.caption(
            "The headline's plan worked out again for macro reply rates of 20% to 100% (each "
            "time the best of your band's plan and the split curve's bands inside it; "
            "influencers with their own reply rate keep it): where the best macro share lands. "
            "It takes a few seconds."
        )
        if st.button("Try macro reply rates 20%–100%", icon=":material/science:"):
            app.ask_sweep(scenario)
        else:
            return
    with st.spinner(
        "Working out the best plan at five macro reply rates…" + cache.queue_words(cache.COMPARISON)
    ):
        sweep = cache.reply_sweep(c.roster, c.key, c.campaign, c.assumptions, c.strategy)
    st.markdown(sweep_sentence(sweep))
    ok = sweep.dropna(subset=["best_share"])
    if len(ok):
        chart(charts.reply_sweep_chart(ok))
    words = all_micro_words(comparison)
    if words is not None:
        st.caption(words)
