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

Building the blocks costs the size of the organisation, however deep it is: the tree is
walked without recursion, and the units pooled on the way carry tallies that tell whether
they are safe without going through their pieces again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

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
    rated: Mapping[str, int]  # dialogues rating each focus area


class _Tally(NamedTuple):
    """Dialogues summed, and of their people and leaders at least as many as the thresholds
    ask for (all, if fewer): enough to tell whether a sum of pieces is safe, and as cheap to
    add up however many pieces it has."""

    dialogues: int
    people: frozenset[str]
    leaders: frozenset[str]

    @classmethod
    def of(cls, parts: Iterable[_Tally]) -> _Tally:
        parts = [part for part in parts if part.dialogues]
        if len(parts) == 1:
            return parts[0]
        return cls(sum(part.dialogues for part in parts),
                   _first((part.people for part in parts), MIN_PEOPLE),
                   _first((part.leaders for part in parts), MIN_LEADERS))

    @property
    def safe(self) -> bool:
        """True if these dialogues are none, or enough to show."""
        return self.dialogues == 0 or (self.dialogues >= MIN_DIALOGUES
                                       and len(self.people) >= MIN_PEOPLE
                                       and len(self.leaders) >= MIN_LEADERS)


def _first(groups: Iterable[frozenset[str]], limit: int) -> frozenset[str]:
    """Up to `limit` of the groups' members: all of them if there are fewer. Each group
    costs at most 2 × limit steps, however many members it has."""
    found: set[str] = set()
    for group in groups:
        for member in group:
            found.add(member)
            if len(found) == limit:
                return frozenset(found)
    return frozenset(found)


# A pool's units, nested as they were pooled (a unit id, or a tuple of such): pooling is
# then one step however many units each side holds.
Units = str | tuple


class _Pool(NamedTuple):
    """Units pooled into a block, or waiting for one, with a tally per quarter."""

    units: Units
    tallies: tuple[_Tally, ...]  # by quarter

    @classmethod
    def of(cls, *pools: _Pool) -> _Pool:
        if len(pools) == 1:
            return pools[0]
        return cls(tuple(pool.units for pool in pools), tuple(
            _Tally.of(pool.tallies[index] for pool in pools) for index in range(len(QUARTERS))))

    @property
    def dialogues(self) -> int:
        return sum(tally.dialogues for tally in self.tallies)

    def safe(self, quarters: tuple[int, ...]) -> bool:
        return _Tally.of(self.tallies[quarter - 1] for quarter in quarters).safe

    def spans(self) -> list[tuple[int, ...]] | None:
        """The finest split of the year that leaves every part safe; None if none does."""
        spans: list[tuple[int, ...]] = []
        for half in HALVES.values():
            if all(self.safe((quarter,)) for quarter in half):
                spans += [(quarter,) for quarter in half]
            elif self.safe(half):
                spans.append(half)
            else:
                return [QUARTERS] if self.safe(QUARTERS) else None
        return spans

    @property
    def quarterly(self) -> bool:
        return all(tally.safe for tally in self.tallies)


