"""Time the balance insight over 1,000,000 dialogues against a hand-written raw SQL aggregate.

What is measured: a PostgreSQL database of its own (lederdialog_bench_insights, migrated
like production) holds an organisation of ~300 units in four levels with ~6,000 people,
and --dialogues (1,000,000) dialogues spread over the three years up to today, each with
four focus-area ratings, ~2 participants and ~1.5 actions; loaded with COPY, then VACUUM
ANALYZE, then insight_store.rebuild() sums the figures per unit and quarter once, as after
any bulk load (its time is printed with the load's). A rerun reuses the database while it
holds that many dialogues and their summed-up figures (--rebuild loads it afresh).

Two requests, each over the current calendar year (the period a user gets by default), are
timed side by side:

  whole organisation   the root unit and every unit below it
  mid-level unit       one of the six areas below the root, with its subtree

  service  services.assessment.insights.balance() called directly with a session and an
           HR admin principal: access check, subtree resolution, the (empty) refresh, the
           publishing blocks (kept in memory while the figures and the unit tree stay as
           they are), the year's kept figures summed up, the answer dict (no HTTP, no JSON:
           those cost the same whatever the query does). This is the steady state: nothing
           is marked stale, as between two changes.
  SQL      HAND_WRITTEN below: the same figures aggregated over the raw rows (dialogues,
           focus_ratings, actions) of the subtree's shared dialogues held in the period,
           one statement run with text() on the same engine. It suppresses nothing: which
           blocks may be published cannot be written as SQL.

Both run with jit = off (on both sides' connections): with PostgreSQL's default jit = on,
compiling the plans adds a fixed cost per statement that measures LLVM, not the queries.

Round 0 warms caches, checks that the service publishes both requests (nothing suppressed)
and that its figures equal the raw aggregate's (averages within 0.01), and stops with an
error otherwise; then the rounds alternate which side goes first. The table shows medians
and every round.

Then, outside the ratio, the first read after a change: one unit's day is marked stale
and each request is timed once, with its refresh and the blocks built again.

How to read it: `insights: ratio R (target 0.1)` is service time divided by raw-aggregate
time for the worse of the two requests. At 0.1 or below, keeping the figures per unit and
quarter pays: an insight costs a tenth of summing up the dialogues each time.

Deep and wide trees: two more databases (the name with _chain and _wide) hold the same
organisation of --tree-units (10,000) units, each with a leader, TR, AMR and 18 employees,
and --tree-dialogues (100,000) dialogues generated as above, shaped as a chain (each unit
below the one before) and as a wide tree (every unit right below the top one). In each, the
top unit's leader asks for the top unit with its subtree, this year: their access check
and the subtree each take in all 10,000 units. Same rounds, checks and first read after a
change as above; the table's ratio is again service / SQL. The last line,
`insights trees: chain / wide R (target 2.0)`, is the chain's service time divided by the
wide tree's: about 1 when a subtree's insight costs the same however deep the tree is.

Run: .venv/bin/python bench/insights.py  (--help; --dialogues 20000 for a quick run;
--trees-only for the trees alone). Needs PostgreSQL (--admin-url; the user must be able to
create databases).
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

from services.assessment import insight_store, insights
from services.assessment.app import MIGRATIONS
from services.assessment.periods import Period
from services.content.service import load_seed
from shared.auth import Principal
from shared.db import make_engine, make_session_factory, normalise_url
from shared.migrations import upgrade

DATABASE = "lederdialog_bench_insights"
TARGET = 0.1
HR = Principal(sub="bench-hr", roles=frozenset({"hr_admin"}))
YEARS = 3
CHUNK = 50_000
# A municipality, its areas, their institutions and their teams: 295 units.
AREAS, INSTITUTIONS_PER_AREA, TEAMS_PER_INSTITUTION = 6, 8, 5
EMPLOYEES_PER_UNIT = 18
CASES = {"whole organisation": "kommune", "mid-level unit": "area-1"}
TREE_SHAPES = ("chain", "wide")
TREE_TARGET = 2.0
CHANGED_UNIT = "area-1-inst-1"  # where the first read after a change finds a change
INSIGHT_TABLES = ("insight_figures", "insight_people", "insight_open_actions", "insight_stale")
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


def _shaped(shape: str, n: int) -> list[tuple[str, str | None]]:
    """n units, parents first: a chain (each unit below the one before) or a wide tree
    (every unit right below the top one)."""
    ids = [f"t{number:05d}" for number in range(n)]
    return [(unit, None if number == 0 else ids[number - 1] if shape == "chain" else ids[0])
            for number, unit in enumerate(ids)]


class Organisation:
    """The units, their people, and who can take part in a unit's dialogues."""

    def __init__(self, units: list[tuple[str, str | None]]):
        self.units = units
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


