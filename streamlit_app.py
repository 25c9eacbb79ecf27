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
import plotly.graph_objects as go
import sqlalchemy as sa
import streamlit as st

from dashboard import charts
from dashboard import scenario as sc
from dashboard.report import client_report
from dashboard.store import (
    Scenario,
    ScenarioError,
    ScenarioStore,
    database_url,
    scenario_id_from,
)
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

# `?view=client` shows a clean presentation of the scenario for the marketer's client.
CLIENT = st.query_params.get("view") == "client"
st.set_page_config(
    page_title="Influencer budget planner",
    page_icon=":material/campaign:",
    layout="wide",
    initial_sidebar_state="collapsed" if CLIENT else "auto",
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


# ---------------------------------------------------------------- saved scenarios
@st.cache_resource(show_spinner=False)
def open_store(url: str) -> ScenarioStore:
    return ScenarioStore(url)


def scenario_store() -> ScenarioStore | None:
    """The scenario store, or None when it cannot be opened (the reason in state.store_error)."""
    try:
        secret = st.secrets.get("database_url")
    except Exception:  # noqa: BLE001 - no secrets file at all: use the environment or SQLite
        secret = None
    try:
        return open_store(database_url(secret))
    except (sa.exc.SQLAlchemyError, OSError, ImportError) as error:
        state.store_error = str(error).splitlines()[0]
        return None


@st.cache_data(show_spinner=False, max_entries=64)
def load_scenario(scenario_id: str) -> Scenario:
    """A saved scenario by id (scenarios never change, so the id is a safe cache key)."""
    store = scenario_store()
    if store is None:
        raise ScenarioError(
            "Saved scenarios are unavailable on this installation: "
            f"{state.get('store_error', 'the database cannot be opened')}."
        )
    return store.load(scenario_id)


def saved_settings(saved: Scenario) -> dict[str, object]:
    return sc.values_from_saved(saved.settings)[0]


def open_scenario(scenario_id: str) -> None:
    """Put a saved scenario's roster and settings in place (before any widget is drawn). A
    setting that the link itself also carries keeps the link's value."""
    try:
        saved = load_scenario(scenario_id)
    except ScenarioError as error:
        state.scenario_error = f"{error} The app shows the default scenario instead."
        return
    values, problems = sc.values_from_saved(saved.settings)
    for key, value in values.items():
        if key not in st.query_params:
            state[key] = value
    state.link_problems += problems
    frame = saved.roster.copy()
    if INCLUDE not in frame:
        frame[INCLUDE] = True
    frame[INCLUDE] = frame[INCLUDE].map(lambda v: v is not False and v != "false").astype(bool)
    state.roster_frame = frame
    state.roster_label = saved.roster_label
    state.editor_version += 1
    state.scenario = saved
    state.known_scenarios[saved.id] = saved.name


def back_to_saved() -> None:
    """Explore switch off: every setting back to the saved scenario's."""
    if state.scenario is not None:
        for key, value in saved_settings(state.scenario).items():
            state[key] = value
        state.budget_slider = clamp_to_slider(state.budget)
    state.explore = False


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
    state.scenario = None
    state.scenario_error = None
    state.known_scenarios = {}  # id -> name: saved or opened in this session
    state.last_saved = None
    if st.query_params.get("scenario"):
        open_scenario(st.query_params["scenario"])
# Settings are locked in the client view until the client turns on "Explore".
locked = CLIENT and not state.get("explore", False)


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
        disabled=locked,
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
        disabled=locked,
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
        disabled=locked,
        help=sc.MACRO_SHARE.help,
    )
    st.slider(
        sc.MAX_POSTS.label,
        min_value=int(sc.MAX_POSTS.low),
        max_value=int(sc.MAX_POSTS.high),
        value=sc.MAX_POSTS.default,
        key=sc.MAX_POSTS.key,
        bind="query-params",
        disabled=locked,
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
        disabled=locked,
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
            disabled=locked,
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
            disabled=locked,
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
            disabled=locked,
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
                disabled=locked,
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
                disabled=locked,
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
            disabled=locked,
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
                disabled=locked,
                help=setting.help,
            )

