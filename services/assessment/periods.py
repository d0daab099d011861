"""The fixed reporting periods of the insights: calendar years, halves and quarters.

Free date windows would let two windows that differ by one dialogue give that dialogue's
figures by subtraction; fixed periods nest (a year is two halves, a half two quarters),
so what can be subtracted is known in advance and can be suppressed (insight_blocks.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

QUARTERS = (1, 2, 3, 4)
HALVES = {1: (1, 2), 2: (3, 4)}
QUARTER_ENDS = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
_LABEL = re.compile(r"([0-9]{4})(?:-([HQ])([1-4]))?")


def quarter_of(day: date) -> int:
    return (day.month - 1) // 3 + 1


@dataclass(frozen=True)
class Period:
    """A calendar year, or a half or quarter of one: its year and quarters."""

    year: int
    quarters: tuple[int, ...] = QUARTERS

    @classmethod
    def parse(cls, label: str) -> Period:
        """'2026' (the year), '2026-H2' (July to December) or '2026-Q3' (July to September)."""
        match = _LABEL.fullmatch(label)
        if match is None or (match[2] == "H" and match[3] not in "12"):
            raise ValueError("a year (2026), a half (2026-H1, 2026-H2) or a quarter "
                             "(2026-Q1 to 2026-Q4)")
        year, kind, number = int(match[1]), match[2], match[3] and int(match[3])
        if kind == "H":
            return cls(year, HALVES[number])
        return cls(year, (number,) if kind == "Q" else QUARTERS)

    @classmethod
    def of(cls, day: date) -> Period:
        """The calendar year the day falls in."""
        return cls(day.year)

    @property
    def label(self) -> str:
        if self.quarters == QUARTERS:
            return str(self.year)
        if len(self.quarters) == 2:
            return f"{self.year}-H{self.quarters[1] // 2}"
        return f"{self.year}-Q{self.quarters[0]}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.quarters[0] - 2, 1)

    @property
    def end(self) -> date:
        month, day = QUARTER_ENDS[self.quarters[-1]]
        return date(self.year, month, day)
