"""Real rosters through the file picker: a European spreadsheet and a HypeAuditor-style export
are read right, and the plan table shows their prices and rates as the files mean them."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from helpers import open_app, wait_idle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
EXPORTS = Path(__file__).resolve().parent.parent / "data" / "exports"


@pytest.mark.parametrize(("file", "currency"), [("european.csv", "€"), ("hypeauditor.csv", "$")])
def test_an_export_uploaded_plans_with_its_prices_and_rates(page, app_url, file, currency):
    open_app(page, app_url)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(EXPORTS / file)
    wait_idle(page)
    expect(page.get_by_text(f"In use: {file}")).to_be_visible()
    expected = pd.read_csv(EXPORTS / f"{file}.expected.csv").set_index("name")
    table = page.locator('[data-testid="stDataFrame"]').first
    # The plan table is the file's (the sample's names all start with "@").
    expect(table.locator("td").first).not_to_have_text(re.compile("^@"))
    expect(table).to_contain_text(f"Price per post ({currency})")
    rows = table.locator("tbody tr")
    checked = 0
    for i in range(rows.count()):
        cells = rows.nth(i).locator("td").all_inner_texts()
        name = cells[0]
        assert name in expected.index
        # The grid's cells hold the numbers as the table has them: the rate in percent, the
        # price in the file's currency, both as the file means them.
        assert f"{round(expected.loc[name, 'engagement_rate'] * 100, 2):g}" in cells
        assert f"{expected.loc[name, 'cost_per_post']:g}" in cells
        checked += 1
    assert checked >= 2
    page.screenshot(path=f"/tmp/roster-{file}.png", full_page=True)
