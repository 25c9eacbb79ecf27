"""The server's settings read from its environment (set by whoever runs the server, see
docs/deploy.md), each checked: a value that is not a number of the right kind stops the server
with a message that names the variable and says what it takes, rather than being read as
something else."""

from __future__ import annotations

import math
import os


class EnvironmentSettingError(ValueError):
    """An environment variable of the app's holds a value it cannot use."""


def positive_number(name: str, default: float, *, whole: bool = False) -> float:
    """`name`'s value from the environment (`default` when unset or empty): a number above 0,
    a whole one when `whole`."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    kind = "a whole number of at least 1" if whole else "a number of seconds above 0"
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0 or (whole and value != int(value)):
        raise EnvironmentSettingError(
            f"{name}={raw!r} cannot be used: it takes {kind}. "
            f"Set it to one, or unset it for the default ({default:g})."
        )
    return value
