"""Saved scenarios: a roster and every setting, stored once and never changed.

SQLAlchemy Core over any database it supports; an SQLite file by default (its path a setting)
and PostgreSQL for deployments whose disk does not last or that run several app servers. The
table is created on first use. Every row carries the schema version its payload was written
with, and `load` upgrades older payloads, so a scenario saved by an older version still opens.
Ids are 128 random bits (`secrets.token_urlsafe(16)`), so one id says nothing about another.
No Streamlit in here: the app passes the URL in.
"""

from __future__ import annotations

import json
import logging
import os
import re
import secrets
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

SCHEMA_VERSION = 1
# A stored roster (as JSON) may be at most this large; the app says so before saving.
MAX_ROSTER_BYTES = 5_000_000
MAX_NAME = 120
ID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{22}$")
DEFAULT_PATH = Path.home() / ".influencer_planner" / "scenarios.db"
ENV_URL = "PLANNER_DATABASE_URL"
ENV_PATH = "PLANNER_SCENARIO_DB"

_METADATA = sa.MetaData()
SCENARIOS = sa.Table(
    "scenarios",
    _METADATA,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(MAX_NAME * 4), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("schema_version", sa.Integer, nullable=False),
    sa.Column("roster_label", sa.Text, nullable=False),
    sa.Column("settings", sa.Text, nullable=False),  # JSON object: setting key -> value
    sa.Column("roster", sa.Text, nullable=False),  # JSON: {"columns": [...], "data": [[...]]}
)


_LOG = logging.getLogger(__name__)


class ScenarioError(ValueError):
    """A scenario cannot be saved or opened; the message says why in plain words."""


class StoreUnavailable(ScenarioError):
    """The database cannot be reached or did not answer. The message says so and no more: the
    details (host, port, driver, traceback) go to the server's log, never to the page."""

    MESSAGE = (
        "Saved scenarios are unavailable right now: the scenario database cannot be reached. "
        "Try again in a moment; nothing on this page is lost."
    )

    def __init__(self) -> None:
        super().__init__(self.MESSAGE)


@contextmanager
def _database(doing: str) -> Iterator[None]:
    """Any database failure while `doing` becomes StoreUnavailable, logged in full here."""
    try:
        yield
    except (sa.exc.SQLAlchemyError, OSError) as error:
        _LOG.warning("Scenario database failed while %s", doing, exc_info=error)
        raise StoreUnavailable() from None


@dataclass(frozen=True)
class Scenario:
    id: str
    name: str
    created_at: datetime
    roster_label: str
    settings: dict[str, object]
    roster: pd.DataFrame
    schema_version: int = SCHEMA_VERSION


def database_url(secrets_url: str | None = None) -> str:
    """The database to use: a URL from the app's secrets, else from $PLANNER_DATABASE_URL,
    else an SQLite file at $PLANNER_SCENARIO_DB (default ~/.influencer_planner/scenarios.db)."""
    url = secrets_url or os.environ.get(ENV_URL)
    if url:
        return url
    path = Path(os.environ.get(ENV_PATH) or DEFAULT_PATH).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


