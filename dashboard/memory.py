"""Giving memory back once sessions have ended, and the allocator a server runs with. No
Streamlit in here: `ui/cache.py` calls `release_soon` when Streamlit drops a session, and
`deploy/local.py` (with the Dockerfile) starts servers with `server_environment()`.

Three things keep a server's memory up after its sessions have gone, even once nothing refers
to what they held (measured: `docs/benchmarks.md`, *Many marketers at once*):

- **Python's cyclic garbage.** The app turns off Streamlit's collection after every run
  (`runner.postScriptGC = false` in `.streamlit/config.toml`: it held each run's end for
  ~100 ms), and Python's own collector runs only as new objects are made, so the cycles a
  session's runs left (pandas keeps many) wait for a server that has gone quiet.
- **The C allocator keeps what was freed.** glibc's malloc keeps freed blocks in the process's
  heaps (and in the arenas of the threads that ran the sessions' scripts) for reuse; only a
  free block at the very top of the main heap goes back to the system by itself (~260 MB after
  10 sessions here). `malloc_trim(0)` hands every free page of every arena back; jemalloc's
  `arena.<all>.purge` does the same for jemalloc's arenas.
- **Python's own allocator keeps whole arenas.** Python takes memory for its small objects in
  arenas of 1 MiB and gives one back only once every object in it has gone. The few objects
  that outlive a busy spell (caches' entries, interned names) are spread over the arenas it
  made, and each keeps its whole arena: ~20 MB after 25 sessions here, which no trimming frees.
  A server started by `server_environment()` on a machine with jemalloc (Debian's
  `libjemalloc2`) puts every object in jemalloc instead (`PYTHONMALLOC=malloc`), whose pages of
  4 KiB go back one by one. In interleaved runs that halved what stayed after 25 sessions and
  cost no speed (`docs/benchmarks.md`, *Issue 20, twelfth session*).

`release_soon` collects and trims, once, in a background thread, a moment after it was last
asked (a burst of sessions ending costs one release; one keeps waiting at most `longest`
seconds). The collection holds the interpreter for about as long as the one after every run
did (~0.1-0.2 s), and only when a session has ended; trimming returns pages the next
allocation may have to fault back in (a few ms). Where neither allocator is found (macOS,
Alpine's musl) only the collection runs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import threading
import time
from collections.abc import Callable, Mapping
from typing import Literal

# jemalloc for an app server (`server_environment`): its shared library's name as Debian's
# libjemalloc2 installs it, and its settings: a background thread hands freed pages back a
# second after they were freed (rather than jemalloc's 10 s, and not on the sessions' threads),
# straight to the system (no "muzzy" stage), from two arenas as glibc's are kept to two.
JEMALLOC = "libjemalloc.so.2"
JEMALLOC_CONF = "background_thread:true,dirty_decay_ms:1000,muzzy_decay_ms:0,narenas:2"
# glibc, where jemalloc is not there: two arenas (it gives each allocating thread its own, and
# Streamlit runs each session's script in a thread of its own).
GLIBC_ARENAS = "2"


def server_environment(
    environ: Mapping[str, str] | None = None, jemalloc: bool | None = None
) -> dict[str, str]:
    """The allocator's variables for an app server's environment: jemalloc for every object
    where the machine has it (`jemalloc`: whether it has, looked up when None), glibc with two
    arenas either way (what the server falls back to). A library already preloaded in
    `environ` (default: this process's environment) stays preloaded."""
    environ = os.environ if environ is None else environ
    env = {"MALLOC_ARENA_MAX": GLIBC_ARENAS}
    if jemalloc is None:
        jemalloc = ctypes.util.find_library("jemalloc") is not None
    if jemalloc:
        preloaded = environ.get("LD_PRELOAD", "").replace(":", " ").split()
        others = [library for library in preloaded if os.path.basename(library) != JEMALLOC]
        env["LD_PRELOAD"] = " ".join([JEMALLOC, *others])
        env["PYTHONMALLOC"] = "malloc"
        env["MALLOC_CONF"] = JEMALLOC_CONF
    return env


Allocator = Literal["jemalloc", "glibc"]

# jemalloc's index for "every arena" in `arena.<i>.purge` (MALLCTL_ARENAS_ALL).
_ARENAS_ALL = 4096


def _release() -> tuple[Allocator | None, Callable[[], object] | None]:
    """The C allocator this process runs on and how to hand its free pages back: jemalloc's
    purge of every arena where jemalloc was preloaded, glibc's `malloc_trim(0)` otherwise, or
    neither where the C library has no `malloc_trim`."""
    try:
        mallctl = ctypes.CDLL(None).mallctl
    except (OSError, AttributeError, TypeError):
        mallctl = None
    if mallctl is not None:
        mallctl.argtypes = [
            ctypes.c_char_p,
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_size_t,
        ]
        mallctl.restype = ctypes.c_int
        name = f"arena.{_ARENAS_ALL}.purge".encode()
        return "jemalloc", lambda: mallctl(name, None, None, None, 0)
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None, None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return "glibc", lambda: trim(0)


ALLOCATOR, TRIM = _release()


def trim() -> None:
    """Hand the free memory of every arena of the C allocator back to the system, if it can be."""
    if TRIM is not None:
        TRIM()


class Releaser:
    """Collects Python's garbage and hands freed memory back to the system, `delay` seconds
    after it was last asked to (`release_soon`), in a thread of its own."""

    def __init__(
        self,
        delay: float = 0.5,
        longest: float = 5.0,
        trim: Callable[[], object] | None = None,
    ) -> None:
        self.delay = delay
        self.longest = longest
        self._trim = trim if trim is not None else TRIM
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._first_ask = 0.0  # when the release pending was first asked for
        self.releases = 0  # how many releases have run (for tests)

    def release_soon(self) -> None:
        """Release in `delay` seconds; asked again before then, the release waits for the
        latest ask (one release for a burst), but not beyond `longest` after the first."""
        with self._lock:
            now = time.monotonic()
            if self._timer is not None:
                if now - self._first_ask >= self.longest:
                    return  # it runs soon enough
                self._timer.cancel()
            else:
                self._first_ask = now
            self._timer = threading.Timer(self.delay, self.release)
            self._timer.daemon = True
            self._timer.start()

    def release(self) -> None:
        """Collect the garbage and hand the free memory back, now."""
        with self._lock:
            self._timer = None
        gc.collect()
        if self._trim is not None:
            self._trim()
        self.releases += 1


RELEASER = Releaser()  # one per server process
