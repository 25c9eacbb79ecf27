"""How fast the dashboard answers in a real browser (headless Chromium, Playwright).

    python benchmarks/browser_responsiveness.py [--moves 30]

For the app on the sample roster, and for two named references (a bare Streamlit page with one
slider and four metrics, `REFERENCE_APP` below, and the same page with one small plotly chart,
the floor for "first chart"), it measures:

- page open to the first chart drawn with its data (the bare reference has no chart: page open
  to first metric), on the freshly started server ("open") and again in a new browser context
  once the server is warm ("reopen");
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
    page.wait_for_function(
        """(text) => [...document.querySelectorAll('[data-testid="stMetric"]')].some(m =>
            m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() === 'Spend' &&
            m.querySelector('[data-testid="stMetricValue"]')?.innerText.trim() === text)""",
        arg=text,
        timeout=timeout,
        polling="raf",
    )


# A chart with its data drawn: bars or markers (`.point`) or lines (`.js-line`). (The app's first
# run also sends a blank chart, for the browser to load plotly.js early; it has none.)
DRAWN = "document.querySelectorAll('.js-plotly-plot .main-svg :is(.point, .js-line)').length > 0"


def first_shown(page: Page, url: str, charts: bool) -> float:
    """Seconds from opening the page to its first chart drawn with data (the reference without a
    chart: its first metric)."""
    started = time.perf_counter()
    page.goto(url)
    if charts:
        page.wait_for_function(DRAWN, polling="raf", timeout=60_000)
    else:
        page.wait_for_selector('[data-testid="stMetricValue"]', state="visible", timeout=60_000)
    return time.perf_counter() - started


def measure(page: Page, url: str, moves: int, charts: bool) -> dict[str, list[float]]:
    opened = first_shown(page, url, charts)
    page.wait_for_selector(IDLE, timeout=60_000)
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
    return {"open": [opened], "headline": headline, "redrawn": redrawn}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=30)
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
        for name, script, charts in (
            ("reference (bare page, 1 slider, 4 metrics)", reference, False),
            ("reference + 1 plotly chart", reference_chart, True),
            ("planner app (sample roster)", ROOT / "streamlit_app.py", True),
        ):
            port = free_port()
            server = start_app(port, script)
            try:
                url = f"http://127.0.0.1:{port}/"
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                page = context.new_page()
                results[name] = measure(page, url, args.moves, charts)
                context.close()
                # The same page opened again in a fresh browser context: the server is warm.
                context = browser.new_context(viewport={"width": 1400, "height": 1000})
                results[name]["reopen"] = [first_shown(context.new_page(), url, charts)]
                context.close()
            finally:
                server.terminate()
                server.wait(timeout=10)
        browser.close()

    ms = 1000
    print(
        f"{'':44} {'open':>8} {'reopen':>8} {'headline med':>13} {'p95':>7} "
        f"{'redrawn med':>12} {'p95':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:44} {r['open'][0] * ms:>6.0f}ms {r['reopen'][0] * ms:>6.0f}ms"
            f" {statistics.median(r['headline']) * ms:>11.0f}ms"
            f" {percentile(r['headline'], 0.95) * ms:>5.0f}ms"
            f" {statistics.median(r['redrawn']) * ms:>10.0f}ms"
            f" {percentile(r['redrawn'], 0.95) * ms:>5.0f}ms"
        )
    app, ref = results["planner app (sample roster)"], results[next(iter(results))]
    floor = results["reference + 1 plotly chart"]
    print(
        "ratio app/reference: headline median "
        f"{statistics.median(app['headline']) / statistics.median(ref['headline']):.2f}x, "
        f"open {app['open'][0] / ref['open'][0]:.2f}x; app/reference with a chart: first chart "
        f"{app['open'][0] / floor['open'][0]:.2f}x open, "
        f"{app['reopen'][0] / floor['reopen'][0]:.2f}x reopen"
    )
    print(
        "targets: headline median <= 250 ms, p95 <= 400 ms; all charts <= 1000 ms; "
        "first chart <= 4000 ms"
    )


if __name__ == "__main__":
    main()
