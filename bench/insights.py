"""Time the balance insight over 1,000,000 dialogues against one hand-written SQL query.

What is measured: a PostgreSQL database of its own (lederdialog_bench_insights, migrated
like production) holds an organisation of ~300 units in four levels with ~6,000 people,
and --dialogues (1,000,000) dialogues spread over three years, each with four focus-area
ratings, ~2 participants and ~1.5 actions; loaded with COPY, then VACUUM ANALYZE. A rerun
reuses the database while it holds that many dialogues (--rebuild loads it afresh).

Two requests, each over the twelve months up to today, are timed side by side:

  whole organisation   the root unit and every unit below it
  mid-level unit       one of the six areas below the root, with its subtree

  service  services.assessment.insights.balance() called directly with a session and an
           HR admin principal: access check, subtree resolution, its SQL, the answer dict
           (no HTTP, no JSON: those cost the same whatever the query does)
  SQL      HAND_WRITTEN below: one statement, subtree included, the figures and the
           suppression computed in the database, run with text() on the same engine

Both run with jit = off (on both sides' connections): with PostgreSQL's default jit = on,
compiling the plans adds up to ~0.2 s to the service's statements and ~1.5 s to the
hand-written one (its never-run subqueries are compiled too): that measures LLVM, not the
queries, and would flatter the service.

Round 0 warms caches and checks that both give the same figures (also for a small unit
alone, where suppression and the participants' count come into play); then the rounds
alternate which side goes first. The table shows medians and every round.

How to read it: the last line, `insights: ratio R (target 2.0)`, is service time divided by
hand-written SQL time for the worse of the two requests. Near 1.0, the service costs no more
than the best single query a person would write for the same figures.

Run: .venv/bin/python bench/insights.py  (--help; --dialogues 20000 for a quick run).
Needs PostgreSQL (--admin-url; the user must be able to create databases).
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import psycopg
from common import ADMIN_URL, progress
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url

from services.assessment import insights
from services.assessment.app import MIGRATIONS
from services.content.service import load_seed
from shared.auth import Principal
from shared.db import make_engine, make_session_factory, normalise_url
from shared.migrations import upgrade

DATABASE = "lederdialog_bench_insights"
TARGET = 2.0
HR = Principal(sub="bench-hr", roles=frozenset({"hr_admin"}))
YEARS = 3
CHUNK = 50_000
# A municipality, its areas, their institutions and their teams: 295 units.
AREAS, INSTITUTIONS_PER_AREA, TEAMS_PER_INSTITUTION = 6, 8, 5
EMPLOYEES_PER_UNIT = 18
CASES = {"whole organisation": "kommune", "mid-level unit": "area-1"}
CHECKED_ONLY = "area-1-inst-1-team-1"  # one leader: every cell needs its participants counted
SETTING_WEIGHTS = {"individual_leader": 30, "work_community": 35, "specific_task": 20,
                   "leader_group": 15}
PARTICIPANTS_PER_SETTING = {"individual_leader": 0, "work_community": 3, "specific_task": 2,
                            "leader_group": 3}
ACTIONS_PER_DIALOGUE = (0, 1, 1, 2, 2, 3)  # 1.5 on average
# Four weights summing to 100, in steps of 5.
WEIGHTS = [(a * 5, b * 5, c * 5, (20 - a - b - c) * 5)
           for a in range(1, 18) for b in range(1, 19 - a) for c in range(1, 20 - a - b)]
STAMP, NULL = "2020-01-01 00:00+00", "\\N"
PEOPLE_COLUMNS = "id, name, email, language, unit_id, created_at, updated_at"
UNIT_COLUMNS = "id, name, parent_id, leader_id, tr_id, amr_id, created_at, updated_at"
COPY_COLUMNS = {
    "dialogues": "id, unit_id, leader_id, setting, held_on, framework_version, visibility, "
                 "follow_up_on, revision, recorded_at",
    "focus_ratings": "dialogue_id, focus_area, rating, weight",
    "dialogue_participants": "dialogue_id, person_id, role",
    "actions": "id, dialogue_id, title, owner_id, due_on, focus_area, commitment, status, "
               "created_at, updated_at",
}

def _tree() -> list[tuple[str, str | None]]:
    """(unit id, parent id) of every unit, parents first."""
    units: list[tuple[str, str | None]] = [("kommune", None)]
    for a in range(1, AREAS + 1):
        area = f"area-{a}"
        units.append((area, "kommune"))
        for i in range(1, INSTITUTIONS_PER_AREA + 1):
            institution = f"{area}-inst-{i}"
            units.append((institution, area))
            units += [(f"{institution}-team-{t}", institution)
                      for t in range(1, TEAMS_PER_INSTITUTION + 1)]
    return units


class Organisation:
    """The units, their people, and who can take part in a unit's dialogues."""

    def __init__(self):
        self.units = _tree()
        self.people: list[tuple[str, str]] = []  # (person id, unit id)
        self.trio: dict[str, tuple[str, str, str]] = {}
        self.members: dict[str, list[str]] = {}
        self.role: dict[str, str] = {}
        for unit_id, parent in self.units:
            leader, tr, amr = (self._person(unit_id, role) for role in ("leader", "tr", "amr"))
            self.trio[unit_id] = (leader, tr, amr)
            employees = EMPLOYEES_PER_UNIT if parent else 0  # the top unit: just its TRIO
            self.members[unit_id] = [tr, amr] + [
                self._person(unit_id, "employee") for _ in range(employees)
            ]
        children: dict[str, list[str]] = {}
        for unit_id, parent in self.units:
            if parent:
                children.setdefault(parent, []).append(unit_id)
        # A leader group is the unit's leader with the leaders of the units below.
        self.leader_group = {
            unit_id: [self.trio[c][0] for c in children.get(unit_id, [])] or self.members[unit_id]
            for unit_id, _ in self.units
        }

    def _person(self, unit_id: str, role: str) -> str:
        person_id = f"p{len(self.people) + 1:05d}"
        self.people.append((person_id, unit_id))
        self.role[person_id] = role
        return person_id

    def people_rows(self) -> str:
        return "".join(
            f"{p}\tPerson {p}\t{p}@bench.test\tda\t{u}\t{STAMP}\t{STAMP}\n"
            for p, u in self.people
        )

    def unit_rows(self) -> str:
        return "".join(
            f"{u}\tUnit {u}\t{parent or NULL}\t{leader}\t{tr}\t{amr}\t{STAMP}\t{STAMP}\n"
            for u, parent in self.units for leader, tr, amr in [self.trio[u]]
        )


