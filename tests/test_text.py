"""User text inside Markdown shows literally."""

from __future__ import annotations

from dashboard.text import md, md_lines


def test_markdown_specials_are_escaped():
    assert md("html_name_roster.csv") == r"html\_name\_roster\.csv"
    assert md("**bold** [x](javascript:alert(1)) <b>") == (
        r"\*\*bold\*\* \[x\]\(javascript\:alert\(1\)\) \<b\>"
    )
    assert md("$5 and $6") == r"\$5 and \$6"


def test_list_items_keep_their_bullets():
    text = "The roster has 2 problems:\n- Row 2: '*x*'\n- Row 3: y_z"
    assert md_lines(text).splitlines() == [
        "The roster has 2 problems\\:",
        "- Row 2\\: '\\*x\\*'",
        "- Row 3\\: y\\_z",
    ]
