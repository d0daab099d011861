"""The balance figures kept per unit and quarter, so an insight sums a few thousand rows
instead of every dialogue.

Only shared dialogues count: a private dialogue is its leader's alone, in the insights as
everywhere else. Every change to a dialogue or its actions writes a mark (InsightStale) for
its unit and day, in the same statement or transaction as the change; before figures are
read, `refresh` sums the marked quarters up again from the dialogues and takes the marks
away. A mark written while a refresh runs stays for the next one, so no change is missed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from threading import Lock

from cachetools import LRUCache
from sqlalchemy import (
    Integer,
    and_,
    bindparam,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    literal,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from services.assessment.insight_blocks import Piece, Year
from services.assessment.models import (
    Action,
    Dialogue,
    FocusRating,
    InsightFigure,
    InsightOpenAction,
    InsightPerson,
    InsightStale,
    InsightStamp,
    Participant,
    Unit,
)
from services.assessment.periods import QUARTER_ENDS, quarter_of

OPEN_STATUSES = ("open", "in_progress")
TABLES = (InsightFigure, InsightPerson, InsightOpenAction)
REFRESH_LOCK = 7_241_001  # the PostgreSQL advisory lock that lets one refresh run at a time
MARKS_PER_DELETE = 1000
_BLOCKS: LRUCache = LRUCache(maxsize=32)  # (year, _version) → Year, for this process
_BLOCKS_LOCK = Lock()


def marks(unit_id: str, *days: date) -> list[dict]:
    """InsightStale rows for a change to a dialogue of this unit held on these days."""
    return [{"unit_id": unit_id, "held_on": day} for day in sorted(set(days))]


def mark(session: Session, unit_id: str, *days: date) -> None:
    """Mark a change in the session's transaction."""
    session.execute(insert(InsightStale), marks(unit_id, *days))


def refresh(session: Session) -> None:
    """Sum up again every marked quarter, take its marks away, and commit."""
    if session.scalar(select(InsightStale.id).limit(1)) is None:
        return
    _lock(session)
    found = session.execute(
        select(InsightStale.id, InsightStale.unit_id, InsightStale.held_on)
    ).all()
    if found:
        first = min(day for _id, _unit, day in found)
        last = max(day for _id, _unit, day in found)
        sum_up(session, units={unit for _id, unit, _day in found},
               start=date(first.year, 3 * quarter_of(first) - 2, 1),
               end=date(last.year, *QUARTER_ENDS[quarter_of(last)]))
        ids = [mark_id for mark_id, _unit, _day in found]
        for start in range(0, len(ids), MARKS_PER_DELETE):
            session.execute(delete(InsightStale).where(
                InsightStale.id.in_(ids[start:start + MARKS_PER_DELETE])))
        _restamp(session)
    session.commit()


def rebuild(session: Session) -> None:
    """Sum every quarter up afresh (after a bulk load), and commit."""
    _lock(session)
    session.execute(delete(InsightStale))
    sum_up(session)
    _restamp(session)
    session.commit()


def _lock(session: Session) -> None:
    """Let one refresh or rebuild run at a time (SQLite has one writer anyway)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": REFRESH_LOCK})


def _year():
    return cast(extract("year", Dialogue.held_on), Integer)


def _quarter():
    month = extract("month", Dialogue.held_on)
    return case((month <= 3, 1), (month <= 6, 2), (month <= 9, 3), else_=4)


def _index(year, quarter):
    """Quarters counted from year 0: compares (year, quarter) pairs in one number."""
    return year * 4 + quarter


def sum_up(session: Session, *, units: set[str] | None = None, start: date | None = None,
           end: date | None = None) -> None:
    """Replace the figures of these units' quarters from start to end (default: all)."""
    where = [Dialogue.visibility == "shared"]
    if units is not None:
        where.append(Dialogue.unit_id.in_(sorted(units)))
    if start is not None:
        where.append(Dialogue.held_on.between(start, end))
    for table in TABLES:
        stale = []
        if units is not None:
            stale.append(table.unit_id.in_(sorted(units)))
        if start is not None:
            stale.append(_index(table.year, table.quarter).between(
                _index(start.year, quarter_of(start)), _index(end.year, quarter_of(end))))
        session.execute(delete(table).where(*stale))
    piece = (Dialogue.unit_id, _year().label("year"), _quarter().label("quarter"))
    _insert(session, InsightFigure, union_all(
        select(*piece, literal("setting").label("kind"), Dialogue.setting.label("key"),
               func.count().label("dialogues"), literal(0).label("rating_sum"),
               literal(0).label("weight_sum"), literal(0).label("agreed"),
               literal(0).label("done"))
        .where(*where).group_by(*piece[:3], Dialogue.setting),
        select(*piece, literal("focus_area"), FocusRating.focus_area, func.count(),
               func.sum(FocusRating.rating), func.sum(FocusRating.weight), literal(0),
               literal(0))
        .join(FocusRating, FocusRating.dialogue_id == Dialogue.id)
        .where(*where).group_by(*piece[:3], FocusRating.focus_area),
        select(*piece, literal("actions"), literal(""), literal(0), literal(0), literal(0),
               func.count(), func.count(case((Action.status == "done", 1))))
        .join(Action, Action.dialogue_id == Dialogue.id)
        .where(*where).group_by(*piece[:3]),
    ))
    _insert(session, InsightOpenAction, select(
        *piece, Action.due_on, func.count().label("actions"),
    ).join(Action, Action.dialogue_id == Dialogue.id)
     .where(*where, Action.status.in_(OPEN_STATUSES)).group_by(*piece[:3], Action.due_on))
    people = union_all(
        select(*piece, Dialogue.leader_id.label("person_id"), literal(1).label("led"))
        .where(*where),
        select(*piece, Participant.person_id, literal(0))
        .join(Participant, Participant.dialogue_id == Dialogue.id).where(*where),
    ).subquery()
    _insert(session, InsightPerson, select(
        people.c.unit_id, people.c.year, people.c.quarter, people.c.person_id,
        (func.max(people.c.led) == 1).label("led"),
    ).group_by(people.c.unit_id, people.c.year, people.c.quarter, people.c.person_id))


