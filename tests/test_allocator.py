"""The allocator an app server runs with (`dashboard/memory.py`): jemalloc for every object
where the machine has it, started the same way by `deploy/local.py` and the Dockerfile, and
the release after sessions end handing jemalloc's free pages back (glibc's otherwise)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from dashboard import memory

ROOT = Path(__file__).resolve().parent.parent


def test_a_server_runs_every_object_on_jemalloc_where_the_machine_has_it():
    env = memory.server_environment({}, jemalloc=True)
    assert env == {
        "MALLOC_ARENA_MAX": "2",
        "LD_PRELOAD": "libjemalloc.so.2",
        "PYTHONMALLOC": "malloc",
        "MALLOC_CONF": memory.JEMALLOC_CONF,
    }
    # A library the operator already preloads stays preloaded.
    kept = memory.server_environment({"LD_PRELOAD": "libfoo.so"}, jemalloc=True)
    assert kept["LD_PRELOAD"] == "libjemalloc.so.2 libfoo.so"
    # jemalloc already preloaded (a server started from a shell that has it) is loaded once.
    again = memory.server_environment(
        {"LD_PRELOAD": "libfoo.so:/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"}, jemalloc=True
    )
    assert again["LD_PRELOAD"] == "libjemalloc.so.2 libfoo.so"
    # Without jemalloc: glibc with two arenas, Python's own allocator.
    assert memory.server_environment({}, jemalloc=False) == {"MALLOC_ARENA_MAX": "2"}


def test_the_dockerfile_starts_the_server_with_the_same_allocator():
    text = (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")
    assert "libjemalloc2" in text  # the package that holds libjemalloc.so.2
    env = dict(re.findall(r"^\s*(?:ENV\s+)?([A-Z_]+)=(\S+?)\s*\\?$", text, flags=re.M))
    for name, value in memory.server_environment({}, jemalloc=True).items():
        assert env.get(name) == value, name


def test_the_release_purges_jemalloc_in_a_server_started_with_it():
    """A process started with `server_environment()` runs on jemalloc (this machine has
    Debian's libjemalloc2: `.ci/run` installs it) and its release calls jemalloc's purge, which
    answers 0 (done); without, glibc's `malloc_trim`."""
    script = "from dashboard import memory; print(memory.ALLOCATOR, memory.TRIM())"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}
    started = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, **memory.server_environment({})},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert started.stdout.strip() == "jemalloc 0", started.stderr
    alone = subprocess.run(
        [sys.executable, "-c", "from dashboard import memory; print(memory.ALLOCATOR)"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert alone.stdout.strip() == "glibc"
