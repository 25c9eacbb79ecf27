"""The campaign after declines and backups, as the page shows it (issue 18), in Chromium."""

from __future__ import annotations

import math
import re

import pytest
from helpers import charts, metric, open_app, wait_idle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_headline_main_figure_follows_the_macro_reply_rate(page, app_url):
    open_app(page, app_url)
    main = metric(page, "Expected engagements")
    before = main.inner_text()
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Replies and risk").click()
    wait_idle(page)
    macro = sidebar.locator('[data-testid="stSlider"]').filter(has_text="Macro reply rate")
    macro.get_by_role("slider").focus()
    for _ in range(10):
        page.keyboard.press("ArrowRight")  # 20% to 30%
    expect(page).to_have_url(re.compile(r"[?&]reply_macro=30(&|$)"))
    wait_idle(page)
    expect(main).not_to_have_text(before)
    # The secondary line is the plan as if every offer were accepted: reply rates do not move it.
    expect(page.get_by_text("If every offer were accepted")).to_be_visible()


def test_the_split_curves_band_contains_its_line(page, app_url):
    open_app(page, app_url)
    curve = charts(page).filter(has_text="Micro or macro")
    expect(curve).to_have_count(1)
    traces = curve.evaluate(  # as plotly.js drew them (arrays decoded)
        "el => el._fullData.map(t => ({name: t.name || '', x: Array.from(t.x || []),"
        " y: Array.from(t.y || [], v => (v === null || Number.isNaN(v)) ? null : v)}))"
    )
    band_top, band_bottom = traces[0], traces[1]  # P90 first, then P10 filled up to it
    assert band_bottom["name"].startswith("Likely range")
    line = next(t for t in traces if t["name"].startswith("Best plan at this macro share"))
    assert "after declines and backups" in line["name"]
    assert line["x"] == band_top["x"] == band_bottom["x"] and len(line["x"]) >= 5
    checked = 0
    for low, value, high in zip(band_bottom["y"], line["y"], band_top["y"], strict=True):
        if value is None or math.isnan(value):  # a share with no plan: no point, no band
            continue
        assert low <= value <= high
        checked += 1
    assert checked >= 5
