"""Harness for browser tests: the real app in a subprocess, driven by Playwright in Chromium.

Chromium is Debian's (`apt-get install -y chromium`); Playwright's own browser download is not
used. Set CHROMIUM=/path/to/chromium to use another build. Every step waits for the app to
finish its run, with retrying `expect` assertions rather than fixed sleeps.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
from helpers import CHROMIUM_ARGS, chromium_path, free_port, start_app
from playwright.sync_api import expect

# Each `expect` retries for up to 30 s, as the pages' own actions do (`page` below), instead of
# Playwright's 5 s: on a 2-core machine shared with other work, a run that answers in a second
# when quiet can take several.
expect.set_options(timeout=30_000)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    port = free_port()
    process = start_app(port)
    try:
        yield f"http://127.0.0.1:{port}/"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    path = chromium_path()
    if path is None:
        reason = "Chromium is not installed (apt-get install -y chromium, or set CHROMIUM)"
        if os.environ.get("REQUIRE_BROWSER"):
            pytest.fail(reason)  # CI must run these tests, never skip them
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
