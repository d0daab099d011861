"""The organisation: a tree of units, each with a leader and TRIO, and the people in them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime

from marshmallow import ValidationError, validate
from sqlalchemy import ColumnElement, Select, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.assessment import access, leavers
from services.assessment import dialogue_events as events
from services.assessment.errors import Conflict, Invalid, NotFound
from services.assessment.models import LANGUAGES, Person, PersonChange, Unit
from shared.auth import Principal
from shared.db import insert_rows
from shared.outbox import utcnow
from shared.validation import not_blank, one_line

TRIO_FIELDS = ("leader_id", "tr_id", "amr_id")
# The fields of a person whose every change is kept in their history (PersonChange).
HISTORY_FIELDS = ("name", "email", "language", "unit_id", "left_on")
UNIT_REFERENCES = ("unit_id", "parent_id")
# Any 64-bit key will do; it names the lock, not a row.
TREE_LOCK_KEY = 0x4C44_5452_4545
# The longest text people are searched for by (in their name or email).
SEARCH_MAX = 100


# The pattern is also the OpenAPI one, so it avoids Python-only syntax; since Python's $
# also matches before a final line break, one_line refuses that.
ID_RULES = [
    validate.Regexp(
        r"^[A-Za-z0-9._-]{1,64}$", error="must be 1 to 64 letters, digits, '.', '_' or '-'"
    ),
    one_line,
]
# One set of rules for the JSON API and the CSV import, so both answer alike.
RULES: dict[str, list[Callable[[str], object]]] = {
    "id": ID_RULES,
    "name": [validate.Length(max=200), not_blank, one_line],
    "email": [validate.Length(max=320), one_line,
              validate.Email(error="not a valid email address")],
    "language": [validate.OneOf(LANGUAGES, error="must be one of: da, en")],
    **dict.fromkeys(UNIT_REFERENCES + TRIO_FIELDS, ID_RULES),
}


def field_problems(values: Mapping[str, str | None]) -> dict[str, list[str]]:
    """The format problems of the given values by field (None means 'none' and passes)."""
    problems: dict[str, list[str]] = {}
    for field, value in values.items():
        if value is None:
            continue
        for rule in RULES.get(field, ()):
            try:
                rule(value)
            except ValidationError as exc:
                problems.setdefault(field, []).extend(exc.messages)
    return problems


def _check(session: Session, values: Mapping[str, str | None]) -> None:
    problems = field_problems(values)
    for field in UNIT_REFERENCES:
        unit_id = values.get(field)
        if field not in problems and unit_id and session.get(Unit, unit_id) is None:
            problems[field] = [f"there is no unit {unit_id!r}"]
    for field in TRIO_FIELDS:
        person_id = values.get(field)
        if field not in problems and person_id and session.get(Person, person_id) is None:
            problems[field] = [f"there is no person {person_id!r}"]
    if problems:
        raise Invalid(problems)


def cycle_path(
    parent_of: Callable[[str], str | None], unit_id: str, parent_id: str | None
) -> list[str] | None:
    """The loop unit → parent → … → unit that placing unit_id under parent_id would close."""
    path, seen, current = [unit_id], {unit_id}, parent_id
    while current is not None and current not in seen:
        path.append(current)
        seen.add(current)
        current = parent_of(current)
    return [*path, unit_id] if current == unit_id else None


def ancestry(session: Session, unit_id: str | None) -> dict[str, str | None]:
    """{unit: its parent} of the unit and every unit above it, in one statement however
    deep the tree (each step follows the primary key)."""
    if unit_id is None:
        return {}
    start = select(Unit.id, Unit.parent_id).where(Unit.id == unit_id)
    chain = start.cte("chain", recursive=True)
    # UNION, not UNION ALL: a loop already in the tree ends the recursion.
    chain = chain.union(select(Unit.id, Unit.parent_id).join(chain, Unit.id == chain.c.parent_id))
    return dict(session.execute(select(chain.c.id, chain.c.parent_id)).all())


def lock_tree(session: Session) -> None:
    """Serialise changes to the tree until the transaction ends, so two can't close a loop."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(TREE_LOCK_KEY)))
    else:
        # SQLite has one writer at a time: writing first makes this transaction that
        # writer before it reads the tree, so what it reads stays true until it commits.
        session.execute(update(Unit).where(false()).values(name=Unit.name))


