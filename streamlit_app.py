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
from planner.plan import STRATEGIES, split_points, strategy_plans
from planner.risk import (
    Assumptions,
    Outcome,
    outreach_list,
    reply_weighted_engagement,
    simulate,
    split_bands,
)
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


Replies = tuple[float, float] | None  # (micro, macro) reply rates when planning for them


def weights(roster: Roster, replies: Replies):  # type: ignore[no-untyped-def]
    """First-post engagement weighted by reply rates when planning for declined offers."""
    if replies is None:
        return None
    rates = Assumptions(reply_micro=replies[0], reply_macro=replies[1])
    return reply_weighted_engagement(roster.table, rates)


@st.cache_data(show_spinner=False, max_entries=2_000)
def cached_plan(_roster: Roster, roster_key: str, campaign: Campaign, replies: Replies) -> Plan:
    return make_plan(_roster, campaign, first_value=weights(_roster, replies))


def plans_of(roster_key: str, replies: Replies):  # type: ignore[no-untyped-def]
    """make_plan through the cache, for the analyses that solve many campaigns."""
    return lambda roster, campaign: cached_plan(roster, roster_key, campaign, replies)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_curve(
    _roster: Roster,
    roster_key: str,
    campaign: Campaign,
    replies: Replies,
    assumptions: Assumptions,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The split curve and each point's simulated P10-P90 range. The curve sets its own band at
    each point: the campaign's band does not matter."""
    points = split_points(_roster, campaign, first_value=weights(_roster, replies))
    ranges = split_bands(_roster.table, points, campaign.decay, assumptions, draws=1_000)
    return split_curve(_roster, campaign, points=points), ranges


@st.cache_data(show_spinner=False, max_entries=64)
def cached_frontier(
    _roster: Roster, roster_key: str, campaign: Campaign, replies: Replies
) -> pd.DataFrame:
    return budget_frontier(_roster, campaign, plan_for=plans_of(roster_key, replies))


@st.cache_data(show_spinner=False, max_entries=64)
def cached_strategies(
    _roster: Roster, roster_key: str, campaign: Campaign, replies: Replies
) -> dict[str, tuple[Roster, Plan]]:
    return strategy_plans(_roster, campaign, first_value=weights(_roster, replies))


@st.cache_data(show_spinner=False, max_entries=256)
def cached_outcome(
    _roster: Roster, roster_key: str, _plan: Plan, plan_key: tuple, assumptions: Assumptions
) -> Outcome:
    return simulate(_roster, _plan, assumptions)


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
    with st.expander("Replies and risk", icon=":material/casino:"):
        st.caption(
            "Offers can be declined and posts land above or below their expectation. These "
            "assumptions drive the Risk view; the reply rates also drive planning for declined "
            "offers. Defaults: see the README."
        )
        st.toggle(
            sc.PLAN_FOR_REPLIES.label,
            value=False,
            key=sc.PLAN_FOR_REPLIES.key,
            bind="query-params",
            help=sc.PLAN_FOR_REPLIES.help,
        )
        st.number_input(
            sc.TARGET.label,
            min_value=int(sc.TARGET.low),
            max_value=int(sc.TARGET.high),
            value=None,
            step=int(sc.TARGET.step),
            placeholder="Expected, with replies",
            key=sc.TARGET.key,
            bind="query-params",
            help=sc.TARGET.help,
        )
        for setting in sc.RISK:
            whole = setting.whole
            st.slider(
                setting.label,
                min_value=int(setting.low) if whole else setting.low,
                max_value=int(setting.high) if whole else setting.high,
                value=setting.default,
                step=int(setting.step) if whole else setting.step,
                format="%d%%" if whole else "%.2f",
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
    assumptions = sc.assumptions_from(values)
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


replies: Replies = (
    (assumptions.reply_micro, assumptions.reply_macro) if values[sc.PLAN_FOR_REPLIES.key] else None
)
plan = cached_plan(roster, key, campaign, replies)
with head:
    if not plan.has_plan:
        st.error(f"**No plan fits these settings.** {md(plan.message)}", icon=":material/block:")
    else:
        row = st.columns(6)
        row[0].metric(
            "Expected engagements",
            f"{plan.expected_engagement:,.0f}",
            "weighted by reply rates" if replies else "if every offer is accepted",
            delta_color="off",
            delta_arrow="off",
            help="Likes, comments and shares the plan's posts should earn on average"
            + (
                ", each influencer's weighted by the chance they accept."
                if replies
                else ", if every influencer accepts the offer."
            ),
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
        # Simulated after the other figures are on their way to the browser. Without a target
        # of their own: the chance of reaching what the plan should earn once declined offers
        # are counted (the simulation's exact expectation).
        outcome = cached_outcome(roster, key, plan, ("plan", campaign, replies), assumptions)
        target = values[sc.TARGET.key] or round(outcome.expected)
        row[5].metric(
            "Chance of reaching the target",
            f"{outcome.probability(target):.0%}",
            f"≥ {target:,.0f} engagements",
            delta_color="off",
            delta_arrow="off",
            help=f"Share of {outcome.draws:,} simulated campaigns (offers declined at the reply "
            "rates, posts landing above or below expectation) that reach the target. Set the "
            "target and the assumptions under *Replies and risk* in the sidebar.",
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
def show_plan() -> None:
    left, right = st.columns(2)
    with left:
        st.plotly_chart(charts.tier_split(plan), config=CHART_CONFIG, theme=None)
    curve, ranges = cached_curve(
        roster,
        key,
        dataclasses.replace(campaign, macro_share_min=0.0, macro_share_max=1.0),
        replies,
        assumptions,
    )
    band = (campaign.macro_share_min, campaign.macro_share_max)
    with right:
        st.plotly_chart(
            charts.split_curve_chart(curve, band, plan, ranges), config=CHART_CONFIG, theme=None
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
        strategies = cached_strategies(roster, key, campaign, replies)
        comparison = head_to_head(roster, campaign, plans=strategies)
        st.plotly_chart(charts.head_to_head_chart(comparison), config=CHART_CONFIG, theme=None)
    with right:
        frontier = cached_frontier(roster, key, campaign, replies)
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


def show_risk() -> None:
    st.markdown(
        "Each simulated campaign decides who accepts the offer (reply rates) and how each post "
        "lands around its expectation (post spread), then moves the whole campaign up or down "
        "together (campaign-wide spread). Every assumption is under **Replies and risk** in "
        f"the sidebar: micro replies {assumptions.reply_micro:.0%}, macro replies "
        f"{assumptions.reply_macro:.0%}, post spread {assumptions.spread_micro:g} (micro) and "
        f"{assumptions.spread_macro:g} (macro), campaign-wide spread "
        f"{assumptions.shared_spread:g}."
    )
    strategies = cached_strategies(roster, key, campaign, replies)
    rows = []
    for label in STRATEGIES:
        sub, strategy_plan = strategies[label]
        if not strategy_plan.has_plan:
            rows.append({"strategy": label, "p10": None, "p50": None, "p90": None, "mean": None})
            continue
        result = cached_outcome(
            sub, roster_key(sub), strategy_plan, (label, campaign, replies), assumptions
        )
        summary = result.summary(target)
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
    st.plotly_chart(
        charts.outcome_ranges(summary_frame.astype({"p10": float}), float(target)),
        config=CHART_CONFIG,
        theme=None,
    )
    st.dataframe(
        summary_frame.rename(
            columns={
                "strategy": "Strategy",
                "p10": "P10 (1 in 10 below)",
                "p50": "Median",
                "p90": "P90 (1 in 10 above)",
                "mean": "Mean",
                "chance": f"Chance of ≥ {target:,.0f}",
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
            f"Chance of ≥ {target:,.0f}": st.column_config.NumberColumn(format="percent"),
            "Spend on accepted offers (mean)": st.column_config.NumberColumn(format="dollar"),
        },
    )

    st.subheader("Outreach list")
    st.caption(
        "Offers can be declined, so contact the plan's influencers first (largest expected "
        "engagement first), then the backups in order until the accepted offers fill the "
        "budget. The list is long enough that, at the reply rates above, the expected spend of "
        "accepted offers reaches the budget."
    )
    outreach = outreach_list(roster, plan, assumptions)
    st.dataframe(
        outreach,
        hide_index=True,
        width="stretch",
        height=min(420, 38 + 35 * len(outreach)),
        column_config={
            "spend": st.column_config.NumberColumn(format="dollar"),
            "reply_rate": st.column_config.NumberColumn(format="percent"),
            "expected_engagement_if_accepted": st.column_config.NumberColumn(format="%,.0f"),
            "expected_spend": st.column_config.NumberColumn(format="dollar"),
            "cumulative_expected_spend": st.column_config.NumberColumn(format="dollar"),
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


with answer:
    plan_tab, risk_tab = st.tabs(
        ["Plan", "Risk and outreach"], key="tab", on_change="rerun", bind="query-params"
    )
if plan_tab.open:
    with plan_tab:
        show_plan()
if risk_tab.open:
    with risk_tab:
        show_risk()