values = {s.key: state[s.key] for s in sc.ALL}

# ---------------------------------------------------------------- page head
saved: Scenario | None = state.scenario
if CLIENT:
    st.title(saved.name if saved is not None else "Influencer budget plan")
    st.caption(
        (f"Saved {saved.created_at:%d %b %Y, %H:%M} UTC. " if saved is not None else "")
        + "How the budget splits between many micro influencers (1,000–999,999 followers) and "
        "a few macro influencers (1M+), and what it is expected to earn."
    )
    explore_col, back_col = st.columns([3, 2])
    explore_col.toggle(
        "Explore: try other settings",
        key="explore",
        help="Unlocks the settings in the sidebar. What you change here is yours only: the "
        "saved scenario stays exactly as it was sent.",
    )
    if state.get("explore"):
        st.info(
            "**Exploring.** Open the sidebar to change the settings; the figures below follow "
            "your changes. The saved scenario is not changed.",
            icon=":material/explore:",
        )
        if saved is not None:
            back_col.button(
                "Back to the saved scenario", on_click=back_to_saved, icon=":material/undo:"
            )
else:
    st.title("Influencer budget planner")
    st.markdown(
        "Many **micro** influencers (1,000–999,999 followers) or a few **macro** influencers "
        "(1M+)? Set the budget and limits on the left; the planner books the number of posts "
        "per influencer that earns the most expected engagements, and shows why."
    )
if state.scenario_error:
    st.warning(md(state.scenario_error), icon=":material/link_off:")
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
def roster_section() -> pd.DataFrame:
    """Upload, review and edit the roster; returns the roster table as edited."""
    with body:
        return _roster_section()