def _insert(session: Session, model, query) -> None:
    """INSERT … SELECT: the figures are summed up and written without leaving the database."""
    session.execute(insert(model).from_select(list(query.selected_columns.keys()), query))


def _among(column, units: frozenset[str]):
    """column IN (the units), their ids written into the statement: a subtree may hold
    thousands of units, and as many bound parameters cost the driver more than the query."""
    return column.in_(bindparam("units", sorted(units), expanding=True, literal_execute=True))


@dataclass(frozen=True)
class Totals:
    """A figure's sums over the units and quarters asked about."""

    dialogues: int = 0
    rating_sum: int = 0
    weight_sum: int = 0
    agreed: int = 0
    done: int = 0


def totals(session: Session, *, year: int, quarters: Iterable[int],
           units: frozenset[str] | None) -> dict[tuple[str, str], Totals]:
    """Each figure (kind, key) summed over these units (None: all) and quarters."""
    summed = [func.sum(getattr(InsightFigure, name)).label(name)
              for name in ("dialogues", "rating_sum", "weight_sum", "agreed", "done")]
    query = (select(InsightFigure.kind, InsightFigure.key, *summed)
             .where(InsightFigure.year == year, InsightFigure.quarter.in_(sorted(quarters)))
             .group_by(InsightFigure.kind, InsightFigure.key))
    if units is not None:
        query = query.where(_among(InsightFigure.unit_id, units))
    # PostgreSQL sums integers up to numeric (Decimal); the figures are whole numbers.
    return {(kind, key): Totals(*(int(value) for value in values))
            for kind, key, *values in session.execute(query)}


def blocks(session: Session, year: int) -> Year:
    """The year's blocks, built again only when the figures or the unit tree have changed:
    building them reads every unit's people of the year."""
    version = _version(session)
    key = (year, version)
    if version is not None:
        with _BLOCKS_LOCK:
            cached = _BLOCKS.get(key)
        if cached is not None:
            return cached
    parents = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    built = Year(parents, _pieces(session, year))
    if version is not None:
        with _BLOCKS_LOCK:
            _BLOCKS[key] = built
    return built


def _version(session: Session) -> tuple | None:
    """The figures' stamp and the unit tree's size and last change; None before any stamp."""
    stamp, units, changed = session.execute(select(
        select(InsightStamp.stamp).where(InsightStamp.id == 1).scalar_subquery(),
        select(func.count()).select_from(Unit).scalar_subquery(),
        select(func.max(Unit.updated_at)).scalar_subquery(),
    )).one()
    return None if stamp is None else (stamp, units, changed)


def _restamp(session: Session) -> None:
    stamp = uuid.uuid4().hex
    if not session.execute(update(InsightStamp).where(InsightStamp.id == 1)
                           .values(stamp=stamp)).rowcount:
        session.add(InsightStamp(id=1, stamp=stamp))


def _pieces(session: Session, year: int) -> dict[tuple[str, int], Piece]:
    """Each unit's quarters of the year: dialogues, people, leaders, focus areas rated."""
    people: dict[tuple[str, int], tuple[set[str], set[str]]] = {}
    for unit_id, quarter, person_id, led in session.execute(
        select(InsightPerson.unit_id, InsightPerson.quarter, InsightPerson.person_id,
               InsightPerson.led).where(InsightPerson.year == year)
    ):
        everyone, leaders = people.setdefault((unit_id, quarter), (set(), set()))
        everyone.add(person_id)
        if led:
            leaders.add(person_id)
    counts: dict[tuple[str, int], int] = {}
    rated: dict[tuple[str, int], dict[str, int]] = {}
    for unit_id, quarter, kind, key, dialogues in session.execute(
        select(InsightFigure.unit_id, InsightFigure.quarter, InsightFigure.kind,
               InsightFigure.key, InsightFigure.dialogues)
        .where(InsightFigure.year == year, InsightFigure.kind.in_(("setting", "focus_area")))
    ):
        where = (unit_id, quarter)
        if kind == "setting":
            counts[where] = counts.get(where, 0) + dialogues
        else:
            rated.setdefault(where, {})[key] = dialogues
    nobody = (set(), set())
    return {
        where: Piece(count, frozenset(people.get(where, nobody)[0]),
                     frozenset(people.get(where, nobody)[1]), rated.get(where, {}))
        for where, count in counts.items()
    }


def overdue(session: Session, *, year: int, quarters: Iterable[int],
            units: frozenset[str] | None, today: date) -> int:
    """Open actions due before today, of these units' dialogues in these quarters."""
    query = select(func.coalesce(func.sum(InsightOpenAction.actions), 0)).where(and_(
        InsightOpenAction.year == year, InsightOpenAction.quarter.in_(sorted(quarters)),
        InsightOpenAction.due_on < today,
    ))
    if units is not None:
        query = query.where(_among(InsightOpenAction.unit_id, units))
    return int(session.scalar(query))
