"""The roster UI's helpers that need no running app (ui/roster.py)."""

from __future__ import annotations

import pandas as pd
from streamlit.testing.v1 import AppTest
from test_app import run

from dashboard.text import md
from ui.roster import SAMPLE_LABEL, included


def test_only_ticked_rows_are_included_and_an_empty_box_leaves_a_row_out():
    frame = pd.DataFrame(
        {"name": ["a", "b", "c", "d"], "include": [True, False, None, pd.NA]}, dtype=object
    )
    assert included(frame)["name"].tolist() == ["a"]
    assert "include" not in included(frame)
    assert included(frame.drop(columns="include"))["name"].tolist() == ["a", "b", "c", "d"]


# ---------------------------------------------------------------- the roster in the app
def _upload(app: AppTest, name: str, text: str) -> AppTest:
    app.file_uploader[0].set_value((name, text.encode(), "text/csv")).run()
    assert not app.exception
    return app


def _in_order(app: AppTest) -> list[str]:
    """The main area's text elements and metrics, top to bottom."""
    found: list[str] = []

    def walk(node: object) -> None:
        kind = getattr(node, "type", "")
        if kind in ("alert", "warning", "error", "markdown", "caption", "metric"):
            found.append(f"{kind}: {getattr(node, 'value', '') or getattr(node, 'label', '')}")
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(app.main)
    return found


NO_PRICES = "name,followers,engagement_rate\nanna,50000,3%\nbob,2000000,1.5%\n"
GOOD = "name,followers,engagement_rate,cost_per_post\nanna,50000,3%,$400\nbob,2000000,1.5%,$9000\n"
BAD = "name,followers,engagement_rate,cost_per_post\nanna,lots,3%,$400\n"


def test_a_roster_without_prices_is_named_loaded_not_in_use_with_its_problem_at_the_top():
    app = _upload(run(), "no_prices.csv", NO_PRICES)
    shown = _in_order(app)
    notice = next(i for i, s in enumerate(shown) if "Still planning with" in s)
    first_metric = next(i for i, s in enumerate(shown) if s.startswith("metric"))
    assert notice < first_metric  # at the top, above the headline
    assert md("no_prices.csv") in shown[notice] and "1 problem" in shown[notice]
    assert md(SAMPLE_LABEL) in shown[notice]
    assert any(s == f"markdown: **In use:** {md(SAMPLE_LABEL)}" for s in shown)
    assert any(f"Loaded but not used: {md('no_prices.csv')}" in s for s in shown)


def test_a_refused_upload_says_so_at_the_top_and_the_sample_stays_in_use():
    app = _upload(run(), "bad.csv", BAD)
    shown = _in_order(app)
    notice = next(i for i, s in enumerate(shown) if "could not be used" in s)
    assert notice < next(i for i, s in enumerate(shown) if s.startswith("metric"))
    assert (
        md("bad.csv") in shown[notice]
        and f"Still planning with: **{md(SAMPLE_LABEL)}**" in (shown[notice])
    )
    assert any(s == f"markdown: **In use:** {md(SAMPLE_LABEL)}" for s in shown)


def test_a_good_upload_is_named_in_use_in_the_run_that_reads_it():
    app = _upload(run(), "good.csv", GOOD)
    shown = _in_order(app)
    assert f"markdown: **In use:** {md('good.csv')}" in shown
    assert not any("Still planning with" in s or "Loaded but not used" in s for s in shown)
    # The synthetic-sample caption is the sample's only.
    assert not any("The sample roster is synthetic" in s for s in shown)
    assert any("The sample roster is synthetic" in s for s in _in_order(run()))
