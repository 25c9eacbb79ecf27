"""Steps shared by the browser tests and the responsiveness benchmark."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, expect

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def chromium_path() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    return os.environ.get("CHROMIUM") or found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_app(port: int, script: Path | None = None) -> subprocess.Popen:  # type: ignore[type-arg]
    """`streamlit run` on a free port, returned once /_stcore/health answers."""
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script or ROOT / "streamlit_app.py"),
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return process
        except OSError:
            time.sleep(0.2)
        if process.poll() is not None:
            raise RuntimeError("streamlit exited before it was healthy")
    process.kill()
    raise RuntimeError("streamlit did not become healthy within 60 s")


def stop_app(process: subprocess.Popen) -> None:  # type: ignore[type-arg]
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_idle(page: Page) -> None:
    """Until the app has finished its current run (and has rendered at least once)."""
    expect(page.locator(IDLE)).to_have_count(1, timeout=60_000)


def open_app(page: Page, url: str) -> None:
    """Open the app on its Plan tab and wait until it has drawn everything: its first run, and
    the rerun the page asks for once its first chart is drawn, which draws the plan table
    (`ui/tab_plan.show_plan`)."""
    page.goto(url)
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)
    expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=60_000)
    wait_idle(page)


def metric(page: Page, label: str):  # type: ignore[no-untyped-def]
    """The value element of the headline figure with this label."""
    card = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    return card.locator('[data-testid="stMetricValue"]')


def budget_slider(page: Page):  # type: ignore[no-untyped-def]
    return page.locator('[data-testid="stSidebar"] [data-testid="stSlider"]').first.get_by_role(
        "slider"
    )


def charts(page: Page):  # type: ignore[no-untyped-def]
    return page.locator('[data-testid="stPlotlyChart"] .js-plotly-plot')


def accepted_line(page: Page):  # type: ignore[no-untyped-def]
    """The headline's secondary line: what the best plan would earn, and spend, if every offer
    were accepted ("... for $97,000."): it follows the budget exactly."""
    return page.locator('[data-testid="stCaptionContainer"]').filter(
        has_text="If every offer were accepted"
    )


# The headline figures a shared link must reproduce (the simulation is seeded: the same
# scenario gives the same figures).
HEADLINE = ("Expected engagements", "Expected spend", "To contact", "Plan status")


def headline_of(page: Page) -> dict[str, str]:
    return {label: metric(page, label).inner_text() for label in HEADLINE}


def expect_headline(page: Page, figures: dict[str, str]) -> None:
    for label, value in figures.items():
        expect(metric(page, label)).to_have_text(value)
