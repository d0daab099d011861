"""Importing units and people from one CSV file (docs/org-import.md): all of it or nothing.

The file is read as it arrives, row by row, and every problem in it is found: each row's
own, then those between rows and against the organisation (references to nothing, loops,
an id twice, a person erased). Only a file without any is written, with a few bulk
statements in one transaction: the records, the history of the people changed and, for a
file of the whole organisation, the people it no longer lists marked left with their
person.left events. A dry run does all of it and rolls it back.
"""

from __future__ import annotations

import csv
import heapq
import io
import itertools
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.assessment import dialogue_events as events
from services.assessment import leavers, org
from services.assessment.errors import Conflict
from services.assessment.models import Erasure, Person, PersonChange, Unit
from shared.auth import Principal
from shared.db import insert_rows
from shared.ids import person_digest
from shared.outbox import utcnow

OWN_COLUMNS = {
    "person": ("email", "language", "unit_id"),
    "unit": ("parent_id", "leader_id", "tr_id", "amr_id"),
}
REQUIRED_COLUMNS = ("kind", "id", "name")
COLUMNS = REQUIRED_COLUMNS + OWN_COLUMNS["person"] + OWN_COLUMNS["unit"]
MAX_REPORTED = 1000
# The changes a preview lists of each kind (each with its total): enough to read through,
# and an answer that stays small for the largest organisation.
MAX_LISTED = 1000
# Each listing, and which fields of its items name a unit and which a person.
LISTINGS = {
    "units_added": (("id", "parent_id"), ("leader_id", "tr_id", "amr_id")),
    "units_changed": (("id",), ()),
    "units_moved": (("id", "old", "new"), ()),
    "people_added": (("unit_id",), ("id",)),
    "people_changed": ((), ("id",)),
    "people_moved": (("old", "new"), ("id",)),
    "trio": (("unit_id",), ("old", "new")),
    "left": (("unit_id",), ("id",)),
}
TRIO_ROLES = {"leader_id": "leader", "tr_id": "tr", "amr_id": "amr"}
# The field whose change moves a record: a unit to another parent, a person to another unit.
PLACE = {"unit": "parent_id", "person": "unit_id"}
# What errors="surrogateescape" makes of bytes that are not UTF-8.
NOT_UTF8 = re.compile("[\udc80-\udcff]")
ROW, CONSISTENCY = "row", "consistency"
MODELS = {"person": Person, "unit": Unit}
PLURALS = {"person": "people", "unit": "units"}
# Values that many rows hold (a unit's id in each of its people's rows), kept once.
SHARED = frozenset((*org.UNIT_REFERENCES, *org.TRIO_FIELDS))
# Records written per statement: bounds what a write holds beside the rows read.
WRITE_CHUNK = 5000
# What a row of each kind may set, besides its id; and what a new record gets without.
FIELDS = {kind: ("name", *columns) for kind, columns in OWN_COLUMNS.items()}
DEFAULTS = {"person": {"language": "da"}, "unit": {}}


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    field: str | None
    message: str
    kind: str  # ROW: the row (or header) on its own; CONSISTENCY: with the rest, or the system


class Problems:
    """Every problem found is counted; the first MAX_REPORTED by line (then as found) kept."""

    def __init__(self):
        self.total = 0
        self._kept: list[tuple[int, int, Problem]] = []  # a heap of (-line, -order, problem)

    def add(self, line: int, field: str | None, message: str, kind: str = ROW) -> None:
        self.total += 1
        entry = (-line, -self.total, Problem(line, field, message, kind))
        if len(self._kept) < MAX_REPORTED:
            heapq.heappush(self._kept, entry)
        elif entry > self._kept[0]:
            heapq.heapreplace(self._kept, entry)

    def listed(self) -> list[Problem]:
        return [problem for *_, problem in sorted(self._kept, reverse=True)]


