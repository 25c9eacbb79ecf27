"""How fast the dashboard answers in a real browser (headless Chromium, Playwright).

    python benchmarks/browser_responsiveness.py [--moves 30] [--reopens 5]

For the app on the sample roster, and for two named references (a bare Streamlit page with one
slider and four metrics, `REFERENCE_APP` below, and the same page with one small plotly chart,
the floor for "first chart"), it measures:

- page open to the first chart drawn with its data (the bare reference has no chart: page open
  to first metric), on the freshly started server ("open") and then `--reopens` times, each in a
  new browser context, once the server is warm ("reopen": median and slowest); for the app also
  page open to the plan table drawn, which follows the first chart;
- for each of `--moves` budget moves by keyboard (one ArrowLeft on the budget slider, each
  waiting for the previous to finish): key press to the headline figure showing the new value,
  and key press to every chart redrawn (the run has finished and the browser has painted);

and prints medians, 95th percentiles and the ratio of the app to the reference.
Targets (issue 4): median <= 250 ms and p95 <= 400 ms to the headline, all charts within 1 s,
first chart within 4 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from helpers import (  # noqa: E402
    CHROMIUM_ARGS,
    IDLE,
    budget_slider,
    chromium_path,
    free_port,
    start_app,
)
from playwright.sync_api import Page, sync_playwright  # noqa: E402

REFERENCE_APP = textwrap.dedent(
    """
    import streamlit as st

    budget = st.slider("Budget", 1_000.0, 1_000_000.0, 100_000.0, 1_000.0)
    cols = st.columns(4)
    cols[0].metric("Spend", f"${budget:,.0f}")
    cols[1].metric("Half", f"{budget / 2:,.0f}")
    cols[2].metric("Double", f"{budget * 2:,.0f}")
    cols[3].metric("Square root", f"{budget ** 0.5:,.0f}")
    """
)
# The same page with one small plotly chart under the metrics: what the first chart costs a
# Streamlit page on this machine (loading plotly.js in the browser), the floor for ours.
REFERENCE_CHART_APP = REFERENCE_APP + textwrap.dedent(
    """
    import plotly.graph_objects as go

    st.plotly_chart(go.Figure(go.Bar(x=["Budget", "Half"], y=[budget, budget / 2])))
    """
)
SPEND = (
    '[data-testid="stMetric"]:has([data-testid="stMetricLabel"] :text-is("Spend")) '
    '[data-testid="stMetricValue"]'
)
PAINTED = "() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
# The run has finished and every chart on screen has been drawn. Checked in the page on every
# frame: Playwright's own `wait_for_selector` retries with growing pauses and noticed the end of
# a run up to ~500 ms late in some moves (seen with a MutationObserver in the page).
REDRAWN = """([idle, n]) => document.querySelector(idle) !== null &&
    [...document.querySelectorAll('.js-plotly-plot')].filter(p => p.querySelector('.main-svg'))
        .length >= n"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def spend_is(page: Page, text: str, timeout: float = 30_000) -> None:
    """Until the headline shows the budget `text`: the reference app's "Spend" figure, or the
    planner's "Expected spend" figure with "of <budget>" under it (drawn with the rest of the
    headline's figures, after declines and backups)."""
    page.wait_for_function(SHOWS_BUDGET, arg=text, timeout=timeout, polling="raf")


SHOWS_BUDGET = """(text) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m => {
    const label = m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim();
    if (label === 'Spend')
        return m.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() === text;
    return label === 'Expected spend' &&
        m.querySelector('[data-testid="stMetricDelta"]')?.innerText.trim() === 'of ' + text;
})"""


# A chart with its data drawn: bars or markers (`.point`) or lines (`.js-line`). (The app's first
# run also sends a blank chart, for the browser to load plotly.js early; it has none.)
DRAWN = "document.querySelectorAll('.js-plotly-plot .main-svg :is(.point, .js-line)').length > 0"


# The plan table drawn: the app's first run holds it back until the first chart is drawn, and the
# rerun the page then asks for draws it (`ui/tab_plan.show_plan`).
TABLE = '[data-testid="stDataFrame"] canvas'


def first_shown(page: Page, url: str, charts: bool, table: bool) -> tuple[float, float]:
    """Seconds from opening the page to its first chart drawn with data (the reference without a
    chart: its first metric), and to its plan table drawn (0 without one); returns once the page
    has it all and is idle."""
    started = time.perf_counter()
    page.goto(url)
    if charts:
        page.wait_for_function(DRAWN, polling="raf", timeout=60_000)
    else:
        page.wait_for_selector('[data-testid="stMetricValue"]', state="visible", timeout=60_000)
    first = time.perf_counter() - started
    table_shown = 0.0
    if table:
        page.wait_for_selector(TABLE, timeout=60_000)
        table_shown = time.perf_counter() - started
    page.wait_for_selector(IDLE, timeout=60_000)
    return first, table_shown


