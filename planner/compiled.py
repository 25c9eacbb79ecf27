"""Loops compiled by numba: the outreach simulation's (`planner.outreach`) and the optimiser's
(`planner.kernels`). One rule for how they are compiled and where their machine code is kept."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from numba import njit

F = TypeVar("F", bound=Callable[..., object])

# A count cap that is not set, in the compiled loops' integers.
NO_CAP = -1


def compiled(function: F) -> F:
    """`function` compiled by numba (`nogil`: other threads run meanwhile), its machine code
    kept between processes where numba finds a folder it can write (`__pycache__` beside the
    module, else the user's cache folder); compiled afresh in each process where it finds none
    (a read-only install), instead of failing at import."""
    try:
        return njit(cache=True, nogil=True)(function)  # type: ignore[no-any-return]
    except RuntimeError:  # "cannot cache function …: no locator available"
        return njit(nogil=True)(function)  # type: ignore[no-any-return]


def warm() -> None:
    """Load every compiled loop once, or compile it where numba has not kept it yet (about
    0.5 s of one core to load, several seconds to compile): the simulation's, and the
    optimiser's through an uncapped and a capped plan whose programmes run them. A process
    that will plan calls this first, away from the page's path (the app's server when it
    starts, each curve worker)."""
    # (Imported here: those modules import this one.)
    from planner.model import build_items
    from planner.outreach import warm as warm_simulation
    from planner.roster import check_roster
    from planner.settings import Campaign
    from planner.solver import solve
    from planner.synthetic import synthetic_roster

    warm_simulation()
    roster = check_roster(synthetic_roster(300, seed=7, rate_card_priced=True))
    budget = round(float((roster.table["cost_per_post"] * 3).sum()) * 0.1)
    for cap in (None, 5):
        solve(build_items(roster.table, Campaign(budget=budget, max_influencers=cap)))