def load(url: str, org: Organisation, n: int) -> None:
    """Fill a migrated, empty database with the organisation and n dialogues, then ANALYZE."""
    today = date.today()
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


def prepare(admin_url: str, name: str, org: Organisation, n: int, *, rebuild: bool) -> str:
    """The URL of the benchmark database holding the organisation, n dialogues and their
    summed-up figures: reused, or built afresh."""
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    admin = create_engine(normalise_url(admin_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            reuse = exists and not rebuild and _held(url) == (len(org.units), n)
            if not reuse:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    # On reuse too: a database made before a migration gets it (and its marks) first.
    upgrade(MIGRATIONS, url)
    if reuse:
        if _figures_current(url):
            progress(f"reusing {name}: it holds {n:,} dialogues and their figures")
            return url
        progress(f"reusing {name}: it holds {n:,} dialogues; their figures are not current")
    else:
        started = time.perf_counter()
        load(url, org, n)
        progress(f"loaded in {time.perf_counter() - started:.0f} s")
    sum_up_figures(url)
    return url


def _held(url: str) -> tuple[int, int] | None:
    """The units and dialogues the database holds; None before it is migrated."""
    # The load is one transaction: a database holding them holds all the rest too.
    with psycopg.connect(url) as conn:
        if conn.execute("SELECT to_regclass('dialogues')").fetchone()[0] is None:
            return None
        return conn.execute("SELECT (SELECT count(*) FROM units), "
                            "(SELECT count(*) FROM dialogues)").fetchone()


def _figures_current(url: str) -> bool:
    """True if the figures were summed up and nothing is marked to sum up again."""
    with psycopg.connect(url) as conn:
        return (conn.execute("SELECT NOT EXISTS (SELECT FROM insight_stale)").fetchone()[0]
                and conn.execute("SELECT EXISTS (SELECT FROM insight_figures)").fetchone()[0])


def sum_up_figures(url: str) -> None:
    """insight_store.rebuild(), as after any bulk load, timed; then ANALYZE its tables."""
    engine = make_bench_engine(url)
    try:
        started = time.perf_counter()
        with make_session_factory(engine)() as session:
            insight_store.rebuild(session)
        progress(f"insight figures rebuilt in {time.perf_counter() - started:.1f} s")
    finally:
        engine.dispose()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"VACUUM ANALYZE {', '.join(INSIGHT_TABLES)}")


def make_bench_engine(url: str) -> Engine:
    """The engine both sides use: every connection runs with jit = off (see the docstring)."""
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _without_jit(dbapi_connection, _record):
        # Compiling plans with LLVM costs a fixed time per statement, whatever the query's
        # quality; both sides run without it.
        dbapi_connection.execute("SET jit = off")
        dbapi_connection.commit()

    return engine


# The same figures as services/assessment/insights.py, summed over the raw rows: the
# subtree's shared dialogues held in the period, their ratings and their actions. Scope is
# not materialised: each part then reads the dialogues by (unit_id, held_on) itself, which
# measured faster than sharing one materialised scope or joining the tree.
HAND_WRITTEN = """
WITH RECURSIVE tree (id) AS (
    SELECT id FROM units WHERE id = :unit_id
    UNION ALL
    SELECT units.id FROM units JOIN tree ON units.parent_id = tree.id
),
scope AS NOT MATERIALIZED (
    SELECT id, setting FROM dialogues
    WHERE unit_id = ANY (ARRAY(SELECT id FROM tree)) AND visibility = 'shared'
      AND held_on BETWEEN :start AND :end
)
SELECT 'setting' AS kind, setting AS key, count(*) AS dialogues,
       NULL::numeric AS average_rating, NULL::numeric AS average_weight,
       NULL::bigint AS agreed, NULL::bigint AS done, NULL::bigint AS overdue
FROM scope GROUP BY setting
UNION ALL
SELECT 'focus_area', f.focus_area, count(*), round(avg(f.rating), 2), round(avg(f.weight), 2),
       NULL, NULL, NULL
FROM focus_ratings f JOIN scope s ON s.id = f.dialogue_id
GROUP BY f.focus_area
UNION ALL
SELECT 'actions', NULL, NULL, NULL, NULL, count(*),
       count(*) FILTER (WHERE a.status = 'done'),
       count(*) FILTER (WHERE a.status IN ('open', 'in_progress') AND a.due_on < :today)
FROM actions a JOIN scope s ON s.id = a.dialogue_id
"""
FIGURES = {"dialogues": ("count",), "setting": ("dialogues",),
           "focus_area": ("dialogues", "average_rating", "average_weight"),
           "actions": ("agreed", "done", "overdue")}

Figures = dict[tuple[str, str | None], tuple]
Times = dict[str, dict[str, list[float]]]  # seconds per round, by case and side


def service_figures(answer: dict, unit_id: str) -> Figures:
    """Each cell of the service's answer, its numbers; raise if any is suppressed."""
    cells = [("dialogues", None, answer["dialogues"])]
    cells += [("setting", cell["setting"], cell) for cell in answer["settings"]]
    cells += [("focus_area", cell["focus_area"], cell) for cell in answer["focus_areas"]]
    cells.append(("actions", None, answer["actions"]))
    hidden = [(kind, key) for kind, key, cell in cells if cell["suppressed"]]
    if answer["suppressed"] or hidden:
        raise AssertionError(f"{unit_id}: the service suppresses {hidden or 'the answer'}; "
                             "the benchmark compares published figures only")
    return {(kind, key): tuple(cell[name] for name in FIGURES[kind]) for kind, key, cell in cells}


def sql_figures(rows) -> Figures:
    """Each cell of the hand-written query's rows, its numbers; the dialogues summed."""
    figures: Figures = {
        (row.kind, row.key): tuple(float(getattr(row, name)) for name in FIGURES[row.kind])
        for row in rows
    }
    figures["dialogues", None] = (sum(count for (kind, _key), (count, *_rest) in figures.items()
                                      if kind == "setting"),)
    return figures


def assert_same(service: Figures, sql: Figures, unit_id: str) -> None:
    """Raise unless both give the same cells (averages may differ in rounding only)."""
    for cell in service.keys() | sql.keys():
        ours = service.get(cell)
        # A setting without shared dialogues is a 0 in the answer and no row in SQL.
        theirs = sql.get(cell, (0,) if cell[0] == "setting" else None)
        same = None not in (ours, theirs) and all(
            math.isclose(a, b, abs_tol=0.0100001) for a, b in zip(ours, theirs, strict=True)
        )
        if not same:
            raise AssertionError(f"{unit_id} {cell}: service {ours} != SQL {theirs}")


def run_service(session_factory, unit_id: str, period: Period, today: date,
                principal: Principal = HR) -> dict:
    with session_factory() as session:
        return insights.balance(session, principal=principal, unit_id=unit_id, subtree=True,
                                period=period, today=today)


def run_sql(engine: Engine, unit_id: str, period: Period, today: date) -> list:
    with engine.connect() as connection:
        return connection.execute(text(HAND_WRITTEN), {
            "unit_id": unit_id, "start": period.start, "end": period.end, "today": today,
        }).all()


def seconds(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure(url: str, repeats: int, cases: dict[str, str] = CASES, *,
            principal: Principal = HR,
            changed: str = CHANGED_UNIT) -> tuple[Times, dict[str, int]]:
    """Seconds per round, by case and side, and the dialogues each case covers."""
    engine = make_bench_engine(url)
    session_factory = make_session_factory(engine)
    today = date.today()
    period = Period.of(today)
    times = {case: {"service": [], "SQL": []} for case in cases}
    covered = {}

    def service(unit_id: str) -> dict:
        return run_service(session_factory, unit_id, period, today, principal)

    try:
        for case, unit_id in cases.items():
            answer = service(unit_id)
            assert_same(service_figures(answer, unit_id),
                        sql_figures(run_sql(engine, unit_id, period, today)), unit_id)
            covered[case] = answer["dialogues"]["count"]
        progress(f"round 0: the service publishes {', '.join(cases)}, with the raw "
                 "aggregate's figures")
        for round_number in range(1, repeats + 1):
            for case, unit_id in cases.items():
                sides = [("service", lambda u=unit_id: service(u)),
                         ("SQL", lambda u=unit_id: run_sql(engine, u, period, today))]
                for side, call in sides if round_number % 2 else reversed(sides):
                    times[case][side].append(seconds(call))
                progress(f"round {round_number}/{repeats} {case}: service "
                         f"{times[case]['service'][-1]:.3f} s, SQL {times[case]['SQL'][-1]:.3f} s")
        after_a_change = {
            case: first_read_after_a_change(engine, changed, today,
                                            lambda u=unit_id: service(u))
            for case, unit_id in cases.items()
        }
    finally:
        engine.dispose()
    print("first read after a change (one unit's day marked stale): " + ", ".join(
        f"{case} {seconds_taken * 1000:.0f} ms" for case, seconds_taken in after_a_change.items()))
    return times, covered


def first_read_after_a_change(engine: Engine, changed: str, today: date,
                              request: Callable[[], object]) -> float:
    """Mark the changed unit's day stale, as recording a dialogue does; time the request."""
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO insight_stale (unit_id, held_on) VALUES "
                                "(:unit, :day)"), {"unit": changed, "day": today})
    return seconds(request)