def measure(page: Page, url: str, moves: int, charts: bool, table: bool) -> dict[str, list[float]]:
    opened, table_shown = first_shown(page, url, charts, table)
    # Every chart on screen (the Plan tab's; the other tabs draw only when opened).
    shown = page.locator(".js-plotly-plot").count() if charts else 0
    sidebar = page.locator('[data-testid="stSidebar"]').count() > 0
    slider = budget_slider(page) if sidebar else page.get_by_role("slider").first
    slider.focus()
    budget = 100_000
    headline, redrawn = [], []
    for _ in range(moves):
        budget -= 1_000
        pressed = time.perf_counter()
        page.keyboard.press("ArrowLeft")
        spend_is(page, f"${budget:,.0f}")
        headline.append(time.perf_counter() - pressed)
        page.wait_for_function(REDRAWN, arg=[IDLE, shown], polling="raf", timeout=60_000)
        page.evaluate(PAINTED)
        redrawn.append(time.perf_counter() - pressed)
    return {"open": [opened], "table": [table_shown], "headline": headline, "redrawn": redrawn}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--reopens", type=int, default=5)
    args = parser.parse_args()
    path = chromium_path()
    if path is None:
        sys.exit("Chromium is not installed: apt-get install -y chromium (or set CHROMIUM).")
    results = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        reference = Path(tmp) / "reference_app.py"
        reference.write_text(REFERENCE_APP)
        reference_chart = Path(tmp) / "reference_chart_app.py"
        reference_chart.write_text(REFERENCE_CHART_APP)
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        for name, script, charts, table in (
            ("reference (bare page, 1 slider, 4 metrics)", reference, False, False),
            ("reference + 1 plotly chart", reference_chart, True, False),
            ("planner app (sample roster)", ROOT / "streamlit_app.py", True, True),
        ):
            port = free_port()
            server = start_app(port, script)
            try:
                url = f"http://127.0.0.1:{port}/"
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                results[name] = measure(page, url, args.moves, charts, table)
                context.close()
                # The same page opened again, each time in a fresh browser context: the server
                # is warm.
                reopens = []
                for _ in range(args.reopens):
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    reopens.append(first_shown(context.new_page(), url, charts, table))
                    context.close()
                results[name]["reopen"] = [first for first, _ in reopens]
                results[name]["reopen table"] = [shown for _, shown in reopens]
            finally:
                server.terminate()
                server.wait(timeout=10)
        browser.close()

    ms = 1000
    print(
        f"{'':44} {'open':>8} {'reopen med':>11} {'max':>7} {'headline med':>13} {'p95':>7} "
        f"{'redrawn med':>12} {'p95':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:44} {r['open'][0] * ms:>6.0f}ms {statistics.median(r['reopen']) * ms:>9.0f}ms"
            f" {max(r['reopen']) * ms:>5.0f}ms"
            f" {statistics.median(r['headline']) * ms:>11.0f}ms"
            f" {percentile(r['headline'], 0.95) * ms:>5.0f}ms"
            f" {statistics.median(r['redrawn']) * ms:>10.0f}ms"
            f" {percentile(r['redrawn'], 0.95) * ms:>5.0f}ms"
        )
    app, ref = results["planner app (sample roster)"], results[next(iter(results))]
    floor = results["reference + 1 plotly chart"]
    tables = app["reopen table"]
    print(
        f"planner app, plan table drawn: open {app['table'][0] * ms:.0f}ms, reopen median "
        f"{statistics.median(tables) * ms:.0f}ms, max {max(tables) * ms:.0f}ms"
    )
    print(
        "ratio app/reference: headline median "
        f"{statistics.median(app['headline']) / statistics.median(ref['headline']):.2f}x; "
        "app/reference with a chart: first chart "
        f"{app['open'][0] / floor['open'][0]:.2f}x open, "
        f"{statistics.median(app['reopen']) / statistics.median(floor['reopen']):.2f}x reopen "
        "median"
    )
    print(
        "targets: headline median <= 250 ms, p95 <= 400 ms; all charts <= 1000 ms; "
        "first chart <= 4000 ms"
    )


if __name__ == "__main__":
    main()
