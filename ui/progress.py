"""Saying what the page is doing while it works (issue 19): any wait that may take over a second
shows, in words, which step it is in and how far along, and a chart being redrawn is marked as
updating (the old one stays under the words, faded by Streamlit as out of date, until the new one
takes its place). The words appear only after `SHOW_AFTER` seconds, so a quick step shows none."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.scriptrunner import add_script_run_ctx, get_script_run_ctx

from ui.cache import PendingCurve

SHOW_AFTER = 0.5  # seconds: as Streamlit's own spinner
POLL = 0.1  # seconds between looks at a curve's progress


def curve_words(ahead: int | None, progress: tuple[int, int] | None) -> str:
    """What the page says while the split curve is worked out."""
    if ahead:
        whose = "other session's curve" if ahead == 1 else "other sessions' curves"
        return (
            f"Updating the split curve: waiting for a free worker ({ahead} {whose} ahead), then "
            "solving this one…"
        )
    if progress is None:
        return (
            "Updating the split curve: the best plan at each macro share, each with its "
            "simulated campaigns after declines and backups…"
        )
    done, total = progress
    return (
        f"Updating the split curve: {done} of {total} macro shares solved (the best plan at "
        "each, with its simulated campaigns after declines and backups)…"
    )


def _stop_if_superseded() -> None:
    """End this run here if a newer run of the session asked it to stop (the runner's
    StopException): a wait that makes no Streamlit call would not notice."""
    yield_check = getattr(get_script_run_ctx(), "yield_check", None)
    if yield_check is not None:
        yield_check()


def curve_within(curve: PendingCurve, seconds: float) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The split curve if it is ready within `seconds`, else None (nothing is shown)."""
    deadline = time.monotonic() + seconds
    while not curve.done():
        if curve.progress() is None or time.monotonic() >= deadline:
            return None  # worked out only when waited for, or not in time
        time.sleep(POLL)
        _stop_if_superseded()
    return curve()


def wait_for_curve(curve: PendingCurve, slot: DeltaGenerator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Wait for the split curve, saying in `slot` (an `st.empty`, above the chart it updates)
    what is being done once that takes over `SHOW_AFTER` seconds: its place in the queue for a
    worker, then how many of its macro shares are solved; `slot` is emptied once it is ready."""
    started = time.monotonic()
    shown: str | None = None
    try:
        while not curve.done():
            progress = curve.progress()
            if progress is None:  # worked out in this process when waited for: no count
                with slot.container(), st.spinner(curve_words(None, None), show_time=True):
                    return curve()
            if time.monotonic() - started >= SHOW_AFTER:
                words = curve_words(curve.waiting(), progress)
                if words != shown:
                    done, total = progress
                    slot.progress(done / total if total else 0.0, text=words)
                    shown = words
            time.sleep(POLL)
            _stop_if_superseded()
        return curve()
    finally:
        if shown is not None:
            slot.empty()


class Steps:
    """A count of steps shown as a progress bar with words in `slot` (an `st.empty`) once the
    work has taken `SHOW_AFTER` seconds (from a timer, as Streamlit's spinner does, so the
    words come even while the first step takes long), emptied when the work ends (`steps`)."""

    def __init__(self, slot: DeltaGenerator, words: Callable[[int], str], total: int) -> None:
        self._slot = slot
        self._words = words
        self._total = total
        self._done = 0
        self._shown = False
        self._closed = False
        self._lock = threading.Lock()  # the timer's thread and the run's take turns
        self._timer = threading.Timer(SHOW_AFTER, self._show)
        add_script_run_ctx(self._timer)
        self._timer.start()

    def _show(self) -> None:
        with self._lock:
            if self._closed or self._done >= self._total:
                return
            self._slot.progress(
                self._done / self._total if self._total else 0.0, text=self._words(self._done)
            )
            self._shown = True

    def step(self) -> None:
        """One more step done."""
        self._done += 1
        if self._shown:
            self._show()

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            self._closed = True
            if self._shown:
                self._slot.empty()


@contextmanager
def steps(slot: DeltaGenerator, words: Callable[[int], str], total: int) -> Iterator[Steps]:
    """`Steps` for the work in the block."""
    counted = Steps(slot, words, total)
    try:
        yield counted
    finally:
        counted.close()
