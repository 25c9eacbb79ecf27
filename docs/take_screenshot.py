"""Take the README's screenshot with the browser-test harness.

python docs/take_screenshot.py   # writes docs/screenshot.png
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))

from helpers import CHROMIUM_ARGS, charts, chromium_path, free_port, open_app, start_app  # noqa: E402
from playwright.sync_api import expect, sync_playwright  # noqa: E402


def main() -> None:
    port = free_port()
    server = start_app(port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=chromium_path(), args=CHROMIUM_ARGS
            )
            page = browser.new_page(viewport={"width": 1400, "height": 1250})
            open_app(page, f"http://127.0.0.1:{port}/")
            expect(charts(page)).to_have_count(2)
            page.evaluate("() => new Promise(r => setTimeout(r, 500))")  # plotly's transitions
            page.screenshot(path=ROOT / "docs" / "screenshot.png")
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
