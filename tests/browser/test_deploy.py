"""The deployment of `deploy/`: two app servers behind HAProxy with session affinity and one
PostgreSQL (`deploy/local.py`, what `deploy/run-local.sh` starts), driven in Chromium.

A browser context is sent to a chosen app server by setting the balancer's affinity cookie
(`PLANNER_SERVER=app1`), as HAProxy itself would after the first response; the tests check that
the cookie is unchanged afterwards, so each page really was served by that server.
"""

from __future__ import annotations

import os
import shutil
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import (
    accepted_line,
    budget_slider,
    expect_headline,
    headline_of,
    metric,
    open_app,
    wait_idle,
)
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from haproxy import COOKIE, max_upload_bytes  # noqa: E402
from load import Session  # noqa: E402  # Streamlit's websocket protocol, no browser
from local import LocalDeployment, healthy, wait_for  # noqa: E402
from procs import tree  # noqa: E402

pytestmark = pytest.mark.browser
UNAVAILABLE = "Saved scenarios are unavailable right now"
CONNECTED = '[data-testid="stApp"][data-test-connection-state="CONNECTED"]'


def _missing() -> str | None:
    if not (shutil.which("haproxy") or os.path.exists("/usr/sbin/haproxy")):
        return "HAProxy is not installed (apt-get install -y haproxy)"
    if not list(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and not shutil.which("initdb"):
        return "PostgreSQL is not installed (apt-get install -y postgresql)"
    return None


@pytest.fixture(scope="module")
def deployment() -> Iterator[LocalDeployment]:
    reason = _missing()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") or os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(reason)  # CI must run these tests, never skip them
        pytest.skip(reason)
    with LocalDeployment(servers=2) as running:
        yield running


def on_server(browser, deployment: LocalDeployment, name: str):  # type: ignore[no-untyped-def]
    """A fresh browser context whose requests the balancer sends to app server `name`."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.add_cookies([{"name": COOKIE, "value": name, "url": deployment.url}])
    return context


def server_of(context) -> str | None:  # type: ignore[no-untyped-def]
    return next((c["value"] for c in context.cookies() if c["name"] == COOKIE), None)


def new_page(context):  # type: ignore[no-untyped-def]
    page = context.new_page()
    page.set_default_timeout(30_000)
    return page


def move_budget(page, presses: int) -> dict[str, str]:  # type: ignore[no-untyped-def]
    budget_slider(page).focus()
    for _ in range(presses):
        page.keyboard.press("ArrowLeft")
    # (A run waits for the machine: two cores shared with the balancer, two servers, PostgreSQL
    # and Chromium, and in CI whatever else runs.)
    expect(accepted_line(page)).to_contain_text(f"for ${100 - presses},000.", timeout=60_000)
    wait_idle(page)
    return headline_of(page)


def open_save(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Save and share").click()
    wait_idle(page)  # its contents are drawn by the run that opening it starts
    page.get_by_label("Scenario name").fill(name)


def press_save(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Save and get the link").click()
    wait_idle(page)


def saved_link(page) -> str:  # type: ignore[no-untyped-def]
    code = page.locator('[data-testid="stCode"]').filter(has_text="?scenario=")
    # A server's first save loads SQLAlchemy and opens the database; the save then reruns the
    # page to show the links (`wait_idle` may see the moment between the two runs).
    expect(code.first).to_be_visible(timeout=30_000)
    return next(c.strip() for c in code.all_inner_texts() if "view=client" not in c)


def test_every_app_server_and_its_workers_run_on_jemalloc(deployment):
    """The deployment's servers start with `dashboard.memory.server_environment()`: jemalloc
    is loaded in each server and in the processes it starts (`.ci/run` installs Debian's
    libjemalloc2, as the Dockerfile does)."""
    for name, process in deployment.apps.items():
        pids = tree(process.pid)
        assert process.pid in pids
        for pid in pids:
            try:
                maps = Path(f"/proc/{pid}/maps").read_text(encoding="utf-8")
            except FileNotFoundError:  # a worker that has just exited
                continue
            assert "libjemalloc.so.2" in maps, f"{name}: process {pid} has no jemalloc"


def test_an_upload_larger_than_the_apps_limit_is_refused_by_the_balancer(deployment):
    request = urllib.request.Request(
        deployment.url + "_stcore/upload_file/x/y",
        data=b"",
        method="PUT",
        headers={"Content-Length": str(max_upload_bytes() + 1)},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)  # refused before any body is sent
    assert refused.value.code == 413


def test_a_client_asking_the_server_to_clear_its_caches_leaves_no_extra_workers(deployment):
    """Any page may send Streamlit's `clear_cache` message, which releases every cached
    resource: the split curve's worker pool is shut down when released (`CurveJobs.close`), not
    left running beside the new one (before: two more processes and ~30 MB per message)."""
    import asyncio
    import concurrent.futures

    from streamlit.proto.BackMsg_pb2 import BackMsg

    pid = deployment.apps["app2"].pid
    url = deployment.app_url("app2")

    async def clear_three_times() -> tuple[int, int]:
        session = Session(url)
        await session.open()
        await session.move(99_000.0)
        before = len(tree(pid))
        for i in range(3):
            assert session.ws is not None
            await session.ws.send(BackMsg(clear_cache=True).SerializeToString())
            await session.move(98_000.0 - 1_000 * i)  # its curve comes from the new workers
        await session.close()
        return before, len(tree(pid))

    # In a thread of its own: Playwright's sync API keeps an event loop running in this one
    # once another browser test has used it.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        before, after = pool.submit(asyncio.run, clear_three_times()).result()
    wait_for(lambda: len(tree(pid)) <= before, 30, "the released workers' exit")
    assert after <= before + 2  # the old pool may still be exiting right after the last move


def test_a_scenario_saved_through_one_server_opens_through_the_other(browser, deployment):
    first = on_server(browser, deployment, "app1")
    second = on_server(browser, deployment, "app2")
    try:
        page = new_page(first)
        open_app(page, deployment.url)
        figures = move_budget(page, 5)
        open_save(page, "Across servers")
        press_save(page)
        link = saved_link(page)
        assert link.startswith(deployment.url)  # the balancer's address, not app1's
        assert server_of(first) == "app1"

        other = new_page(second)
        open_app(other, link)
        expect_headline(other, figures)
        assert server_of(second) == "app2"
    finally:
        first.close()
        second.close()


def test_postgres_down_saving_says_unavailable_keeps_the_page_and_works_when_it_is_back(
    browser, deployment
):
    context = on_server(browser, deployment, "app2")
    try:
        page = new_page(context)
        open_app(page, deployment.url)
        figures = move_budget(page, 3)
        open_save(page, "During the outage")
        assert deployment.postgres is not None
        deployment.postgres.stop()
        try:
            press_save(page)
            error = page.locator('[data-testid="stAlertContentError"]').filter(has_text=UNAVAILABLE)
            expect(error).to_be_visible()
            expect(error).to_contain_text("Try again")
            for hidden in ("127.0.0.1", str(deployment.postgres.port), "psycopg", "Traceback"):
                expect(error).not_to_contain_text(hidden)
            expect_headline(page, figures)  # what is on screen stays
            expect(page.get_by_label("Scenario name")).to_have_value("During the outage")
            expect(page.locator('[data-testid="stCode"]')).to_have_count(0)
        finally:
            deployment.postgres.start()
        press_save(page)
        link = saved_link(page)
        expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)

        other = on_server(browser, deployment, "app1")
        try:
            opened = new_page(other)
            open_app(opened, link)
            expect_headline(opened, figures)
        finally:
            other.close()
    finally:
        context.close()


def test_two_sessions_uploading_at_once_each_see_only_their_own_roster(
    browser, deployment, tmp_path
):
    """On one server (both sessions on app1) and across two (app1 and app2)."""
    rosters = {}
    for who, rows in (("alpha", 3), ("beta", 4)):
        path = tmp_path / f"{who}_roster.csv"
        lines = ["name,followers,engagement_rate,cost_per_post"]
        lines += [f"@only_{who}_{i},{20_000 + 1000 * i},0.04,{150 + 10 * i}" for i in range(rows)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        rosters[who] = path

    # alpha on app1; beta on app1 (one server) and on app2 (across two), all at once.
    sessions = (("app1", "alpha", "beta"), ("app1", "beta", "alpha"), ("app2", "beta", "alpha"))
    contexts = [on_server(browser, deployment, name) for name, _, _ in sessions]
    try:
        pages = [new_page(c) for c in contexts]
        for page in pages:
            open_app(page, deployment.url)
        inputs = [p.locator('[data-testid="stFileUploaderDropzoneInput"]') for p in pages]
        for upload, (_, who, _) in zip(inputs, sessions, strict=True):
            upload.set_input_files(rosters[who])  # the uploads in flight together
        for page, (_, who, other) in zip(pages, sessions, strict=True):
            wait_idle(page)
            expect(page.get_by_text(f"In use: {who}_roster.csv")).to_be_visible()
            table = page.locator('[data-testid="stDataFrame"]').first
            expect(table.locator("td").filter(has_text=f"@only_{who}_")).not_to_have_count(0)
            expect(page.get_by_text(f"@only_{other}_")).to_have_count(0)
            expect(page.get_by_text(f"{other}_roster.csv")).to_have_count(0)
        assert [server_of(c) for c in contexts] == [name for name, _, _ in sessions]
    finally:
        for context in contexts:
            context.close()


def test_an_app_server_killed_mid_session(browser, deployment):
    """Its browser reconnects through the balancer to the other server with what was on screen;
    a new session works; saved scenarios still open."""
    keeper = on_server(browser, deployment, "app2")
    doomed = on_server(browser, deployment, "app1")
    try:
        page = new_page(keeper)
        open_app(page, deployment.url)
        figures = move_budget(page, 2)
        open_save(page, "Before the crash")
        press_save(page)
        link = saved_link(page)

        mid = new_page(doomed)
        open_app(mid, deployment.url)
        moved = move_budget(mid, 4)
        deployment.kill_app("app1")

        # The open page reconnects through the balancer, which sends it to app2, and keeps its
        # figures on screen. Its first move there starts app2's new session from the link,
        # whose settings are the page's, and is applied (`ui/sidebar._moved_before_this_session`:
        # before, it was dropped, the slider showing $95,000 and the figures $96,000's).
        expect(mid.locator(CONNECTED)).to_have_count(0)  # the page notices its server is gone
        expect(mid.locator(CONNECTED)).to_have_count(1, timeout=60_000)
        assert server_of(doomed) == "app2"
        expect_headline(mid, moved)
        budget_slider(mid).focus()
        mid.keyboard.press("ArrowLeft")
        expect(accepted_line(mid)).to_contain_text("for $95,000.", timeout=60_000)
        wait_idle(mid)
        first_move = headline_of(mid)
        expect(mid.locator('[data-testid="stException"]')).to_have_count(0)
        mid.keyboard.press("ArrowLeft")
        expect(accepted_line(mid)).to_contain_text("for $94,000.", timeout=60_000)
        wait_idle(mid)
        second_move = headline_of(mid)
        # Reloaded, it is app2's from the start: the same figures from its link.
        open_app(mid, mid.url)
        expect_headline(mid, second_move)
        assert server_of(doomed) == "app2"

        fresh = browser.new_context(viewport={"width": 1400, "height": 1000})
        try:
            newcomer = new_page(fresh)
            open_app(newcomer, deployment.url)
            expect(metric(newcomer, "Plan status")).to_have_text("Optimal")
            opened = new_page(fresh)
            open_app(opened, link)
            expect_headline(opened, figures)
            # The first move after the kill showed what a page opened at its budget shows.
            at_first_move = new_page(fresh)
            open_app(at_first_move, deployment.url + "?budget=95000")
            expect_headline(at_first_move, first_move)
            assert server_of(fresh) == "app2"
        finally:
            fresh.close()
    finally:
        keeper.close()
        doomed.close()
        deployment.start_app("app1")  # back for any later test
        deployment.wait_app("app1")
        wait_for(lambda: healthy(deployment.url + "_stcore/health"), 30, "the balancer")
