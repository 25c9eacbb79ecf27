"""A large roster in the app (issue 19): what is proportional to the roster is done once per
roster, the plan table holds the plan's offers only, the editor shows a page at a time and keeps
every edit, and slow steps say what they are doing."""

from __future__ import annotations

import time

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_app import app_state, run

from dashboard.text import md
from planner.export import HEADINGS
from planner.synthetic import synthetic_roster
from ui import cache, progress, state
from ui.roster import PAGE_ROWS, with_page

ROWS = 1_200  # three pages of the editor
TABLE = synthetic_roster(ROWS, seed=19)


def _uploaded() -> AppTest:
    app = run()
    raw = TABLE.to_csv(index=False).encode()
    app.file_uploader[0].set_value(("big.csv", raw, "text/csv")).run()
    assert not app.exception
    assert any(md("big.csv") in m.value for m in app.markdown if "In use" in m.value)
    return app


@pytest.fixture(scope="module")
def uploaded() -> AppTest:
    return _uploaded()


def test_the_plan_table_holds_the_plans_offers_only(uploaded):
    """The browser gets the chosen influencers, not the roster: every row an offer of posts."""
    table = uploaded.dataframe[0].value
    posts = HEADINGS["posts"]
    assert 0 < len(table) < ROWS
    assert (table[posts] >= 1).all()
    assert table["Influencer"].is_unique


def test_an_upload_hashes_its_table_once_and_a_move_hashes_no_table(monkeypatch):
    hashed: list[int] = []
    real = cache.digest

    def counting(*parts: object) -> str:
        hashed.extend(len(p) for p in parts if isinstance(p, pd.DataFrame))
        return real(*parts)

    monkeypatch.setattr(cache, "digest", counting)
    app = run()
    hashed.clear()
    raw = TABLE.to_csv(index=False).encode()
    app.file_uploader[0].set_value(("big.csv", raw, "text/csv")).run()
    assert not app.exception
    # The table as read, for the check's cache, and the checked roster, for the plans' keys.
    assert hashed == [ROWS, ROWS]
    hashed.clear()
    app.slider(key=state.BUDGET_SLIDER).set_value(77_000.0).run()
    assert not app.exception
    assert hashed == []


def test_a_large_roster_is_edited_a_page_at_a_time_and_every_edit_is_kept(uploaded):
    app = uploaded
    app.session_state[state.ROSTER_OPEN] = True
    app.run()
    assert not app.exception
    editor = app.dataframe[-1].value
    assert len(editor) == PAGE_ROWS
    assert any(f"Showing rows 1–500 of {ROWS:,}" in c.value for c in app.caption)
    app.number_input(key=state.ROSTER_PAGE).set_value(2).run()
    assert any(f"Showing rows 501–1,000 of {ROWS:,}" in c.value for c in app.caption)
    page = app.dataframe[-1].value
    assert page["name"].tolist() == TABLE["name"].iloc[500:1000].tolist()
    # What the page's editor gives after the user unticks its first row and changes a price:
    # the whole table with that page as edited (`ui/roster._editor`).
    edited_page = page.copy()
    edited_page.iloc[0, edited_page.columns.get_loc("include")] = False
    edited_page.iloc[1, edited_page.columns.get_loc("cost_per_post")] = "123"
    whole = app_state(app).editor_base
    app_state(app).keep_edits(with_page(whole, 500, 1000, edited_page))
    # Turn to the last page and back: the edits are on page 2 still.
    app.number_input(key=state.ROSTER_PAGE).set_value(3).run()
    assert any(f"Showing rows 1,001–{ROWS:,} of {ROWS:,}" in c.value for c in app.caption)
    assert len(app.dataframe[-1].value) == ROWS - 1000
    app.number_input(key=state.ROSTER_PAGE).set_value(2).run()
    again = app.dataframe[-1].value
    assert not again["include"].iloc[0] and again["cost_per_post"].iloc[1] == "123"
    # Closed: the edits are the roster in use.
    app.session_state[state.ROSTER_OPEN] = False
    app.run()
    assert not app.exception
    frame = app_state(app).roster.frame
    assert len(frame) == ROWS
    assert not frame["include"].iloc[500] and frame["cost_per_post"].iloc[501] == "123"
    assert frame["include"].iloc[:500].all() and frame["include"].iloc[502:].all()


