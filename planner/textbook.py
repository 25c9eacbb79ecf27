"""The textbook formulation: one binary per post, ordering rows, HiGHS branch and bound.

It is the reference the fast optimiser is tested and benchmarked against; it is not used to plan.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.optimize import LinearConstraint, milp

from planner.model import PostItems
from planner.solver import Solution, _order_rows, _rows, relative_gap


def solve_textbook(
    items: PostItems, *, mip_rel_gap: float = 1e-6, time_limit: float | None = None
) -> Solution:
    n = items.owner.size
    if n == 0:
        status = "optimal" if items.macro_min <= 0 else "infeasible"
        return Solution(status, np.zeros(0, dtype=bool), 0.0, 0.0)
    matrix, lower, upper = _rows(items)
    order = _order_rows(items, np.arange(n))
    constraints = [LinearConstraint(matrix, lower, upper)]
    if order.shape[0]:
        constraints.append(LinearConstraint(sparse.csr_array(order), -np.inf, 0))
    options: dict[str, float] = {"mip_rel_gap": mip_rel_gap}
    if time_limit is not None:
        options["time_limit"] = time_limit
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
