"""The roster UI's helpers that need no running app (ui/roster.py)."""

from __future__ import annotations

import pandas as pd

from ui.roster import included


def test_only_ticked_rows_are_included_and_an_empty_box_leaves_a_row_out():
    frame = pd.DataFrame(
        {"name": ["a", "b", "c", "d"], "include": [True, False, None, pd.NA]}, dtype=object
    )
    assert included(frame)["name"].tolist() == ["a"]
    assert "include" not in included(frame)
    assert included(frame.drop(columns="include"))["name"].tolist() == ["a", "b", "c", "d"]
