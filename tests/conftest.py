import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The app under test (AppTest, and the servers the browser tests start) saves scenarios in a
# throwaway SQLite file, never in a developer's own database.
os.environ.pop("PLANNER_DATABASE_URL", None)
os.environ["PLANNER_SCENARIO_DB"] = str(Path(tempfile.mkdtemp(prefix="planner-tests-")) / "s.db")


import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _fresh_save_limits(monkeypatch):
    """Every AppTest session has the same id ("test session id"): each test starts with the
    save limits of a new session (`dashboard/limits.py`), as a marketer's session does."""
    from dashboard import limits

    monkeypatch.setattr(limits, "SAVES", limits.SaveLimits())


@pytest.fixture
def macro_phases(monkeypatch):
    """The programme's macro phases run while the test runs (`planner.dp._macro_phase`): a list
    with one entry per call, for tests whose models must reach the programme."""
    import planner.dp

    ran = []
    phase = planner.dp._macro_phase

    def counted(*args, **kwargs):
        ran.append(1)
        return phase(*args, **kwargs)

    monkeypatch.setattr(planner.dp, "_macro_phase", counted)
    return ran


@pytest.fixture
def no_highs(monkeypatch):
    """The test fails if the engine hands a model to HiGHS's branch and bound (its last
    resort, `planner.mip.solve_mip`). Its value is HiGHS itself, for a test's reference."""
    import planner.mip

    real = planner.mip.solve_mip

    def no_fallback(*args, **kwargs):
        raise AssertionError("the engine handed the model to HiGHS's branch and bound")

    monkeypatch.setattr(planner.mip, "solve_mip", no_fallback)
    return real
