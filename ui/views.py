"""What the page shows for the scenario on screen: the headline figures and the tabs (plan,
budget and roster, risk and outreach, saved scenarios compared)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from dashboard import charts, controls
from dashboard.digest import digest
from dashboard.report import client_report
from dashboard.text import md
from planner import (
    Campaign,
    Plan,
    Roster,
    SettingsError,
    budget_frontier,
    head_to_head,
    make_plan,
)
from planner.export import HEADINGS, plan_table, to_csv_bytes, to_excel_bytes
from planner.plan import STRATEGIES, strategy_plans
from planner.risk import Assumptions, Outcome, outreach_list
from ui import cache, scenarios
from ui.cache import Replies

if TYPE_CHECKING:
    from dashboard.store import Scenario


@dataclass(frozen=True)
class Current:
    """The scenario on screen and its plan."""

    roster: Roster
    key: str  # the roster's cache key
    roster_label: str
    values: dict[str, object]  # every setting by key
    campaign: Campaign
    assumptions: Assumptions
    replies: Replies
    plan: Plan
    saved: Scenario | None  # the saved scenario opened by the link, if any
    outcome: Outcome | None = None  # the plan's simulated outcomes
    target: float = 0.0  # engagements whose chance the headline shows
    # Waits for the split curve when it was started before the page was drawn (`start_curve`).
    curve_ready: Callable[[], tuple[pd.DataFrame, pd.DataFrame]] | None = None

    def start_curve(self) -> Current:
        """The same scenario with its split curve started (in the worker processes)."""
        ready = cache.start_curve(
            self.roster, self.key, self.campaign, self.replies, self.assumptions
        )
        return dataclasses.replace(self, curve_ready=ready)

    @property
    def title(self) -> str:
        return self.saved.name if self.saved is not None else "Influencer budget plan"


Figure = tuple[str, str, str | None, str | None]  # label, value, note, help
CHART_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d"]}


def plan_figures(plan: Plan, replies: Replies) -> list[Figure]:
    """The headline figures of a plan (on the page and in the client report)."""
    return [
        (
            "Engagements",
            f"{plan.expected_engagement:,.0f}",
            "weighted by reply rates" if replies else "if every offer is accepted",
            "Expected engagements: likes, comments and shares the plan's posts should earn on "
            "average"
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
            "Cost / engagement",
            f"${plan.cost_per_engagement:,.3f}",
            None,
            "Cost per engagement: spend divided by expected engagements.",
        ),
        (
            "Micro / macro",
            f"{plan.by_tier['micro'].influencers} / {plan.by_tier['macro'].influencers}",
            f"{plan.macro_share:.0%} of spend on macro",
            "Influencers booked in each tier: micro (under 1M followers) and macro (1M+).",
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
        "Chance of target",
        f"{outcome.probability(target):.0%}",
        f"≥ {target:,.0f} engagements",
        f"Chance of reaching the target: the share of {outcome.draws:,} simulated campaigns "
        "(offers declined at the reply rates, posts landing above or below expectation) that "
        "reach it. Set the target and the assumptions under *Replies and risk* in the sidebar.",
    )


def headline(c: Current) -> DeltaGenerator:
    """The plan's headline figures; returns the place of the sixth, the chance of reaching the
    target (`show_chance`), which needs a simulation and so is drawn once the others are out."""
    row = st.columns(6)
    for column, (label, value, note, help_text) in zip(
        row, plan_figures(c.plan, c.replies), strict=False
    ):
        column.metric(label, value, note, delta_color="off", delta_arrow="off", help=help_text)
    if c.plan.prices_estimated:
        st.caption(
            ":material/warning: Some prices are estimates from the rate card (marked in the table)."
        )
    return row[5]


def show_chance(c: Current, slot: DeltaGenerator) -> Current:
    """The chance of reaching the target, in the headline's `slot`; returns `c` with the plan's
    simulated outcome and that target: the user's, or else what the plan should earn once
    declined offers are counted (the simulation's exact expectation)."""
    outcome = cache.outcome(c.roster, c.key, c.plan, ("plan", c.campaign, c.replies), c.assumptions)
    target = float(c.values[controls.TARGET.key] or round(outcome.expected))  # type: ignore[arg-type]
    label, value, note, help_text = chance_figure(outcome, target)
    slot.metric(label, value, note, delta_color="off", delta_arrow="off", help=help_text)
    return dataclasses.replace(c, outcome=outcome, target=target)


def _chart(figure: go.Figure) -> None:
    st.plotly_chart(figure, config=CHART_CONFIG, theme=None)


# ---------------------------------------------------------------- the Plan tab
# On a session's first run the plan table waits until the browser has drawn the page's first
# chart with its data (the blank chart sent early has none; a page whose chart never draws gets
# its table after 5 s anyway), then asks for a rerun, which draws it. Sent with the charts, the
# table's code (the data grid) was evaluated and drawn before them: in Chromium a warm server's
# first open showed the first chart and the headline figures some 0.2-0.35 s later. (The rerun
# starts when the first run ends: on a freshly started server, whose first run waits a second
# or two for the split curve, the table comes after the curve.)
_AFTER_FIRST_CHART = st.components.v2.component(
    "planner_after_first_chart",
    html="<p>Loading the table…</p>",
    css="p { margin: 0; font-size: 0.875rem; color: var(--st-text-color); opacity: 0.6; }",
    js="""
export default function ({ setTriggerValue }) {
  const drawn = () =>
    document.querySelector(".js-plotly-plot .main-svg :is(.point, .js-line)") !== null;
  let done = false;
  const observer = new MutationObserver(() => drawn() && fire());
  const timer = setTimeout(() => fire(), 5000);
  function fire() {
    if (done) return;
    done = true;
    observer.disconnect();
    clearTimeout(timer);
    setTriggerValue("drawn", true);
  }
  if (drawn()) fire();
  else observer.observe(document.body, { childList: true, subtree: true });
  return () => {
    observer.disconnect();
    clearTimeout(timer);
  };
}
""",
)


def show_plan(c: Current, *, first_run: bool) -> None:
    """The Plan tab. The split curve takes most of a move's time: it is started first (in worker
    processes, usually before the headline). On every run after a session's first the tab is
    drawn once the curve is ready, all of it at once, while the previous tab stays on screen,
    faded: sent earlier, the tier chart and the table reach the browser with the headline
    figures, and rendering them delayed those by some 30 ms a move. On a first run nothing is on
    screen yet, so the tier chart comes first, the curve takes its place when ready, and the
    table follows once the browser has drawn the first chart (`_AFTER_FIRST_CHART`)."""
    curve_ready = c.curve_ready or c.start_curve().curve_ready
    assert curve_ready is not None
    ready = None if first_run else curve_ready()
    left, right = st.columns(2)
    with left:
        _chart(charts.tier_split(c.plan))
    curve_slot = right.container()

    st.subheader("The plan")
    table = plan_table(c.plan)
    height = min(420, 38 + 35 * len(table))
    if first_run:
        with st.container(height=height, border=False):  # the table's place, kept
            # A trigger reruns the script, which draws the table: nothing else to do.
            _AFTER_FIRST_CHART(key="plan_table_after_first_chart", on_drawn_change=lambda: None)
    else:
        # printf-style formats: the named ones ("dollar", "percent", "localized") build a number
        # formatter in the browser for every cell drawn, some 10 ms a move here. The rate is
        # shown in percent (the downloads keep the fraction).
        rate = HEADINGS["engagement_rate"]
        st.dataframe(
            table.assign(**{rate: table[rate] * 100}),
            hide_index=True,
            width="stretch",
            height=height,
            column_config={
                HEADINGS["followers"]: st.column_config.NumberColumn(format="%,.0f"),
                rate: st.column_config.NumberColumn(format="%.2f%%"),
                HEADINGS["cost_per_post"]: st.column_config.NumberColumn(format="$%,.2f"),
                HEADINGS["spend"]: st.column_config.NumberColumn(format="$%,.2f"),
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
    report_slot = downloads[2].container()
    st.caption(
        f"Solved in {c.plan.solve_seconds * 1000:.0f} ms. The sample roster is synthetic, built "
        "from published benchmarks (see the README). Expected engagement = followers × "
        "engagement rate × audience quality, each repeat post earning the decay factor times "
        "the one before."
    )

    curve, ranges = ready or curve_ready()
    with curve_slot:
        _chart(
            charts.split_curve_chart(
                curve, (c.campaign.macro_share_min, c.campaign.macro_share_max), c.plan, ranges
            )
        )
    # Built when pressed, outside this run: it gets the curve now and plans the rest itself.
    report_slot.download_button(
        "Client report (HTML)",
        lambda: report_html(c, curve, ranges, table),
        file_name="influencer_plan_report.html",
        mime="text/html",
        on_click="ignore",
        icon=":material/description:",
        width="stretch",
        help="One file with the figures, the interactive charts, the plan table and every "
        "assumption. Opens offline in any browser.",
    )


def report_html(
    c: Current, curve: pd.DataFrame, ranges: pd.DataFrame, table: pd.DataFrame
) -> bytes:
    """The client report of the scenario on screen. It runs when the button is pressed, outside
    the script run, so it reads nothing from the session and no cache: the budget frontier and
    the head-to-head are planned here."""
    assert c.outcome is not None  # simulated before the Plan tab is drawn (`show_chance`)
    figures_list = [
        (label, value, note or "") for label, value, note, _ in plan_figures(c.plan, c.replies)
    ]
    label, value, note, _ = chance_figure(c.outcome, c.target)
    figures_list.append((label, value, note or ""))
    weights = cache.weights(c.roster, c.replies)
    frontier = budget_frontier(
        c.roster, c.campaign, plan_for=lambda r, cc: make_plan(r, cc, first_value=weights)
    )
    comparison = head_to_head(
        c.roster,
        c.campaign,
        plans=strategy_plans(c.roster, c.campaign, first_value=weights, optimal=c.plan),
    )
    figures = [
        charts.tier_split(c.plan),
        charts.split_curve_chart(
            curve, (c.campaign.macro_share_min, c.campaign.macro_share_max), c.plan, ranges
        ),
        charts.head_to_head_chart(comparison),
        charts.frontier_chart(frontier, c.campaign.budget),
        charts.roster_scatter(c.roster.table, c.plan.allocations),
    ]
    settings = [("Roster", c.roster_label)] + [
        (s.label, controls.describe(s, c.values[s.key])) for s in controls.ALL
    ]
    return client_report(
        title=c.title,
        subtitle=f"Budget ${c.campaign.budget:,.0f} · {len(c.roster.table):,} influencers in "
        f"the roster · plan {c.plan.status} (certified gap {c.plan.optimality_gap:.1e})",
        headline=figures_list,
        figures=figures,
        table=table,
        assumptions=settings,
        notes=[
            "Expected engagement = followers × engagement rate × audience quality, each repeat "
            "post earning the decay factor times the one before.",
            "Reply rates and spreads are assumptions the planner's user can change; see the "
            "planner's README for where each default comes from.",
        ]
        + (["Some prices are estimates from the rate card."] if c.plan.prices_estimated else []),
    ).encode()


# ---------------------------------------------------------------- the Budget and roster tab
def show_budget(c: Current) -> None:
    _chart(
        charts.frontier_chart(
            cache.frontier(c.roster, c.key, c.campaign, c.replies), c.campaign.budget
        )
    )
    _chart(charts.roster_scatter(c.roster.table, c.plan.allocations))


# ---------------------------------------------------------------- the Strategies and risk tab
def show_strategies(c: Current) -> None:
    """All micro, all macro and the optimal mix side by side (expected, then simulated), and
    whom to contact in what order."""
    a = c.assumptions
    plans = cache.strategies(c.roster, c.key, c.campaign, c.replies)
    _chart(charts.head_to_head_chart(head_to_head(c.roster, c.campaign, plans=plans)))
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
    _chart(charts.outcome_ranges(summary_frame.astype({"p10": float}), c.target))
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
    outreach = outreach_list(c.roster, c.plan, a)
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


# ---------------------------------------------------------------- the Compare tab
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
    roster, _ = cache.checked(scenarios.included(item.roster), tiers, rate_card, cache.SHARED)
    if roster is None:
        return {"scenario": label, "status": "roster has problems"}, None
    key = cache.roster_key(roster, cache.SHARED)
    replies = cache.replies_of(settings, assumptions)
    plan = cache.plan(roster, key, campaign, replies)
    curve, _ranges = cache.start_curve(roster, key, campaign, replies, assumptions)()
    ok = plan.has_plan
    return {
        "scenario": label,
        "status": plan.status,
        "budget": campaign.budget,
        "expected_engagement": plan.expected_engagement,
        "spend": plan.spend,
        "cost_per_engagement": plan.cost_per_engagement if ok else None,
        "micro_influencers": plan.by_tier["micro"].influencers,
        "macro_influencers": plan.by_tier["macro"].influencers,
        "macro_share": plan.macro_share if ok else None,
        "micro_spend": plan.by_tier["micro"].spend,
        "macro_spend": plan.by_tier["macro"].spend,
        "micro_engagement": plan.by_tier["micro"].expected_engagement,
        "macro_engagement": plan.by_tier["macro"].expected_engagement,
    }, curve


def show_compare() -> None:
    from dashboard.store import scenario_id_from

    known: dict[str, str] = st.session_state.known_scenarios
    st.markdown(
        "Pick two to four saved scenarios to see them side by side. Listed are the scenarios "
        "saved or opened in this browser session; paste the link of any other saved scenario "
        "to add it."
    )
    link = st.text_input(
        "Add a saved scenario by its link", key="compare_link", placeholder="https://…/?scenario=…"
    )
    if link:
        scenario_id = scenario_id_from(link)
        if scenario_id is None:
            st.warning(
                "That is not a saved scenario's link: it has no `scenario=` id the planner makes."
            )
        elif scenario_id not in known:
            try:
                known[scenario_id] = scenarios.load(scenario_id).name
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
        key="compare_pick",
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
    if "micro_spend" in summary:
        planned = summary.dropna(subset=["micro_spend"])
        if len(planned):
            _chart(charts.compare_split(planned))
    if curves:
        _chart(charts.compare_curves(curves))