class Rejected(Exception):
    """The file has problems, listed by line and field; nothing of it was imported."""

    def __init__(self, problems: Problems):
        self.total = problems.total
        self.problems = problems.listed()
        listed = f"; the first {len(self.problems)} are listed" \
            if len(self.problems) < self.total else ""
        super().__init__(f"nothing was imported: the file has {self.total} problem(s){listed}")

    def as_list(self) -> list[dict]:
        """The problems listed, as {line, field, message, kind}."""
        return [
            {"line": p.line, "field": p.field, "message": p.message, "kind": p.kind}
            for p in self.problems
        ]


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    kind: str
    id: str
    # Only the columns the file has, besides kind and id; None for a row that could not be
    # read (a wrong number of cells), kept so that references to its id don't fail as well.
    values: dict[str, str | None] | None
    invalid: frozenset[str] = frozenset()  # the fields with a problem of their own


CHANGED_MEANWHILE = "the organisation changed during the import; import the file again"


def import_csv(
    session: Session, *, stream: IO[bytes], principal: Principal, today: date,
    whole: bool = False, dry_run: bool = False, request_id: str | None = None,
) -> dict:
    """Create or update every unit and person in the file in one transaction; the counts by
    kind, and `left`: the ids of the people marked left.

    `whole`: the file is the whole organisation, so the people it does not list who have
    neither left nor been erased leave `today`. `dry_run`: everything is done and checked,
    then rolled back, so the answer is the import's and nothing is written or emitted; it
    also lists the changes one by one (`changes`), for HR to read before importing.
    The file is read whole before the tree is locked, so a slow upload holds no lock.
    """
    problems = Problems()
    rows = parse(stream, problems)
    org.lock_tree(session)
    stored = {kind: _stored(session, kind, rows) for kind in MODELS}
    _check_references(rows, stored, problems, whole=whole)
    _check_erased(session, rows, problems)
    if problems.total:
        session.rollback()
        raise Rejected(problems)
    try:
        now = utcnow()
        answer = _save(session, rows, stored, by=principal.sub, now=now)
        leaving = _mark_left(
            session, {row.id for row in rows if row.kind == "person"}, on=today,
            by=principal.sub, at=now, request_id=request_id) if whole else {}
        answer["left"] = list(leaving)
        if dry_run:
            answer["changes"] = _changes(session, rows, stored, leaving)
            session.rollback()
        else:
            session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict(CHANGED_MEANWHILE) from exc
    return answer


def parse(stream: IO[bytes], problems: Problems) -> list[Row]:
    """Every row of the file, checked on its own; what is wrong goes to problems.

    A byte order mark is dropped and anything but UTF-8 is a problem. A wrong header makes
    every row unreadable: then Rejected is raised at once (the rest of the file is read
    through, unchecked, so that the answer reaches the client).
    """
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", errors="surrogateescape", newline="")
    try:
        lines = _utf8_lines(text, problems)
        first = next(lines, None)
        if first is None:
            problems.add(1, None, "the file is empty; its first line must be the header")
            raise Rejected(problems)
        # Danish Excel saves CSV with semicolons, since the comma is its decimal separator.
        delimiter = ";" if ";" in first and "," not in first else ","
        reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter, strict=True)
        records = _records(reader, problems)
        _line, header = next(records, (1, []))
        columns = [] if problems.total else _header(header, problems)
        if problems.total:
            for _rest in lines:
                pass
            raise Rejected(problems)
        rows = [row for line, cells in records if any(cell.strip() for cell in cells)
                if (row := _row(line, columns, cells, problems)) is not None]
    finally:
        text.detach()
    if "email" not in columns and any(row.kind == "person" for row in rows):
        problems.add(1, "email", "person rows need an email column")
    _check_duplicates(rows, problems)
    return rows


def _utf8_lines(text: io.TextIOWrapper, problems: Problems) -> Iterator[str]:
    """The file's lines; the first that is not UTF-8 is a problem (one for the whole file)."""
    reported = False
    for number, line in enumerate(text, start=1):
        if NOT_UTF8.search(line):
            if not reported:
                problems.add(number, None, "the file is not UTF-8; save it as CSV UTF-8")
                reported = True
            line = NOT_UTF8.sub("\ufffd", line)
        yield line


def _records(reader, problems: Problems) -> Iterator[tuple[int, list[str]]]:
    """Each record's first line and cells (a quoted cell may span lines); invalid CSV is a
    problem of the line where it shows, and reading goes on after it."""
    first_line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.add(reader.line_num, None, f"not valid CSV: {exc}")
        else:
            yield first_line, cells
        first_line = reader.line_num + 1


