"""Influencer budget planner: split a campaign budget between micro and macro influencers.

The page is thin: the sidebar's widgets (each bound to the URL) describe a scenario, `planner`
answers it through the cache in `ui/cache.py`, and `ui/views.py` shows the answer. The headline
figures come first so they update as soon as the plan is solved: after a session's first run even
before the sidebar, whose widgets' values are known from session state (`ui/sidebar.py`); the
chance of reaching the target, a simulation, follows them. Each tab is drawn only while it is
open; when a session opens, the plan table waits for the browser to draw the first chart
(`views.show_plan`).
`?scenario=<id>` opens a saved scenario; `&view=client` shows it to a client.
"""

from __future__ import annotations

import os

# Before numpy loads: the app does no large matrix work, and BLAS's threads would only spin
# between numpy's small calls, taking the CPU the page and the split curve's worker need.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from typing import TYPE_CHECKING, NoReturn  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

import streamlit as st  # noqa: E402

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.elements.lib.mutable_popover_container import PopoverContainer

# `?view=client` shows a clean presentation of the scenario for the marketer's client.
CLIENT = st.query_params.get("view") == "client"
st.set_page_config(
    page_title="Influencer budget planner",
    page_icon=":material/campaign:",
    layout="wide",
    initial_sidebar_state="collapsed" if CLIENT else "auto",
)

# Before any chart can show, the browser fetches and evaluates plotly.js (4.7 MB, about a second
# here), and it starts only when the page's first chart arrives. On a session's first run a blank,
# hidden chart is sent before the planner's modules load (half a second on a fresh server) and
# the plan is worked out, so that happens meanwhile. It is emptied when the run ends (`stop`, and
# the last line); its slot is drawn in every run so that the page's elements keep their places.
st.html('<style>[data-testid="stLayoutWrapper"]:has(> .st-key-chart_code) {display: none}</style>')
chart_code = st.container(key="chart_code").empty()
FIRST_RUN = "link_problems" not in st.session_state  # this session's first run
from ui import preload  # noqa: E402, F401  # numpy, pandas and plotly whole before any chart

if FIRST_RUN:
    chart_code.plotly_chart(
        {"data": [{"type": "scatter", "x": [], "y": []}], "layout": {"height": 10}},
        config={"staticPlot": True, "displayModeBar": False},
    )

from dashboard import controls  # noqa: E402
from dashboard.text import md, md_lines  # noqa: E402
from planner import RosterError, SettingsError  # noqa: E402
from ui import cache, scenarios, views  # noqa: E402
from ui.cache import INCLUDE, SAMPLE_LABEL  # noqa: E402
from ui.roster import roster_in_use, roster_section  # noqa: E402
from ui.sidebar import Settings  # noqa: E402

# ---------------------------------------------------------------- session
state = st.session_state
if FIRST_RUN:  # check the link the session opened
    link = {key: st.query_params.get_all(key) for key in st.query_params}
    state.link_problems = controls.check_link(link)
    state.roster_frame = cache.sample_table().assign(**{INCLUDE: True})
    state.shared_frame = state.roster_frame  # its plans are any session's (`ui/roster.scope_of`)
    state.roster_label = SAMPLE_LABEL
    state.roster_edited = None  # the roster as edited, while the editor is open
    state.editor_version = 0
    state.upload_id = None
    state.upload_error = None
    state.last_good = None  # the last roster in use without problems, with its key
    state.scenario = None
    state.scenario_error = None
    state.known_scenarios = {}  # id -> name: saved or opened in this session
    state.last_saved = None
    if st.query_params.get("scenario"):
        scenarios.open_link(st.query_params["scenario"])
    # The settings' widgets read the link themselves, in their own way: a link the check had
    # to correct is rewritten first (refused values dropped, the rest as the app writes them),
    # and the page starts again from it, so that each widget shows what the warning says.
    clean = controls.canonical_link(link)
    if clean != link:
        st.query_params.from_dict(clean)
        st.rerun()

# The split curve's worker processes: started once, in the background, at a lower priority.
cache.warm_worker()

# Settings are locked in the client view until the client turns on "Explore". After a
# session's first run the sidebar is drawn after the headline figures (`Settings`).
settings = Settings(locked=CLIENT and not state.get("explore", False))
values = settings.values


def stop() -> NoReturn:
    """End the run here, with the sidebar drawn (a sidebar left out of a run disappears from
    the page) and the blank chart gone."""
    settings.draw()
    chart_code.empty()
    st.stop()