def _flatten(units: Units) -> frozenset[str]:
    """A pool's units, unnested."""
    found, nested = set(), [units]
    while nested:
        item = nested.pop()
        if isinstance(item, str):
            found.add(item)
        else:
            nested += item
    return frozenset(found)


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
            for pool, spans in self._build(root):
                units = _flatten(pool.units)
                placed |= units
                self.blocks += [Block(units, span, sum(pool.tallies[quarter - 1].dialogues
                                                       for quarter in span),
                                      self._rated(units, span))
                                for span in spans]
        self.unplaced = frozenset(unit for unit, _quarter in pieces) - placed

    def _count(self, units: Iterable[str], quarters: Iterable[int]) -> int:
        return sum(self._piece(unit, quarter).dialogues for unit in units for quarter in quarters)

    def _piece(self, unit: str, quarter: int) -> Piece:
        return self._pieces.get((unit, quarter), EMPTY)

    def _rated(self, units: Iterable[str], quarters: Iterable[int]) -> dict[str, int]:
        rated: dict[str, int] = {}
        for unit in units:
            for quarter in quarters:
                for area, dialogues in self._piece(unit, quarter).rated.items():
                    rated[area] = rated.get(area, 0) + dialogues
        return rated

    def _build(self, root: str) -> list[tuple[_Pool, list[tuple[int, ...]]]]:
        """The blocks of the root's tree, as pools and their spans, from the bottom up.

        Each unit's own pieces and what its children could not place either become a block
        of their own, join the block formed at one of its children, or wait for the parent.
        A unit's tree is walked without recursion, so its depth has no limit.
        """
        order, below = [], [root]  # order: the units, each before the units below it
        while below:
            unit = below.pop()
            order.append(unit)
            below += reversed(self._children[unit])
        formed: dict[str, tuple[_Pool, list]] = {}  # the blocks, by the unit they formed at
        waiting: dict[str, _Pool] = {}  # what a unit could not place, for its parent
        for unit in reversed(order):
            children = self._children[unit]
            leftover = _Pool.of(
                _Pool(unit, tuple(_Tally(piece.dialogues, piece.people, piece.leaders)
                                  for piece in (self._piece(unit, quarter)
                                                for quarter in QUARTERS))),
                *(waiting.pop(child) for child in children if child in waiting))
            if leftover.dialogues == 0:
                waiting[unit] = leftover
            elif leftover.quarterly:
                formed[unit] = (leftover, leftover.spans())
            else:
                tops = sorted((child for child in children if child in formed),
                              key=lambda child: formed[child][0].dialogues)
                for child in tops:
                    joined = _Pool.of(formed[child][0], leftover)
                    if joined.quarterly:
                        del formed[child]
                        formed[unit] = (joined, joined.spans())
                        break
                else:
                    waiting[unit] = leftover
        position = {unit: index for index, unit in enumerate(order)}
        self._place_at_top(root, formed, waiting.get(root), position)
        return [formed[unit] for unit in sorted(formed, key=position.__getitem__)]

    @staticmethod
    def _place_at_top(root: str, formed: dict[str, tuple[_Pool, list]],
                      leftover: _Pool | None, position: Mapping[str, int]) -> None:
        """At the top: what is left becomes a block of its own or joins the smallest one,
        if need be split by halves or the year only; else it stays unplaced."""
        if leftover is None or leftover.dialogues == 0:
            return
        candidates = [None, *sorted(formed, key=lambda unit: (formed[unit][0].dialogues,
                                                               position[unit]))]
        for unit in candidates:
            joined = leftover if unit is None else _Pool.of(formed[unit][0], leftover)
            spans = joined.spans()
            if spans is not None:
                formed.pop(unit, None)
                formed[root] = (joined, spans)
                return

    def published(self, units: frozenset[str], quarters: tuple[int, ...]) -> bool:
        """True if the dialogues of these units in these quarters are whole blocks."""
        if any(self._piece(unit, quarter).dialogues
               for unit in self.unplaced & units for quarter in quarters):
            return False
        return all(self._within(block, units, quarters) in (0, block.dialogues)
                   for block in self.blocks)

    def partly_rated(self, units: frozenset[str], quarters: tuple[int, ...]) -> set[str]:
        """The focus areas that some block of a published figure rated in only part of its
        dialogues (framework versions may differ in their focus areas): never shown."""
        return {area for block in self.blocks if self._within(block, units, quarters)
                for area, rated in block.rated.items() if rated not in (0, block.dialogues)}

    def _within(self, block: Block, units: frozenset[str], quarters: tuple[int, ...]) -> int:
        """The block's dialogues among these units and quarters."""
        if set(block.quarters) <= set(quarters) and block.units <= units:
            return block.dialogues
        return self._count(block.units & units, set(block.quarters) & set(quarters))
