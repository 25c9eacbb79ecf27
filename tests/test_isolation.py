"""One user's roster never reaches another's page: the caches shared by a server's sessions are
keyed by a SHA-256 digest of the whole roster and by whose it is (`ui/cache.py`).

The attacks are built the way they were found: a roster whose pandas row hashes (the old key)
equal the sample's, by solving each row's price from its hash, and two large rosters that differ
only in a row that Streamlit's own DataFrame hashing does not sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from streamlit.runtime.caching.hashing import _PANDAS_SAMPLE_SIZE, _sample_seed
from streamlit.testing.v1 import AppTest
from test_app import app_state, run

from dashboard.controls import BUDGET
from planner import Campaign, check_roster, make_plan, read_table
from planner.outreach import forecast
from planner.risk import Assumptions
from ui.cache import SHARED, roster_key

APP = str(Path(__file__).resolve().parent.parent / "streamlit_app.py")
SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv"
M64 = 1 << 64


def _mul_inverse(m: int) -> np.uint64:
    return np.uint64(pow(m, -1, M64))


def _unmix(x: np.ndarray) -> np.ndarray:
    """The inverse of the 64-bit finaliser pandas applies to every value's bits."""
    x = x ^ (x >> np.uint64(31)) ^ (x >> np.uint64(62))
    x = x * _mul_inverse(0x94D049BB133111EB)
    x = x ^ (x >> np.uint64(27)) ^ (x >> np.uint64(54))
    x = x * _mul_inverse(0xBF58476D1CE4E5B9)
    return x ^ (x >> np.uint64(30)) ^ (x >> np.uint64(60))


def _column_hash(values: pd.Series) -> np.ndarray:
    return pd.util.hash_pandas_object(values, index=False).to_numpy(dtype=np.uint64)


def crafted_copy(raw: pd.DataFrame) -> pd.DataFrame:
    """The sample roster with every influencer renamed and each price chosen (between $10 and
    $2,000) so that each checked row has the sample row's pandas hash: row by row, the price
    column's hash is solved from the row's hash (pandas combines column hashes like CPython's
    tuple hash, invertibly), then the price's bits from that hash; names are retried until the
    price is a plausible one."""
    table = check_roster(raw).table
    target = pd.util.hash_pandas_object(table, index=False).to_numpy(dtype=np.uint64)
    columns = list(table.columns)
    k = columns.index("cost_per_post")
    hashes = [_column_hash(table[c]) for c in columns]
    n = len(columns)
    mults = [1000003]
    for i in range(n - 1):
        mults.append((mults[-1] + 82520 + 2 * (n - i)) % M64)
    with np.errstate(over="ignore"):
        before = np.full(len(table), 0x345678, dtype=np.uint64)  # the state before the price
        after = target - np.uint64(97531)  # then walk back from the row's hash to after it
        for j in range(n - 1, k, -1):
            after = (after * _mul_inverse(mults[j])) ^ hashes[j]
    name_at = columns.index("name")
    names = np.empty(len(table), dtype=object)
    prices = np.full(len(table), np.nan)
    todo = np.arange(len(table))
    for attempt in range(100_000):
        if not len(todo):
            break
        tries = pd.Series([f"Attacker {row} #{attempt}" for row in todo], dtype=table["name"].dtype)
        with np.errstate(over="ignore"):
            state = before[todo].copy()
            for i in range(k):
                column_hash = _column_hash(tries) if i == name_at else hashes[i][todo]
                state = (state ^ column_hash) * np.uint64(mults[i])
            price_hash = (after[todo] * _mul_inverse(mults[k])) ^ state
            price = _unmix(price_hash).view(np.float64)
        good = np.isfinite(price) & (price >= 10) & (price <= 2000)
        names[todo[good]] = tries.to_numpy()[good]
        prices[todo[good]] = price[good]
        todo = todo[~good]
    assert not len(todo)
    crafted = raw.copy()
    rows = table["source_row"].to_numpy() - 2  # spreadsheet row numbers (header = 1)
    name_column = next(c for c in raw.columns if c.lower() == "name")
    price_column = next(c for c in raw.columns if c.lower() == "cost_per_post")
    crafted.loc[rows, name_column] = names
    crafted.loc[rows, price_column] = [repr(float(p)) for p in prices]
    return crafted