# ---------------------------------------------------------------- page head
saved = state.scenario
if CLIENT:
    st.title(md(saved.name) if saved is not None else "Influencer budget plan")
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
                "Back to the saved scenario",
                on_click=scenarios.back_to_saved,
                icon=":material/undo:",
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
    tiers, rate_card, campaign, assumptions = controls.planner_settings_from(values)
except SettingsError as error:
    with head:
        st.error(
            "Some settings cannot be used:\n\n" + "\n".join(f"- {md(p)}" for p in error.problems)
        )
    stop()

# ---------------------------------------------------------------- roster
# The client view shows no upload and no editing: the roster is the saved scenario's.
if CLIENT:
    edited = state.roster_frame
else:
    with body:
        edited = roster_section(tiers, rate_card)
in_use = roster_in_use(edited, tiers, rate_card)
if isinstance(in_use, RosterError):
    roster_error = in_use
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
    if state.last_good is None:
        stop()
    in_use = state.last_good
else:
    state.last_good = in_use
roster, key = in_use
if len(roster.excluded):
    with body:
        left_out = st.expander(
            f"{len(roster.excluded)} left out of the plan, and why",
            key="left_out_open",
            on_change="rerun",
        )
        if left_out.open:  # drawn only while open, like the roster editor
            left_out.dataframe(roster.excluded, hide_index=True, width="stretch")


# ---------------------------------------------------------------- headline
def popover(column: DeltaGenerator, label: str, icon: str, key: str) -> PopoverContainer:
    """A popover whose contents are drawn only while it is open, like the roster's tables: a
    budget move then does not send and redraw them."""
    return column.popover(label, icon=icon, width="stretch", key=key, on_change="rerun")


def share_link() -> str:
    base = st.context.url or ""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    return base + ("?" + urlencode(params, doseq=True) if params else "")


replies = cache.replies_of(values, assumptions)
# The split curve does not depend on the plan: started first (in worker processes), it is
# computed while the plan is solved and the headline and the sidebar are drawn (the Plan tab
# waits for it, `views.show_plan`).
curve_ready = (
    cache.start_curve(roster, key, campaign, replies, assumptions)
    if state.get("tab", "Plan") == "Plan"
    else None
)
current = views.Current(
    roster=roster,
    key=key,
    roster_label=state.roster_label,
    values=values,
    campaign=campaign,
    assumptions=assumptions,
    replies=replies,
    plan=cache.plan(roster, key, campaign, replies),
    saved=saved,
    curve_ready=curve_ready,
)
with head:
    if current.plan.has_plan:
        chance_slot = views.headline(current)
    else:
        st.error(
            f"**No plan fits these settings.** {md(current.plan.message)}",
            icon=":material/block:",
        )
# The sidebar after the headline figures (and before the share link, which reads the URL the
# settings' widgets write).
settings.draw()
if not CLIENT:
    with head:
        share_col, save_col, _ = st.columns([1, 1, 2])
        share = popover(share_col, "Share the settings", ":material/share:", "share_open")
        save = popover(save_col, "Save and share", ":material/cloud_upload:", "save_open")
        if share.open:
            with share:
                st.markdown("Copy this link; it opens the same settings:")
                st.code(share_link(), language=None, wrap_lines=True)
                if state.roster_label == SAMPLE_LABEL:
                    st.caption("The link carries every setting and uses the sample roster.")
                else:
                    st.caption(
                        ":material/warning: This link carries the settings only. Whoever opens "
                        f"it sees the **sample** roster, not **{md(state.roster_label)}** or your "
                        "edits to it. To send your roster too, use **Save and share**."
                    )
        if save.open:
            with save:
                scenarios.save_and_share(values, edited, f"Plan for ${campaign.budget:,.0f}")

if not current.plan.has_plan:
    stop()
# The headline's sixth figure, the chance of reaching the target (a simulation), once the
# browser has the other five and the sidebar: it is worked out while the split curve is.
current = views.show_chance(current, chance_slot)

# ---------------------------------------------------------------- the answer, in tabs
TABS = ["Plan", "Budget and roster", "Strategies and risk"] + ([] if CLIENT else ["Compare"])
with answer:
    tabs = dict(
        zip(TABS, st.tabs(TABS, key="tab", on_change="rerun", bind="query-params"), strict=True)
    )
if tabs["Plan"].open:
    with tabs["Plan"]:
        views.show_plan(current, first_run=FIRST_RUN)
for name, show in (
    ("Budget and roster", views.show_budget),
    ("Strategies and risk", views.show_strategies),
):
    if tabs[name].open:
        with tabs[name]:
            show(current)
if "Compare" in tabs and tabs["Compare"].open:
    with tabs["Compare"]:
        views.show_compare()
chart_code.empty()