def _status(rng: random.Random, due_on: date, today: date) -> str:
    if due_on < today:
        return rng.choices(("done", "dropped", "open", "in_progress"), (70, 10, 12, 8))[0]
    return rng.choices(("open", "in_progress", "done"), (60, 30, 10))[0]


def generate(org: Organisation, n: int, today: date) -> Iterator[dict[str, str]]:
    """Chunks of COPY text per table: n dialogues with their ratings, participants, actions."""
    rng = random.Random(20240601)
    commitments = {a["key"]: [c["key"] for c in a["commitments"]]
                   for a in load_seed()["focus_areas"]}
    areas = sorted(commitments)
    unit_ids = [u for u, _ in org.units]
    unit_weights = [len(org.members[u]) for u in unit_ids]
    day = timedelta(days=1)
    for first in range(0, n, CHUNK):
        size = min(CHUNK, n - first)
        rows: dict[str, list[str]] = {table: [] for table in COPY_COLUMNS}
        picks = zip(rng.choices(unit_ids, unit_weights, k=size),
                    rng.choices(list(SETTING_WEIGHTS), list(SETTING_WEIGHTS.values()), k=size),
                    strict=True)
        for unit_id, setting in picks:
            dialogue_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            leader = org.trio[unit_id][0]
            held_on = today - rng.randrange(YEARS * 365) * day
            visibility = "private" if setting == "individual_leader" else "shared"
            rows["dialogues"].append(
                f"{dialogue_id}\t{unit_id}\t{leader}\t{setting}\t{held_on}\t1\t{visibility}"
                f"\t{held_on + 90 * day}\t1\t{held_on} 12:00+00\n"
            )
            rows["focus_ratings"] += [
                f"{dialogue_id}\t{area}\t{rng.randint(1, 5)}\t{weight}\n"
                for area, weight in zip(areas, rng.choice(WEIGHTS), strict=True)
            ]
            pool = org.leader_group[unit_id] if setting == "leader_group" else org.members[unit_id]
            people = rng.sample(pool, min(PARTICIPANTS_PER_SETTING[setting], len(pool)))
            rows["dialogue_participants"] += [
                f"{dialogue_id}\t{p}\t{'colleague' if setting == 'leader_group' else org.role[p]}\n"
                for p in people
            ]
            for _ in range(rng.choice(ACTIONS_PER_DIALOGUE)):
                due_on = held_on + rng.randint(14, 180) * day
                area = rng.choice(areas)
                rows["actions"].append(
                    f"{uuid.UUID(int=rng.getrandbits(128), version=4)}\t{dialogue_id}\tAction"
                    f"\t{rng.choice([leader, *people])}\t{due_on}\t{area}"
                    f"\t{rng.choice(commitments[area])}\t{_status(rng, due_on, today)}"
                    f"\t{held_on} 12:00+00\t{held_on} 12:00+00\n"
                )
        yield {table: "".join(lines) for table, lines in rows.items()}