def _header(cells: list[str], problems: Problems) -> list[str]:
    columns = [cell.strip().lower() for cell in cells]
    for index, column in enumerate(columns):
        if column not in COLUMNS:
            problems.add(1, column or None, (
                f"column {index + 1} is {column!r}; the columns are: {', '.join(COLUMNS)}"
            ))
        elif column in columns[:index]:
            problems.add(1, column, "this column appears twice")
    for column in REQUIRED_COLUMNS:
        if column not in columns:
            problems.add(1, column, "the header needs this column")
    return columns


def _row(line: int, columns: list[str], cells: list[str], problems: Problems) -> Row | None:
    if len(cells) != len(columns):
        problems.add(line, None, f"{len(cells)} cells; the header has {len(columns)}")
        known = dict(zip(columns, cells, strict=False))
        kind, row_id = known.get("kind", "").strip().lower(), known.get("id", "").strip()
        return Row(line, kind, row_id, None) if kind in OWN_COLUMNS and row_id else None
    record = {column: cell.strip() for column, cell in zip(columns, cells, strict=True)}
    kind, row_id = record.pop("kind").lower(), record.pop("id")
    if kind not in OWN_COLUMNS:
        problems.add(line, "kind", "must be person or unit")
        return None
    values: dict[str, str | None] = {}
    invalid = set()
    for column, cell in record.items():
        if column == "name" or column in OWN_COLUMNS[kind]:
            values[column] = (sys.intern(cell) if column in SHARED else cell) or None
        elif cell:
            problems.add(line, column, f"must be empty in a {kind} row")
    if "language" in values:
        values["language"] = sys.intern((values["language"] or "da").lower())
    for column in ("name", "email"):
        if column in values and values[column] is None:
            problems.add(line, column, f"required in a {kind} row")
    for field, messages in org.field_problems({"id": row_id, **values}).items():
        invalid.add(field)
        for message in messages:
            problems.add(line, field, message)
    if invalid:
        return Row(line, kind, row_id, values, frozenset(invalid))
    return Row(line, kind, row_id, values)  # all share the default's empty set


def _check_duplicates(rows: list[Row], problems: Problems) -> None:
    first_seen: dict[str, dict[str, int]] = {kind: {} for kind in OWN_COLUMNS}
    for row in rows:
        line = first_seen[row.kind].setdefault(row.id, row.line)
        if line != row.line:
            problems.add(row.line, "id", f"{row.kind} {row.id} is also on line {line}",
                         CONSISTENCY)


@dataclass
class Stored:
    """What the database holds of one kind of record, next to the file's rows of that kind."""

    ids: set[str]  # every stored record's
    changed: list[tuple[Row, dict]]  # the file's rows whose record differs, and its values
    parent_of: dict[str, str | None]  # units: the stored tree


def _stored(session: Session, kind: str, rows: list[Row]) -> Stored:
    """Read the kind's whole table once, a batch at a time, so it is never held whole.

    One pass costs less than asking for the file's ids a few hundred at a time (on a table
    just imported, not yet analysed, PostgreSQL scanned it for each such query); and loops
    need the whole tree anyway.
    """
    in_file = {row.id: row for row in rows if row.kind == kind and row.values is not None}
    model = MODELS[kind]
    query = select(model.id, *(getattr(model, name) for name in FIELDS[kind]))
    stored = Stored(ids=set(), changed=[], parent_of={})
    for record_id, *values in session.execute(query, execution_options={"yield_per": 5000}):
        before = dict(zip(FIELDS[kind], values, strict=True))
        stored.ids.add(record_id)
        if kind == "unit":
            stored.parent_of[record_id] = before["parent_id"]
        row = in_file.get(record_id)
        if row is not None and any(before[name] != value for name, value in row.values.items()):
            stored.changed.append((row, before))
    return stored


