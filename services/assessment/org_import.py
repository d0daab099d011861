"""Importing units and people from one CSV file (docs/org-import.md): all of it or nothing."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.assessment import org
from services.assessment.errors import Conflict
from services.assessment.models import Person, Unit

OWN_COLUMNS = {
    "person": ("email", "language", "unit_id"),
    "unit": ("parent_id", "leader_id", "tr_id", "amr_id"),
}
REQUIRED_COLUMNS = ("kind", "id", "name")
COLUMNS = REQUIRED_COLUMNS + OWN_COLUMNS["person"] + OWN_COLUMNS["unit"]
MAX_REPORTED = 100
# Keeps each IN (...) well under every backend's limit on bound parameters.
CHUNK = 500


@dataclass(frozen=True)
class Problem:
    line: int
    field: str | None
    message: str


class Rejected(Exception):
    """The file has problems, listed by line and field; nothing of it was imported."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: p.line)
        super().__init__(f"nothing was imported: the file has {len(problems)} problem(s)")

    def as_list(self) -> list[dict]:
        """The first MAX_REPORTED problems as {line, field, message}."""
        return [vars(problem) for problem in self.problems[:MAX_REPORTED]]


@dataclass(frozen=True)
class Row:
    line: int
    kind: str
    id: str
    values: dict[str, str | None]  # only the columns the file has, besides kind and id


def import_csv(session: Session, *, data: bytes) -> dict[str, dict[str, int]]:
    """Create or update every unit and person in the file in one transaction."""
    rows = parse(decode(data))
    org.lock_tree(session)
    people = _load(session, Person, _mentioned(rows, "person", org.TRIO_FIELDS))
    units = _load(session, Unit, _mentioned(rows, "unit", ()))
    problems = _reference_problems(session, rows, people)
    if problems:
        session.rollback()
        raise Rejected(problems)
    try:
        # People first: units refer to their leader and TRIO.
        counts = {"people": _save_people(session, rows, people)}
        counts["units"] = _save_units(session, rows, units)
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("the organisation changed during the import; import the file again") \
            from exc
    return counts