def test_a_page_as_edited_replaces_its_rows_with_added_and_deleted_ones():
    base = pd.DataFrame({"name": list("abcdef"), "n": range(6)})
    assert with_page(base, 2, 4, base.iloc[2:4]) is base  # unchanged: the same table
    page = pd.DataFrame({"name": ["c", "x", "y"], "n": [20, 7, 8]})  # d deleted, x y added
    whole = with_page(base, 2, 4, page)
    assert whole["name"].tolist() == ["a", "b", "c", "x", "y", "e", "f"]
    assert whole["n"].tolist() == [0, 1, 20, 7, 8, 4, 5]


def test_the_roster_chart_of_a_large_roster_draws_the_plan_and_a_fixed_pick_of_the_rest():
    from dashboard import charts
    from planner import Campaign, check_roster, make_plan

    roster = check_roster(synthetic_roster(12_000, seed=3))
    plans = [make_plan(roster, Campaign(budget=b)) for b in (40_000, 60_000)]
    figures = [charts.roster_scatter(roster.table, p.allocations) for p in plans]
    for figure, plan in zip(figures, plans, strict=True):
        rest, *chosen = figure.data
        assert len(rest.x) <= charts.SCATTER_REST
        assert sum(len(t.x) for t in chosen) == len(plan.allocations)  # every pick drawn
        subtitle = figure.layout.title.subtitle.text
        assert "not in the plan shown, picked at random" in subtitle.replace("<br>", " ")
        # On lines a 390 px phone shows whole (plotly never wraps a title).
        assert all(len(line) <= charts.SUBTITLE_LINE for line in subtitle.split("<br>"))
    # The same pick from move to move: the points not chosen in either plan stay.
    names = [set(f.data[0].text) for f in figures]
    both = set(plans[0].allocations["name"]) | set(plans[1].allocations["name"])
    assert len((names[0] ^ names[1]) - {charts.chart_text(n) for n in both}) == 0
    small = charts.roster_scatter(roster.table.iloc[:300], plans[0].allocations)
    assert not small.layout.title.subtitle.text


class _Slot:
    """An `st.empty` that records what it was given."""

    def __init__(self) -> None:
        self.shown: list[tuple[float, str]] = []
        self.emptied = 0

    def progress(self, value: float, text: str) -> None:
        self.shown.append((value, text))

    def empty(self) -> None:
        self.emptied += 1


class _Curve:
    """A split curve solving one share per look."""

    def __init__(self) -> None:
        self.looks = 0

    def done(self) -> bool:
        self.looks += 1
        return self.looks > 11

    def progress(self) -> tuple[int, int]:
        return min(self.looks, 11), 11

    def waiting(self) -> None:
        return None

    def __call__(self) -> str:
        return "curve"


def test_waiting_for_the_curve_says_how_many_shares_are_solved_then_clears(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    monkeypatch.setattr(progress, "POLL", 0.0)
    slot = _Slot()
    assert progress.wait_for_curve(_Curve(), slot) == "curve"  # type: ignore[arg-type]
    texts = [text for _, text in slot.shown]
    assert texts[0].startswith("Updating the split curve: 1 of 11 macro shares solved")
    assert texts[-1].startswith("Updating the split curve: 11 of 11")
    assert [value for value, _ in slot.shown] == sorted(value for value, _ in slot.shown)
    assert slot.emptied == 1  # the words go once the curve is drawn
    assert "2 other sessions' curves ahead" in progress.curve_words(2, (0, 11))
    assert "1 other session's curve ahead" in progress.curve_words(1, (0, 11))


def test_counted_steps_say_how_far_along_and_clear(monkeypatch):
    monkeypatch.setattr(progress, "SHOW_AFTER", 0.0)
    slot = _Slot()
    with progress.steps(slot, lambda done: f"{done} of 3 budgets solved", 3) as counted:  # type: ignore[arg-type]
        time.sleep(0.2)  # the first step takes a while: the words come meanwhile
        for _ in range(3):
            counted.step()
    assert [text for _, text in slot.shown] == [
        "0 of 3 budgets solved",
        "1 of 3 budgets solved",
        "2 of 3 budgets solved",
    ]
    assert slot.emptied == 1
    quick = _Slot()
    monkeypatch.setattr(progress, "SHOW_AFTER", 5.0)
    with progress.steps(quick, lambda done: "", 3) as counted:  # type: ignore[arg-type]
        for _ in range(3):
            counted.step()
    assert quick.shown == [] and quick.emptied == 0  # quick work shows nothing
