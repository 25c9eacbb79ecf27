"""The command line as a script sees it: JSON shape and exit codes (MODEL.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample_roster.csv"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "planner", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def test_json_plan():
    done = run(
        "plan",
        "--roster",
        str(SAMPLE),
        "--budget",
        "50000",
        "--macro-share",
        "10:60",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    for key in (
        "status",
        "expected_engagement",
        "spend",
        "optimality_gap",
        "solve_seconds",
        "by_tier",
        "allocations",
    ):
        assert key in plan
    assert plan["status"] == "optimal"
    assert plan["optimality_gap"] <= 1e-6
    assert plan["spend"] <= 50000
    assert 5000 <= plan["by_tier"]["macro"]["spend"] <= 30000
    first = plan["allocations"][0]
    assert set(first) >= {"name", "tier", "posts", "spend", "expected_engagement"}
    assert sum(a["spend"] for a in plan["allocations"]) == plan["spend"]


def test_csv_and_table():
    done = run("plan", "--roster", str(SAMPLE), "--budget", "20000", "--format", "csv")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0].startswith("Influencer,Tier,Platform")
    done = run("plan", "--roster", str(SAMPLE), "--budget", "20000")
    assert "Status: optimal" in done.stdout


def test_bad_input_exits_2_without_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("name,followers,engagement_rate,cost_per_post\nanna,lots,2%,100\n")
    for args in (
        ("--roster", str(bad), "--budget", "100"),
        ("--roster", str(SAMPLE), "--budget", "0"),
        ("--roster", str(SAMPLE), "--budget", "100", "--macro-share", "x"),
        ("--roster", str(tmp_path / "missing.csv"), "--budget", "100"),
    ):
        done = run("plan", *args)
        assert done.returncode == 2, args
        assert "Traceback" not in done.stderr
        assert done.stderr.startswith("error:")


def test_infeasible_is_reported():
    done = run(
        "plan",
        "--roster",
        str(SAMPLE),
        "--budget",
        "1000",
        "--macro-share",
        "50:60",
        "--format",
        "json",
    )
    plan = json.loads(done.stdout)
    assert plan["status"] == "infeasible"
    assert "macro share" in plan["message"]


def test_json_stays_json_when_highs_branch_and_bound_runs(tmp_path):
    """HiGHS's MIP writes lines like `HighsMipSolverData::transformNewIntegerFeasibleSolution`
    to the process's standard output from C++; a script reading --format json must still get
    only JSON. The programme's state limit is set to give up at once so that the last-resort
    HiGHS fallback runs (the engine reaches it only when its states outgrow the limit)."""
    from planner.synthetic import synthetic_roster

    roster = tmp_path / "roster.csv"
    synthetic_roster(500, seed=7).to_csv(roster, index=False)
    script = (
        "import runpy, planner.dp;"
        "planner.dp.MAX_STATES = -1;"
        "runpy.run_module('planner', run_name='__main__')"
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            script,
            "plan",
            "--roster",
            str(roster),
            "--budget",
            "100000",
            "--max-influencers",
            "25",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    plan = json.loads(done.stdout)
    assert plan["status"] == "optimal"


def test_a_euro_roster_is_simulated_and_explained_in_euros():
    european = str(ROOT / "tests" / "data" / "exports" / "european.csv")
    done = run("simulate", "--roster", european, "--budget", "20000", "--draws", "300")
    assert done.returncode == 0, done.stderr
    assert "€" in done.stdout and "$" not in done.stdout
    # The engine's own sentences too: a band that cannot be met names euros.
    blocked = run("plan", "--roster", european, "--budget", "20000", "--macro-share", "90:95")
    assert "€" in blocked.stdout + blocked.stderr
    assert "$" not in blocked.stdout + blocked.stderr


def test_a_rate_read_one_of_two_ways_is_said_on_stderr_unasked(tmp_path):
    roster = tmp_path / "mixed.csv"
    roster.write_text("name,followers,er,price\na,5000,3.5%,100\nb,6000,0.8,100\n")
    done = run("plan", "--roster", str(roster), "--budget", "1000")
    assert done.returncode == 0
    assert "check: 'er' writes the engagement rate as percents" in done.stderr
    assert "row 3 (0.8 as 80%)" in done.stderr
    plain = run("plan", "--roster", str(SAMPLE), "--budget", "1000")
    assert "check:" not in plain.stderr