def decode(data: bytes) -> str:
    """The file's text; a byte order mark is dropped, anything but UTF-8 is refused."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problem = Problem(line, None, "the file is not UTF-8; save it as CSV UTF-8")
        raise Rejected([problem]) from exc


def parse(text: str) -> list[Row]:
    """Every row of the file, checked on its own; Rejected lists all problems found."""
    first_line = text.partition("\n")[0].partition("\r")[0]
    # Danish Excel saves CSV with semicolons, since the comma is its decimal separator.
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[Problem] = []
    rows: list[Row | None] = []
    columns: list[str] = []
    try:
        columns = _header(next(reader, None), problems)
        if problems:
            raise Rejected(problems)
        first_line_of_row = reader.line_num + 1
        for cells in reader:
            line, first_line_of_row = first_line_of_row, reader.line_num + 1
            if any(cell.strip() for cell in cells):
                rows.append(_row(line, columns, cells, problems))
    except csv.Error as exc:
        problems.append(Problem(reader.line_num, None, f"not valid CSV: {exc}"))
    if "email" not in columns and any(row and row.kind == "person" for row in rows):
        problems.append(Problem(1, "email", "person rows need an email column"))
    problems.extend(_duplicates(rows))
    if problems:
        raise Rejected(problems)
    return list(filter(None, rows))


def _header(cells: list[str] | None, problems: list[Problem]) -> list[str]:
    if cells is None:
        problems.append(Problem(1, None, "the file is empty; its first line must be the header"))
        return []
    columns = [cell.strip().lower() for cell in cells]
    for index, column in enumerate(columns):
        if column not in COLUMNS:
            problems.append(Problem(1, column or None, (
                f"column {index + 1} is {column!r}; the columns are: {', '.join(COLUMNS)}"
            )))
        elif column in columns[:index]:
            problems.append(Problem(1, column, "this column appears twice"))
    problems.extend(
        Problem(1, column, "the header needs this column")
        for column in REQUIRED_COLUMNS if column not in columns
    )
    return columns


def _row(line: int, columns: list[str], cells: list[str], problems: list[Problem]) -> Row | None:
    if len(cells) != len(columns):
        problems.append(Problem(line, None, f"{len(cells)} cells; the header has {len(columns)}"))
        return None
    record = {column: cell.strip() for column, cell in zip(columns, cells, strict=True)}
    kind, row_id = record.pop("kind").lower(), record.pop("id")
    if kind not in OWN_COLUMNS:
        problems.append(Problem(line, "kind", "must be person or unit"))
        return None
    values: dict[str, str | None] = {}
    for column, cell in record.items():
        if column == "name" or column in OWN_COLUMNS[kind]:
            values[column] = cell or None
        elif cell:
            problems.append(Problem(line, column, f"must be empty in a {kind} row"))
    if "language" in values:
        values["language"] = (values["language"] or "da").lower()
    for column in ("name", "email"):
        if column in values and values[column] is None:
            problems.append(Problem(line, column, f"required in a {kind} row"))
    problems.extend(
        Problem(line, field, message)
        for field, messages in org.field_problems({"id": row_id, **values}).items()
        for message in messages
    )
    return Row(line=line, kind=kind, id=row_id, values=values)


def _duplicates(rows: list[Row | None]) -> list[Problem]:
    first_seen: dict[tuple[str, str], int] = {}
    problems = []
    for row in filter(None, rows):
        key = (row.kind, row.id)
        if key in first_seen:
            problems.append(Problem(row.line, "id", f"{row.kind} {row.id} is also on line "
                                                    f"{first_seen[key]}"))
        first_seen.setdefault(key, row.line)
    return problems


def _mentioned(rows: list[Row], kind: str, references: tuple[str, ...]) -> set[str]:
    ids = {row.id for row in rows if row.kind == kind}
    return ids | {row.values[field] for row in rows for field in references
                  if row.values.get(field)}


def _load(session: Session, model: type[Person] | type[Unit], ids: set[str]) -> dict:
    ordered, found = sorted(ids), {}
    for start in range(0, len(ordered), CHUNK):
        chunk = ordered[start:start + CHUNK]
        found.update((record.id, record) for record in session.scalars(
            select(model).where(model.id.in_(chunk))
        ))
    return found


def _reference_problems(
    session: Session, rows: list[Row], people: dict[str, Person]
) -> list[Problem]:
    parent_of = dict(session.execute(select(Unit.id, Unit.parent_id)).all())
    in_file = {row.id: row for row in rows if row.kind == "unit"}
    known_units = set(parent_of) | set(in_file)
    known_people = set(people) | {row.id for row in rows if row.kind == "person"}
    problems = []
    for row in rows:
        for field, value in row.values.items():
            if field in org.UNIT_REFERENCES and value and value not in known_units:
                problems.append(Problem(row.line, field, f"there is no unit {value!r} in the "
                                                         "file or the organisation"))
            if field in org.TRIO_FIELDS and value and value not in known_people:
                problems.append(Problem(row.line, field, f"there is no person {value!r} in the "
                                                         "file or the organisation"))
    for unit_id, row in in_file.items():
        parent_of[unit_id] = row.values.get("parent_id", parent_of.get(unit_id))
    looped: set[str] = set()
    for unit_id, row in in_file.items():
        loop = None if unit_id in looped else org.cycle_path(
            parent_of.get, unit_id, parent_of[unit_id]
        )
        if loop:
            looped.update(loop)
            problems.append(Problem(row.line, "parent_id",
                                    f"a unit can't be placed below itself: {' → '.join(loop)}"))
    return problems


def _save_people(session: Session, rows: list[Row], people: dict[str, Person]) -> dict:
    counts = dict.fromkeys(("created", "updated", "unchanged"), 0)
    for row in (row for row in rows if row.kind == "person"):
        if row.id in people:
            counts["updated" if org.assign(people[row.id], row.values) else "unchanged"] += 1
        else:
            session.add(Person(id=row.id, **row.values))
            counts["created"] += 1
    return counts


def _save_units(session: Session, rows: list[Row], units: dict[str, Unit]) -> dict:
    counts = dict.fromkeys(("created", "updated", "unchanged"), 0)
    new = {row.id: row for row in rows if row.kind == "unit" and row.id not in units}
    # Rows of one table are inserted in the order they were added: parents before children.
    for unit_id in _parents_first(new):
        session.add(Unit(id=unit_id, **new[unit_id].values))
        counts["created"] += 1
    session.flush()
    for row in (row for row in rows if row.kind == "unit" and row.id in units):
        counts["updated" if org.assign(units[row.id], row.values) else "unchanged"] += 1
    return counts


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