def _copy(conn: psycopg.Connection, table: str, columns: str, data: str) -> None:
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(data)


def load(url: str, n: int) -> None:
    """Fill a migrated, empty database with the organisation and n dialogues, then ANALYZE."""
    org, today = Organisation(), date.today()
    with psycopg.connect(url) as conn:
        # The generator keeps every reference true, so foreign-key triggers only cost time;
        # secondary indexes are dropped and rebuilt, which is faster than maintaining them.
        conn.execute("SET session_replication_role = replica")
        conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' "
            "AND tablename = ANY(%s) AND indexname LIKE 'ix\\_%%'", (list(COPY_COLUMNS),)
        ).fetchall()
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        _copy(conn, "people", PEOPLE_COLUMNS, org.people_rows())
        _copy(conn, "units", UNIT_COLUMNS, org.unit_rows())
        for number, chunk in enumerate(generate(org, n, today), start=1):
            for table, data in chunk.items():
                _copy(conn, table, COPY_COLUMNS[table], data)
            progress(f"loaded {min(number * CHUNK, n):,} of {n:,} dialogues")
        progress("rebuilding indexes")
        for _name, definition in indexes:
            conn.execute(definition)
    progress("VACUUM ANALYZE")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def prepare(admin_url: str, name: str, n: int, *, rebuild: bool) -> str:
    """The URL of the benchmark database holding n dialogues: reused, or built afresh."""
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if exists and not rebuild and _dialogues_held(url) == n:
                progress(f"reusing {name}: it holds {n:,} dialogues")
                return url
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    upgrade(MIGRATIONS, url)
    started = time.perf_counter()
    load(url, n)
    progress(f"loaded in {time.perf_counter() - started:.0f} s")
    return url


def _dialogues_held(url: str) -> int | None:
    # The load is one transaction: a database holding n dialogues holds all the rest too.
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('dialogues')").fetchone()[0] is None:
            return None
        return conn.execute("SELECT count(*) FROM dialogues").fetchone()[0]


