"""Which balance figures may be published: the blocks every published figure is made of.

The figures of a year are kept per unit and quarter (a *piece*). Any figure a role can ask
for (a unit alone or with the units below it, over a year, a half or a quarter) is a sum of
pieces, so subtracting one figure from another gives the sum of other pieces. To keep every
such sum safe, the pieces of a year are grouped into *blocks*, each with at least
MIN_DIALOGUES dialogues, MIN_PEOPLE people taking part (leaders and participants) and
MIN_LEADERS leaders, and a figure is published only when it is made of whole blocks. Any
combination of published figures is then a combination of whole blocks: it never singles
out fewer dialogues, people or leaders than a block holds. With three leaders in every
block, even a leader of the block who subtracts their own dialogues is left with the sum of
at least two others.

Blocks are built once per year for the whole organisation (a role's answers are a part of
HR's), bottom-up through the unit tree:

- a unit's own pieces, with whatever its children could not place, become a block when
  they are safe in every quarter (a quarter without dialogues is safe);
- if not, they join the block of one of its children (the smallest that stays safe);
  the figures of that child's subtree are then no longer published, but the parent's are;
- if no child can take them, they go up to the parent unit in turn;
- at the top, what is left may make a block safe only by halves or by the year.

A block safe in every quarter is split into quarters, so quarter figures can be published;
the top block may be split into halves or not at all. What cannot join any block is never
published, and neither is any figure that includes it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from services.assessment.periods import HALVES, QUARTERS

MIN_DIALOGUES = 5
MIN_PEOPLE = 5
MIN_LEADERS = 3


@dataclass(frozen=True)
class Piece:
    """One unit's shared dialogues in one quarter: how many, who took part, who led them."""

    dialogues: int
    people: frozenset[str]
    leaders: frozenset[str]
    rated: Mapping[str, int] = field(default_factory=dict)  # dialogues rating each focus area


EMPTY = Piece(0, frozenset(), frozenset())


@dataclass(frozen=True)
class Block:
    units: frozenset[str]
    quarters: tuple[int, ...]
    dialogues: int


class Year:
    """A year's pieces, by (unit id, quarter), and the blocks built from them."""

    def __init__(self, parents: Mapping[str, str | None], pieces: Mapping[tuple[str, int], Piece]):
        self._pieces = pieces
        self.units = frozenset(parents)
        self._children: dict[str, list[str]] = {unit: [] for unit in parents}
        for unit, parent in sorted(parents.items()):
            if parent in self._children:
                self._children[parent].append(unit)
        roots = [unit for unit, parent in sorted(parents.items())
                 if parent not in self._children]
        self.blocks: list[Block] = []
        placed: set[str] = set()
        for root in roots:
            groups, leftover = self._build(root)
            groups, leftover = self._place_at_top(groups, leftover)
            for units, spans in groups:
                placed |= units
                self.blocks += [Block(frozenset(units), span, self._count(units, span))
                                for span in spans]
        self.unplaced = frozenset(unit for unit, _quarter in pieces) - placed

    def _count(self, units: Iterable[str], quarters: Iterable[int]) -> int:
        return sum(self._piece(unit, quarter).dialogues for unit in units for quarter in quarters)

    def _piece(self, unit: str, quarter: int) -> Piece:
        return self._pieces.get((unit, quarter), EMPTY)

    def _safe(self, units: set[str], quarters: tuple[int, ...]) -> bool:
        """True if these units' dialogues in these quarters are none, or enough to show."""
        pieces = [self._piece(unit, quarter) for unit in units for quarter in quarters]
        dialogues = sum(piece.dialogues for piece in pieces)
        if dialogues == 0:
            return True
        people = frozenset().union(*(piece.people for piece in pieces))
        leaders = frozenset().union(*(piece.leaders for piece in pieces))
        return (dialogues >= MIN_DIALOGUES and len(people) >= MIN_PEOPLE
                and len(leaders) >= MIN_LEADERS)

    def _spans(self, units: set[str]) -> list[tuple[int, ...]] | None:
        """The finest split of the year that leaves every part safe; None if none does."""
        spans: list[tuple[int, ...]] = []
        for half in HALVES.values():
            if all(self._safe(units, (quarter,)) for quarter in half):
                spans += [(quarter,) for quarter in half]
            elif self._safe(units, half):
                spans.append(half)
            else:
                return [QUARTERS] if self._safe(units, QUARTERS) else None
        return spans

    def _quarterly(self, units: set[str]) -> bool:
        return self._spans(units) == [(quarter,) for quarter in QUARTERS]

    def _build(self, unit: str) -> tuple[list[tuple[set[str], list]], set[str]]:
        """The blocks of the unit's subtree, and the units it could not place yet.

        The block holding a child's own unit comes first in that child's list.
        """
        groups: list[tuple[set[str], list]] = []
        tops: list[int] = []
        leftover = {unit}
        for child in self._children[unit]:
            child_groups, child_leftover = self._build(child)
            if child_groups and child in child_groups[0][0]:
                tops.append(len(groups))
            groups += child_groups
            leftover |= child_leftover
        if self._count(leftover, QUARTERS) == 0:
            return groups, leftover
        if self._quarterly(leftover):
            return [(leftover, self._spans(leftover)), *groups], set()
        for index in sorted(tops, key=lambda i: (self._count(groups[i][0], QUARTERS), i)):
            joined = groups[index][0] | leftover
            if self._quarterly(joined):
                del groups[index]
                return [(joined, self._spans(joined)), *groups], set()
        return groups, leftover

    def _place_at_top(self, groups, leftover: set[str]):
        """At the top: what is left becomes a block of its own or joins the smallest one,
        if need be split by halves or the year only; else it stays unplaced."""
        if self._count(leftover, QUARTERS) == 0:
            return groups, leftover
        candidates = [None, *sorted(range(len(groups)),
                                    key=lambda i: (self._count(groups[i][0], QUARTERS), i))]
        for index in candidates:
            joined = leftover if index is None else groups[index][0] | leftover
            spans = self._spans(joined)
            if spans is not None:
                rest = [group for i, group in enumerate(groups) if i != index]
                return [(joined, spans), *rest], set()
        return groups, leftover

    def published(self, units: frozenset[str], quarters: tuple[int, ...]) -> bool:
        """True if the dialogues of these units in these quarters are whole blocks."""
        if any(self._piece(unit, quarter).dialogues
               for unit in self.unplaced & units for quarter in quarters):
            return False
        return all(self._within(block, units, quarters) in (0, block.dialogues)
                   for block in self.blocks)

    def rated_throughout(self, area: str, units: frozenset[str],
                         quarters: tuple[int, ...]) -> bool:
        """True if each block of a published figure rated the area in all its dialogues or
        in none (framework versions may differ in their focus areas)."""
        for block in self.blocks:
            if self._within(block, units, quarters) == 0:
                continue
            rated = sum(self._piece(unit, quarter).rated.get(area, 0)
                        for unit in block.units for quarter in block.quarters)
            if rated not in (0, block.dialogues):
                return False
        return True

    def _within(self, block: Block, units: frozenset[str], quarters: tuple[int, ...]) -> int:
        return self._count(block.units & units, set(block.quarters) & set(quarters))