def _check_references(
    rows: list[Row], stored: dict[str, Stored], problems: Problems, *, whole: bool
) -> None:
    """References to nothing, and units that would end up below themselves.

    In a file of the whole organisation a unit's leader and TRIO must be in the file: anyone
    else leaves with the import.
    """
    in_file = {row.id for row in rows if row.kind == "person"}
    if whole and not in_file:
        problems.add(1, None, "a file of the whole organisation lists its people; this one "
                              "lists none, so everyone would leave", CONSISTENCY)
    known_units = stored["unit"].ids | {row.id for row in rows if row.kind == "unit"}
    known_people = in_file if whole else stored["person"].ids | in_file
    where_people = "the file" if whole else "the file or the organisation"
    parent_of = dict(stored["unit"].parent_of)
    for row in rows:
        if row.values is None:
            continue
        for field, value in row.values.items():
            if not value or field in row.invalid:
                continue
            if field in org.UNIT_REFERENCES and value not in known_units:
                problems.add(row.line, field, f"there is no unit {value!r} in the file or the "
                                              "organisation", CONSISTENCY)
            elif field in org.TRIO_FIELDS and value not in known_people:
                problems.add(row.line, field, f"there is no person {value!r} in "
                                              f"{where_people}", CONSISTENCY)
        if row.kind == "unit" and "parent_id" in row.values:
            parent_of[row.id] = row.values["parent_id"]
    looped: set[str] = set()
    for row in rows:
        if row.kind != "unit" or row.values is None or row.id in looped:
            continue
        loop = org.cycle_path(parent_of.get, row.id, parent_of.get(row.id))
        if loop:
            looped.update(loop)
            problems.add(row.line, "parent_id",
                         f"a unit can't be placed below itself: {' → '.join(loop)}", CONSISTENCY)


def _check_erased(session: Session, rows: list[Row], problems: Problems) -> None:
    """An erased person's record can't be changed (their id is a pseudonym now), and an
    import does not bring an erased person back under their former id: HR's records still
    listing them is a mistake to mend there (HR adds a person who truly returns by hand,
    POST /api/v1/people)."""
    erased = set(session.scalars(select(Person.id).where(Person.erased_at.is_not(None))))
    former = set(session.scalars(select(Erasure.digest)))
    for row in rows:
        if row.kind != "person":
            continue
        if row.id in erased:
            problems.add(row.line, "id", f"person {row.id} was erased; their record can't be "
                                         "changed", CONSISTENCY)
        elif former and person_digest(row.id) in former:
            problems.add(row.line, "id", f"person {row.id} was erased; remove them from the "
                                         "file, or add them by hand if they came back",
                         CONSISTENCY)


def _save(session: Session, rows: list[Row], stored: dict[str, Stored], *, by: str,
          now: datetime) -> dict:
    """Insert the new records and update those that differ, WRITE_CHUNK to a statement:
    people first, as units refer to their leader and TRIO, and parents before children.
    Each change to a person goes into their history."""
    counts = {}
    for kind, model in MODELS.items():
        of_kind = [row for row in rows if row.kind == kind]
        new = {row.id: row for row in of_kind if row.id not in stored[kind].ids}
        changed = stored[kind].changed
        blank = {field: None for field in FIELDS[kind]} | DEFAULTS[kind] | {
            "created_at": now, "updated_at": now}
        ordered = _parents_first(new) if kind == "unit" else list(new)
        for start in range(0, len(ordered), WRITE_CHUNK):
            insert_rows(session.connection(), [(model.__table__, [
                {**blank, **new[record_id].values, "id": record_id}
                for record_id in ordered[start:start + WRITE_CHUNK]
            ])])
        for start in range(0, len(changed), WRITE_CHUNK):
            chunk = changed[start:start + WRITE_CHUNK]
            session.execute(update(model), [{**row.values, "id": row.id} for row, _ in chunk])
            if kind == "person":
                insert_rows(session.connection(), [(PersonChange.__table__, [
                    change for row, before in chunk
                    for change in org.history_rows(row.id, before, row.values, by=by, at=now)
                ])])
        counts[PLURALS[kind]] = {"created": len(new), "updated": len(changed),
                                 "unchanged": len(of_kind) - len(new) - len(changed)}
    return counts


