"""The page's head: its title and what it is for (the marketer's page, or the client view of a
saved scenario with its Explore switch), and what could not be used from the link."""

from __future__ import annotations

import streamlit as st

from dashboard import controls
from dashboard.text import md
from planner import Tiers
from ui import scenarios, state


def page_head(*, client: bool, tiers: Tiers | None) -> None:
    """The title and what the page is for; `tiers`: the thresholds in use (None when they
    cannot be used)."""
    app = state.app_state()
    micro, macro = controls.tier_intro(tiers)
    saved = app.scenario
    if client:
        st.title(md(saved.name) if saved is not None else "Influencer budget plan")
        st.caption(
            (f"Saved {saved.created_at:%d %b %Y, %H:%M} UTC. " if saved is not None else "")
            + f"How the budget splits between many micro influencers ({micro}) "
            f"and a few macro influencers ({macro}), and what it is expected to earn."
        )
        explore_col, back_col = st.columns([3, 2])
        explore_col.toggle(
            "Explore: try other settings",
            key=state.EXPLORE,
            help="Unlocks the settings in the sidebar. What you change here is yours only: the "
            "saved scenario stays exactly as it was sent.",
        )
        if exploring():
            st.info(
                "**Exploring.** Open the sidebar to change the settings; the figures below "
                "follow your changes. The saved scenario is not changed.",
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
            f"Many **micro** influencers ({md(micro)}) or a few **macro** influencers "
            f"({md(macro)})? Set the budget and limits in the sidebar; the planner books the "
            "number of "
            "posts per influencer that earns the most expected engagements, and shows why."
        )
    if app.scenario_error:
        st.warning(md(app.scenario_error), icon=":material/link_off:")
    for problem in app.link_problems:
        st.warning(
            f"This link had a setting that could not be used. {md(problem)}",
            icon=":material/link:",
        )


def exploring() -> bool:
    """The client has turned on Explore (the settings are theirs to change)."""
    return bool(st.session_state.get(state.EXPLORE, False))
