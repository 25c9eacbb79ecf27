"""The scenario database down: every place a scenario is opened, listed or saved says
"unavailable, try again" in plain words, with no host, port, driver, path or traceback, keeps
what is on screen, and works again once the database is back."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator

import pytest
from pg_server import PostgresServer, binaries
from streamlit.testing.v1 import AppTest
from test_app import all_accepted_spend, app_state, headline, run

from dashboard.store import ScenarioStore, StoreUnavailable
from ui import state

UNAVAILABLE = "Saved scenarios are unavailable right now"
SOME_ID = "AbCdEfGhIjKlMnOpQrStUv"  # well-formed, not saved anywhere


def page_text(app: AppTest) -> str:
    """Everything the page holds, as its elements' protobufs print it."""
    parts: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            for child in children.values():
                walk(child)

    walk(app._tree)
    return "\n".join(parts)


def assert_no_internals(app: AppTest, port: int) -> None:
    assert not app.exception
    text = page_text(app)
    for secret in (
        "127.0.0.1",
        f"{port}",
        "postgres",
        "psycopg",
        "sqlalchemy",
        "Traceback",
        "site-packages",
        "OperationalError",
    ):
        assert secret.lower() not in text.lower(), secret


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _save(app: AppTest, name: str) -> AppTest:
    """Save and share, as the user does: open the popover, name the scenario, press save."""
    app.session_state[state.SAVE_OPEN] = True
    app.run()
    app.text_input(key="scenario_name").set_value(name).run()
    next(b for b in app.button if b.label == "Save and get the link").click().run()
    return app


def _paste_into_compare(link: str) -> AppTest:
    app = run(tab="Compare")
    app.text_input(key="compare_link").set_value(link).run()
    return app


def _every_place(port: int) -> None:
    """Open a link, paste one into Compare and save: each says unavailable, no internals."""
    opened = run(scenario=SOME_ID)
    assert_no_internals(opened, port)
    assert any(UNAVAILABLE in w.value.replace("\\", "") for w in opened.warning)
    assert headline(opened)["Plan status"] == "Optimal"  # the default scenario, still planned

    compared = _paste_into_compare(f"http://planner.example/?scenario={SOME_ID}")
    assert_no_internals(compared, port)
    assert any(UNAVAILABLE in w.value.replace("\\", "") for w in compared.warning)

    saving = _save(run(budget="45000"), "Spring launch")
    assert_no_internals(saving, port)
    assert any(UNAVAILABLE in e.value.replace("\\", "") for e in saving.error)
    # What is on screen stays: the plan, the settings and the name typed.
    assert all_accepted_spend(saving) == "$45,000"
    assert saving.text_input(key="scenario_name").value == "Spring launch"


def test_an_unreachable_database_shows_no_internals_anywhere(monkeypatch):
    port = _closed_port()
    url = f"postgresql+psycopg://planner:hunter2@127.0.0.1:{port}/planner"
    monkeypatch.setenv("PLANNER_DATABASE_URL", url)
    with pytest.raises(StoreUnavailable) as raised:
        ScenarioStore(url)
    assert str(raised.value) == StoreUnavailable.MESSAGE
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    _every_place(port)


@pytest.fixture
def postgres() -> Iterator[PostgresServer]:
    bin_dir = binaries()
    if bin_dir is None:
        reason = "PostgreSQL is not installed (apt-get install -y postgresql)"
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = PostgresServer(bin_dir)
    try:
        yield server
    finally:
        server.close()


def test_postgres_stopped_then_back(postgres, monkeypatch):
    monkeypatch.setenv("PLANNER_DATABASE_URL", postgres.url)
    saved = _save(run(budget="45000"), "Before the outage")
    assert not saved.exception and not saved.error
    scenario_id = app_state(saved).last_saved[0]

    postgres.stop()  # the store is open (cached by the app) when its database goes away
    _every_place(postgres.port)
    again = run(scenario=scenario_id)  # not opened before, so not in the app's cache
    assert_no_internals(again, postgres.port)
    assert any(UNAVAILABLE in w.value.replace("\\", "") for w in again.warning)

    postgres.start()
    back = run(scenario=scenario_id)
    assert not back.exception and not back.warning
    assert app_state(back).scenario.name == "Before the outage"
    assert all_accepted_spend(back) == "$45,000"
    resaved = _save(run(budget="50000"), "After the outage")
    assert not resaved.error and app_state(resaved).last_saved is not None


def test_the_app_shows_users_no_error_details():
    import tomllib
    from pathlib import Path

    path = Path(__file__).parent.parent / ".streamlit" / "config.toml"
    config = tomllib.loads(path.read_text())
    assert config["client"]["showErrorDetails"] == "none"
