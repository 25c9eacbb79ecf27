"""Two repairs to what Streamlit 1.67 writes for screen readers, made in the browser once per
page (`repair`), and the tables' names (`named_table`).

- A slider's input is labelled by its own `aria-label` *and* its group's
  (`aria-labelledby="<itself> <group>"`), so a screen reader says "Budget Budget". The
  group keeps its name; the input keeps its own (`aria-label`, "Budget", or "… — start" and
  "… — end" on a range's two thumbs).
- A table (`st.dataframe`, drawn on a canvas by glide-data-grid) is exposed as a `grid` with
  no name: a screen reader says "grid" for each. The tables the page shows are put in a
  container named by `named_table`, and its grid gets that name.

The script watches the page (a `MutationObserver`), because Streamlit redraws sliders and grids
as the page changes. axe-core does not report either (they are not serious or critical
violations); `tests/browser/test_client_pages.py` checks the names Chromium gives them.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import streamlit as st

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator

# The containers `named_table` opens carry this prefix in their key; the page's CSS class for a
# container with key K is `st-key-K`.
_PREFIX = "grid-"


def _key(name: str) -> str:
    return _PREFIX + re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


# Every table the page shows, by its name (what a screen reader says for it).
TABLE_NAMES = (
    "The plan of offers",
    "Strategies compared",
    "Outreach list",
    "Saved scenarios compared",
    "What the planner read from this file",
    "Roster",
)
_NAMES = {_key(name): name for name in TABLE_NAMES}

_SCRIPT = """<script>
(() => {
  if (window.__plannerA11y) return;
  window.__plannerA11y = true;
  const names = NAMES;
  const repair = () => {
    for (const input of document.querySelectorAll(
        '[data-testid="stSlider"] input[type="range"][aria-labelledby]')) {
      if (input.getAttribute("aria-label")) input.removeAttribute("aria-labelledby");
    }
    for (const [key, name] of Object.entries(names)) {
      for (const grid of document.querySelectorAll(`.st-key-${key} [role="grid"]`)) {
        if (grid.getAttribute("aria-label") !== name) grid.setAttribute("aria-label", name);
      }
    }
  };
  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; repair(); });
  }).observe(document.body, {
    childList: true, subtree: true, attributes: true, attributeFilter: ["aria-labelledby"],
  });
  repair();
})();
</script>""".replace("NAMES", json.dumps(_NAMES))


_BOX = "a11y"  # the hidden container the script is sent in (it takes no room on the page)


def repair() -> None:
    """Send the repairing script (the same text every run, so the browser runs it once)."""
    st.html(
        f'<style>[data-testid="stLayoutWrapper"]:has(> .st-key-{_BOX}) {{display: none}}</style>'
    )
    with st.container(key=_BOX):
        st.html(_SCRIPT, unsafe_allow_javascript=True)


def named_table(name: str) -> DeltaGenerator:
    """A container whose table a screen reader calls `name` (one of `TABLE_NAMES`):
    `named_table("Outreach list").dataframe(...)`."""
    if name not in TABLE_NAMES:
        raise ValueError(f"{name!r} is not among a11y.TABLE_NAMES")
    return st.container(key=_key(name))
