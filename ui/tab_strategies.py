"""The Strategies and risk tab: all micro, all macro and the optimal mix side by side (expected,
then simulated), and whom to contact in what order."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard.digest import digest
from planner import head_to_head
from planner.export import kinds, outreach_table, to_csv_bytes
from planner.money import TABLE_MONEY
from planner.plan import STRATEGIES
from planner.risk import outreach_list
from ui import cache
from ui.current import Current, chart


def show_strategies(c: Current) -> None:
    """All micro, all macro and the optimal mix side by side (expected, then simulated), and
    whom to contact in what order."""
    a = c.assumptions
    plans = cache.strategies(c.roster, c.key, c.campaign, c.replies)
    chart(charts.head_to_head_chart(head_to_head(c.roster, c.campaign, plans=plans)))
    st.markdown(
        "Each simulated campaign decides who accepts the offer (reply rates) and how each post "
        "lands around its expectation (post spread), then moves the whole campaign up or down "
        "together (campaign-wide spread). Every assumption is under **Replies and risk** in "
        f"the sidebar: micro replies {a.reply_micro:.0%}, macro replies {a.reply_macro:.0%}, "
        f"post spread {a.spread_micro:g} (micro) and {a.spread_macro:g} (macro), "
        f"campaign-wide spread {a.shared_spread:g}."
    )
    rows = []
    for label in STRATEGIES:
        sub, strategy_plan = plans[label]
        if not strategy_plan.has_plan:
            rows.append({"strategy": label, "p10": None, "p50": None, "p90": None, "mean": None})
            continue
        result = cache.outcome(
            sub, digest(c.key, label), strategy_plan, (label, c.campaign, c.replies), a
        )
        summary = result.summary(c.target)
        rows.append(
            {
                "strategy": label,
                "p10": summary["p10"],
                "p50": summary["p50"],
                "p90": summary["p90"],
                "mean": summary["mean"],
                "chance": summary["probability_of_target"],
                "spend": summary["mean_spend"],
            }
        )
    summary_frame = pd.DataFrame(rows)
    chart(charts.outcome_ranges(summary_frame.astype({"p10": float}), c.target))
    chance_heading = f"Chance of ≥ {c.target:,.0f}"
    st.dataframe(
        summary_frame.rename(
            columns={
                "strategy": "Strategy",
                "p10": "P10 (1 in 10 below)",
                "p50": "Median",
                "p90": "P90 (1 in 10 above)",
                "mean": "Mean",
                "chance": chance_heading,
                "spend": "Spend on accepted offers (mean)",
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "P10 (1 in 10 below)": st.column_config.NumberColumn(format="%,.0f"),
            "Median": st.column_config.NumberColumn(format="%,.0f"),
            "P90 (1 in 10 above)": st.column_config.NumberColumn(format="%,.0f"),
            "Mean": st.column_config.NumberColumn(format="%,.0f"),
            chance_heading: st.column_config.NumberColumn(format="percent"),
            "Spend on accepted offers (mean)": st.column_config.NumberColumn(format=TABLE_MONEY),
        },
    )

    st.subheader("Outreach list")
    st.caption(
        "Offers can be declined, so contact the plan's influencers first (largest expected "
        "engagement first), then the backups in order until the accepted offers fill the "
        "budget. The list is long enough that, at the reply rates above, the expected spend of "
        "accepted offers reaches the budget."
    )
    outreach = outreach_table(outreach_list(c.roster, c.plan, a))
    formats = {"money": TABLE_MONEY, "percent": "%.2f%%", "count": "%,.0f"}
    st.dataframe(
        outreach,
        hide_index=True,
        width="stretch",
        height=min(420, 38 + 35 * len(outreach)),
        column_config={
            heading: st.column_config.NumberColumn(format=formats[kind])
            for heading, kind in kinds().items()
            if heading in outreach and kind in formats
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
