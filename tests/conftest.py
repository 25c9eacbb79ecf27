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