def _roster_section() -> pd.DataFrame:
    st.subheader("Roster")
    upload_col, info_col = st.columns([3, 2])
    upload = upload_col.file_uploader(
        "Upload your roster (CSV or Excel)",
        type=["csv", "txt", "xlsx"],
        help="One row per influencer with name, followers, engagement_rate and cost_per_post "
        "(platform, niche, max_posts, audience_quality, reply_rate, engagement_spread "
        "optional). Formats like 12.5K, 3.5% "
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
    return edited


# The client view shows no upload and no editing: the roster is the saved scenario's.
edited = state.roster_frame if CLIENT else roster_section()
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
def save_and_share() -> None:
    """Store the roster as edited and every setting as a new scenario; show its link."""
    store = scenario_store()
    if store is None:
        st.error(
            "Saving is unavailable: the scenario database cannot be opened "
            f"({md(state.get('store_error', 'unknown error'))}). See the README on databases."
        )
        return
    st.markdown(
        "Stores this roster (with your edits) and every setting under a new private link. "
        "Nothing saved is ever changed: saving again makes a new link."
    )
    name = st.text_input("Scenario name", max_chars=120, placeholder="e.g. Spring launch, 60/40")
    if st.button("Save and get the link", icon=":material/save:", type="primary"):
        try:
            saved_now = store.save(
                name or f"Plan for ${campaign.budget:,.0f}", values, edited, state.roster_label
            )
        except ScenarioError as error:
            st.error(md(str(error)))
        except sa.exc.SQLAlchemyError as error:
            st.error(
                "The scenario could not be saved: the database did not accept it "
                f"({md(str(error).splitlines()[0])}). Try again in a moment."
            )
        else:
            state.last_saved = (saved_now.id, saved_now.name)
            state.known_scenarios[saved_now.id] = saved_now.name
            st.rerun()


Figure = tuple[str, str, str | None, str | None]  # label, value, note, help


def plan_figures(plan: Plan) -> list[Figure]:
    """The headline figures of a plan (also the client report's)."""
    return [
        (
            "Expected engagements",
            f"{plan.expected_engagement:,.0f}",
            "weighted by reply rates" if replies else "if every offer is accepted",
            "Likes, comments and shares the plan's posts should earn on average"
            + (
                ", each influencer's weighted by the chance they accept."
                if replies
                else ", if every influencer accepts the offer."
            ),
        ),
        (
            "Spend",
            f"${plan.spend:,.0f}",
            f"${plan.budget_left:,.0f} left",
            f"Of the ${plan.campaign.budget:,.2f} budget.",
        ),
        (
            "Cost per engagement",
            f"${plan.cost_per_engagement:,.3f}",
            None,
            "Spend divided by expected engagements.",
        ),
        (
            "Micro / macro influencers",
            f"{plan.by_tier['micro'].influencers} / {plan.by_tier['macro'].influencers}",
            f"{plan.macro_share:.0%} of spend on macro",
            None,
        ),
        (
            "Plan status",
            "Optimal" if plan.status == "optimal" else "Best found",
            f"gap {plan.optimality_gap:.1e}",
            "Certified: no plan under these settings can earn more than "
            f"{plan.upper_bound:,.0f} engagements, so this plan is within "
            f"{plan.optimality_gap:.1e} of the best possible.",
        ),
    ]


def chance_figure(outcome: Outcome, target: float) -> Figure:
    return (
        "Chance of reaching the target",
        f"{outcome.probability(target):.0%}",
        f"≥ {target:,.0f} engagements",
        f"Share of {outcome.draws:,} simulated campaigns (offers declined at the reply rates, "
        "posts landing above or below expectation) that reach the target. Set the target and "
        "the assumptions under *Replies and risk* in the sidebar.",
    )


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
        for column, (label, value, note, help_text) in zip(row, plan_figures(plan), strict=False):
            column.metric(label, value, note, delta_color="off", delta_arrow="off", help=help_text)
        # Simulated after the other figures are on their way to the browser. Without a target
        # of their own: the chance of reaching what the plan should earn once declined offers
        # are counted (the simulation's exact expectation).
        outcome = cached_outcome(roster, key, plan, ("plan", campaign, replies), assumptions)
        target = values[sc.TARGET.key] or round(outcome.expected)
        label, value, note, help_text = chance_figure(outcome, target)
        row[5].metric(label, value, note, delta_color="off", delta_arrow="off", help=help_text)
        if plan.prices_estimated:
            st.caption(
                ":material/warning: Some prices are estimates from the rate card "
                "(marked in the table)."
            )
    if not CLIENT:
        share_col, save_col, _ = st.columns([1, 1, 2])
        with share_col.popover("Share the settings", icon=":material/share:", width="stretch"):
            st.markdown("Copy this link; it opens the same settings:")
            st.code(share_link(), language=None, wrap_lines=True)
            if state.roster_label == SAMPLE_LABEL:
                st.caption("The link carries every setting and uses the sample roster.")
            else:
                st.caption(
                    ":material/warning: This link carries the settings only. Whoever opens it "
                    f"sees the **sample** roster, not **{md(state.roster_label)}** or your "
                    "edits to it. To send your roster too, use **Save and share**."
                )
        with save_col.popover("Save and share", icon=":material/cloud_upload:", width="stretch"):
            save_and_share()
        if state.last_saved is not None:
            saved_id, saved_name = state.last_saved
            base = st.context.url or ""
            st.success(
                f"Saved **{md(saved_name)}**. This link opens exactly this roster and these "
                "settings, for anyone, on any device; saving again makes a new link.",
                icon=":material/check_circle:",
            )
            st.code(f"{base}?scenario={saved_id}", language=None, wrap_lines=True)
            st.caption("Client view (no editing; an explore switch lets them try other settings):")
            st.code(f"{base}?scenario={saved_id}&view=client", language=None, wrap_lines=True)

if not plan.has_plan:
    st.stop()


# ---------------------------------------------------------------- the answer
def report_html(figures: list[go.Figure], table: pd.DataFrame, roster_label: str) -> bytes:
    """The client report of the scenario on screen. Built when the button is pressed, outside
    the script run: everything it needs from the session is passed in."""
    headline = [(label, value, note or "") for label, value, note, _ in plan_figures(plan)]
    label, value, note, _ = chance_figure(outcome, target)
    headline.append((label, value, note or ""))
    settings = [(s.label, sc.describe(s, values[s.key])) for s in sc.ALL]
    settings.insert(0, ("Roster", roster_label))
    title = saved.name if saved is not None else "Influencer budget plan"
    return client_report(
        title=title,
        subtitle=f"Budget ${campaign.budget:,.0f} · {len(roster.table):,} influencers in the "
        f"roster · plan {plan.status} (certified gap {plan.optimality_gap:.1e})",
        headline=headline,
        figures=figures,
        table=table,
        assumptions=settings,
        notes=[
            "Expected engagement = followers × engagement rate × audience quality, each repeat "
            "post earning the decay factor times the one before.",
            "Reply rates and spreads are assumptions the planner's user can change; see the "
            "planner's README for where each default comes from.",
        ]
        + (["Some prices are estimates from the rate card."] if plan.prices_estimated else []),
    ).encode()


def show_plan() -> None:
    figures: list[go.Figure] = []  # drawn on the page, and in the client report

    def chart(figure: go.Figure) -> None:
        figures.append(figure)
        st.plotly_chart(figure, config=CHART_CONFIG, theme=None)

    left, right = st.columns(2)
    with left:
        chart(charts.tier_split(plan))
    curve, ranges = cached_curve(
        roster,
        key,
        dataclasses.replace(campaign, macro_share_min=0.0, macro_share_max=1.0),
        replies,
        assumptions,
    )
    band = (campaign.macro_share_min, campaign.macro_share_max)
    with right:
        chart(charts.split_curve_chart(curve, band, plan, ranges))

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
        lambda: to_excel_bytes(table),
        file_name="influencer_plan.xlsx",
        on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        width="stretch",
    )
    downloads[2].download_button(
        "Client report (HTML)",
        lambda label=state.roster_label: report_html(figures, table, label),
        file_name="influencer_plan_report.html",
        mime="text/html",
        on_click="ignore",
        icon=":material/description:",
        width="stretch",
        help="One file with the figures, the interactive charts, the plan table and every "
        "assumption. Opens offline in any browser.",
    )

    left, right = st.columns(2)
    with left:
        strategies = cached_strategies(roster, key, campaign, replies)
        comparison = head_to_head(roster, campaign, plans=strategies)
        chart(charts.head_to_head_chart(comparison))
    with right:
        frontier = cached_frontier(roster, key, campaign, replies)
        chart(charts.frontier_chart(frontier, campaign.budget))
    chart(charts.roster_scatter(roster.table, plan.allocations))
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