def _mark_left(
    session: Session, listed: set[str], *, on: date, by: str, at: datetime,
    request_id: str | None,
) -> dict[str, str | None]:
    """Mark left `on` the people neither left nor erased who are not `listed`, each with the
    change in their history and a person.left event; their units by their ids, by id."""
    leaving = leavers.here_but_not_in(session, listed)
    ids = list(leaving)
    for start in range(0, len(ids), WRITE_CHUNK):
        chunk = ids[start:start + WRITE_CHUNK]
        marked = session.execute(
            update(Person)
            .where(Person.id.in_(chunk), Person.left_on.is_(None), Person.erased_at.is_(None))
            .values(left_on=on, updated_at=at)
        ).rowcount
        if marked != len(chunk):  # one of them left or was erased since they were read
            session.rollback()
            raise Conflict(CHANGED_MEANWHILE)
        insert_rows(session.connection(), [
            (PersonChange.__table__, [
                change for person_id in chunk for change in org.history_rows(
                    person_id, {"left_on": None}, {"left_on": on}, by=by, at=at)
            ]),
            events.outbox_rows(leavers.left_events(
                session, {person_id: leaving[person_id] for person_id in chunk}, left_on=on,
                request_id=request_id)),
        ])
    return leaving


class Changes:
    """What a preview lists: each kind of change with its total and its first MAX_LISTED (in
    the file's order), and the ids of the units and people those name."""

    def __init__(self):
        self.listings: dict[str, dict] = {name: {"total": 0, "items": []} for name in LISTINGS}
        self.named: dict[str, set[str]] = {"unit": set(), "person": set()}

    def add(self, listing: str, item: dict) -> None:
        entry = self.listings[listing]
        entry["total"] += 1
        if len(entry["items"]) < MAX_LISTED:
            entry["items"].append(item)
            for kind, keys in zip(("unit", "person"), LISTINGS[listing], strict=True):
                self.named[kind].update(item[key] for key in keys if item[key])


def _changes(session: Session, rows: list[Row], stored: dict[str, Stored],
             leaving: dict[str, str | None]) -> dict:
    """The import's changes one by one, for a preview: the records added, changed (which
    fields, old → new) and moved (parent or unit, old → new), the units' TRIO roles that
    change hands, who leaves, and the names of every unit and person listed, as they are
    after the import. Read inside the import's transaction, before it is rolled back."""
    changes = Changes()
    for kind, plural in PLURALS.items():
        blank = {field: None for field in FIELDS[kind]} | DEFAULTS[kind]
        for row in rows:
            if row.kind == kind and row.id not in stored[kind].ids:
                changes.add(f"{plural}_added", {**blank, **row.values, "id": row.id})
        place = PLACE[kind]
        for row, before in sorted(stored[kind].changed, key=lambda changed: changed[0].line):
            differs = [field for field, value in row.values.items() if before[field] != value]
            if place in differs:
                changes.add(f"{plural}_moved",
                            {"id": row.id, "old": before[place], "new": row.values[place]})
            for field in differs:
                if field in TRIO_ROLES:
                    changes.add("trio", {"unit_id": row.id, "role": TRIO_ROLES[field],
                                         "old": before[field], "new": row.values[field]})
            fields = [{"field": field, "old": before[field], "new": row.values[field]}
                      for field in differs if field != place and field not in TRIO_ROLES]
            if fields:
                changes.add(f"{plural}_changed", {"id": row.id, "fields": fields})
    for person_id, unit_id in leaving.items():
        changes.add("left", {"id": person_id, "unit_id": unit_id})
    return {**changes.listings, "names": {
        PLURALS[kind]: _names(session, MODELS[kind], ids)
        for kind, ids in changes.named.items()
    }}


def _names(session: Session, model: type[Unit | Person], ids: set[str]) -> dict[str, str]:
    """The names of the records with these ids, by id."""
    wanted = sorted(ids)
    names = {}
    for start in range(0, len(wanted), leavers.IDS_PER_QUERY):
        chunk = wanted[start:start + leavers.IDS_PER_QUERY]
        query = select(model.id, model.name).where(model.id.in_(chunk))
        names.update((record_id, name) for record_id, name in session.execute(query))
    return names


def _parents_first(new: dict[str, Row]) -> list[str]:
    ordered: list[str] = []
    placed: set[str] = set()
    for unit_id in new:
        chain = []
        current: str | None = unit_id
        while current in new and current not in placed:
            chain.append(current)
            placed.add(current)
            current = new[current].values.get("parent_id")
        ordered.extend(reversed(chain))
    return ordered
