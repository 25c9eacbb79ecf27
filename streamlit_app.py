"""Influencer budget planner: split a campaign budget between micro and macro influencers.

The page is thin: widgets (each bound to the URL) describe a scenario, `planner` answers it and
`dashboard.charts` draws the answer. The headline figures come first so they update as soon as
the plan is solved; the charts that need many plans follow.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard import charts
from dashboard import scenario as sc
from dashboard.text import md, md_lines
from planner import (
    Campaign,
    Plan,
    RateCard,
    Roster,
    RosterError,
    SettingsError,
    Tiers,
    budget_frontier,
    check_roster,
    head_to_head,
    make_plan,
    read_table,
    split_curve,
)
from planner.export import HEADINGS, plan_table, to_csv_bytes, to_excel_bytes
from planner.roster import MAX_BYTES

SAMPLE = Path(__file__).parent / "data" / "sample_roster.csv"
SAMPLE_LABEL = "Sample roster (synthetic, 400 influencers)"
INCLUDE = "include"
CHART_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d"]}

st.set_page_config(
    page_title="Influencer budget planner", page_icon=":material/campaign:", layout="wide"
)


# ---------------------------------------------------------------- cached planner calls
@st.cache_data(show_spinner=False)
def sample_table() -> pd.DataFrame:
    return read_table(SAMPLE)


def checked(
    frame: pd.DataFrame, tiers: Tiers, rate_card: RateCard | None
) -> tuple[Roster | None, RosterError | None]:
    prices = None if rate_card is None else tuple(sorted(rate_card.per_thousand.items()))
    return _checked(frame, tiers, prices)


@st.cache_data(show_spinner=False, max_entries=64)
def _checked(
    frame: pd.DataFrame, tiers: Tiers, prices: tuple[tuple[str, float], ...] | None
) -> tuple[Roster | None, RosterError | None]:
    rate_card = None if prices is None else RateCard(dict(prices))
    try:
        return check_roster(frame, tiers=tiers, rate_card=rate_card), None
    except RosterError as error:
        return None, error


@st.cache_data(show_spinner=False, max_entries=2_000)
def cached_plan(_roster: Roster, roster_key: str, campaign: Campaign) -> Plan:
    return make_plan(_roster, campaign)


def plans_of(roster_key: str):  # type: ignore[no-untyped-def]
    """make_plan through the cache, for the analyses that solve many campaigns."""
    return lambda roster, campaign: cached_plan(roster, roster_key, campaign)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_curve(_roster: Roster, roster_key: str, campaign: Campaign) -> pd.DataFrame:
    # The curve sets its own band at each point: the campaign's band does not matter.
    return split_curve(_roster, campaign)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_frontier(_roster: Roster, roster_key: str, campaign: Campaign) -> pd.DataFrame:
    return budget_frontier(_roster, campaign, plan_for=plans_of(roster_key))


@st.cache_data(show_spinner=False, max_entries=64)
def cached_head_to_head(_roster: Roster, roster_key: str, campaign: Campaign) -> pd.DataFrame:
    return head_to_head(_roster, campaign)


def roster_key(roster: Roster) -> str:
    digest = hashlib.sha256(pd.util.hash_pandas_object(roster.table, index=False).values)
    digest.update(repr((roster.tiers, roster.prices_estimated)).encode())
    return digest.hexdigest()


# ---------------------------------------------------------------- state
state = st.session_state
if "link_problems" not in state:  # first run of this session: check the link it opened
    state.link_problems = sc.check_link(
        {key: st.query_params.get_all(key) for key in st.query_params}
    )
    state.roster_frame = sample_table().assign(**{INCLUDE: True})
    state.roster_label = SAMPLE_LABEL
    state.editor_version = 0
    state.upload_id = None
    state.upload_error = None
    state.last_good = None


def use_frame(frame: pd.DataFrame, label: str) -> None:
    state.roster_frame = frame.assign(**{INCLUDE: True})
    state.roster_label = label
    state.editor_version += 1


def clamp_to_slider(budget: float) -> float:
    return min(max(float(budget), 1_000.0), sc.BUDGET_SLIDER_MAX)


# The budget has two widgets, a typed amount (bound to the URL) and a slider. Whichever changed
# since the last run wins, written into the other before either is drawn. The slider is checked
# first: during quick key presses the typed amount's value in the browser can lag a run behind.
if "budget" in state and "budget_slider" in state and "budget_seen" in state:
    seen_budget, seen_slider = state.budget_seen
    if state.budget_slider != seen_slider:
        state.budget = float(state.budget_slider)
    elif state.budget != seen_budget and state.budget is not None:
        state.budget_slider = clamp_to_slider(state.budget)


# ---------------------------------------------------------------- controls (sidebar)
with st.sidebar:
    st.header("Campaign")
    st.number_input(
        sc.BUDGET.label,
        min_value=sc.BUDGET.low,
        max_value=sc.BUDGET.high,
        value=sc.BUDGET.default,
        step=sc.BUDGET.step,
        format="%.2f",
        key=sc.BUDGET.key,
        bind="query-params",
        help=sc.BUDGET.help,
    )
    st.slider(
        "Budget",
        min_value=1_000.0,
        max_value=sc.BUDGET_SLIDER_MAX,
        value=clamp_to_slider(state.budget),
        step=1_000.0,
        format="$%,.0f",
        key="budget_slider",
        label_visibility="collapsed",
        help="Drag to try other budgets; type an exact amount above.",
    )
    state.budget_seen = (state.budget, state.budget_slider)
    if state.budget > sc.BUDGET_SLIDER_MAX:
        st.caption(f"The slider stops at ${sc.BUDGET_SLIDER_MAX:,.0f}; the typed amount is used.")
    st.slider(
        sc.MACRO_SHARE.label,
        min_value=int(sc.MACRO_SHARE.low),
        max_value=int(sc.MACRO_SHARE.high),
        value=sc.MACRO_SHARE.default,
        step=int(sc.MACRO_SHARE.step),
        format="%d%%",
        key=sc.MACRO_SHARE.key,
        bind="query-params",
        help=sc.MACRO_SHARE.help,
    )
    st.slider(
        sc.MAX_POSTS.label,
        min_value=int(sc.MAX_POSTS.low),
        max_value=int(sc.MAX_POSTS.high),
        value=sc.MAX_POSTS.default,
        key=sc.MAX_POSTS.key,
        bind="query-params",
        help=sc.MAX_POSTS.help,
    )
    st.slider(
        sc.DECAY.label,
        min_value=sc.DECAY.low,
        max_value=sc.DECAY.high,
        value=sc.DECAY.default,
        step=sc.DECAY.step,
        format="%.2f",
        key=sc.DECAY.key,
        bind="query-params",
        help=sc.DECAY.help,
    )
    caps = st.columns(2)
    for column, setting in zip(caps, (sc.MAX_MACRO, sc.MAX_INFLUENCERS), strict=True):
        column.number_input(
            setting.label,
            min_value=int(setting.low),
            max_value=int(setting.high),
            value=None,
            step=1,
            placeholder="No cap",
            key=setting.key,
            bind="query-params",
            help=setting.help,
        )
    with st.expander("Assumptions"):
        st.caption("Who counts as micro or macro (the article's definition by default).")
        for setting in (sc.MICRO_THRESHOLD, sc.MACRO_THRESHOLD):
            st.number_input(
                setting.label,
                min_value=int(setting.low),
                max_value=int(setting.high),
                value=setting.default,
                step=int(setting.step),
                key=setting.key,
                bind="query-params",
                help=setting.help,
            )
        st.caption(
            "Rate card: typical price of one post per 1,000 followers (published figures, "
            "see the README). Used only to estimate prices a roster does not have."
        )
        st.toggle(
            sc.ESTIMATE_PRICES.label,
            value=False,
            key=sc.ESTIMATE_PRICES.key,
            bind="query-params",
            help=sc.ESTIMATE_PRICES.help,
        )
        for setting in sc.RATE_CARD:
            st.number_input(
                setting.label,
                min_value=setting.low,
                max_value=setting.high,
                value=setting.default,
                step=setting.step,
                format="%.2f",
                key=setting.key,
                bind="query-params",
                help=setting.help,
            )

values = {s.key: state[s.key] for s in sc.ALL}

# ---------------------------------------------------------------- page head
st.title("Influencer budget planner")
st.markdown(
    "Many **micro** influencers (1,000–999,999 followers) or a few **macro** influencers "
    "(1M+)? Set the budget and limits on the left; the planner books the number of posts per "
    "influencer that earns the most expected engagements, and shows why."
)
for problem in state.link_problems:
    st.warning(
        f"This link had a setting that could not be used. {md(problem)}", icon=":material/link:"
    )
head = st.container()
answer = st.container()
body = st.container()  # the roster: upload, edit, what was left out

try:
    tiers = sc.tiers_from(values)
    rate_card = sc.rate_card_from(values) if values[sc.ESTIMATE_PRICES.key] else None
    campaign = sc.campaign_from(values)
except SettingsError as error:
    with head:
        st.error(
            "Some settings cannot be used:\n\n" + "\n".join(f"- {md(p)}" for p in error.problems)
        )
    st.stop()

# ---------------------------------------------------------------- roster
with body:
    st.subheader("Roster")
    upload_col, info_col = st.columns([3, 2])
    upload = upload_col.file_uploader(
        "Upload your roster (CSV or Excel)",
        type=["csv", "txt", "xlsx"],
        help="One row per influencer with name, followers, engagement_rate and cost_per_post "
        "(platform, niche, max_posts, audience_quality optional). Formats like 12.5K, 3.5% "
        f"and $1,200 are fine. Up to {MAX_BYTES // 1_000_000} MB.",
    )
    if upload is not None and upload.file_id != state.upload_id:
        state.upload_id = upload.file_id
        try:
            frame = read_table(upload.getvalue(), filename=upload.name)
            _, problem = checked(frame, tiers, rate_card)
            if problem is not None and not problem.missing_prices:
                raise problem
            use_frame(frame, upload.name)
            state.upload_error = None
        except RosterError as error:  # the roster in use stays
            state.upload_error = (upload.name, error)
    if state.upload_error is not None:
        name, error = state.upload_error
        st.error(
            f"**{md(name)}** could not be used, so the plan still uses "
            f"**{md(state.roster_label)}**.\n\n{md_lines(error.summary())}"
        )
    with info_col:
        st.markdown(f"**In use:** {md(state.roster_label)}")
        if state.roster_label != SAMPLE_LABEL and st.button("Back to the sample roster"):
            use_frame(sample_table(), SAMPLE_LABEL)
            state.upload_error = None
            st.rerun()

    with st.expander("Review and edit the roster", expanded=False):
        st.caption(
            "Change any cell, add rows at the bottom, delete rows, or untick **include** to "
            "leave an influencer out of the plan. Edits stay until you load another roster."
        )
        edited = st.data_editor(
            state.roster_frame,
            key=f"roster_editor_{state.editor_version}",
            num_rows="dynamic",
            hide_index=True,
            width="stretch",
            column_config={
                INCLUDE: st.column_config.CheckboxColumn(
                    "include", help="Untick to leave this influencer out of the plan."
                )
            },
        )
    included = edited.loc[edited[INCLUDE].fillna(False).astype(bool)].drop(columns=INCLUDE)

roster, roster_error = checked(included.reset_index(drop=True), tiers, rate_card)
if roster_error is not None:
    with body:
        if roster_error.missing_prices:
            st.info(
                "This roster has no prices. Turn on **Estimate missing prices from the rate "
                "card** under *Assumptions* in the sidebar to plan with estimated prices; "
                "they are marked as estimates everywhere."
            )
        st.error(
            md_lines(roster_error.summary())
            + (
                "\n\nThe plan below uses the last roster that had no problems."
                if state.last_good is not None
                else ""
            )
        )
    roster = state.last_good
    if roster is None:
        st.stop()
else:
    state.last_good = roster
assert roster is not None
key = roster_key(roster)
if len(roster.excluded):
    with body:
        with st.expander(f"{len(roster.excluded)} left out of the plan, and why"):
            st.dataframe(roster.excluded, hide_index=True, width="stretch")


# ---------------------------------------------------------------- headline
def share_link() -> str:
    base = st.context.url or ""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    return base + ("?" + urlencode(params, doseq=True) if params else "")


plan = cached_plan(roster, key, campaign)
with head:
    if not plan.has_plan:
        st.error(f"**No plan fits these settings.** {md(plan.message)}", icon=":material/block:")
    else:
        row = st.columns(5)
        row[0].metric(
            "Expected engagements",
            f"{plan.expected_engagement:,.0f}",
            help="Likes, comments and shares the plan's posts should earn on average.",
        )
        row[1].metric(
            "Spend",
            f"${plan.spend:,.0f}",
            f"${plan.budget_left:,.0f} left",
            delta_color="off",
            delta_arrow="off",
            help=f"Of the ${campaign.budget:,.2f} budget.",
        )
        row[2].metric(
            "Cost per engagement",
            f"${plan.cost_per_engagement:,.3f}",
            help="Spend divided by expected engagements.",
        )
        row[3].metric(
            "Micro / macro influencers",
            f"{plan.by_tier['micro'].influencers} / {plan.by_tier['macro'].influencers}",
            f"{plan.macro_share:.0%} of spend on macro",
            delta_color="off",
            delta_arrow="off",
        )
        row[4].metric(
            "Plan status",
            "Optimal" if plan.status == "optimal" else "Best found",
            f"gap {plan.optimality_gap:.1e}",
            delta_color="off",
            delta_arrow="off",
            help="Certified: no plan under these settings can earn more than "
            f"{plan.upper_bound:,.0f} engagements, so this plan is within "
            f"{plan.optimality_gap:.1e} of the best possible.",
        )
        if plan.prices_estimated:
            st.caption(
                ":material/warning: Some prices are estimates from the rate card "
                "(marked in the table)."
            )
    with st.popover("Share this scenario", icon=":material/share:"):
        st.markdown("Copy this link; it opens the same settings:")
        st.code(share_link(), language=None, wrap_lines=True)
        if state.roster_label == SAMPLE_LABEL:
            st.caption("The link carries every setting and uses the sample roster.")
        else:
            st.caption(
                ":material/warning: A link carries the settings only. Whoever opens it "
                f"sees the **sample** roster, not **{md(state.roster_label)}** or your edits to it."
            )

if not plan.has_plan:
    st.stop()

# ---------------------------------------------------------------- the answer
with answer:
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.tier_split(plan), config=CHART_CONFIG, theme=None)
    curve = cached_curve(
        roster, key, dataclasses.replace(campaign, macro_share_min=0.0, macro_share_max=1.0)
    )
    band = (campaign.macro_share_min, campaign.macro_share_max)
    with right:
        st.plotly_chart(
            charts.split_curve_chart(curve, band, plan), config=CHART_CONFIG, theme=None
        )

    st.subheader("The plan")
    table = plan_table(plan)
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=min(420, 38 + 35 * len(table)),
        column_config={
            HEADINGS["followers"]: st.column_config.NumberColumn(format="localized"),
            HEADINGS["engagement_rate"]: st.column_config.NumberColumn(format="percent"),
            HEADINGS["cost_per_post"]: st.column_config.NumberColumn(format="dollar"),
            HEADINGS["spend"]: st.column_config.NumberColumn(format="dollar"),
            HEADINGS["expected_engagement"]: st.column_config.NumberColumn(format="%,.0f"),
            HEADINGS["cost_per_engagement"]: st.column_config.NumberColumn(format="$%.4f"),
        },
    )
    downloads = st.columns(2)
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
        lambda: to_excel_bytes(table),
        file_name="influencer_plan.xlsx",
        on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        width="stretch",
    )

    left, right = st.columns(2)
    with left:
        comparison = cached_head_to_head(roster, key, campaign)
        st.plotly_chart(charts.head_to_head_chart(comparison), config=CHART_CONFIG, theme=None)
    with right:
        frontier = cached_frontier(roster, key, campaign)
        st.plotly_chart(
            charts.frontier_chart(frontier, campaign.budget), config=CHART_CONFIG, theme=None
        )
    st.plotly_chart(
        charts.roster_scatter(roster.table, plan.allocations), config=CHART_CONFIG, theme=None
    )
    st.caption(
        f"Solved in {plan.solve_seconds * 1000:.0f} ms. The sample roster is synthetic, built "
        "from published benchmarks (see the README). Expected engagement = followers × "
        "engagement rate × audience quality, each repeat post earning the decay factor times "
        "the one before."
    )