def show_compare() -> None:
    st.markdown(
        "Pick two to four saved scenarios to see them side by side. Listed are the scenarios "
        "saved or opened in this browser session; paste the link of any other saved scenario "
        "to add it."
    )
    link = st.text_input(
        "Add a saved scenario by its link",
        key="compare_link",
        placeholder="https://…/?scenario=…",
    )
    if link:
        scenario_id = scenario_id_from(link)
        if scenario_id is None:
            st.warning(
                "That is not a saved scenario's link: it has no `scenario=` id the planner makes."
            )
        elif scenario_id not in state.known_scenarios:
            try:
                state.known_scenarios[scenario_id] = load_scenario(scenario_id).name
            except ScenarioError as error:
                st.warning(md(str(error)))
    known = state.known_scenarios
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
        key="compare_pick",
    )
    if len(picked) < 2:
        st.info("Pick at least two scenarios.")
        return
    rows, curves = [], {}
    for scenario_id in picked:
        item = load_scenario(scenario_id)
        label = f"{item.name} ({item.created_at:%d %b %H:%M})"
        settings = saved_settings(item)
        frame = item.roster
        keep = frame[INCLUDE].map(lambda v: v is not False) if INCLUDE in frame else True
        table = frame.loc[keep].drop(columns=INCLUDE, errors="ignore").reset_index(drop=True)
        try:
            its_tiers = sc.tiers_from(settings)
            its_rate_card = sc.rate_card_from(settings) if settings["estimate_prices"] else None
            its_campaign = sc.campaign_from(settings)
            its_assumptions = sc.assumptions_from(settings)
        except SettingsError:
            rows.append({"scenario": label, "status": "settings cannot be used"})
            continue
        its_roster, problem = checked(table, its_tiers, its_rate_card)
        if its_roster is None:
            rows.append({"scenario": label, "status": "roster has problems"})
            continue
        its_key = roster_key(its_roster)
        its_replies = (
            (its_assumptions.reply_micro, its_assumptions.reply_macro)
            if settings["plan_for_replies"]
            else None
        )
        its_plan = cached_plan(its_roster, its_key, its_campaign, its_replies)
        curves[label], _ = cached_curve(
            its_roster,
            its_key,
            dataclasses.replace(its_campaign, macro_share_min=0.0, macro_share_max=1.0),
            its_replies,
            its_assumptions,
        )
        rows.append(
            {
                "scenario": label,
                "status": its_plan.status,
                "budget": its_campaign.budget,
                "expected_engagement": its_plan.expected_engagement,
                "spend": its_plan.spend,
                "cost_per_engagement": its_plan.cost_per_engagement if its_plan.has_plan else None,
                "micro_influencers": its_plan.by_tier["micro"].influencers,
                "macro_influencers": its_plan.by_tier["macro"].influencers,
                "macro_share": its_plan.macro_share if its_plan.has_plan else None,
                "micro_spend": its_plan.by_tier["micro"].spend,
                "macro_spend": its_plan.by_tier["macro"].spend,
                "micro_engagement": its_plan.by_tier["micro"].expected_engagement,
                "macro_engagement": its_plan.by_tier["macro"].expected_engagement,
            }
        )
    summary = pd.DataFrame(rows)
    st.dataframe(
        summary[[c for c in summary.columns if c in COMPARE_HEADINGS]].rename(
            columns=COMPARE_HEADINGS
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Budget": st.column_config.NumberColumn(format="dollar"),
            "Expected engagements": st.column_config.NumberColumn(format="%,.0f"),
            "Spend": st.column_config.NumberColumn(format="dollar"),
            "Cost per engagement": st.column_config.NumberColumn(format="$%.4f"),
            "Macro share of spend": st.column_config.NumberColumn(format="percent"),
        },
    )
    planned = summary.dropna(subset=["micro_spend"]) if "micro_spend" in summary else summary
    if len(planned):
        st.plotly_chart(charts.compare_split(planned), config=CHART_CONFIG, theme=None)
    if curves:
        st.plotly_chart(charts.compare_curves(curves), config=CHART_CONFIG, theme=None)


COMPARE_HEADINGS = {
    "scenario": "Scenario",
    "status": "Status",
    "budget": "Budget",
    "expected_engagement": "Expected engagements",
    "spend": "Spend",
    "cost_per_engagement": "Cost per engagement",
    "micro_influencers": "Micro influencers",
    "macro_influencers": "Macro influencers",
    "macro_share": "Macro share of spend",
}


with answer:
    if CLIENT:
        plan_tab, risk_tab = st.tabs(
            ["Plan", "Risk and outreach"], key="tab", on_change="rerun", bind="query-params"
        )
        compare_tab = None
    else:
        plan_tab, risk_tab, compare_tab = st.tabs(
            ["Plan", "Risk and outreach", "Compare scenarios"],
            key="tab",
            on_change="rerun",
            bind="query-params",
        )
if plan_tab.open:
    with plan_tab:
        show_plan()
if risk_tab.open:
    with risk_tab:
        show_risk()
if compare_tab is not None and compare_tab.open:
    with compare_tab:
        show_compare()
