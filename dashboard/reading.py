"""How the user said to read a roster file: which column holds which field, which decimal mark
an ambiguous number column uses, and the campaign's currency. The app keeps one per roster in
use (and per set of headers, for the next file of the same shape), saves it with a scenario,
and the planner reads the roster with it (`planner.check_roster`'s `columns`, `decimal` and
`currency`). Nothing here is guessed: each entry is the user's answer to a question the page
asked."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Decimal = Literal["point", "comma"]
SAVED_KEY = "roster_reading"  # its key among a saved scenario's settings


@dataclass(frozen=True)
class Reading:
    columns: tuple[tuple[str, str | None], ...] = ()  # field -> header (None: no such column)
    decimal: tuple[tuple[str, Decimal], ...] = ()  # field or header -> decimal mark
    currency: str | None = None  # ISO code; None: from the prices, else USD

    def __bool__(self) -> bool:
        return bool(self.columns or self.decimal or self.currency)

    def check_arguments(self) -> dict[str, Any]:
        """The keyword arguments of `planner.check_roster` that read the file this way."""
        return {
            "columns": dict(self.columns) or None,
            "decimal": dict(self.decimal) or None,
            "currency": self.currency,
        }

    def with_answers(
        self, columns: Mapping[str, str | None], decimal: Mapping[str, Decimal]
    ) -> Reading:
        """This reading with more answers (an answer replaces an earlier one for its field)."""
        merged_columns = dict(self.columns) | dict(columns)
        merged_decimal = dict(self.decimal) | dict(decimal)
        return Reading(
            tuple(sorted(merged_columns.items())),
            tuple(sorted(merged_decimal.items())),
            self.currency,
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "columns": dict(self.columns),
                "decimal": dict(self.decimal),
                "currency": self.currency,
            }
        )

    @classmethod
    def from_json(cls, text: object) -> Reading:
        """A reading as saved with a scenario; an empty one for anything else (a scenario saved
        before readings were kept has none)."""
        try:
            data = json.loads(str(text))
        except (TypeError, ValueError):
            return cls()
        if not isinstance(data, dict):
            return cls()
        columns = data.get("columns") or {}
        decimal = data.get("decimal") or {}
        currency = data.get("currency")
        if not isinstance(columns, dict) or not isinstance(decimal, dict):
            return cls()
        return cls(
            tuple(
                sorted(
                    (str(k), None if v is None else str(v))
                    for k, v in columns.items()
                    if v is None or isinstance(v, str)
                )
            ),
            tuple(sorted((str(k), v) for k, v in decimal.items() if v in ("point", "comma"))),
            currency if isinstance(currency, str) and currency else None,
        )
