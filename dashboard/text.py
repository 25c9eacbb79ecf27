"""User text (roster names and niches, scenario names, file names, cell values in messages) on
its way out, one helper per kind of output, so that it always shows as the text it is:

- `md`: inside Markdown (titles, messages): no emphasis, links, images, HTML, LaTeX, colours,
  icons or entities;
- `chart_text`: in a plotly label, legend or hover (plotly reads a subset of HTML: `<a href>`,
  `<b>`, `<br>`, entities); enter it as data (`text`, `customdata`, category values), never
  inside a `hovertemplate`, where `%{…}` would be read as a placeholder;
- `html_text`: in the client report's HTML.

Tables (`st.dataframe`) and widget labels show text as text; downloads neutralise formulas
(`planner/export.py`)."""

from __future__ import annotations

import html
import re

_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=^%])")
# GitHub's autolinks (`http://…`, `www.…`, `name@host.tld`) are found in the text after escapes
# are read, so an escaped address still becomes a live link: an invisible word joiner (U+2060)
# inside each keeps it text.
_AUTOLINK = re.compile(r"(\\:)(?=/)|(?<=www)(?=\\\.)|(?=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"


def md(text: object) -> str:
    """`text` escaped so that Markdown shows it literally: no emphasis, links (written or bare
    addresses), images, HTML or LaTeX."""
    escaped = _SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")
    return _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, escaped)


def md_lines(text: str) -> str:
    """A multi-line message (a heading line and "- " items) with each line's text escaped."""
    out = []
    for line in text.splitlines():
        if line.startswith("- "):
            out.append("- " + md(line[2:]))
        else:
            out.append(md(line))
    return "\n".join(out)


def chart_text(text: object) -> str:
    """`text` as plotly shows it literally (no tags, no entities read)."""
    return html.escape(str(text), quote=False)


def html_text(text: object) -> str:
    """`text` for HTML content or a quoted attribute."""
    return html.escape(str(text), quote=True)
