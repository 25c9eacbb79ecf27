"""A 5,000-influencer roster with a cap on influencers in total, in Chromium (issue 19): slow
steps say what they are doing, and once a run is over no chart contradicts the headline."""

from __future__ import annotations

import re
import time

import pytest
from helpers import budget_slider, charts, metric, wait_idle
from playwright.sync_api import Page, expect

from planner.synthetic import synthetic_roster

pytestmark = pytest.mark.browser
ROWS, CAP = 5_000, 30

# Every progress message the page can show (`ui/progress.py`, the spinners naming their step).
PROGRESS = (
    r"Updating the split curve|Updating what more budget buys|Reading roster_5000\.csv|"
    r"Checking the 5,000 rows|Working out the best plan|Simulating the campaign|"
    r"Comparing the plan for your macro|"
    r"Working out what more budget buys"
)
# Records, from now on, every progress message that appears on the page (spinners come and go
# between two looks of a test, so the page keeps what it saw).
WATCH = """(pattern) => {
    const re = new RegExp(pattern);
    window.progressSeen = [];
    const look = () => {
        for (const el of document.querySelectorAll(
                '[data-testid="stSpinner"], [data-testid="stProgress"]')) {
            const text = el.innerText.trim();
            if (re.test(text) && !window.progressSeen.includes(text))
                window.progressSeen.push(text);
        }
    };
    new MutationObserver(look).observe(document.body,
        {childList: true, subtree: true, characterData: true});
}"""
# The figures each chart shows for the campaign: the split curve's "Your plan" mark (its
# simulated mean) and the tier chart's engagement by tier (short form: "1.23M"), and its
# subtitle (the budget, when some is left unspent).
CHART_FIGURES = """() => {
    const out = {mark: null, tiers: [], subtitle: ''};
    for (const gd of document.querySelectorAll('.js-plotly-plot')) {
        for (const trace of gd.data || []) {
            if ((trace.name || '').startsWith('Your plan')) out.mark = trace.y[0];
            if (trace.type === 'bar') out.tiers.push(trace.customdata[1]);
        }
        const title = gd.layout?.title?.text || '';
        if (title.startsWith('Expected bookings by tier'))
            out.subtitle = gd.layout.title.subtitle?.text || '';
    }
    return out;
}"""


def _short(text: str) -> float:
    """A chart's short-form count ("1.23M", "845K", "–") as a number."""
    found = re.fullmatch(r"([\d.,]+)([KMB]?)", text.strip())
    if found is None:
        return 0.0
    return (
        float(found.group(1).replace(",", ""))
        * {"": 1, "K": 1e3, "M": 1e6, "B": 1e9}[found.group(2)]
    )


def _number(text: str) -> float:
    return float(re.sub(r"[^\d.]", "", text))


def assert_charts_agree_with_the_headline(page: Page) -> None:
    engagements = _number(metric(page, "Expected engagements").inner_text())
    budget = _number(  # under "Expected spend": "of $99,000"
        page.locator('[data-testid="stMetric"]')
        .filter(has=page.locator('[data-testid="stMetricLabel"]', has_text="Expected spend"))
        .locator('[data-testid="stMetricDelta"]')
        .inner_text()
    )
    shown = page.evaluate(CHART_FIGURES)
    assert shown["mark"] is not None, "the split curve marks the plan"
    assert abs(shown["mark"] - engagements) <= 1, (shown["mark"], engagements)
    tiers = sum(_short(t) for t in shown["tiers"])
    assert abs(tiers - engagements) <= 0.01 * engagements, (shown["tiers"], engagements)
    if "unspent" in shown["subtitle"]:  # "... of the $99K budget unspent"
        stated = re.search(r"of the \$([\d.,]+[KMB]?) budget", shown["subtitle"])
        assert stated is not None
        assert abs(_short(stated.group(1)) - budget) <= 0.01 * budget


def seen(page: Page) -> list[str]:
    return page.evaluate("() => window.progressSeen")


def test_a_capped_large_roster_says_what_it_does_and_its_charts_follow_the_headline(
    page, app_url, tmp_path
):
    roster = tmp_path / "roster_5000.csv"
    synthetic_roster(ROWS, seed=19).to_csv(roster, index=False)
    page.goto(f"{app_url}?max_influencers={CAP}")
    expect(page.locator('[data-testid="stMetric"]').first).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.evaluate(WATCH, PROGRESS)
    started = time.monotonic()
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(roster)
    expect(page.get_by_text("In use: roster_5000.csv")).to_be_visible(timeout=120_000)
    expect(charts(page)).to_have_count(2)
    wait_idle(page)
    took = time.monotonic() - started
    # Work of over a second says what it is doing (each message shows after half a second).
    if took > 1.5:
        assert seen(page), f"no progress message in {took:.1f} s"
    assert_charts_agree_with_the_headline(page)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)

    # A budget move: the headline changes; once the run is over every chart follows it.
    page.evaluate(WATCH, PROGRESS)
    before = metric(page, "Expected engagements").inner_text()
    slider = budget_slider(page)
    slider.focus()
    started = time.monotonic()
    page.keyboard.press("ArrowLeft")
    expect(metric(page, "Expected engagements")).not_to_have_text(before, timeout=120_000)
    wait_idle(page)
    took = time.monotonic() - started
    if took > 1.5:
        assert seen(page), f"no progress message in {took:.1f} s"
    assert_charts_agree_with_the_headline(page)
    page.set_viewport_size({"width": 1280, "height": 1000})
    page.screenshot(path="/tmp/large-roster-capped.png", full_page=True)
