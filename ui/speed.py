"""The page's speed tricks, each measured (`benchmarks/browser_responsiveness.py`,
`benchmarks/app_rerun.py`, figures in docs/benchmarks.md) and each kept here with its reason,
except two that are how a module works and are described there:

- `BlankChart`: plotly.js starts loading while the first run works out the plan.
- `after_first_chart`: on a session's first run the plan table waits for the first chart.
- `open_only`: popovers and expanders whose contents are drawn only while open.
- The sidebar and the share buttons are drawn after the headline figures once the widgets
  have values (`ui/sidebar.Settings`): the browser's work on them waited for no figure.
- The split curve comes with the headline's forecast (its bands are the forecast's
  candidates: `planner.outreach.forecast`), so the Plan tab draws it at once, with no worker
  round trip; the workers (`ui/cache.start_curve`) compute a curve only for a forecast that has
  none.

This module loads before numpy, pandas and plotly (`streamlit_app.py`): keep its imports light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import streamlit as st

from ui import state

if TYPE_CHECKING:
    from streamlit.delta_generator import DeltaGenerator
    from streamlit.elements.lib.mutable_popover_container import PopoverContainer


class BlankChart:
    """Before any chart can show, the browser fetches and evaluates plotly.js (4.7 MB, about a
    second here), and it starts only when the page's first chart arrives. On a session's first
    run a blank, hidden chart is sent before the planner's modules load (half a second on a
    fresh server) and the plan is worked out, so that happens meanwhile. It is emptied when the
    run ends (`clear`, called on every way out of a run); its slot is drawn in every run so that
    the page's elements keep their places."""

    def __init__(self) -> None:
        st.html(
            f'<style>[data-testid="stLayoutWrapper"]:has(> .st-key-{state.BLANK_CHART}) '
            "{display: none}</style>"
        )
        self._slot = st.container(key=state.BLANK_CHART).empty()
        # numpy, pandas and plotly whole before the chart uses them (`ui/preload.py`).
        from ui import preload  # noqa: F401

        if state.is_first_run():
            self._slot.plotly_chart(
                {"data": [{"type": "scatter", "x": [], "y": []}], "layout": {"height": 10}},
                config={"staticPlot": True, "displayModeBar": False},
            )

    def clear(self) -> None:
        self._slot.empty()


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


def after_first_chart(height: int) -> None:
    """In the plan table's place (its `height` kept): a note that asks for a rerun once the
    browser has drawn the first chart; the rerun draws the table."""
    with st.container(height=height, border=False):
        _AFTER_FIRST_CHART(key=state.PLAN_TABLE_TRIGGER, on_drawn_change=_nothing)


def _nothing() -> None:
    """The trigger's own rerun draws the table: nothing else to do."""


def open_only(column: DeltaGenerator, label: str, icon: str, key: str) -> PopoverContainer:
    """A popover whose contents are drawn only while it is open (check `.open`), like the
    roster's tables and the sidebar's sections: a budget move then does not send and redraw
    them."""
    return column.popover(label, icon=icon, width="stretch", key=key, on_change="rerun")
