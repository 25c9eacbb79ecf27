"""How fast the dashboard answers in a real browser (headless Chromium, Playwright).

    python benchmarks/browser_responsiveness.py [--moves 30] [--reopens 5]
    python benchmarks/browser_responsiveness.py --roster 5000 [--cap 30] [--rounds 2] [--moves 10]

For the app on the sample roster, and for two named references (a bare Streamlit page with one
slider and four metrics, `REFERENCE_APP` below, and the same page with one small plotly chart,
the floor for "first chart"), it measures:

- page open to the first chart drawn with its data (the bare reference has no chart: page open
  to first metric), on the freshly started server ("open") and then `--reopens` times, each in a
  new browser context, once the server is warm ("reopen": median and slowest); for the app also
  page open to the plan table drawn, which follows the first chart;
- for each of `--moves` budget moves by keyboard (one ArrowLeft on the budget slider, each
  waiting for the previous to finish): key press to the headline figure showing the new value,
  to its final figures (the headline first shows the plan for the campaign's band while the
  split curve's bands are compared with it, then the best plan's figures: printed when they
  came later), and key press to every chart redrawn (the run has finished and the browser has
  painted);

and prints medians, 95th percentiles and the ratio of the app to the reference. On Linux it
also prints the CPU time a move takes (median, key press to the headline and to every chart),
of the browser (Chromium and Playwright), the app's server and its workers: on a machine whose
cores the browser shares with the server, what the browser's work takes from the server's.
Targets (issue 4): median <= 250 ms and p95 <= 400 ms to the headline, all charts within 1 s,
first chart within 4 s.

With `--roster N` (issue 19) it measures the app with a synthetic N-row roster
(`planner/synthetic.py`, seed 19) uploaded through the file picker instead of the bare pages:
file chosen to the headline showing the new roster's plan ("upload to first plan") and to every
chart drawn, then the budget moves as above. The named reference is the same app on its sample
roster, measured the same way without the upload; the two alternate (`--rounds` times each, a
fresh server for every run, so no run answers from another's cache). `--cap K` opens both with
a cap of K influencers in total (`?max_influencers=K`). Targets (issue 19), 5,000 rows with and
without a cap of 30: headline median <= 400 ms, every chart <= 1.5 s; 50,000 rows: headline
median <= 1.5 s, upload to first plan <= 5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT))

import procs  # noqa: E402  # (beside this script)
from helpers import (  # noqa: E402
    CHROMIUM_ARGS,
    IDLE,
    budget_slider,
    chromium_path,
    free_port,
    start_app,
    stop_app,
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


class CpuMeter:
    """CPU seconds spent so far by the browser (every process this script started other than
    the app's server: Playwright's driver and Chromium's), by the app's server process and by
    its worker processes (the split curve's)."""

    def __init__(self, server_pid: int) -> None:
        server = procs.tree(server_pid)
        self.server, self.workers = [server_pid], server[1:]
        self.browser = [p for p in procs.tree(os.getpid()) if p not in server][1:]

    def read(self) -> tuple[float, float, float]:
        return (
            procs.total_cpu_seconds(self.browser),
            procs.total_cpu_seconds(self.server),
            procs.total_cpu_seconds(self.workers),
        )


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


# The headline's final figures: the budget shown, and no longer the plan for the campaign's band
# said to be compared still with the split curve's bands (`ui/headline.show_forecast` draws that
# first, then the best plan's figures in its place). The app before that change: the headline.
FINAL = (
    "(text) => ("
    + SHOWS_BUDGET
    + """)(text) && ![...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
        .some(e => e.innerText.includes('comparing it with the split curve'))"""
)


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


# The headline's main figure's value, and whether the page names `file` as the roster in use.
MAIN_FIGURE = """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
    .find(m => m.querySelector('[data-testid="stMetricLabel"]')?.innerText.trim() ===
        'Expected engagements')?.querySelector('[data-testid="stMetricValue"]')?.innerText.trim()"""
NEW_PLAN = (
    """([file, before]) => document.body.innerText.includes('In use: ' + file) &&
    ("""
    + MAIN_FIGURE
    + """)() !== before"""
)


def upload(page: Page, roster: Path, charts: int) -> tuple[float, float]:
    """Seconds from choosing `roster` in the file picker to the headline showing its plan (the
    main figure changed and the page names the file in use), and to every chart drawn."""
    before = page.evaluate(MAIN_FIGURE)
    chosen = time.perf_counter()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(roster)
    page.wait_for_function(NEW_PLAN, arg=[roster.name, before], polling="raf", timeout=600_000)
    planned = time.perf_counter() - chosen
    page.wait_for_function(REDRAWN, arg=[IDLE, charts], polling="raf", timeout=600_000)
    page.evaluate(PAINTED)
    return planned, time.perf_counter() - chosen


def measure(
    page: Page,
    url: str,
    moves: int,
    charts: bool,
    table: bool,
    roster: Path | None = None,
    server_pid: int | None = None,
) -> dict[str, list[float]]:
    """Opening, upload and moves timed (see the module's docstring); with `server_pid` (Linux),
    also each move's CPU seconds, from the key press to the headline and to every chart: the
    browser's, the server's and its workers' (`cpu ...`)."""
    opened, table_shown = first_shown(page, url, charts, table)
    # Every chart on screen (the Plan tab's; the other tabs draw only when opened).
    shown = page.locator(".js-plotly-plot").count() if charts else 0
    uploaded = upload(page, roster, shown) if roster is not None else (0.0, 0.0)
    if roster is not None:
        print(
            f"  {roster.name}: upload to first plan {uploaded[0] * 1000:.0f}ms, to every chart "
            f"{uploaded[1] * 1000:.0f}ms",
            flush=True,
        )
    # A move with a large roster or a cap can take minutes on a loaded machine: measured, not cut.
    wait = 60_000 if roster is None and "max_influencers" not in url else 900_000
    sidebar = page.locator('[data-testid="stSidebar"]').count() > 0
    slider = budget_slider(page) if sidebar else page.get_by_role("slider").first
    slider.focus()
    budget = 100_000
    headline, final, redrawn = [], [], []
    meter = CpuMeter(server_pid) if server_pid is not None and Path("/proc").is_dir() else None
    cpu: dict[str, list[float]] = {}
    for _ in range(moves):
        budget -= 1_000
        before = meter.read() if meter else None
        pressed = time.perf_counter()
        page.keyboard.press("ArrowLeft")
        spend_is(page, f"${budget:,.0f}", timeout=wait)
        headline.append(time.perf_counter() - pressed)
        at_headline = meter.read() if meter else None
        page.wait_for_function(FINAL, arg=f"${budget:,.0f}", polling="raf", timeout=wait)
        final.append(time.perf_counter() - pressed)
        page.wait_for_function(REDRAWN, arg=[IDLE, shown], polling="raf", timeout=wait)
        page.evaluate(PAINTED)
        redrawn.append(time.perf_counter() - pressed)
        if meter and before and at_headline:
            after = meter.read()
            for i, who in enumerate(("browser", "server", "workers")):
                cpu.setdefault(f"cpu {who} headline", []).append(at_headline[i] - before[i])
                cpu.setdefault(f"cpu {who} move", []).append(after[i] - before[i])
    return {
        **cpu,
        "open": [opened],
        "table": [table_shown],
        "headline": headline,
        "final": final,
        "redrawn": redrawn,
        "upload plan": [uploaded[0]],
        "upload drawn": [uploaded[1]],
    }


def final_lines(results: dict[str, dict[str, list[float]]]) -> None:
    """Key press to the headline's final figures (the best plan's, once the split curve's
    bands are compared: `FINAL`), median and p95, where they came later than its first."""
    for name, r in results.items():
        if r.get("final") and r["final"] != r["headline"]:
            median = statistics.median(r["final"]) * 1000
            print(
                f"{name}: headline's final figures median {median:.0f}ms, p95 "
                f"{percentile(r['final'], 0.95) * 1000:.0f}ms (first figures: the plan for the "
                "campaign's band, while the curve's bands are compared)"
            )


def rosters(args: argparse.Namespace, path: str) -> None:
    """`--roster N`: the app with an N-row roster uploaded against the app on its sample roster
    (the named reference), alternating, each run on a fresh server."""
    from planner.synthetic import synthetic_roster

    ms = 1000
    query = f"?max_influencers={args.cap}" if args.cap else ""
    capped = f", cap {args.cap}" if args.cap else ""
    sample, big = f"sample roster (400{capped})", f"{args.roster:,}-row roster{capped}"
    results: dict[str, dict[str, list[float]]] = {sample: {}, big: {}}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        roster = Path(tmp) / f"roster_{args.roster}.csv"
        synthetic_roster(args.roster, seed=19).to_csv(roster, index=False)
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        for _ in range(args.rounds):
            for name, upload_file in ((sample, None), (big, roster)):
                port = free_port()
                server = start_app(port)
                try:
                    context = browser.new_context(viewport={"width": 1400, "height": 1000})
                    page = context.new_page()
                    run = measure(
                        page,
                        f"http://127.0.0.1:{port}/{query}",
                        args.moves,
                        True,
                        True,
                        roster=upload_file,
                    )
                    context.close()
                finally:
                    stop_app(server)
                print(
                    f"{name:28} upload to first plan {run['upload plan'][0] * ms:>7.0f}ms, "
                    f"to every chart {run['upload drawn'][0] * ms:>7.0f}ms; headline med "
                    f"{statistics.median(run['headline']) * ms:>6.0f}ms, redrawn med "
                    f"{statistics.median(run['redrawn']) * ms:>6.0f}ms, max "
                    f"{max(run['redrawn']) * ms:>6.0f}ms",
                    flush=True,
                )
                for key, values in run.items():
                    results[name].setdefault(key, []).extend(values)
        browser.close()
    print(
        f"{'':28} {'upload plan':>12} {'upload all':>11} {'headline med':>13} {'p95':>7} "
        f"{'redrawn med':>12} {'p95':>7} {'max':>7}"
    )
    for name, r in results.items():
        print(
            f"{name:28} {statistics.median(r['upload plan']) * ms:>10.0f}ms"
            f" {statistics.median(r['upload drawn']) * ms:>9.0f}ms"
            f" {statistics.median(r['headline']) * ms:>11.0f}ms"
            f" {percentile(r['headline'], 0.95) * ms:>5.0f}ms"
            f" {statistics.median(r['redrawn']) * ms:>10.0f}ms"
            f" {percentile(r['redrawn'], 0.95) * ms:>5.0f}ms"
            f" {max(r['redrawn']) * ms:>5.0f}ms"
        )
    final_lines(results)
    ref, ours = results[sample], results[big]
    med = statistics.median
    print(
        f"ratio {big} / {sample} (the reference): headline median "
        f"{med(ours['headline']) / med(ref['headline']):.2f}x, "
        f"redrawn median {med(ours['redrawn']) / med(ref['redrawn']):.2f}x"
    )
    print(
        "targets (issue 19): 5,000 rows, with or without a cap of 30: headline median <= 400 ms, "
        "every chart <= 1,500 ms; 50,000 rows: headline median <= 1,500 ms, upload to first "
        "plan <= 5,000 ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--moves", type=int, default=30)
    parser.add_argument("--reopens", type=int, default=5)
    parser.add_argument(
        "--roster", type=int, default=0, help="upload a synthetic roster of this many rows"
    )
    parser.add_argument(
        "--cap", type=int, default=0, help="with --roster: at most this many influencers"
    )
    parser.add_argument("--rounds", type=int, default=2, help="with --roster: runs of each")
    args = parser.parse_args()
    path = chromium_path()
    if path is None:
        sys.exit("Chromium is not installed: apt-get install -y chromium (or set CHROMIUM).")
    if args.cap and not args.roster:
        sys.exit("--cap goes with --roster N.")
    if args.roster:
        rosters(args, path)
        return
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
                results[name] = measure(page, url, args.moves, charts, table, server_pid=server.pid)
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
    for name, r in results.items():
        if "cpu browser move" in r:
            print(
                f"{name}: CPU a move, median ms (key press to headline / to every chart): "
                + ", ".join(
                    f"{who} {statistics.median(r[f'cpu {who} headline']) * ms:.0f} / "
                    f"{statistics.median(r[f'cpu {who} move']) * ms:.0f}"
                    for who in ("browser", "server", "workers")
                )
            )
    final_lines(results)
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
