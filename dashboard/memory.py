"""Giving memory back once sessions have ended. No Streamlit in here: `ui/cache.py` calls
`release_soon` when Streamlit drops a session.

Two things keep a server's memory up after its sessions have gone, even once nothing refers to
what they held (measured: `docs/benchmarks.md`, *Many marketers at once*):

- **Python's cyclic garbage.** The app turns off Streamlit's collection after every run
  (`runner.postScriptGC = false` in `.streamlit/config.toml`: it held each run's end for
  ~100 ms), and Python's own collector runs only as new objects are made, so the cycles a
  session's runs left (pandas keeps many) wait for a server that has gone quiet.
- **glibc's malloc keeps what was freed.** Freed blocks stay in the process's heaps (and in the
  arenas of the threads that ran the sessions' scripts) for reuse; only a free block at the very
  top of the main heap goes back to the system by itself. A forecast's draws, a roster's tables
  and the pages of every run are many mid-sized blocks, so after a busy spell most of what the
  sessions freed stayed in the process (~260 MB after 10 sessions here). `malloc_trim(0)` hands
  every free page of every arena back.

`release_soon` does both, once, in a background thread, a moment after it was last asked (a
burst of sessions ending costs one release; one keeps waiting at most `longest` seconds). The
collection holds the interpreter for about as long as the one after every run did (~0.1-0.2
s), and only when a session has ended; trimming returns pages the next allocation may have to
fault back in (a few ms). Where glibc is not the C library (macOS, Alpine's musl) only the
collection runs.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import threading
import time
from collections.abc import Callable


def _malloc_trim() -> Callable[[], object] | None:
    """glibc's `malloc_trim(0)`, or None where the C library has none."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return lambda: trim(0)


TRIM = _malloc_trim()


def trim() -> None:
    """Hand the free memory of every malloc arena back to the system (glibc), if it can be."""
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
