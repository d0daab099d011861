"""What a set of published sums gives away, by linear algebra.

A published figure (a focus area's average rating and its count, so its sum) is the sum of
the ratings of a set of dialogues: a 0/1 vector over the dialogues. Whatever anyone can work
out from many figures is a linear combination of those vectors. A dialogue's ratings are
given away when the vector that picks that dialogue alone lies in their span; a person's,
when the vector that picks exactly the dialogues they led does.
"""

from __future__ import annotations

from collections.abc import Iterable
from fractions import Fraction


class Span:
    """The span of 0/1 vectors over named coordinates, kept in echelon form."""

    def __init__(self, vectors: Iterable[Iterable[str]] = ()):
        self._pivots: dict[str, dict[str, Fraction]] = {}  # pivot coordinate → its row
        for vector in vectors:
            self.add(vector)

    def _reduce(self, row: dict[str, Fraction]) -> dict[str, Fraction]:
        row = dict(row)
        for pivot, basis in self._pivots.items():
            factor = row.get(pivot)
            if factor:
                for name, value in basis.items():
                    row[name] = row.get(name, 0) - factor * value
                row = {name: value for name, value in row.items() if value}
        return row

    def add(self, vector: Iterable[str]) -> None:
        row = self._reduce({name: Fraction(1) for name in vector})
        if not row:
            return
        pivot = min(row)
        scale = row[pivot]
        row = {name: value / scale for name, value in row.items()}
        for other in self._pivots.values():  # keep every pivot column clear elsewhere
            factor = other.get(pivot)
            if factor:
                for name, value in row.items():
                    other[name] = other.get(name, 0) - factor * value
                for name in [name for name, value in other.items() if not value]:
                    del other[name]
        self._pivots[pivot] = row

    def holds(self, vector: Iterable[str]) -> bool:
        """True if the 0/1 vector picking these coordinates is a combination of the span's."""
        return not self._reduce({name: Fraction(1) for name in vector})


def given_away(published: Iterable[frozenset[str]], *, dialogues: Iterable[str],
               led: dict[str, frozenset[str]]) -> list[str]:
    """The dialogues, and the people (by the dialogues they led), whose sums the published
    sets give away."""
    span = Span(set(published))
    found = [f"dialogue {d}" for d in sorted(dialogues) if span.holds({d})]
    found += [f"person {p}" for p, theirs in sorted(led.items()) if theirs and span.holds(theirs)]
    return found
