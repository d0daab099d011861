"""Time `POST /api/v1/org/import` of a whole municipality: 10,000 and 40,000 people.

What is measured: the assessment service's app (services.assessment.app:create_app(), in
this process, through Flask's test client: the request, the token check, the streamed CSV
parse, every check, the writes, the JSON answer) on one fresh PostgreSQL database per size
(lederdialog_bench_org_import_<random>, migrated like production and dropped at the end).

The file is a generated municipality: a top unit, 8 areas, institutions of 6 teams, teams
of 14 people (--people in all); every unit has a leader, a TR and an AMR of its own, all
three people of the file; names with Danish letters. Units come first in the file, top
down, then the people. For 40,000 people: 3,343 units, about 2.8 MB.

For each size, on its own database:

  first import    an empty organisation; everything is created
  re-import       the same file with few changes, as from one month to the next: 1 % of
                  the people renamed, 0.5 % moved to another team, 20 new people,
                  5 units renamed, 2 teams moved to another institution, 3 new teams
                  (with new leaders, TRs and AMRs)

Each answer must be 200 with the counts the changes call for; otherwise the benchmark
fails. Then, outside the timings, the same two imports on a second fresh database with
tracemalloc on, for the peak of the memory Python allocated during each (tracemalloc
slows Python down, so those runs are not timed); the request body, made before, is not
counted.

How to read it: seconds per import (wall clock, PostgreSQL on the same machine) and the
memory peak. A production worker is restarted after GUNICORN_TIMEOUT (60 s) on one
request (shared/gunicorn_conf.py), so an import of the largest municipality must stay
well below it. The last line is `org import: 40,000 people in S s (re-import R s)`.

Run: .venv/bin/python bench/org_import.py  (--help; --people 2000 for a quick run).
Needs PostgreSQL (--admin-url; the user must be able to create databases) and Redis
(the app's client; nothing is sent to it).
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
import sys
import time
import tracemalloc
from dataclasses import dataclass, field

from common import ADMIN_URL, exit_cleanly_on_sigterm, fresh_database, progress

from services.assessment.app import MIGRATIONS, create_app
from shared.auth import mint_token
from shared.config import JWTSettings, load_settings
from shared.migrations import upgrade

SIZES = (10_000, 40_000)
AREAS, TEAMS_PER_INSTITUTION, TEAM_SIZE = 8, 6, 14
HEADER = "kind,id,name,email,language,unit_id,parent_id,leader_id,tr_id,amr_id\n"
FIRST_NAMES = ("Anders", "Anne", "Birgitte", "Bjørn", "Camilla", "Christian", "Dorthe", "Emil",
               "Freja", "Frederik", "Gitte", "Hans", "Ida", "Jens", "Karen", "Lars", "Mette",
               "Mads", "Nanna", "Niels", "Ole", "Pernille", "Rasmus", "Søren", "Tove", "Ulla")
LAST_NAMES = ("Andersen", "Christensen", "Hansen", "Jensen", "Jørgensen", "Larsen", "Madsen",
              "Mortensen", "Møller", "Nielsen", "Olsen", "Pedersen", "Rasmussen", "Sørensen",
              "Thomsen", "Østergaard", "Ærø-Holm", "Kristensen", "Petersen", "Poulsen")


@dataclass
class Organisation:
    """Units (id, name, parent, leader, TR, AMR) and people (id, name, email, language,
    unit), parents before their children."""

    units: dict[str, list[str]] = field(default_factory=dict)
    people: dict[str, list[str]] = field(default_factory=dict)
    rng: random.Random = field(default_factory=lambda: random.Random(20260101))

    def add_unit(self, name: str, parent: str) -> str:
        unit_id = f"org-{len(self.units) + 1:05d}"
        trio = [self.add_person(unit_id) for _ in range(3)]
        self.units[unit_id] = [unit_id, name, parent, *trio]
        return unit_id

    def add_person(self, unit_id: str) -> str:
        number = len(self.people) + 1
        person_id = f"e{number:06d}"
        language = "en" if number % 20 == 0 else "da"
        self.people[person_id] = [person_id, self.name(), f"{person_id}@gentofte.dk", language,
                                  unit_id]
        return person_id

    def name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    def teams(self) -> list[str]:
        return [unit_id for unit_id, unit in self.units.items() if unit[1].startswith("Team")]

    def csv(self) -> bytes:
        lines = [HEADER]
        lines += [f"unit,{u},{name},,,,{parent},{leader},{tr},{amr}\n"
                  for u, name, parent, leader, tr, amr in self.units.values()]
        lines += [f"person,{p},{name},{email},{language},{unit},,,,\n"
                  for p, name, email, language, unit in self.people.values()]
        return "".join(lines).encode()


def organisation(people: int) -> Organisation:
    """A municipality of about `people` people (exactly, when it is at least a few hundred)."""
    org = Organisation()
    teams = max(1, people // TEAM_SIZE)
    institutions = -(-teams // TEAMS_PER_INSTITUTION)
    top = org.add_unit("Gentofte Kommune", "")
    areas = [org.add_unit(f"Område {a}", top) for a in range(1, AREAS + 1)]
    team_ids = []
    for i in range(institutions):
        institution = org.add_unit(f"Institution {i + 1}", areas[i % AREAS])
        first = i * TEAMS_PER_INSTITUTION
        team_ids += [org.add_unit(f"Team {t + 1}", institution)
                     for t in range(first, min(first + TEAMS_PER_INSTITUTION, teams))]
    for n in range(max(0, people - len(org.people))):
        org.add_person(team_ids[n % len(team_ids)])
    return org


def change_a_little(org: Organisation) -> dict[str, dict[str, int]]:
    """A month's changes (see the docstring) to org; the counts the import should answer."""
    people, teams = list(org.people.values()), org.teams()
    renamed = org.rng.sample(people, len(people) // 100)
    for person in renamed:
        person[1] = org.name() + "-Berg"
    moved = [p for p in org.rng.sample(people, len(people) // 200) if p not in renamed]
    for person in moved:
        person[4] = org.rng.choice([t for t in teams if t != person[4]])
    institutions = [u for u, unit in org.units.items() if unit[1].startswith("Institution")]
    for unit_id in org.rng.sample(institutions, 5):
        org.units[unit_id][1] += " (ny)"
    for team in org.rng.sample(teams, 2):
        org.units[team][2] = org.rng.choice([i for i in institutions
                                             if i != org.units[team][2]])
    before = (len(org.units), len(org.people))
    for t in range(3):
        org.add_unit(f"Team nyt {t + 1}", org.rng.choice(institutions))
    for _ in range(20):
        org.add_person(org.rng.choice(teams))
    return {
        "units": {"created": len(org.units) - before[0], "updated": 5 + 2,
                  "unchanged": before[0] - 5 - 2},
        "people": {"created": len(org.people) - before[1], "updated": len(renamed) + len(moved),
                   "unchanged": before[1] - len(renamed) - len(moved)},
        "left": [],
    }


@dataclass(frozen=True)
class Import:
    seconds: float
    peak_bytes: int | None
    answer: dict


class Service:
    """The assessment app on one database, and an HR admin's token for it."""

    def __init__(self, database_url: str):
        jwt = JWTSettings(secret=secrets.token_hex(32), issuer="lederdialog-bench")
        settings = load_settings(
            "assessment", environ={}, database_url=database_url, jwt=jwt,
            redis_url=os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
            event_stream=f"lederdialog.bench.{secrets.token_hex(4)}",
        )
        upgrade(MIGRATIONS, database_url)
        self.app = create_app(settings)
        self.client = self.app.test_client()
        self.headers = {"Authorization": f"Bearer {mint_token(jwt, sub='hr', roles=['hr_admin'])}"}

    def close(self) -> None:
        self.app.extensions["lederdialog.deps"].close()

    def post(self, body: bytes, *, traced: bool) -> Import:
        if traced:
            tracemalloc.start()
        started = time.perf_counter()
        response = self.client.post("/api/v1/org/import", data=body, headers=self.headers,
                                    content_type="text/csv")
        seconds = time.perf_counter() - started
        peak = None
        if traced:
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        if response.status_code != 200:
            raise RuntimeError(f"the import answered {response.status_code}: "
                               f"{response.get_data(as_text=True)[:2000]}")
        return Import(seconds, peak, response.get_json())


def run_size(admin_url: str, people: int, *, traced: bool) -> tuple[Import, Import, int]:
    """The first import and the re-import of `people` people on a fresh database."""
    with fresh_database(admin_url, "org_import") as database_url:
        service = Service(database_url)
        try:
            org = organisation(people)
            body = org.csv()
            first = check(service.post(body, traced=traced), {
                "units": {"created": len(org.units), "updated": 0, "unchanged": 0},
                "people": {"created": len(org.people), "updated": 0, "unchanged": 0},
                "left": [],
            })
            expected = change_a_little(org)
            again = check(service.post(org.csv(), traced=traced), expected)
        finally:
            service.close()
    return first, again, len(body)


def check(result: Import, expected: dict) -> Import:
    """The import, if it answered the expected counts."""
    if result.answer != expected:
        raise RuntimeError(f"the import answered {result.answer}, expected {expected}")
    return result


def peak(result: Import | None) -> str:
    return "-" if result is None else f"{result.peak_bytes / 2**20:.0f} MiB"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, nargs="+", default=list(SIZES),
                        help=f"sizes to import ({' '.join(map(str, SIZES))})")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the traced runs for the memory peak")
    parser.add_argument("--admin-url", default=ADMIN_URL, help=f"PostgreSQL ({ADMIN_URL})")
    args = parser.parse_args(argv)
    if min(args.people) < 100:
        parser.error("--people must be at least 100")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    exit_cleanly_on_sigterm()
    rows = []
    for people in args.people:
        progress(f"{people:,} people: first import and re-import")
        first, again, size = run_size(args.admin_url, people, traced=False)
        peaks: tuple[Import | None, Import | None] = (None, None)
        if not args.no_memory:
            progress(f"{people:,} people: the same with tracemalloc, for the memory peak")
            peaks = run_size(args.admin_url, people, traced=True)[:2]
        rows.append((people, size, first, again, peaks))
    print("PostgreSQL, a fresh database per size; in process through Flask's test client")
    print(f"{'people':>8} {'file':>9} {'first import':>13} {'re-import':>10} "
          f"{'peak first':>11} {'peak re-import':>15}")
    for people, size, first, again, (traced_first, traced_again) in rows:
        print(f"{people:>8,} {size / 2**20:>7.1f} MB {first.seconds:>11.2f} s "
              f"{again.seconds:>8.2f} s {peak(traced_first):>11} {peak(traced_again):>15}")
    people, _size, first, again, _peaks = rows[-1]
    print(f"org import: {people:,} people in {first.seconds:.1f} s "
          f"(re-import {again.seconds:.1f} s)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit("interrupted; database dropped")
