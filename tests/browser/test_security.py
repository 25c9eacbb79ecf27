"""Security in the browser: a freshly started server answers many first opens at once, and
user strings render as text (no image loaded, no link made) in the client view and Compare."""

from __future__ import annotations

import pytest
from helpers import free_port, metric, start_app, stop_app
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

OPENS = 8


def test_concurrent_first_opens_on_a_fresh_server_all_render(browser):
    port = free_port()
    process = start_app(port)  # healthy, and no page opened yet
    contexts = [browser.new_context(viewport={"width": 1280, "height": 900}) for _ in range(OPENS)]
    try:
        pages = [context.new_page() for context in contexts]
        for page in pages:  # all at once: each goto returns as soon as the page starts loading
            page.goto(f"http://127.0.0.1:{port}/", wait_until="commit")
        for page in pages:
            expect(metric(page, "Expected engagements")).to_be_visible(timeout=120_000)
        for page in pages:
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
            expect(metric(page, "Plan status")).to_have_text("Optimal")
    finally:
        for context in contexts:
            context.close()
        stop_app(process)


HOSTILE = (
    '<a href="http://evil.example/a">a</a> <img src="http://evil.example/i.png"> '
    "![t](http://evil.example/p.png) [Verify your account](http://evil.example/phish)"
)


def test_scenario_names_render_as_text_in_the_client_title_and_compare(page, app_url):
    from helpers import ROOT, wait_idle

    from dashboard.store import ScenarioStore, database_url
    from planner import read_table

    roster = read_table(ROOT / "data" / "sample_roster.csv").assign(include=True)
    store = ScenarioStore(database_url())  # the app's own database (tests/conftest.py)
    first, second = (store.save(HOSTILE, {}, roster, "sample.csv") for _ in range(2))
    asked = []
    page.on("request", lambda request: asked.append(request.url))

    page.goto(f"{app_url}?scenario={first.id}&view=client")
    expect(metric(page, "Expected engagements")).to_be_visible(timeout=60_000)
    wait_idle(page)
    title = page.locator("h1").first
    expect(title).to_contain_text("![t](http")
    # The name, literally (an invisible word joiner keeps each address from becoming a link).
    assert title.inner_text().replace("\u2060", "").strip() == first.name
    _expect_nothing_live(page)

    page.goto(f"{app_url}?scenario={first.id}&tab=Compare")
    link = page.get_by_label("Add a saved scenario by its link")
    expect(link).to_be_visible(timeout=60_000)
    link.fill(f"{app_url}?scenario={second.id}")
    link.press("Enter")
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".ytick text").first).to_contain_text('<a href="http://evil')
    wait_idle(page)
    _expect_nothing_live(page)
    assert not [url for url in asked if "evil.example" in url]  # no image, no pixel fetched


def _expect_nothing_live(page) -> None:  # type: ignore[no-untyped-def]
    for selector in ('a[href*="evil.example"]', 'img[src*="evil.example"]'):
        expect(page.locator(selector)).to_have_count(0)


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def test_a_spreadsheet_bomb_uploaded_to_the_server_is_refused_without_growing_it(browser, tmp_path):
    import time

    from helpers import wait_idle
    from test_upload_limits import INLINE_ROW, repeated, workbook

    bombs = {
        "bomb.xlsx": workbook(repeated(INLINE_ROW, 200_001), dimension="A1:J200001"),
        "no_dimension.xlsx": workbook(repeated(INLINE_ROW, 200_001)),
    }
    port = free_port()
    process = start_app(port)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{port}/")
        expect(metric(page, "Expected engagements")).to_be_visible(timeout=60_000)
        wait_idle(page)
        before = _rss_mb(process.pid)
        for name, raw in bombs.items():
            path = tmp_path / name
            path.write_bytes(raw)
            start = time.monotonic()
            page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(path)
            expect(page.get_by_text(f"{name} could not be used").first).to_be_visible(
                timeout=60_000
            )
            print(f"{name}: refused on the page {time.monotonic() - start:.2f} s after the upload")
            wait_idle(page)
            expect(metric(page, "Plan status")).to_have_text("Optimal")  # the plan stays
        assert _rss_mb(process.pid) - before < 50
    finally:
        context.close()
        stop_app(process)
