"""Sharing what is on screen: a link with the settings, or a saved scenario with the roster too
(`ui/scenarios.py`). Both popovers are drawn only while open (`speed.open_only`)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from dashboard.text import md
from planner.money import DEFAULT_CURRENCY, money
from ui import scenarios, speed, state
from ui.roster import SAMPLE_LABEL


def share_link() -> str:
    """The page's address with every parameter it has now (each setting not at its default)."""
    base = st.context.url or ""
    params = {k: st.query_params.get_all(k) for k in st.query_params}
    return base + ("?" + urlencode(params, doseq=True) if params else "")


def share_and_save(values: Mapping[str, object], edited: pd.DataFrame, budget: float) -> None:
    """The "Share the settings" and "Save and share" popovers, side by side."""
    label = state.app_state().roster.label
    share_col, save_col, _ = st.columns([1, 1, 2])
    share = speed.open_only(share_col, "Share the settings", ":material/share:", state.SHARE_OPEN)
    save = speed.open_only(save_col, "Save and share", ":material/cloud_upload:", state.SAVE_OPEN)
    if share.open:
        with share:
            st.markdown("Copy this link; it opens the same settings:")
            st.code(share_link(), language=None, wrap_lines=True)
            if label == SAMPLE_LABEL:
                st.caption("The link carries every setting and uses the sample roster.")
            else:
                st.caption(
                    ":material/warning: This link carries the settings only. Whoever opens "
                    f"it sees the **sample** roster, not **{md(label)}** or your edits to it. "
                    "To send your roster too, use **Save and share**."
                )
    if save.open:
        with save:
            planned = state.app_state().last_good
            currency = planned.roster.currency if planned is not None else DEFAULT_CURRENCY
            scenarios.save_and_share(
                values, edited, f"Plan for {money(budget, cents=False, currency=currency)}"
            )
