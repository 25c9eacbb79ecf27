"""Money as people read it, written in one place: every amount the app, the command line, the
exports and the client report show comes from here, in the roster's currency (`currency`, an
ISO code; US dollars when a roster says nothing: `planner/roster.py`). No exchange rates.

Amounts are whole cents (the plan's prices are the roster's to the cent, `planner/plan.py`), so
an amount written to the cent is exact; one written in whole dollars or in short form is rounded
down, so a spend shown never reads as more than it was.
"""

from __future__ import annotations

import math

MINUS = "−"  # U+2212: a minus sign, not a hyphen
DEFAULT_CURRENCY = "USD"
# Currencies written with their symbol; any other is written as its code (`CHF 90.00`).
DISPLAY_SYMBOL = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "INR": "₹"}
SYMBOL = DISPLAY_SYMBOL[DEFAULT_CURRENCY]


def currency_label(currency: str = DEFAULT_CURRENCY) -> str:
    """`$` for USD, `€` for EUR, else the code: what a heading shows (`Spend ($)`)."""
    return DISPLAY_SYMBOL.get(currency, currency)


def money_prefix(currency: str = DEFAULT_CURRENCY) -> str:
    """What an amount starts with: `$`, `€`, or the code and a space (`CHF `)."""
    symbol = DISPLAY_SYMBOL.get(currency)
    return symbol if symbol is not None else f"{currency} "


def excel_money(currency: str = DEFAULT_CURRENCY, digits: int = 2) -> str:
    """Excel's number format for money (a cell stays a number; Excel shows the currency):
    two decimals, or four for a cost per engagement, where fractions of a cent matter."""
    return f'"{money_prefix(currency)}"#,##0.{"0" * digits}'


def table_money(currency: str = DEFAULT_CURRENCY, digits: int = 2) -> str:
    """The printf-style format of money in the page's tables and sliders (`$%,.2f`,
    `€%,.0f`, `CHF %,.2f`)."""
    grouping = "," if digits < 4 else ""
    return f"{money_prefix(currency).replace('%', '%%')}%{grouping}.{digits}f"


EXCEL_MONEY = excel_money()
EXCEL_MONEY_PRECISE = excel_money(digits=4)
TABLE_MONEY = table_money()
TABLE_MONEY_WHOLE = table_money(digits=0)
TABLE_MONEY_PRECISE = table_money(digits=4)


def money(amount: float, *, cents: bool | None = None, currency: str = DEFAULT_CURRENCY) -> str:
    """`$1,234.50`; `$1,234` when the amount is whole dollars (or `cents=False`, rounded down);
    a negative amount with a minus sign; `–` when there is no amount (nan). `€1,234.50`,
    `CHF 1,234.50` in other currencies."""
    if amount is None or not math.isfinite(amount):
        return "–"
    whole = round(amount * 100)
    sign = MINUS if whole < 0 else ""
    whole = abs(whole)
    unit = money_prefix(currency)
    if cents is False or (cents is None and whole % 100 == 0):
        return f"{sign}{unit}{whole // 100:,}"
    return f"{sign}{unit}{whole // 100:,}.{whole % 100:02d}"


def money_rate(amount: float, digits: int = 3, *, currency: str = DEFAULT_CURRENCY) -> str:
    """A price per unit (cost per engagement), with `digits` decimals."""
    if amount is None or not math.isfinite(amount):
        return "–"
    return f"{MINUS if amount < 0 else ''}{money_prefix(currency)}{abs(amount):,.{digits}f}"


def money_short(amount: float, *, currency: str = DEFAULT_CURRENCY) -> str:
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
            return f"{sign}{money_prefix(currency)}{text}{suffix}"
    return f"{sign}{money_prefix(currency)}{math.floor(amount + 1e-9):,}"
