"""The app as a marketer and a client see it, in headless Chromium (see conftest.py)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import (
    accepted_line,
    budget_slider,
    charts,
    expect_headline,
    headline_of,
    metric,
    open_app,
    wait_idle,
)
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
DATA = Path(__file__).resolve().parent / "data"


def plan_table(page):  # type: ignore[no-untyped-def]
    """The plan table: the first table on the page (the roster editor is further down)."""
    return page.locator('[data-testid="stDataFrame"]').first


def upload(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(DATA / name)
    wait_idle(page)


def test_first_open_shows_the_figures_and_every_chart(page, app_url):
    open_app(page, app_url)
    expect(metric(page, "Expected engagements")).not_to_have_text("0")
    expect(metric(page, "Plan status")).to_have_text("Optimal")
    expect(charts(page)).to_have_count(2)  # the Plan tab; the others draw when opened
    for i in range(2):
        expect(charts(page).nth(i).locator(".main-svg").first).to_be_visible()
    # The plan table follows the first chart by itself (the page asks for it once drawn).
    expect(plan_table(page)).to_have_count(1)
    expect(plan_table(page).locator("canvas").first).to_be_visible()
    page.get_by_role("tab", name="Budget and roster").click()
    wait_idle(page)
    expect(charts(page)).to_have_count(2)
    for i in range(2):
        expect(charts(page).nth(i).locator(".main-svg").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]tab=Budget"))
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)


def test_a_keyboard_move_of_the_budget_updates_figures_and_url_and_the_link_reproduces_it(
    page, app_url, browser
):
    open_app(page, app_url)
    before = metric(page, "Expected engagements").inner_text()
    slider = budget_slider(page)
    slider.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    expect(accepted_line(page)).to_contain_text("for $97,000.")
    expect(metric(page, "Expected engagements")).not_to_have_text(before)
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"[?&]budget=97000(\.0)?(&|$)"))
    link = page.url
    figures = headline_of(page)

    fresh = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        other = fresh.new_page()
        open_app(other, link)
        expect_headline(other, figures)
        expect(other.locator('[data-testid="stSidebar"] input[type="number"]').first).to_have_value(
            "97000.00"
        )
    finally:
        fresh.close()


def test_back_and_forward_bring_back_the_settings_and_figures_of_each_step(page, app_url):
    open_app(page, app_url)
    opened = headline_of(page)
    budget_slider(page).focus()
    page.keyboard.press("ArrowLeft")  # a bound setting (the typed budget follows the slider)
    expect(accepted_line(page)).to_contain_text("for $99,000.")
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"[?&]budget=99000(\.0)?(&|$)"))
    moved = headline_of(page)
    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Replies and risk").click()  # a setting the sidebar keeps in the URL
    wait_idle(page)
    rounds = sidebar.locator('[data-testid="stSlider"]').filter(has_text="Rounds of offers")
    rounds.get_by_role("slider").focus()
    page.keyboard.press("ArrowLeft")  # 3 rounds to 2
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"[?&]rounds=2"))
    expect(metric(page, "Expected engagements")).not_to_have_text(moved["Expected engagements"])
    replies = headline_of(page)

    for go, url, figures, slider in (
        (page.go_back, r"budget=99000(\.0)?$", moved, "$99,000"),
        (page.go_back, r"/$", opened, "$100,000"),
        (page.go_forward, r"budget=99000(\.0)?$", moved, "$99,000"),
        (page.go_forward, r"rounds=2", replies, "$99,000"),
    ):
        go()
        expect(page).to_have_url(re.compile(url))
        expect_headline(page, figures)
        wait_idle(page)
        expect_headline(page, figures)
        thumb = sidebar.locator('[data-testid="stSliderThumbValue"]').first
        expect(thumb).to_have_text(slider)


def test_a_messy_upload_is_planned_and_a_broken_one_keeps_the_last_plan(page, app_url):
    open_app(page, app_url)
    upload(page, "messy_roster.csv")
    expect(page.get_by_text("In use: messy_roster.csv")).to_be_visible()
    # Planned on the uploaded roster (six influencers): offers to send and bookings expected.
    expect(metric(page, "To contact")).to_have_text(re.compile(r"^[1-6]$"))
    expect(page.get_by_text("1 left out of the plan, and why")).to_be_visible()
    planned = metric(page, "Expected engagements").inner_text()

    upload(page, "broken_roster.csv")
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="broken_roster.csv")
    expect(error).to_be_visible()
    for text in ("Row 3", "Row 4", "Row 5", "followers", "engagement_rate", "cost_per_post"):
        expect(error).to_contain_text(text)
    expect(metric(page, "Expected engagements")).to_have_text(planned)
    expect(page.get_by_text("In use: messy_roster.csv")).to_be_visible()


def test_the_csv_download_matches_the_plan_on_screen(page, app_url):
    open_app(page, app_url)
    with page.expect_download() as info:
        page.get_by_role("button", name="Plan as CSV").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    plan = pd.read_csv(io.StringIO(text))
    # The plan of offers: what each costs and earns if booked, and how often it was booked in
    # the headline's simulation; the plan's part of the expected spend is within the headline's.
    spend = float(metric(page, "Expected spend").inner_text().strip("$").replace(",", ""))
    booked = plan["Spend if booked ($)"] * plan["Chance booked (%, simulated)"] / 100
    assert 0 < booked.sum() <= spend * 1.01
    contacted = metric(page, "To contact").inner_text()
    assert len(plan) <= int(contacted.replace(",", "")) + 1
    # Handles begin with "@", which a spreadsheet would read as a formula: the file writes them
    # with a leading apostrophe (tests/test_export.py).
    first_name = plan["Influencer"].iloc[0].removeprefix("'")
    expect(plan_table(page).locator("td").first).to_have_text(first_name)


def test_on_a_phone_the_page_fits_the_width(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        page = context.new_page()
        open_app(page, app_url)
        expect(metric(page, "Expected engagements")).to_be_in_viewport()
        expect(charts(page)).to_have_count(2)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390
        for i in range(2):
            box = charts(page).nth(i).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1
    finally:
        context.close()


def test_an_influencer_named_with_html_shows_as_text_and_runs_nothing(page, app_url):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_app(page, app_url)
    upload(page, "html_name_roster.csv")
    expect(page.get_by_text("In use: html_name_roster.csv")).to_be_visible()
    cells = plan_table(page).locator("td").filter(has_text="<img src=x onerror=alert(1)>")
    expect(cells).to_have_count(1)
    assert page.locator('img[src="x"]').count() == 0
    assert dialogs == []


# The most "To contact" figures the page has shown at once, from now on (a MutationObserver).
HEADLINES_SEEN = """() => {
  const count = () => [...document.querySelectorAll('[data-testid="stMetricLabel"]')]
    .filter(label => label.innerText.trim() === 'To contact').length;
  window.__mostHeadlines = count();
  new MutationObserver(() => {
    window.__mostHeadlines = Math.max(window.__mostHeadlines, count());
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
}"""


def test_a_roster_without_prices_can_be_planned_with_estimated_prices(page, app_url):
    open_app(page, app_url)
    upload(page, "no_prices_roster.csv")
    info = page.locator('[data-testid="stAlertContentInfo"]').filter(
        has_text="recognised as the price of one post"
    )
    expect(info).to_be_visible()
    expect(accepted_line(page)).to_contain_text("for $100,000.")  # the sample plan stays
    page.get_by_test_id("stSidebarUserContent").get_by_text("Assumptions", exact=True).click()
    wait_idle(page)
    # The notice above the headline goes when the prices are estimated: the headline keeps its
    # place, never shown twice while the page is redrawn (every change of the page watched).
    page.evaluate(HEADLINES_SEEN)
    page.get_by_test_id("stCheckbox").get_by_text("Estimate missing prices from").click()
    wait_idle(page)
    expect(page.get_by_text("Some prices are estimates from the rate card")).to_be_visible()
    assert page.evaluate("window.__mostHeadlines") == 1
    # Planned on the three influencers priced from the rate card.
    expect(metric(page, "To contact")).to_have_text(re.compile(r"^[1-3]$"))
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page).to_have_url(re.compile(r"estimate_prices=true"))


def test_the_strategies_view_renders_and_follows_the_spread_setting(page, app_url):
    open_app(page, app_url)
    page.get_by_role("tab", name="Strategies and risk").click()
    wait_idle(page)
    expect(charts(page)).to_have_count(1)  # the three strategies after declines and backups
    expect(charts(page).first.locator(".main-svg").first).to_be_visible()
    expect(page.get_by_text("Outreach list", exact=True)).to_be_visible()
    widths = "() => Array.from(document.querySelectorAll('.js-plotly-plot')[0]._fullData[0].x)"
    before = page.evaluate(widths)
    assert len(before) == 3 and all(w > 0 for w in before[::2])

    sidebar = page.locator('[data-testid="stSidebar"]')
    sidebar.get_by_text("Replies and risk").click()
    spread = sidebar.locator('[data-testid="stSlider"]').filter(has_text="Micro post spread")
    spread.get_by_role("slider").focus()
    page.keyboard.press("End")
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"[?&]spread_micro=3(\.0)?(&|$)"))
    page.wait_for_function(
        f"(before) => JSON.stringify(({widths})()) !== JSON.stringify(before)", arg=before
    )
    after = page.evaluate(widths)
    # A wider spread per post widens the all-micro range.
    assert after[0] > before[0]
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_save_and_share_opens_the_same_scenario_in_a_fresh_browser_and_client_view(
    page, app_url, browser
):
    open_app(page, app_url)
    slider = budget_slider(page)
    slider.focus()
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    expect(accepted_line(page)).to_contain_text("for $95,000.")
    wait_idle(page)
    figures = headline_of(page)
    page.get_by_role("button", name="Save and share").click()
    wait_idle(page)  # its contents are drawn by the run that opening it starts
    page.get_by_label("Scenario name").fill("Client pitch <b>bold</b>")
    page.get_by_role("button", name="Save and get the link").click()
    wait_idle(page)
    code = page.locator('[data-testid="stCode"]').filter(has_text="?scenario=")
    expect(code.first).to_be_visible()
    links = [c.strip() for c in code.all_inner_texts()]
    link = next(c for c in links if "view=client" not in c)
    client_link = next(c for c in links if "view=client" in c)

    fresh = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        other = fresh.new_page()
        open_app(other, link)
        expect_headline(other, figures)

        client = fresh.new_page()
        open_app(client, client_link)
        expect(client.get_by_role("heading", name="Client pitch <b>bold</b>")).to_be_visible()
        expect(client.locator("b", has_text="bold")).to_have_count(0)
        expect_headline(client, figures)
        expect(client.locator('[data-testid="stFileUploader"]')).to_have_count(0)
        expect(client.get_by_text("Review and edit the roster")).to_have_count(0)
        expect(client.get_by_text("Explore: try other settings")).to_be_visible()

        with client.expect_download() as info:
            client.get_by_role("button", name="Client report (HTML)").click()
        report = Path(info.value.path()).read_text(encoding="utf-8")
        assert "<table" in report and "The plan" in report
        assert "Plotly.newPlot" in report or "plotly" in report.lower()
        assert report.count('class="plotly-graph-div"') == 5
        assert "Client pitch &lt;b&gt;bold&lt;/b&gt;" in report
        assert figures["Expected engagements"] in report
    finally:
        fresh.close()
