"""Money as people read it, written in one place: every `$` the app, the command line, the
exports and the client report show comes from here (so a currency is one change, here).

Amounts are whole cents (the plan's prices are the roster's to the cent, `planner/plan.py`), so
an amount written to the cent is exact; one written in whole dollars or in short form is rounded
down, so a spend shown never reads as more than it was.
"""

from __future__ import annotations

import math

SYMBOL = "$"
MINUS = "−"  # U+2212: a minus sign, not a hyphen

# Excel's number formats for money (a cell stays a number; Excel shows the symbol).
EXCEL_MONEY = '"$"#,##0.00'
EXCEL_MONEY_PRECISE = '"$"#,##0.0000'  # cost per engagement: fractions of a cent matter
# printf-style formats for Streamlit's table columns.
TABLE_MONEY = "$%,.2f"
TABLE_MONEY_WHOLE = "$%,.0f"
TABLE_MONEY_PRECISE = "$%.4f"


def money(amount: float, *, cents: bool | None = None) -> str:
    """`$1,234.50`; `$1,234` when the amount is whole dollars (or `cents=False`, rounded down);
    a negative amount with a minus sign; `–` when there is no amount (nan)."""
    if amount is None or not math.isfinite(amount):
        return "–"
    whole = round(amount * 100)
    sign = MINUS if whole < 0 else ""
    whole = abs(whole)
    if cents is False or (cents is None and whole % 100 == 0):
        return f"{sign}{SYMBOL}{whole // 100:,}"
    return f"{sign}{SYMBOL}{whole // 100:,}.{whole % 100:02d}"


def money_rate(amount: float, digits: int = 3) -> str:
    """A price per unit (cost per engagement), with `digits` decimals."""
    if amount is None or not math.isfinite(amount):
        return "–"
    return f"{MINUS if amount < 0 else ''}{SYMBOL}{abs(amount):,.{digits}f}"


def money_short(amount: float) -> str:
    """`$40.3K`, `$2.5M`: for chart labels, where space is short (rounded down, 3 digits)."""
    if amount is None or not math.isfinite(amount):
        return "–"
    sign = MINUS if amount < 0 else ""
    amount = abs(amount)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "K")):
        if amount >= size:
            scaled = amount / size
            digits = 2 if scaled < 10 else 1 if scaled < 100 else 0
            floored = math.floor(scaled * 10**digits + 1e-9) / 10**digits
            text = f"{floored:,.{digits}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            return f"{sign}{SYMBOL}{text}{suffix}"
    return f"{sign}{SYMBOL}{math.floor(amount + 1e-9):,}"
