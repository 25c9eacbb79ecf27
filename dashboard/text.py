"""Text from users (file names, cell values in error messages) shown inside Markdown."""

from __future__ import annotations

import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:])")


def md(text: object) -> str:
    """`text` escaped so that Markdown shows it literally: no emphasis, links, HTML or LaTeX."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def md_lines(text: str) -> str:
    """A multi-line message (a heading line and "- " items) with each line's text escaped."""
    out = []
    for line in text.splitlines():
        if line.startswith("- "):
            out.append("- " + md(line[2:]))
        else:
            out.append(md(line))
    return "\n".join(out)
