"""Saved scenarios in the app: opening a `?scenario=` link, Save and share, going back to the
saved settings in the client view. The store (and SQLAlchemy) load only when a scenario is
saved or opened: most visits do neither."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

import pandas as pd
import streamlit as st

from dashboard import controls
from dashboard.reading import SAVED_KEY, Reading
from dashboard.text import md
from ui import state
from ui.cache import session_scope
from ui.roster import INCLUDE, ticked

if TYPE_CHECKING:
    from dashboard.store import Scenario, ScenarioStore


_LOG = logging.getLogger(__name__)


class Unavailable(Exception):
    """A saved scenario cannot be opened or saved; the message says why in plain words."""


@st.cache_resource(show_spinner=False, on_release=lambda store: store.close())
def _open_store(url: str) -> ScenarioStore:
    from dashboard.store import ScenarioStore

    return ScenarioStore(url)


def scenario_store() -> ScenarioStore:
    """The scenario store (Unavailable when its database cannot be opened: the page says so in
    plain words, the server's log has the details)."""
    from dashboard.store import ScenarioError, StoreUnavailable, database_url

    try:
        secret = st.secrets.get("database_url")
    except Exception:  # noqa: BLE001 - no secrets file at all: use the environment or SQLite
        secret = None
    try:
        return _open_store(database_url(secret))
    except ScenarioError as error:  # StoreUnavailable: logged by the store
        raise Unavailable(str(error)) from None
    except (OSError, ImportError, ValueError) as error:  # a bad URL or path, a missing driver
        _LOG.warning("The scenario database cannot be opened", exc_info=error)
        raise Unavailable(StoreUnavailable.MESSAGE) from None


@st.cache_data(show_spinner=False, max_entries=64, ttl="1h")
def load(scenario_id: str) -> Scenario:
    """A saved scenario by id (scenarios never change, so the id is a safe cache key)."""
    from dashboard.store import ScenarioError

    store = scenario_store()
    try:
        return store.load(scenario_id)
    except ScenarioError as error:  # unknown, malformed, or the database is unavailable
        raise Unavailable(str(error)) from None


def settings_of(saved: Scenario) -> dict[str, object]:
    """The saved scenario's settings as widget values (defaults for any it does not have)."""
    return controls.values_from_saved(saved.settings)[0]


def open_link(scenario_id: str) -> None:
    """Put a saved scenario's roster and settings in place, before any widget is drawn. A
    setting that the link itself also carries keeps the link's value."""
    app = state.app_state()
    try:
        saved = load(scenario_id)
    except Unavailable as error:
        app.not_opened(f"{error} The app shows the default scenario instead.")
        return
    values, problems = controls.values_from_saved(saved.settings)
    state.set_settings({k: v for k, v in values.items() if k not in st.query_params})
    frame = saved.roster.copy()
    frame[INCLUDE] = ticked(frame)
    app.opened(saved, frame, problems, reading_of(saved))


def reading_of(saved: Scenario) -> Reading:
    """How the saved scenario's roster is read (the answers saved with it, if any)."""
    return Reading.from_json(saved.settings.get(SAVED_KEY))


def back_to_saved() -> None:
    """The client view's "Back to the saved scenario" (a button's callback): every setting as
    it was saved."""
    saved = state.app_state().scenario
    if saved is not None:
        values = settings_of(saved)
        state.set_settings(values)
        state.budget_slider_follows(values[controls.BUDGET.key])  # type: ignore[arg-type]
    state.stop_exploring()


def save_and_share(values: Mapping[str, object], edited: pd.DataFrame, default_name: str) -> None:
    """The Save and share popover: store the roster as edited and every setting as a new
    scenario, then rerun so the page shows its links."""
    app = state.app_state()
    st.markdown(
        "Stores this roster (with your edits) and every setting under a new private link. "
        "Nothing saved is ever changed: saving again makes a new link."
    )
    # The popover is drawn only while open: a name typed in it is kept when it closes.
    name = st.text_input(
        "Scenario name",
        max_chars=120,
        placeholder="e.g. Spring launch, 60/40",
        key=state.SCENARIO_NAME,
        persist_state="session",
    )
    if not st.button("Save and get the link", icon=":material/save:", type="primary"):
        if app.last_saved is not None:
            show_saved_links(*app.last_saved)
        return
    from dashboard.limits import SAVES
    from dashboard.store import ScenarioError

    refused = SAVES.try_save(session_scope())
    if refused is not None:
        st.warning(refused, icon=":material/timer:")
        return
    try:
        settings = {**values, **({SAVED_KEY: app.reading.to_json()} if app.reading else {})}
        saved = scenario_store().save(name or default_name, settings, edited, app.roster.label)
    except (Unavailable, ScenarioError) as error:  # too large, or the database is unavailable
        st.error(md(str(error)), icon=":material/cloud_off:")
    else:
        app.saved(saved.id, saved.name)
        st.rerun()


def show_saved_links(saved_id: str, saved_name: str) -> None:
    """The links of the scenario saved last in this session."""
    base = (st.context.url or "").rstrip("/") + "/"
    st.success(
        f"Saved **{md(saved_name)}**. This link opens exactly this roster and these settings, "
        "for anyone, on any device; saving again makes a new link.",
        icon=":material/check_circle:",
    )
    st.code(f"{base}?scenario={saved_id}", language=None, wrap_lines=True)
    st.caption("Client view (no editing; an explore switch lets them try other settings):")
    st.code(f"{base}?scenario={saved_id}&view=client", language=None, wrap_lines=True)
