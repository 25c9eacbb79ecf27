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


def test_bare_addresses_do_not_become_links():
    # GitHub's autolinks are found after escapes are read: a word joiner breaks each one.
    for text, broken in (
        ("http://evil.example/p", "http\\:\u2060//evil\\.example/p"),
        ("go to WWW.evil.example", "go to WWW\u2060\\.evil\\.example"),
        ("mail me@evil.example", "mail me\u2060@evil\\.example"),
    ):
        assert md(text) == broken


def test_chart_and_html_text_escape_tags():
    from dashboard.text import chart_text, html_text

    assert chart_text('<a href="x">y</a>') == '&lt;a href="x"&gt;y&lt;/a&gt;'
    assert html_text('<a href="x">') == "&lt;a href=&quot;x&quot;&gt;"
