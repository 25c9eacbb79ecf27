"""Loops compiled by numba: the outreach simulation's (`planner.outreach`) and the optimiser's
(`planner.kernels`). One rule for how they are compiled and where their machine code is kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from numba import njit

F = TypeVar("F", bound=Callable[..., object])


def compiled(function: F) -> F:
    """`function` compiled by numba (`nogil`: other threads run meanwhile), its machine code
    kept between processes where numba finds a folder it can write (`__pycache__` beside the
    module, else the user's cache folder); compiled afresh in each process where it finds none
    (a read-only install), instead of failing at import."""
    try:
        return njit(cache=True, nogil=True)(function)  # type: ignore[no-any-return]
    except RuntimeError:  # "cannot cache function …: no locator available"
        return njit(nogil=True)(function)  # type: ignore[no-any-return]