# The same figures as services/assessment/insights.py, as one statement: cells summed per
# leader first (which counts the distinct leaders), and the leaders and participants counted
# only where fewer than five leaders leave the people rule open.
HAND_WRITTEN = """
WITH RECURSIVE tree (id) AS (
    SELECT id FROM units WHERE id = :unit_id
    UNION ALL
    SELECT units.id FROM units JOIN tree ON units.parent_id = tree.id
),
scope AS NOT MATERIALIZED (
    SELECT id, leader_id, setting FROM dialogues
    WHERE unit_id = ANY (ARRAY(SELECT id FROM tree)) AND held_on BETWEEN :start AND :end
),
cells (kind, key, dialogues, leaders, rating_sum, weight_sum, agreed, done, overdue) AS (
    SELECT 'dialogues', NULL, sum(n), count(*),
           NULL::numeric, NULL::numeric, NULL::numeric, NULL::numeric, NULL::numeric
    FROM (SELECT leader_id, count(*) AS n FROM scope GROUP BY leader_id) per_leader
    UNION ALL
    SELECT 'setting', setting, sum(n), count(*), NULL, NULL, NULL, NULL, NULL
    FROM (SELECT setting, leader_id, count(*) AS n FROM scope
          GROUP BY setting, leader_id) per_leader
    GROUP BY setting
    UNION ALL
    SELECT 'focus_area', focus_area, sum(n), count(*), sum(r), sum(w), NULL, NULL, NULL
    FROM (SELECT f.focus_area, s.leader_id, count(*) AS n, sum(f.rating) AS r,
                 sum(f.weight) AS w
          FROM focus_ratings f JOIN scope s ON s.id = f.dialogue_id
          GROUP BY f.focus_area, s.leader_id) per_leader
    GROUP BY focus_area
    UNION ALL
    SELECT 'actions', NULL, sum(n), count(*), NULL, NULL, sum(agreed), sum(done), sum(overdue)
    FROM (SELECT s.leader_id, count(DISTINCT a.dialogue_id) AS n, count(*) AS agreed,
                 count(*) FILTER (WHERE a.status = 'done') AS done,
                 count(*) FILTER (WHERE a.status IN ('open', 'in_progress')
                                  AND a.due_on < :today) AS overdue
          FROM actions a JOIN scope s ON s.id = a.dialogue_id
          GROUP BY s.leader_id) per_leader
),
people AS NOT MATERIALIZED (
    SELECT id, setting, leader_id AS person_id FROM scope
    UNION ALL
    SELECT s.id, s.setting, p.person_id
    FROM scope s JOIN dialogue_participants p ON p.dialogue_id = s.id
),
judged AS (
    SELECT cells.*, dialogues >= 5 AND CASE WHEN leaders >= 5 THEN true ELSE (
        SELECT count(DISTINCT people.person_id) FROM people
        WHERE cells.kind = 'dialogues'
           OR cells.kind = 'setting' AND people.setting = cells.key
           OR cells.kind = 'focus_area' AND EXISTS (
                SELECT FROM focus_ratings f
                WHERE f.dialogue_id = people.id AND f.focus_area = cells.key)
           OR cells.kind = 'actions' AND EXISTS (
                SELECT FROM actions a WHERE a.dialogue_id = people.id)
    ) >= 5 END AS shown
    FROM cells WHERE leaders > 0
)
SELECT kind, key, NOT shown AS suppressed,
       CASE WHEN shown THEN dialogues END AS dialogues,
       CASE WHEN shown THEN round(rating_sum / dialogues, 2) END AS average_rating,
       CASE WHEN shown THEN round(weight_sum / dialogues, 2) END AS average_weight,
       CASE WHEN shown THEN agreed END AS agreed,
       CASE WHEN shown THEN done END AS done,
       CASE WHEN shown THEN overdue END AS overdue
FROM judged
"""
FIGURES = {"dialogues": ("dialogues",), "setting": ("dialogues",),
           "focus_area": ("dialogues", "average_rating", "average_weight"),
           "actions": ("agreed", "done", "overdue")}

Figures = dict[tuple[str, str | None], tuple]


def service_figures(answer: dict) -> Figures:
    """Each cell of the service's answer as (suppressed, its numbers)."""
    figures: Figures = {("dialogues", None): (answer["dialogues"]["suppressed"],
                                              answer["dialogues"]["count"])}
    for kind, cells, key in (("setting", answer["settings"], "setting"),
                             ("focus_area", answer["focus_areas"], "focus_area")):
        for cell in cells:
            figures[kind, cell[key]] = (cell["suppressed"],
                                        *(cell[name] for name in FIGURES[kind]))
    actions = answer["actions"]
    figures["actions", None] = (actions["suppressed"],
                                *(actions[name] for name in FIGURES["actions"]))
    return figures


def sql_figures(rows) -> Figures:
    """Each cell of the hand-written query's rows as (suppressed, its numbers)."""
    return {
        (row.kind, row.key): (row.suppressed, *(
            None if getattr(row, name) is None else float(getattr(row, name))
            for name in FIGURES[row.kind]
        ))
        for row in rows
    }


def assert_same(service: Figures, sql: Figures, unit_id: str) -> None:
    """Raise unless both give the same cells (averages may differ in rounding only)."""
    for cell in service.keys() | sql.keys():
        # A setting without dialogues is a suppressed cell in the answer and no row in SQL.
        ours = service.get(cell)
        theirs = sql.get(cell, (True, *(None for _ in FIGURES[cell[0]])))
        same = ours is not None and ours[0] == theirs[0] and all(
            a == b if None in (a, b) else math.isclose(a, b, abs_tol=0.0100001)
            for a, b in zip(ours[1:], theirs[1:], strict=True)
        )
        if not same:
            raise AssertionError(f"{unit_id} {cell}: service {ours} != SQL {theirs}")


