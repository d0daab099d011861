"""The balance insight: a unit's dialogues in aggregate, never one person's.

Per unit (alone, or with every unit below it) and period: the average rating and weight
of each focus area, the dialogues per setting, and the actions agreed, done and overdue.
Each figure belongs to a cell, and a cell built from fewer than MIN_GROUP_SIZE dialogues,
or from the dialogues of fewer than MIN_GROUP_SIZE people (their leaders and participants),
is suppressed: it says so and carries no numbers. Private and shared dialogues count alike:
a sum over at least five dialogues of at least five people reveals no one's reflection, and
leaving private ones out would tilt the balance towards what leaders chose to share.
Only keys and numbers leave this module, never a text.

The database sums every cell up, in three statements (dialogues and settings, focus areas,
actions): per cell and leader first, then per cell, which counts the distinct leaders on
the way. Five leaders settle the people rule at once; only cells with fewer (small units)
take one more, small statement that counts their participants too.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy import (
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    null,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from services.assessment import access
from services.assessment.errors import Forbidden, Invalid, NotFound
from services.assessment.models import SETTINGS, Action, Dialogue, FocusRating, Participant, Unit
from shared.auth import Principal
from shared.validation import years_from

MIN_GROUP_SIZE = 5
OPEN_STATUSES = ("open", "in_progress")
SUMMED = frozenset({"dialogues", "rating_sum", "weight_sum", "agreed", "done", "overdue"})
LEADERS_ONLY = "insights cover the units you lead and the units below them"


@dataclass(frozen=True)
class Cell:
    """What the database sums up for one cell (kind: dialogues, setting, focus_area, actions)."""

    kind: str
    key: str | None
    people: int  # distinct leaders; leaders and participants where leaders alone are too few
    dialogues: int = 0
    rating_sum: int | None = None
    weight_sum: int | None = None
    agreed: int | None = None
    done: int | None = None
    overdue: int | None = None

    @property
    def suppressed(self) -> bool:
        return self.dialogues < MIN_GROUP_SIZE or self.people < MIN_GROUP_SIZE

    def average(self, total: int | None) -> float | None:
        return None if self.suppressed else round(total / self.dialogues, 2)


@dataclass(frozen=True)
class Scope:
    """The dialogues held in these units (None: in any unit) between start and end."""

    unit_ids: frozenset[str] | None
    start: date
    end: date

    def dialogues(self, *columns):
        """A select of the columns of the dialogues in scope."""
        query = select(*columns).where(Dialogue.held_on.between(self.start, self.end))
        if self.unit_ids is not None:
            query = query.where(Dialogue.unit_id.in_(sorted(self.unit_ids)))
        return query


def default_start(end: date) -> date:
    """The first day of the twelve months that end on `end`."""
    return years_from(end, -1) + timedelta(days=1)


def covered_units(
    session: Session, *, principal: Principal, unit_id: str | None, subtree: bool
) -> frozenset[str] | None:
    """The units asked about, if the principal may see them; None: the whole organisation."""
    if not principal.has_any("hr_admin", "leader"):
        raise Forbidden("insights are for HR admins and leaders")
    if unit_id is None:
        if principal.has_any("hr_admin"):
            return None
        raise Invalid.field("unit_id", "required unless you are an HR admin", location="query")
    if session.get(Unit, unit_id) is None:
        raise NotFound(f"unit {unit_id} not found")
    if not principal.has_any("hr_admin") and unit_id not in access.subtree(
        session, access.units_led(session, principal.sub)
    ):
        raise Forbidden(LEADERS_ONLY)
    return frozenset(access.subtree(session, {unit_id}) if subtree else {unit_id})


def _roll_up(kind: str, per_leader, *, keyed: bool):
    """Rows per (key, leader) summed up per key; the rows counted are the distinct leaders."""
    sums = [func.sum(column).label(column.name) for column in per_leader.c
            if column.name not in ("key", "leader_id")]
    key = per_leader.c.key if keyed else cast(null(), String)
    query = select(literal(kind, String).label("kind"), key.label("key"),
                   func.count().label("people"), *sums)
    return query.group_by(per_leader.c.key) if keyed else query


def _cells_statements(scope: Scope, today: date):
    """The statements summing every cell up: dialogues and settings, focus areas, actions."""
    # Separate statements, each reading the dialogues in scope itself: PostgreSQL then gives
    # each a parallel plan, where one UNION of them may run side by side, each on one core.
    def in_scope():
        return scope.dialogues(Dialogue.id, Dialogue.leader_id, Dialogue.setting).subquery()

    total, by_setting, rated, acted = in_scope(), in_scope(), in_scope(), in_scope()
    overdue = and_(Action.status.in_(OPEN_STATUSES), Action.due_on < today)
    yield union_all(
        _roll_up("dialogues", select(
            total.c.leader_id, func.count().label("dialogues"),
        ).group_by(total.c.leader_id).subquery(), keyed=False),
        _roll_up("setting", select(
            by_setting.c.setting.label("key"), by_setting.c.leader_id,
            func.count().label("dialogues"),
        ).group_by(by_setting.c.setting, by_setting.c.leader_id).subquery(), keyed=True),
    )
    yield _roll_up("focus_area", select(
        FocusRating.focus_area.label("key"), rated.c.leader_id,
        func.count().label("dialogues"),
        func.sum(FocusRating.rating).label("rating_sum"),
        func.sum(FocusRating.weight).label("weight_sum"),
    ).join(rated, rated.c.id == FocusRating.dialogue_id)
     .group_by(FocusRating.focus_area, rated.c.leader_id).subquery(), keyed=True)
    yield _roll_up("actions", select(
        acted.c.leader_id, func.count(Action.dialogue_id.distinct()).label("dialogues"),
        func.count().label("agreed"),
        func.count(case((Action.status == "done", 1))).label("done"),
        func.count(case((overdue, 1))).label("overdue"),
    ).join(acted, acted.c.id == Action.dialogue_id)
     .group_by(acted.c.leader_id).subquery(), keyed=False)


def _people(scope: Scope):
    """(dialogue id, setting, person id) for the leader and each participant in scope."""
    leaders = scope.dialogues(Dialogue.id, Dialogue.setting, Dialogue.leader_id.label("person_id"))
    participants = scope.dialogues(Dialogue.id, Dialogue.setting, Participant.person_id).join(
        Participant, Participant.dialogue_id == Dialogue.id
    )
    return union_all(leaders, participants).subquery()


def _people_statement(scope: Scope, cells: list[Cell]):
    """The number of distinct leaders and participants of each of these cells."""
    keys = {kind: [c.key for c in cells if c.kind == kind] for kind in {c.kind for c in cells}}
    no_key = cast(null(), String)
    parts = []
    if "dialogues" in keys:
        total = _people(scope)
        parts.append(select(literal("dialogues", String), no_key,
                            func.count(total.c.person_id.distinct())))
    if "setting" in keys:
        by_setting = _people(scope)
        parts.append(select(
            literal("setting", String), by_setting.c.setting,
            func.count(by_setting.c.person_id.distinct()),
        ).where(by_setting.c.setting.in_(keys["setting"])).group_by(by_setting.c.setting))
    if "focus_area" in keys:
        rated = _people(scope)
        parts.append(select(
            literal("focus_area", String), FocusRating.focus_area,
            func.count(rated.c.person_id.distinct()),
        ).join(rated, rated.c.id == FocusRating.dialogue_id)
         .where(FocusRating.focus_area.in_(keys["focus_area"]))
         .group_by(FocusRating.focus_area))
    if "actions" in keys:
        acted = _people(scope)
        parts.append(select(
            literal("actions", String), no_key, func.count(acted.c.person_id.distinct()),
        ).where(exists().where(Action.dialogue_id == acted.c.id)))
    return union_all(*parts)


def _cell(row) -> Cell:
    # PostgreSQL sums integers up to numeric (Decimal); the figures are whole numbers.
    return Cell(**{name: int(value) if name in SUMMED and value is not None else value
                   for name, value in row._mapping.items()})


def sum_up(session: Session, *, scope: Scope, today: date) -> dict[tuple[str, str | None], Cell]:
    """Every cell of the scope that has dialogues, by (kind, key)."""
    cells = {
        (cell.kind, cell.key): cell
        for statement in _cells_statements(scope, today)
        for cell in map(_cell, session.execute(statement))
        if cell.people  # the row of a sum over no dialogue at all
    }
    too_few_leaders = [
        cell for cell in cells.values()
        if cell.dialogues >= MIN_GROUP_SIZE and cell.people < MIN_GROUP_SIZE
    ]
    if too_few_leaders:
        for kind, key, people in session.execute(_people_statement(scope, too_few_leaders)):
            cells[kind, key] = replace(cells[kind, key], people=people)
    return cells


def _shown(cell: Cell, value: int | None) -> int | None:
    return None if cell.suppressed else value


def _focus_area(cell: Cell) -> dict:
    return {
        "focus_area": cell.key, "average_rating": cell.average(cell.rating_sum),
        "average_weight": cell.average(cell.weight_sum),
        "dialogues": _shown(cell, cell.dialogues), "suppressed": cell.suppressed,
    }


def _setting(cell: Cell) -> dict:
    return {"setting": cell.key, "dialogues": _shown(cell, cell.dialogues),
            "suppressed": cell.suppressed}


def _actions(cell: Cell) -> dict:
    return {"agreed": _shown(cell, cell.agreed), "done": _shown(cell, cell.done),
            "overdue": _shown(cell, cell.overdue), "suppressed": cell.suppressed}


def balance(
    session: Session, *, principal: Principal, unit_id: str | None, subtree: bool,
    start: date, end: date, today: date,
) -> dict:
    """The balance insight the principal asked for: keys and numbers, small cells suppressed."""
    scope = Scope(covered_units(session, principal=principal, unit_id=unit_id, subtree=subtree),
                  start, end)
    cells = sum_up(session, scope=scope, today=today)

    def cell(kind: str, key: str | None = None) -> Cell:
        return cells.get((kind, key)) or Cell(kind, key, people=0)

    total = cell("dialogues")
    return {
        "unit_id": unit_id, "subtree": subtree, "from": start, "to": end,
        "min_group_size": MIN_GROUP_SIZE,
        "dialogues": {"count": _shown(total, total.dialogues), "suppressed": total.suppressed},
        "focus_areas": [_focus_area(c) for c in sorted(cells.values(), key=lambda c: c.key or "")
                        if c.kind == "focus_area"],
        "settings": [_setting(cell("setting", setting)) for setting in SETTINGS],
        "actions": _actions(cell("actions")),
    }