def test_a_roster_crafted_to_collide_on_pandas_row_hashes_has_its_own_key():
    raw = read_table(SAMPLE)
    sample, crafted = check_roster(raw), check_roster(crafted_copy(raw))
    # The attack is real: every row of the crafted roster hashes like the sample's row.
    assert not set(crafted.table["name"]) & set(sample.table["name"])
    assert crafted.table["cost_per_post"].between(10, 2000).all()
    np.testing.assert_array_equal(
        pd.util.hash_pandas_object(crafted.table, index=False),
        pd.util.hash_pandas_object(sample.table, index=False),
    )
    # The key is not fooled, in any scope.
    assert roster_key(crafted, SHARED) != roster_key(sample, SHARED)
    assert roster_key(crafted, "session a") != roster_key(sample, "session a")
    assert roster_key(sample, "session a") != roster_key(sample, SHARED)


def _plan_names(app: AppTest) -> set[str]:
    return set(app.dataframe[0].value["Influencer"])


def test_a_crafted_colliding_roster_does_not_change_another_sessions_plan():
    raw = read_table(SAMPLE)
    crafted = crafted_copy(raw)
    # User A plans on the crafted roster (as an upload makes it the roster in use)...
    attacker = run()
    app_state(attacker).use_roster(crafted.assign(include=True), "crafted.csv", shared=False)
    attacker.run()
    attacker.number_input(key=BUDGET.key).set_value(123_000.0).run()
    assert not attacker.exception
    assert _plan_names(attacker) <= set(crafted["name"])
    # ...then user B opens a link on the sample roster at the same budget.
    victim = run(budget="123000")
    assert not victim.exception
    sample = check_roster(raw)
    assert _plan_names(victim) <= set(sample.table["name"])
    campaign = Campaign(budget=123_000)
    expected = forecast(
        sample, campaign, Assumptions(), if_all_accepted=make_plan(sample, campaign)
    )
    shown = {m.label: m.value for m in victim.metric}["Expected engagements"]
    assert shown == f"{expected.summary()['mean']:,.0f}"


def _large(secret: str) -> pd.DataFrame:
    """60,000 rows (Streamlit samples 10,000 of a frame this large to hash it): accounts too
    small to plan, and one good influencer whose name differs between the two users' files."""
    rows = 60_000
    frame = pd.DataFrame(
        {
            "name": [f"small {i}" for i in range(rows)],
            "followers": "500",
            "engagement_rate": "3%",
            "cost_per_post": "$50",
        },
        dtype=object,
    )
    sampled = frame.sample(n=_PANDAS_SAMPLE_SIZE, random_state=_sample_seed()).index
    unsampled = sorted(set(range(rows)) - set(sampled))
    at = unsampled[len(unsampled) // 2]
    frame.loc[at] = [secret, "250000", "4%", "$900"]
    return frame


def test_two_large_uploads_differing_in_one_unsampled_row_stay_separate():
    first = run()
    app_state(first).use_roster(
        _large("Confidential A").assign(include=True), "large.csv", shared=False
    )
    first.run()
    assert not first.exception
    assert _plan_names(first) == {"Confidential A"}
    second = run()
    app_state(second).use_roster(
        _large("Confidential B").assign(include=True), "large.csv", shared=False
    )
    second.run()
    assert not second.exception
    assert _plan_names(second) == {"Confidential B"}


def test_no_cached_function_lets_streamlit_hash_user_data():
    """Streamlit hashes every cached function's arguments whose names do not start with "_",
    a large DataFrame by a sample of its rows: rosters, tables and plans must come in as
    "_" arguments beside a digest."""
    import inspect

    from ui import cache, scenarios

    for module in (cache, scenarios):
        for name, function in vars(module).items():
            if not hasattr(function, "clear") or not callable(function):
                continue  # not a cached function
            signature = inspect.signature(function)
            for parameter in signature.parameters.values():
                if parameter.name.startswith("_"):
                    continue
                annotation = str(parameter.annotation)
                for kind in ("DataFrame", "Roster", "Plan", "ndarray"):
                    assert kind not in annotation, (name, parameter.name)
