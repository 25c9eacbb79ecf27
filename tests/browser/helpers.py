"""Steps shared by the browser tests and the responsiveness benchmark."""

from __future__ import annotations

from playwright.sync_api import Page, expect

IDLE = '[data-testid="stApp"][data-test-script-state="notRunning"]'


def wait_idle(page: Page) -> None:
    """Until the app has finished its current run (and has rendered at least once)."""
    expect(page.locator(IDLE)).to_have_count(1, timeout=60_000)


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)
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
