"""Saved scenarios against a real SQLite file and a real PostgreSQL server.

PostgreSQL: set TEST_DATABASE_URL (`export TEST_DATABASE_URL="$(bash .ci/postgres.sh)"` starts
one). Without it those tests skip with that reason, except under REQUIRE_POSTGRES=1 (CI), where
they fail.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard import controls
from dashboard.store import (
    MAX_ROSTER_BYTES,
    SCENARIOS,
    ScenarioError,
    ScenarioStore,
    database_url,
    scenario_id_from,
)
from planner import check_roster, make_plan, read_table

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    if request.param == "sqlite":
        yield ScenarioStore(f"sqlite:///{tmp_path / 'scenarios.db'}")
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES"):
            pytest.fail("REQUIRE_POSTGRES is set but TEST_DATABASE_URL is not")
        pytest.skip("no PostgreSQL server: set TEST_DATABASE_URL (see .ci/postgres.sh)")
    # A schema of its own per test keeps runs apart on a shared server.
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    engine_url = sa.make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    yield ScenarioStore(engine_url.render_as_string(hide_password=False))
    with admin.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


def settings() -> dict[str, object]:
    values = {s.key: s.default for s in controls.ALL}
    values |= {"budget": 42_500.0, "macro_share": (10, 55), "max_macro": 2, "decay": 0.7}
    return values


def roster_frame() -> pd.DataFrame:
    frame = read_table(SAMPLE).assign(include=True)
    frame.loc[3, "include"] = False
    frame.loc[5, "name"] = "<img src=x onerror=alert(1)> – ünïcode"
    return frame


def test_round_trip_gives_the_same_roster_settings_and_plan(store):
    frame = roster_frame()
    saved = store.save("Spring launch", settings(), frame, "my_roster.csv")
    opened = store.load(saved.id)
    assert opened.name == "Spring launch"
    assert opened.roster_label == "my_roster.csv"
    assert opened.settings["budget"] == 42_500.0
    assert opened.settings["macro_share"] == [10, 55]
    assert opened.settings["max_influencers"] is None
    assert opened.created_at == saved.created_at
    assert opened.created_at.tzinfo is not None
    pd.testing.assert_frame_equal(opened.roster, saved.roster)
    assert list(opened.roster.columns) == list(frame.columns)
    assert opened.roster["name"].tolist() == frame["name"].tolist()
    assert opened.roster["include"].tolist() == frame["include"].tolist()
    # The same plan from what was stored as from what was sent.
    campaign = controls.campaign_from(opened.settings)
    assert campaign == controls.campaign_from(settings())

    def plan_of(table: pd.DataFrame):  # type: ignore[no-untyped-def]
        kept = table.loc[table["include"].astype(bool)].drop(columns="include")
        return make_plan(check_roster(kept.reset_index(drop=True)), campaign)

    assert plan_of(opened.roster).expected_engagement == plan_of(frame).expected_engagement


def test_scenarios_are_never_overwritten_and_ids_are_unguessable(store):
    first = store.save("A", settings(), roster_frame(), "sample")
    changed = settings() | {"budget": 99_000.0}
    second = store.save("A", changed, roster_frame(), "sample")
    assert first.id != second.id
    assert store.load(first.id).settings["budget"] == 42_500.0
    assert store.load(second.id).settings["budget"] == 99_000.0
    ids = [store.save(f"s{i}", settings(), roster_frame().head(3), "x").id for i in range(20)]
    assert len(set(ids)) == 20
    assert all(len(i) == 22 for i in ids)  # 16 random bytes, URL-safe base64
    # No shared prefix or order: each id is independent of the one before.
    assert len({i[:4] for i in ids}) > 15


def test_unknown_and_malformed_ids_say_so(store):
    with pytest.raises(ScenarioError, match="No saved scenario"):
        store.load("A" * 22)
    for bad in ("", "short", "../../etc/passwd", "x' OR '1'='1", "A" * 23):
        with pytest.raises(ScenarioError, match="not one the planner makes"):
            store.load(bad)


def test_an_old_schema_version_still_opens(store):
    """A scenario written before some settings existed opens; the app uses their defaults."""
    old_settings = {"budget": 30_000.0, "macro_share": [0, 40], "max_posts": 2}
    roster = {"columns": ["name", "followers", "engagement_rate", "cost_per_post"]}
    roster["data"] = [["@a", "12.5K", "3%", "$200"], ["@b", "2M", "1.5%", "$20,000"]]
    with store.engine.begin() as connection:
        connection.execute(
            SCENARIOS.insert().values(
                id="OldScenario0000000000A",
                name="Saved long ago",
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
                schema_version=0,
                roster_label="old.csv",
                settings=json.dumps(old_settings),
                roster=json.dumps(roster),
            )
        )
    from dashboard import store as module

    module._UPGRADES[0] = lambda payload: payload  # version 0 -> 1: the same layout
    try:
        opened = store.load("OldScenario0000000000A")
    finally:
        del module._UPGRADES[0]
    assert opened.schema_version == 0
    assert opened.settings == old_settings
    assert opened.roster["followers"].tolist() == ["12.5K", "2M"]
    values = {s.key: opened.settings.get(s.key, s.default) for s in controls.ALL}
    assert controls.campaign_from(values).budget == 30_000.0


def test_a_newer_schema_version_is_refused_politely(store):
    with store.engine.begin() as connection:
        connection.execute(
            SCENARIOS.insert().values(
                id="FutureScenario00000000",
                name="From the future",
                created_at=datetime(2027, 1, 1, tzinfo=UTC),
                schema_version=99,
                roster_label="x",
                settings="{}",
                roster=json.dumps({"columns": [], "data": []}),
            )
        )
    with pytest.raises(ScenarioError, match="newer version"):
        store.load("FutureScenario00000000")


def test_a_roster_too_large_to_store_is_refused_with_the_limit(store):
    big = pd.DataFrame({"name": [f"@n{i}" for i in range(1)], "notes": ["x" * MAX_ROSTER_BYTES]})
    with pytest.raises(ScenarioError, match="too large to save"):
        store.save("Big", settings(), big, "big.csv")


def test_names_of_saved_scenarios(store):
    saved = store.save("  Two   words ", settings(), roster_frame().head(2), "x")
    assert saved.name == "Two words"
    found = store.names([saved.id, "A" * 22, "bad"])
    assert list(found) == [saved.id] and found[saved.id][0] == "Two words"


def test_scenario_ids_in_links_and_the_default_database(tmp_path, monkeypatch):
    assert scenario_id_from("https://x.app/?budget=5&scenario=abcdefghijklmnopqrstuv&v=1") == (
        "abcdefghijklmnopqrstuv"
    )
    assert scenario_id_from(" abcdefghijklmnopqrstuv ") == "abcdefghijklmnopqrstuv"
    assert scenario_id_from("https://x.app/?scenario=nope") is None
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_SCENARIO_DB", str(tmp_path / "sub" / "s.db"))
    assert database_url() == f"sqlite:///{tmp_path / 'sub' / 's.db'}"
    assert (tmp_path / "sub").is_dir()
    assert database_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    monkeypatch.setenv("PLANNER_DATABASE_URL", "sqlite:///elsewhere.db")
    assert database_url() == "sqlite:///elsewhere.db"
