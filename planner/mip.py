"""The model as a mixed-integer programme (planner/model.py's matrix form) for HiGHS.

One binary per post, the side rows and the post-order rows, solved by HiGHS's branch and bound
(`scipy.optimize.milp`). It is the reference the engine is tested and benchmarked against, and the
engine's last resort when its dynamic programme gives up (planner/solver.py). `lp_relaxation`
gives the same model's LP relaxation with its dual prices.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
from scipy import sparse
from scipy.optimize import LinearConstraint, OptimizeResult, linprog, milp

from planner.model import PostItems, Solution, order_rows, relative_gap, side_rows


def solve_mip(
    items: PostItems, *, mip_rel_gap: float = 1e-6, time_limit: float | None = None
) -> Solution:
    n = items.owner.size
    if n == 0:
        status = "optimal" if items.macro_min <= 0 else "infeasible"
        return Solution(status, np.zeros(0, dtype=bool), 0.0, 0.0)
    matrix, lower, upper = side_rows(items)
    order = order_rows(items, np.arange(n))
    constraints = [LinearConstraint(matrix, lower, upper)]
    if order.shape[0]:
        constraints.append(LinearConstraint(sparse.csr_array(order), -np.inf, 0))
    options: dict[str, float] = {"mip_rel_gap": mip_rel_gap}
    if time_limit is not None:
        options["time_limit"] = time_limit
    with native_output_to_stderr():
        result = milp(
            -items.value,
            constraints=constraints,
            integrality=np.ones(n),
            bounds=(0, 1),
            options=options,
        )
    if result.x is None:
        # status 2: proven infeasible; otherwise the time limit passed before any plan was found.
        status = "infeasible" if result.status == 2 else "timeout"
        return Solution(status, np.zeros(n, dtype=bool), 0.0, 0.0)
    chosen = result.x > 0.5
    value = float(items.value[chosen].sum())
    bound = -float(result.mip_dual_bound)
    gap = relative_gap("", bound, value)
    status = "optimal" if gap <= mip_rel_gap + 1e-12 else "feasible"
    return Solution(status, chosen, value, max(bound, value))


def lp_relaxation(items: PostItems, value: np.ndarray) -> OptimizeResult | None:
    """The LP relaxation (0 <= y <= 1) maximising `value`, or None when even it is infeasible.

    `ineqlin.marginals` is cut to the side rows in the order budget, macro top, [macro count],
    [influencer count], macro bottom (minus signs: HiGHS minimises)."""
    n = items.owner.size
    matrix, lower, upper = side_rows(items)
    order = order_rows(items, np.arange(n))
    a_ub = sparse.vstack([matrix, -matrix[[1]], order]).tocsr()
    b_ub = np.concatenate([upper, [-lower[1]], np.zeros(order.shape[0])])
    lp = linprog(-value, A_ub=a_ub, b_ub=b_ub, bounds=(0, 1), method="highs")
    if lp.status == 2:
        return None
    if lp.status != 0:  # pragma: no cover - HiGHS reports numerical trouble
        raise RuntimeError(f"The LP relaxation failed: {lp.message}")
    lp.ineqlin.marginals = lp.ineqlin.marginals[: matrix.shape[0] + 1]
    return lp


_redirect_lock = threading.Lock()
_redirect_depth = 0
_saved_stdout_fd: int | None = None


@contextmanager
def native_output_to_stderr() -> Iterator[None]:
    """Send what native code writes to file descriptor 1 to standard error while inside.

    HiGHS's branch and bound prints some lines (`HighsMipSolverData::...`) with C's stdio whatever
    its output options say, and they would land in the middle of a script's JSON or CSV. Python's
    own `print` also writes to descriptor 1, so while any solve is inside, other threads' prints go
    to standard error too (moved, never lost). Nested and concurrent uses share one redirection.
    """
    global _redirect_depth, _saved_stdout_fd
    with _redirect_lock:
        if _redirect_depth == 0:
            try:
                sys.stdout.flush()
            except (AttributeError, OSError, ValueError):
                pass
            try:
                _saved_stdout_fd = os.dup(1)
                os.dup2(2, 1)
            except OSError:  # no descriptor 1 or 2 (some embedded hosts): nothing to protect
                _saved_stdout_fd = None
        _redirect_depth += 1
    try:
        yield
    finally:
        with _redirect_lock:
            _redirect_depth -= 1
            if _redirect_depth == 0 and _saved_stdout_fd is not None:
                _flush_c_stdio()
                os.dup2(_saved_stdout_fd, 1)
                os.close(_saved_stdout_fd)
                _saved_stdout_fd = None


def _flush_c_stdio() -> None:
    """Write out C's stdio buffers (HiGHS's lines) while they still go to standard error."""
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError, TypeError):  # no C library by that name (Windows)
        pass