def run_service(session_factory, unit_id: str, start: date, end: date) -> dict:
    with session_factory() as session:
        return insights.balance(session, principal=HR, unit_id=unit_id, subtree=True,
                                start=start, end=end, today=end)


def run_sql(engine: Engine, unit_id: str, start: date, end: date) -> list:
    with engine.connect() as connection:
        return connection.execute(text(HAND_WRITTEN), {
            "unit_id": unit_id, "start": start, "end": end, "today": end,
        }).all()


def seconds(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(url: str, repeats: int) -> tuple[dict[str, dict[str, list[float]]], dict[str, int]]:
    """Seconds per round, by case and side, and the dialogues each case covers."""
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _without_jit(dbapi_connection, _record):
        # Compiling plans with LLVM costs up to 0.2 s (service) and 1.5 s (hand-written) per
        # call, whatever the query's quality; both sides run without it (see the docstring).
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()

    session_factory = make_session_factory(engine)
    end = date.today()
    start = insights.default_start(end)
    times = {case: {"service": [], "SQL": []} for case in CASES}
    covered = {}
    try:
        for unit_id in (*CASES.values(), CHECKED_ONLY):
            answer = run_service(session_factory, unit_id, start, end)
            assert_same(service_figures(answer), sql_figures(run_sql(engine, unit_id, start, end)),
                        unit_id)
            covered[unit_id] = answer["dialogues"]["count"]
        progress("round 0: both give the same figures")
        for round_number in range(1, repeats + 1):
            for case, unit_id in CASES.items():
                sides = [("service", lambda u=unit_id: run_service(session_factory, u, start, end)),
                         ("SQL", lambda u=unit_id: run_sql(engine, u, start, end))]
                for side, call in sides if round_number % 2 else reversed(sides):
                    times[case][side].append(seconds(call))
                progress(f"round {round_number}/{repeats} {case}: service "
                         f"{times[case]['service'][-1]:.3f} s, SQL {times[case]['SQL'][-1]:.3f} s")
    finally:
        engine.dispose()
    return times, {case: covered[unit_id] for case, unit_id in CASES.items()}


def report(times: dict[str, dict[str, list[float]]], covered: dict[str, int]) -> float:
    """Print the table; return the worse ratio."""
    print(f"{'case':<20} {'dialogues':>9} {'service ms':>10} {'SQL ms':>8} {'ratio':>6}"
          "  rounds service/SQL ms")
    ratios = []
    for case, sides in times.items():
        service, sql = (statistics.median(sides[side]) for side in ("service", "SQL"))
        ratios.append(service / sql)
        rounds = " ".join(f"{a * 1000:.0f}/{b * 1000:.0f}"
                          for a, b in zip(sides["service"], sides["SQL"], strict=True))
        print(f"{case:<20} {covered[case]:>9,} {service * 1000:>10.0f} {sql * 1000:>8.0f} "
              f"{service / sql:>6.2f}  {rounds}")
    return max(ratios)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogues", type=int, default=1_000_000,
                        help="dialogues to load (1,000,000)")
    parser.add_argument("--rebuild", action="store_true", help="load the database afresh")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds per case (5)")
    parser.add_argument("--admin-url", default=ADMIN_URL, help=f"PostgreSQL ({ADMIN_URL})")
    parser.add_argument("--database", default=DATABASE, help=f"database name ({DATABASE})")
    args = parser.parse_args(argv)
    for name in ("dialogues", "repeats"):
        if getattr(args, name) < 1:
            parser.error(f"--{name} must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = prepare(args.admin_url, args.database, args.dialogues, rebuild=args.rebuild)
    times, covered = measure(url, args.repeats)
    print(f"{args.dialogues:,} dialogues stored; the last 12 months; "
          f"median of {args.repeats} rounds; ratio = service / SQL")
    worst = report(times, covered)
    print(f"insights: ratio {worst:.2f} (target {TARGET:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