def _roster_json(frame: pd.DataFrame) -> str:
    columns = [str(c) for c in frame.columns]
    rows = [[_plain(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    return json.dumps({"columns": columns, "data": rows}, ensure_ascii=False)


def _plain(value: object) -> object:
    """A cell as JSON can hold it: missing values as null, numpy scalars as Python ones."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "item"):
        value = value.item()  # type: ignore[union-attr]
        if isinstance(value, float) and value != value:
            return None
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def _roster_frame(text: str) -> pd.DataFrame:
    payload = json.loads(text)
    return pd.DataFrame(payload["data"], columns=payload["columns"], dtype=object)


# Upgrades of stored payloads, by the version they upgrade from. A setting that did not exist
# when a scenario was saved is simply absent: the app uses that setting's default.
_UPGRADES: dict[int, Callable[[dict[str, object]], dict[str, object]]] = {}


class ScenarioStore:
    """Saves and opens scenarios in one database."""

    def __init__(self, url: str) -> None:
        self.url = url
        with _database("opening the store"):
            self.engine = sa.create_engine(url, pool_pre_ping=True, future=True)
            _METADATA.create_all(self.engine, checkfirst=True)

    def close(self) -> None:
        """Close the database connections (when Streamlit releases the store)."""
        self.engine.dispose()

    def save(
        self,
        name: str,
        settings: Mapping[str, object],
        roster: pd.DataFrame,
        roster_label: str,
    ) -> Scenario:
        """Store a new scenario and return it with its id. Nothing stored is ever replaced."""
        clean = " ".join(str(name).split())[:MAX_NAME] or "Untitled scenario"
        roster_text = _roster_json(roster)
        size = len(roster_text.encode())
        if size > MAX_ROSTER_BYTES:
            raise ScenarioError(
                f"This roster is too large to save ({size / 1e6:.1f} MB as stored; the limit is "
                f"{MAX_ROSTER_BYTES / 1e6:.0f} MB). Remove columns or rows the plan does not "
                "need, then save again."
            )
        scenario = Scenario(
            id=secrets.token_urlsafe(16),
            name=clean,
            created_at=datetime.now(UTC).replace(microsecond=0),
            roster_label=str(roster_label),
            settings={
                str(k): _plain(v) if not isinstance(v, (list, tuple)) else list(v)
                for k, v in settings.items()
            },
            roster=_roster_frame(roster_text),
        )
        with _database("saving a scenario"), self.engine.begin() as connection:
            connection.execute(
                SCENARIOS.insert().values(
                    id=scenario.id,
                    name=scenario.name,
                    created_at=scenario.created_at,
                    schema_version=SCHEMA_VERSION,
                    roster_label=scenario.roster_label,
                    settings=json.dumps(scenario.settings, ensure_ascii=False),
                    roster=roster_text,
                )
            )
        return scenario

    def load(self, scenario_id: str) -> Scenario:
        """The scenario with this id; ScenarioError when the id is malformed or unknown."""
        if not isinstance(scenario_id, str) or not ID_PATTERN.match(scenario_id):
            raise ScenarioError(
                "This link's scenario id is not one the planner makes (check that the whole "
                "link was copied)."
            )
        with _database("opening a scenario"), self.engine.connect() as connection:
            row = connection.execute(
                sa.select(SCENARIOS).where(SCENARIOS.c.id == scenario_id)
            ).first()
        if row is None:
            raise ScenarioError(
                "No saved scenario has this link's id. It may have been saved on another "
                "installation of the planner, or the link is incomplete."
            )
        version = int(row.schema_version)
        if version > SCHEMA_VERSION:
            raise ScenarioError(
                "This scenario was saved by a newer version of the planner; update the app to "
                "open it."
            )
        payload: dict[str, object] = {
            "settings": json.loads(row.settings),
            "roster": row.roster,
            "roster_label": row.roster_label,
        }
        while version < SCHEMA_VERSION:
            payload = _UPGRADES[version](payload)
            version += 1
        created = row.created_at
        if created.tzinfo is None:  # SQLite keeps no time zone: it was stored in UTC
            created = created.replace(tzinfo=UTC)
        return Scenario(
            id=row.id,
            name=row.name,
            created_at=created,
            roster_label=str(payload["roster_label"]),
            settings=dict(payload["settings"]),  # type: ignore[arg-type]
            roster=_roster_frame(str(payload["roster"])),
            schema_version=int(row.schema_version),
        )

    def names(self, ids: list[str]) -> dict[str, tuple[str, datetime]]:
        """Name and creation time of each of these scenarios that exists."""
        wanted = [i for i in ids if isinstance(i, str) and ID_PATTERN.match(i)]
        if not wanted:
            return {}
        with _database("listing scenarios"), self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(SCENARIOS.c.id, SCENARIOS.c.name, SCENARIOS.c.created_at).where(
                    SCENARIOS.c.id.in_(wanted)
                )
            ).all()
        return {r.id: (r.name, r.created_at) for r in rows}


def scenario_id_from(text: str) -> str | None:
    """The scenario id in a pasted link (…?scenario=ID…) or a bare id; None when there is none."""
    text = text.strip()
    match = re.search(r"[?&]scenario=([A-Za-z0-9_-]+)", text)
    candidate = match.group(1) if match else text
    return candidate if ID_PATTERN.match(candidate) else None
