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