def assign(record: Person | Unit, values: Mapping[str, str | None]) -> bool:
    """Set the values that differ from the record's; True if any did."""
    changed = False
    for field, value in values.items():
        if getattr(record, field) != value:
            setattr(record, field, value)
            changed = True
    return changed


def _commit(session: Session, conflict: str) -> None:
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(conflict) from exc


def _create(session: Session, model: type[Unit | Person], values: Mapping[str, str | None],
            *, noun: str) -> Unit | Person:
    """Add a row after checking its references; 409 if its id is taken."""
    _check(session, values)
    taken = f"{noun} {values['id']} already exists"
    if session.get(model, values["id"]) is not None:
        raise Conflict(taken)
    row = model(**values)
    session.add(row)
    _commit(session, taken)
    return row


def _page(session: Session, query: Select, offset: int, limit: int) -> tuple[list, int]:
    if offset == 0:
        items = list(session.scalars(query.limit(limit)))
        if len(items) < limit:
            return items, len(items)  # a first page that is not full holds them all
        return items, _count(session, query)
    total = _count(session, query)
    if offset >= total:
        return [], total
    return list(session.scalars(query.offset(offset).limit(limit))), total


def _count(session: Session, query: Select) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery()))


def get_unit(session: Session, *, unit_id: str) -> Unit:
    """One unit (the tree is no secret to anyone signed in)."""
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"unit {unit_id} not found")
    return unit


def list_units(
    session: Session, *, parent_id: str | None = None, offset: int = 0, limit: int = 100
) -> tuple[list[Unit], int]:
    """A page of units ordered by id, optionally only one unit's children, and the total."""
    query = select(Unit).order_by(Unit.id)
    if parent_id is not None:
        query = query.where(Unit.parent_id == parent_id)
    return _page(session, query, offset, limit)


def create_unit(session: Session, *, values: Mapping[str, str | None]) -> Unit:
    """Add a unit; its parent and TRIO must exist (409 if the id is taken)."""
    return _create(session, Unit, values, noun="unit")


def update_unit(session: Session, *, unit_id: str, changes: Mapping[str, str | None]) -> Unit:
    """Change some of a unit's fields; it may not end up below itself."""
    unit = get_unit(session, unit_id=unit_id)
    _check(session, changes)
    if "parent_id" in changes:
        lock_tree(session)
        parent_of = ancestry(session, changes["parent_id"])
        loop = cycle_path(parent_of.get, unit_id, changes["parent_id"])
        if loop:
            session.rollback()
            raise Invalid.field(
                "parent_id", f"a unit can't be placed below itself: {' → '.join(loop)}"
            )
    assign(unit, changes)
    _commit(session, f"unit {unit_id} changed meanwhile; try again")
    return unit


def get_person(session: Session, *, person_id: str, principal: Principal) -> Person:
    """One person, if the principal may see them (otherwise: not found)."""
    person = session.scalar(
        select(Person).where(Person.id == person_id, access.readable_people(session, principal))
    )
    if person is None:
        raise NotFound(f"person {person_id} not found")
    return person


def list_people(
    session: Session, *, principal: Principal, unit_id: str | None = None,
    ids: list[str] | None = None, q: str | None = None, offset: int = 0, limit: int = 100,
) -> tuple[list[Person], int]:
    """A page of the people the principal may see, ordered by id, and their total; `q` keeps
    those whose name or email holds it, whatever the case."""
    query = select(Person).where(access.readable_people(session, principal)).order_by(Person.id)
    if unit_id is not None:
        query = query.where(Person.unit_id == unit_id)
    if ids is not None:
        query = query.where(Person.id.in_(ids))
    if q is not None:
        needle = q.strip().lower()
        query = query.where(or_(
            _lowered(session, Person.name).contains(needle, autoescape=True),
            _lowered(session, Person.email).contains(needle, autoescape=True),
        ))
    return _page(session, query, offset, limit)