def measure_trees(args: argparse.Namespace) -> tuple[Times, dict[str, int]]:
    """The same organisation as a chain and as a wide tree, a database each: the top
    unit's leader asks for the top unit with its subtree."""
    times: Times = {}
    covered: dict[str, int] = {}
    for shape in TREE_SHAPES:
        org = Organisation(_shaped(shape, args.tree_units))
        url = prepare(args.admin_url, f"{args.database}_{shape}", org, args.tree_dialogues,
                      rebuild=args.rebuild)
        top, _parent = org.units[0]
        leader = Principal(sub=org.trio[top][0], roles=frozenset({"leader"}))
        shape_times, shape_covered = measure(
            url, args.repeats, {f"{shape} of {args.tree_units:,}": top}, principal=leader,
            changed=org.units[-1][0])
        times |= shape_times
        covered |= shape_covered
    return times, covered


def report(times: Times, covered: dict[str, int]) -> float:
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
    parser.add_argument("--rebuild", action="store_true", help="load the databases afresh")
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds per case (5)")
    parser.add_argument("--tree-units", type=int, default=10_000,
                        help="units of the chain and of the wide tree (10,000)")
    parser.add_argument("--tree-dialogues", type=int, default=100_000,
                        help="dialogues in each of those trees (100,000)")
    parser.add_argument("--trees-only", action="store_true",
                        help="time the chain and the wide tree only")
    parser.add_argument("--admin-url", default=ADMIN_URL, help=f"PostgreSQL ({ADMIN_URL})")
    parser.add_argument("--database", default=DATABASE,
                        help=f"database name ({DATABASE}); the trees' add _chain, _wide")
    args = parser.parse_args(argv)
    for name in ("dialogues", "repeats", "tree_dialogues"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.tree_units < 2:
        parser.error("--tree-units must be at least 2")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    period = Period.of(date.today()).label
    if not args.trees_only:
        url = prepare(args.admin_url, args.database, Organisation(_tree()), args.dialogues,
                      rebuild=args.rebuild)
        times, covered = measure(url, args.repeats)
    tree_times, tree_covered = measure_trees(args)
    if not args.trees_only:
        print(f"{args.dialogues:,} dialogues stored; period {period}; "
              f"median of {args.repeats} rounds; ratio = service / SQL")
        worst = report(times, covered)
        print(f"insights: ratio {worst:.2f} (target {TARGET:.1f})")
    print(f"trees of {args.tree_units:,} units, {args.tree_dialogues:,} dialogues each; "
          f"period {period}; asked by the top unit's leader; median of {args.repeats} rounds")
    report(tree_times, tree_covered)
    chain, wide = (statistics.median(tree_times[f"{shape} of {args.tree_units:,}"]["service"])
                   for shape in TREE_SHAPES)
    print(f"insights trees: chain / wide {chain / wide:.2f} (target {TREE_TARGET:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
