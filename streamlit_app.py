"""Influencer budget planner: split a campaign budget between micro and macro influencers.

Read top to bottom, a run of this page: the settings (the sidebar's widgets, each bound to the
URL: `ui/sidebar.py`, their names and bounds in `dashboard/controls.py`) → the roster
(`ui/roster.py`) → the plan (`planner`, through the caches in `ui/cache.py`) → the headline
(`ui/headline.py`) → the tabs (`ui/tab_*.py`). What the session keeps between runs is in
`ui/state.py`; the page's speed tricks are in `ui/speed.py`, each with its reason.
`?scenario=<id>` opens a saved scenario; `&view=client` shows it to a client.
"""

from __future__ import annotations

import os

# Before numpy loads: the app does no large matrix work, and BLAS's threads would only spin
# between numpy's small calls, taking the CPU the page and the split curve's worker need.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Streamlit runs this page as a module named "__main__". A child process (the upload reader,
# the split curve's workers) started while another session's run has just put its own page
# module in `sys.modules["__main__"]` runs this file as "__mp_main__" on start, as
# multiprocessing does with any main module: it must draw nothing then ("Safe importing of main
# module" in multiprocessing's guidelines). Without this guard such a child ran the page and
# died (exit code 1), and an upload made at the same time as another session's run failed.
if __name__ == "__main__":
    from typing import NoReturn  # noqa: E402

    import streamlit as st  # noqa: E402

    # `?view=client` shows a clean presentation of the scenario for the marketer's client.
    CLIENT = st.query_params.get("view") == "client"
    st.set_page_config(
        page_title="Influencer budget planner",
        page_icon=":material/campaign:",
        layout="wide",
        initial_sidebar_state="collapsed" if CLIENT else "auto",
    )

    from ui import a11y, speed, state  # noqa: E402

    FIRST_RUN = state.is_first_run()
    blank_chart = speed.BlankChart()  # plotly.js loads while the plan is worked out
    a11y.repair()  # sliders named once, tables named, for screen readers

    from dashboard import controls  # noqa: E402
    from dashboard.text import md  # noqa: E402
    from planner import SettingsError  # noqa: E402
    from ui import cache, header, session, share  # noqa: E402
    from ui.current import Current  # noqa: E402
    from ui.headline import headline, show_forecast  # noqa: E402
    from ui.roster import (  # noqa: E402
        left_out,
        roster_for_plan,
        roster_notice,
        roster_section,
        show_in_use,
    )
    from ui.sidebar import Settings  # noqa: E402
    from ui.tab_budget import show_budget  # noqa: E402
    from ui.tab_compare import show_compare  # noqa: E402
    from ui.tab_plan import prepare as prepare_plan  # noqa: E402
    from ui.tab_plan import show_plan  # noqa: E402
    from ui.tab_strategies import show_strategies  # noqa: E402

    if FIRST_RUN:
        session.open_session()  # the link: its settings checked, its saved scenario opened
    app = state.app_state()
    cache.warm_up()  # the compiled loops: once, in the background
    cache.track_session()  # what the session holds is released when it ends

    # ---------------------------------------------------------------- settings
    # Locked in the client view until the client turns on "Explore".
    settings = Settings(locked=CLIENT and not header.exploring())

    def stop() -> NoReturn:
        """End the run here, with the sidebar drawn (a sidebar left out of a run disappears from
        the page) and the blank chart gone."""
        settings.draw()
        blank_chart.clear()
        st.stop()

    header.page_head(client=CLIENT, tiers=controls.tiers_or_none(settings.values))
    # What cannot be used (settings, the roster loaded), above the headline in a place of its own:
    # the headline and the share buttons keep theirs however many notices there are. (In `head`
    # with them, a notice gone shifted the headline down one place, and the new headline was shown
    # above the old one until the share buttons took its place.)
    notices = st.container()
    head = st.container()  # the headline and the share buttons
    answer = st.container()  # the tabs
    body = st.container()  # the roster: upload, edit, what was left out
    try:
        tiers, rate_card, campaign, assumptions = controls.planner_settings_from(settings.values)
    except SettingsError as error:
        with notices:
            st.error(
                "Some settings cannot be used:\n\n"
                + "\n".join(f"- {md(p)}" for p in error.problems)
            )
        stop()

    # ---------------------------------------------------------------- roster
    # The client view shows no upload and no editing: the roster is the saved scenario's.
    if CLIENT:
        edited = app.roster.frame
    else:
        with body:
            edited, in_use_slot = roster_section(tiers, rate_card)
    with body:
        planned = roster_for_plan(edited, tiers, rate_card)
    if not CLIENT:
        show_in_use(in_use_slot, planned)
    with notices:  # what was loaded and is not used, at the top
        roster_notice(planned)
    if planned is None:
        stop()
    roster, key = planned.roster, planned.key
    with body:
        left_out(roster)

    # ---------------------------------------------------------------- plan
    strategy = controls.strategy_of(settings.values)
    with (
        head,
        st.spinner(  # (shown once it takes over half a second: a large roster, a cap)
            f"Working out the best plan for {len(roster.table):,} influencers…"
            + cache.queue_words(cache.HEADLINE),
            show_time=True,
        ),
    ):
        plan = cache.plan(roster, key, campaign, None)  # as if every offer were accepted
    current = Current(
        roster=roster,
        key=key,
        roster_label=planned.label,
        values=settings.values,
        campaign=campaign,
        assumptions=assumptions,
        strategy=strategy,
        plan=plan,
        saved=app.scenario,
    )

    # ---------------------------------------------------------------- headline
    with head:
        headline_slot = headline(current)  # None: no plan fits, or it books nothing (it says why)
    # The headline's figures, from the simulated campaign after declines and backups. None: the
    # outreach's own plan cannot be made (the headline says why).
    forecast_shown = None if headline_slot is None else show_forecast(current, headline_slot)
    # (The split curve comes with the forecast: its bands were the headline's candidates.)
    # The Plan tab's table and charts are worked out now, before anything else is drawn: the
    # browser paints the new figures meanwhile, alone (`ui/tab_plan.prepare`). On a session's
    # first run, and with another tab open, the tab works out its own when drawn.
    prepared = (
        prepare_plan(forecast_shown)
        if forecast_shown is not None and st.session_state.get(state.TAB) == state.TAB_PLAN
        else None
    )
    # The sidebar after the headline's figures (the browser keeps the last run's until then; on a
    # session's first run it was drawn first: `Settings`), and the share link after the sidebar,
    # whose widgets write the URL it carries.
    settings.draw()
    if not CLIENT:
        with head:
            share.share_and_save(settings.values, edited, campaign.budget)
    if forecast_shown is None:
        stop()
    current = forecast_shown

    # ---------------------------------------------------------------- the answer, in tabs
    TABS = [state.TAB_PLAN, state.TAB_BUDGET, state.TAB_RISK] + (
        [] if CLIENT else [state.TAB_COMPARE]
    )
    with answer:
        tabs = dict(
            zip(
                TABS,
                st.tabs(TABS, key=state.TAB, on_change="rerun", bind="query-params"),
                strict=True,
            )
        )
    if tabs[state.TAB_PLAN].open:
        with tabs[state.TAB_PLAN]:
            show_plan(current, first_run=FIRST_RUN, prepared=prepared)
    if tabs[state.TAB_BUDGET].open:
        with tabs[state.TAB_BUDGET]:
            show_budget(current)
    if tabs[state.TAB_RISK].open:
        with tabs[state.TAB_RISK]:
            show_strategies(current)
    if state.TAB_COMPARE in tabs and tabs[state.TAB_COMPARE].open:
        with tabs[state.TAB_COMPARE]:
            show_compare()
    blank_chart.clear()