def _lowered(session: Session, column: ColumnElement[str]) -> ColumnElement[str]:
    """The column in lower case, Æ, Ø and Å too. PostgreSQL's lower() follows the database's
    Unicode character type; SQLite's knows only A to Z, so there Python lowers it."""
    if session.get_bind().dialect.name != "sqlite":
        return func.lower(column)
    session.connection().connection.driver_connection.create_function(
        "unicode_lower", 1, _lower, deterministic=True
    )
    return func.unicode_lower(column)


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def create_person(session: Session, *, values: Mapping[str, str | None]) -> Person:
    """Add a person; their unit must exist (409 if the id is taken)."""
    return _create(session, Person, values, noun="person")


def update_person(
    session: Session, *, person_id: str, changes: Mapping[str, object], principal: Principal,
    today: date, request_id: str | None = None,
) -> Person:
    """Change some of a person's fields, each change kept in their history.

    Setting `left_on` on someone who had none emits person.left with the actions they still
    own, in the same transaction; an erased person's record can't be changed (409).
    """
    person = _locked_person(session, person_id)
    if person.erased_at is not None:
        session.rollback()
        raise Conflict(f"person {person_id} was erased; their record can't be changed")
    _check(session, changes)
    left_on = changes.get("left_on")
    if left_on is not None and left_on > today:
        session.rollback()
        raise Invalid.field("left_on", "must not be after today: record it once they have left")
    before = {field: getattr(person, field) for field in HISTORY_FIELDS}
    assign(person, changes)
    writes = [(PersonChange.__table__, history_rows(
        person_id, before, changes, by=principal.sub, at=utcnow()))]
    if before["left_on"] is None and person.left_on is not None:
        writes.append(events.outbox_rows(leavers.left_events(
            session, {person_id: person.unit_id}, left_on=person.left_on,
            request_id=request_id)))
    insert_rows(session.connection(), writes)
    _commit(session, f"person {person_id} changed meanwhile; try again")
    return person


def _locked_person(session: Session, person_id: str) -> Person:
    """The person, their row locked until the transaction ends, so that what is read of it
    stays true: of two changes setting left_on, only the first emits person.left.

    Locked by writing it (an UPDATE that changes nothing): PostgreSQL locks the row, and on
    SQLite the transaction becomes the one writer before it reads.
    """
    locked = session.execute(
        update(Person).where(Person.id == person_id).values(updated_at=Person.updated_at)
    ).rowcount
    person = session.get(Person, person_id, populate_existing=True) if locked else None
    if person is None:
        session.rollback()
        raise NotFound(f"person {person_id} not found")
    return person


def history_rows(
    person_id: str, before: Mapping[str, object], after: Mapping[str, object], *, by: str,
    at: datetime,
) -> list[dict]:
    """PersonChange rows of the history fields whose value `after` differs from `before`
    (for shared.db.insert_rows): dates as ISO dates, none as null."""
    return [
        {"person_id": person_id, "field": field, "old_value": _as_text(before[field]),
         "new_value": _as_text(value), "changed_by": by, "changed_at": at}
        for field, value in after.items()
        if field in HISTORY_FIELDS and before[field] != value
    ]


def _as_text(value: object) -> str | None:
    return None if value is None else str(value)


def history(session: Session, *, person_id: str, principal: Principal) -> list[PersonChange]:
    """A person's history, oldest first: HR admins and the person themselves read it; to
    anyone else it does not exist (not found)."""
    may_read = access.may_see_personal_data(principal, person_id)
    if not may_read or session.get(Person, person_id) is None:
        raise NotFound(f"person {person_id} not found")
    return list(session.scalars(
        select(PersonChange).where(PersonChange.person_id == person_id)
        .order_by(PersonChange.changed_at, PersonChange.id)
    ))
