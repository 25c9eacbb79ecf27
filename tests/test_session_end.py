"""What a session held is released when it ends (`ui/cache.track_session`): its uploaded files
(which Streamlit 1.67 keeps for a session whose time in storage ran out), the curves of its own
rosters, its place in the curves' queue; then the memory goes back to the system
(`dashboard/memory.py`). A session's own results are cached in caches of that session only."""

from __future__ import annotations

import gc
import threading
import time
import weakref
from pathlib import Path
from types import SimpleNamespace

from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from dashboard.curve_jobs import CurveJobs
from dashboard.memory import Releaser
from planner import Campaign, read_roster
from planner.risk import Assumptions
from ui import cache

ROSTER = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")


def test_a_sessions_own_curves_go_when_it_ends_and_shared_ones_stay():
    jobs = CurveJobs()
    jobs._pool = None  # computed here, when asked for: nothing runs in this test
    own = ("own roster", Campaign(budget=40_000))
    shared = ("sample", Campaign(budget=41_000))
    jobs.submit(ROSTER, own, own[1], None, Assumptions(), owner="a", private=True)
    jobs.submit(ROSTER, shared, shared[1], None, Assumptions(), owner="a")
    jobs.submit(ROSTER, shared, shared[1], None, Assumptions(), owner="b")
    pending = ("own, asked for last", Campaign(budget=42_000))
    job = jobs.submit(ROSTER, pending, pending[1], None, Assumptions(), owner="a", private=True)

    jobs.forget("a")
    assert own not in jobs._jobs and pending not in jobs._jobs  # its own curves are dropped
    assert job[0].cancelled()  # the one it waited for is given up (nobody else waits for it)
    assert shared in jobs._jobs  # kept for anyone: the sample roster's
    assert "a" not in jobs._asked and "a" not in jobs._private


def test_a_curve_worked_out_here_does_not_keep_its_roster():
    jobs = CurveJobs()
    jobs._pool = None
    key = ("an upload", Campaign(budget=45_000))
    roster = read_roster(Path(__file__).resolve().parent.parent / "data" / "sample_roster.csv")
    job = jobs.submit(roster, key, key[1], None, Assumptions())
    jobs.result(key, job)
    gone = weakref.ref(roster)
    del roster
    gc.collect()
    assert gone() is None  # the kept curve does not keep the roster it was worked out from


class FakeRuntime:
    """The parts of Streamlit's runtime `track_session` uses, around one uploaded file."""

    def __init__(self) -> None:
        self.uploaded_file_mgr = MemoryUploadedFileManager("/_stcore/upload_file")
        self.sessions: dict[str, object] = {}

    def exists(self) -> bool:
        return True

    def get_instance(self) -> FakeRuntime:
        return self

    def get_app_session(self, session_id: str) -> object | None:
        return self.sessions.get(session_id)


class AppSession:  # stands for Streamlit's: an object the session storage drops
    pass


def test_when_streamlit_drops_a_session_its_uploads_and_curves_go_and_memory_is_released(
    monkeypatch,
):
    fake = FakeRuntime()
    fake.sessions["s1"] = AppSession()
    fake.uploaded_file_mgr.add_file("s1", UploadedFileRec("f1", "roster.csv", "text/csv", b"x"))
    forgotten: list[str] = []
    released = threading.Event()
    monkeypatch.setattr(cache, "runtime", fake)
    monkeypatch.setattr(cache, "get_script_run_ctx", lambda: SimpleNamespace(session_id="s1"))
    monkeypatch.setattr(cache, "_page_open", lambda: True)  # (a resource of a script run)
    monkeypatch.setattr(cache, "_JOBS", [SimpleNamespace(forget=forgotten.append)])
    monkeypatch.setattr(cache, "RELEASER", SimpleNamespace(release_soon=released.set))

    cache.track_session()
    cache.track_session()  # every run: watched once
    assert len(cache._WATCHED) >= 1 and "s1" in cache._WATCHED
    assert fake.uploaded_file_mgr.get_files("s1", ["f1"])  # kept while the session lives

    del fake.sessions["s1"]  # its time in storage ran out: Streamlit drops it, no shutdown
    gc.collect()
    assert fake.uploaded_file_mgr.get_files("s1", ["f1"]) == []
    assert forgotten == ["s1"]
    assert released.is_set()
    assert "s1" not in cache._WATCHED


def test_the_releaser_collects_and_trims_once_for_a_burst_of_sessions_ending():
    trims: list[float] = []
    releaser = Releaser(delay=1.0, longest=30.0, trim=lambda: trims.append(time.monotonic()))
    for _ in range(5):  # sessions ending together
        releaser.release_soon()
    deadline = time.monotonic() + 30
    while not trims and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(trims) == 1 and releaser.releases == 1
    assert releaser._timer is None  # nothing more pending


def test_a_steady_stream_of_endings_postpones_the_release_at_most_longest(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("dashboard.memory.time.monotonic", lambda: clock[0])
    releaser = Releaser(delay=3_600.0, longest=5.0, trim=lambda: None)  # (never fires here)
    try:
        releaser.release_soon()
        first = releaser._timer
        clock[0] = 104.0
        releaser.release_soon()  # within `longest` of the first ask: waits for this one
        second = releaser._timer
        assert first is not None and second is not first
        assert first.finished.is_set()  # cancelled
        clock[0] = 105.5
        releaser.release_soon()  # past `longest`: the pending release is not put off again
        assert releaser._timer is second and not second.finished.is_set()
    finally:
        if releaser._timer is not None:
            releaser._timer.cancel()


def test_cache_keys_say_whose_roster_they_are():
    assert cache.is_shared(cache.scoped_key(cache.SHARED, "roster"))
    assert not cache.is_shared(cache.scoped_key("session abc", "roster"))
    assert cache.scoped_key("session abc", "roster") != cache.scoped_key("session xyz", "roster")
