"""Numbers a marketer can trust on a page they would show a client, in Chromium: the journeys of
issue 17 (a $50M budget, a cap of one influencer, a plan that books nothing, a 390 px phone),
each saved as a screenshot (`SHOTS`, looked at when the test was written), and an axe-core scan
of every tab with no serious or critical violation.

axe-core is the npm package (`npm install --prefix tests/browser axe-core@4`, as `.ci/run`
does), injected into the page by Playwright."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest
from helpers import budget_slider, charts, metric, open_app, wait_idle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(os.environ.get("SCREENSHOTS") or tempfile.mkdtemp(prefix="planner-shots-"))
TABS = ("Plan", "Budget and roster", "Strategies and risk", "Compare")


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def _headline_cut(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Texts of the headline that do not fit their box (cut with an ellipsis)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid="stMetric"] *')]
            .filter(e => e.textContent.trim() && e.scrollWidth > e.clientWidth + 1)
            .map(e => e.textContent.trim())"""
    )


def test_a_budget_of_50_million(page, app_url):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1280, "height": 1000})
    open_app(page, app_url + "?budget=50000000")
    # The secondary line: the best plan if every offer were accepted, its spend whole.
    expect(page.get_by_text("for $2,284,323.")).to_be_visible()
    # The main figures after declines and backups: the spend of a budget this large in full.
    expect(metric(page, "Expected spend")).to_have_text(re.compile(r"^\$[\d,]+$"))
    card = page.locator('[data-testid="stMetric"]').filter(has_text="Macro share")
    expect(card).to_contain_text("of expected spend")
    expect(charts(page)).to_have_count(2)
    expect(page.locator(".gtitle-subtitle").filter(has_text="No point at 10–100%")).to_have_count(1)
    expect(page.locator(".gtitle-subtitle").filter(has_text="unspent")).to_have_count(1)
    _shot(page, "budget_50m_1280")
    assert _headline_cut(page) == []


def test_a_cap_of_one_influencer(page, app_url):  # type: ignore[no-untyped-def]
    open_app(page, app_url + "?budget=5000000&max_influencers=1")
    # One influencer booked at most: all of the expected spend is that influencer's tier.
    card = page.locator('[data-testid="stMetric"]').filter(has_text="Macro share")
    expect(card.locator('[data-testid="stMetricValue"]')).to_have_text(re.compile("^(0|100)%$"))
    expect(charts(page)).to_have_count(2)
    _shot(page, "cap_one")


def test_a_plan_that_books_nothing_says_why(page, app_url):  # type: ignore[no-untyped-def]
    page.goto(app_url + "?max_influencers=0")
    expect(page.get_by_text("Nothing was booked: the cap on influencers is 0")).to_be_visible(
        timeout=60_000
    )
    wait_idle(page)
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(0)
    expect(page.get_by_text("nan")).to_have_count(0)
    _shot(page, "books_nothing")


def test_on_a_390_px_phone_the_headline_reads_whole(browser, app_url):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        open_app(page, app_url)
        expect(metric(page, "Plan status")).to_have_text("Optimal")
        _shot(page, "phone_390")
        assert _headline_cut(page) == []
        expect(page.get_by_text("on the left")).to_have_count(0)
    finally:
        context.close()


def test_every_tab_has_no_serious_or_critical_accessibility_violation(page, app_url):  # type: ignore[no-untyped-def]
    if not AXE.exists():
        reason = "axe-core is not installed (npm install --prefix tests/browser axe-core@4)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)
        pytest.skip(reason)
    page.set_viewport_size({"width": 1280, "height": 1000})
    open_app(page, app_url)
    found = {}
    for tab in TABS:
        page.get_by_role("tab", name=tab).click()
        wait_idle(page)
        page.wait_for_timeout(1500)  # charts drawn
        page.add_script_tag(path=str(AXE))
        violations = page.evaluate(
            """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))"""
        )
        if violations:
            found[tab] = violations
    assert found == {}


def _names(page, roles: tuple[str, ...]) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(role, accessible name) of the page's elements with one of `roles`, as Chromium
    computes them for a screen reader (its accessibility tree, not the DOM)."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return [
        (n["role"]["value"], n.get("name", {}).get("value", ""))
        for n in nodes
        if n.get("role", {}).get("value") in roles and not n.get("ignored")
    ]


def _named_grids(page, wanted: set[str], timeout_ms: int = 15_000) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """The page's grids once every name in `wanted` is among them (the names are given by a
    script after Streamlit draws the table: on a busy machine, a moment later), or as they are
    when `timeout_ms` has passed."""
    waited = 0
    while True:
        grids = _names(page, ("grid",))
        if wanted <= {name for _role, name in grids} or waited >= timeout_ms:
            return grids
        page.wait_for_timeout(250)
        waited += 250


def test_sliders_are_named_once_and_tables_have_names(page, app_url):  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 1280, "height": 1000})
    open_app(page, app_url)
    budget_slider(page).press("ArrowRight")  # the sliders and the table drawn again
    wait_idle(page)
    page.wait_for_timeout(500)
    sliders = [name for role, name in _names(page, ("slider",))]
    assert "Budget" in sliders and "Posts per influencer (most)" in sliders
    assert "Share of budget on macro influencers (%) — start" in sliders
    for name in sliders:  # a name said twice ("Budget Budget") is the bug this guards
        half = len(name) // 2
        assert name[:half].strip() != name[half:].strip(), name
    assert ("grid", "The plan of offers") in _named_grids(page, {"The plan of offers"})
    page.get_by_role("tab", name="Strategies and risk").click()
    wait_idle(page)
    expect(page.locator('[data-testid="stDataFrame"]')).to_have_count(2, timeout=60_000)
    grids = _named_grids(page, {"Strategies compared", "Outreach list"})
    assert ("grid", "Strategies compared") in grids and ("grid", "Outreach list") in grids
