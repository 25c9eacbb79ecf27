"""Security in the browser: a freshly started server answers many first opens at once, and
user strings render as text (no image loaded, no link made) in the client view and Compare."""

from __future__ import annotations

import subprocess

import pytest
from helpers import free_port, metric, start_app
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
            expect(metric(page, "Engagements")).to_be_visible(timeout=120_000)
        for page in pages:
            expect(page.locator('[data-testid="stException"]')).to_have_count(0)
            expect(metric(page, "Plan status")).to_have_text("Optimal")
    finally:
        for context in contexts:
            context.close()
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
