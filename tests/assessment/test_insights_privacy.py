"""No combination of balance answers gives away one dialogue's or one person's figures.

Over generated organisations and dialogue histories, every answer HR and each leader can
get (every unit, alone and with its subtree, the whole organisation, every period) is
collected; each published focus-area figure is a sum over a set of dialogues, and
tests/support/disclosure.py checks by linear algebra that no dialogue and no leader's
dialogues lie in the span of those sets. The same check run on answers published cell by
cell, as the insight did before its blocks, finds the attacks that worked then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st

from services.assessment import insight_store, insights
from services.assessment.models import (
    Dialogue,
    DialogueRevision,
    FocusRating,
    Participant,
    Person,
    Unit,
)
from services.assessment.periods import HALVES, QUARTERS, Period
from shared.auth import Principal
from tests.assessment.conftest import ASSESSMENT_TABLES
from tests.support.databases import empty_tables
from tests.support.disclosure import given_away

YEAR = date.today().year - 1
AREAS = ("competent_communities", "innovative_communities", "meaningful_communities",
         "reliable_communities")
PERIODS = [Period(YEAR), *(Period(YEAR, half) for half in HALVES.values()),
           *(Period(YEAR, (quarter,)) for quarter in QUARTERS)]
HR = Principal(sub="hr", roles=frozenset({"hr_admin"}))


@dataclass(frozen=True)
class Held:
    """One generated dialogue."""

    id: str
    unit: str
    leader: str
    quarter: int
    shared: bool
    participants: tuple[str, ...]
    ratings: tuple[int, ...]


@dataclass(frozen=True)
class History:
    parents: dict[str, str | None]
    members: dict[str, tuple[str, ...]]
    dialogues: tuple[Held, ...]

    def leader_of(self, unit: str) -> str:
        return f"{unit}-leader"

    def subtree(self, unit: str) -> frozenset[str]:
        found = {unit}
        while True:
            more = {u for u, parent in self.parents.items() if parent in found} - found
            if not more:
                return frozenset(found)
            found |= more

    def questions(self):
        """(principal, unit or None, subtree, period) of every answer anyone can get."""
        askers = [(HR, None)] + [
            (Principal(sub=self.leader_of(u), roles=frozenset({"leader"})), u)
            for u in self.parents
        ]
        for principal, led in askers:
            units = list(self.parents) if led is None else sorted(self.subtree(led))
            for period in PERIODS:
                if led is None:
                    yield principal, None, True, period
                for unit in units:
                    for subtree in (True, False):
                        yield principal, unit, subtree, period

    def in_answer(self, unit: str | None, subtree: bool, period: Period) -> list[Held]:
        units = (frozenset(self.parents) if unit is None
                 else self.subtree(unit) if subtree else {unit})
        return [d for d in self.dialogues
                if d.shared and d.unit in units and d.quarter in period.quarters]


@st.composite
def histories(draw) -> History:
    """2 to 7 units in a tree, 1 to 5 members each; 0 to 5 dialogues per unit and quarter,
    led by the unit's leader or the leader above, most of them shared."""
    size = draw(st.integers(2, 7))
    parents = {"u0": None} | {
        f"u{i}": f"u{draw(st.integers(0, i - 1))}" for i in range(1, size)
    }
    members = {u: tuple(f"{u}-m{k}" for k in range(draw(st.integers(1, 5)))) for u in parents}
    dialogues = []
    for unit, parent in parents.items():
        leaders = [f"{unit}-leader"] + ([f"{parent}-leader"] if parent else [])
        for quarter in QUARTERS:
            for _ in range(draw(st.integers(0, 5))):
                dialogues.append(Held(
                    id=f"d{len(dialogues)}", unit=unit, leader=draw(st.sampled_from(leaders)),
                    quarter=quarter, shared=draw(st.sampled_from((True, True, True, False))),
                    participants=tuple(draw(st.lists(st.sampled_from(members[unit]),
                                                     unique=True, max_size=4))),
                    ratings=tuple(draw(st.integers(1, 5)) for _ in AREAS),
                ))
    return History(parents, members, tuple(dialogues))


def store(sessions, history: History) -> None:
    with sessions() as session:
        empty_tables(session, *ASSESSMENT_TABLES)
        for unit in history.parents:
            session.add_all(Person(id=person, name=person, email=f"{person}@gentofte.test",
                                   unit_id=unit)
                            for person in (history.leader_of(unit), *history.members[unit]))
        session.flush()
        for unit, parent in history.parents.items():  # parents come first
            session.add(Unit(id=unit, name=unit, parent_id=parent,
                             leader_id=history.leader_of(unit)))
            session.flush()
        for d in history.dialogues:
            held_on = date(YEAR, 3 * d.quarter - 1, 15)
            session.add(Dialogue(id=d.id, unit_id=d.unit, leader_id=d.leader,
                                 setting="work_community", held_on=held_on,
                                 framework_version=1,
                                 visibility="shared" if d.shared else "private",
                                 follow_up_on=date(YEAR + 1, 6, 1)))
        session.flush()
        for d in history.dialogues:
            session.add(DialogueRevision(dialogue_id=d.id, revision=1, recorded_by=d.leader,
                                         content={}))
            session.add_all(Participant(dialogue_id=d.id, person_id=p, role="employee")
                            for p in d.participants)
            session.add_all(FocusRating(dialogue_id=d.id, focus_area=area, rating=rating,
                                        weight=25)
                            for area, rating in zip(AREAS, d.ratings, strict=True))
        session.commit()
        insight_store.rebuild(session)


def published_sets(sessions, history: History) -> list[frozenset[str]]:
    """The dialogues behind every focus-area figure published to anyone; checks each.

    An answer depends on who asks only in whether they may ask: a leader's answer is HR's
    to the same question (checked for the year), so each question is computed once.
    """
    found, answers = [], {}
    with sessions() as session:
        for principal, unit, subtree, period in history.questions():
            question = (unit, subtree, period)
            if question in answers and period != PERIODS[0]:
                continue
            answer = insights.balance(session, principal=principal, unit_id=unit,
                                      subtree=subtree, period=period, today=date.today())
            if question in answers:
                assert answer == answers[question], f"{principal.sub} is told otherwise"
                continue
            answers[question] = answer
            behind = history.in_answer(unit, subtree, period)
            for cell in answer["focus_areas"]:
                if cell["suppressed"]:
                    continue
                area = AREAS.index(cell["focus_area"])
                assert cell["dialogues"] == len(behind)
                assert cell["average_rating"] == round(
                    sum(d.ratings[area] for d in behind) / len(behind), 2)
                found.append(frozenset(d.id for d in behind))
            if not answer["suppressed"]:
                assert answer["dialogues"]["count"] == len(behind), "private ones never count"
    return found


def secrets(history: History):
    shared = [d for d in history.dialogues if d.shared]
    led: dict[str, set[str]] = {}
    for d in shared:
        led.setdefault(d.leader, set()).add(d.id)
    return [d.id for d in shared], {p: frozenset(ids) for p, ids in led.items()}


@pytest.mark.slow  # generated histories, each stored and published afresh
@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow, HealthCheck.data_too_large])
@given(history=histories())
def test_no_set_of_answers_gives_a_dialogue_or_a_person_away(assessment_sessions, history):
    store(assessment_sessions, history)
    dialogues, led = secrets(history)

    assert given_away(published_sets(assessment_sessions, history),
                      dialogues=dialogues, led=led) == []


def cell_by_cell(history: History) -> list[frozenset[str]]:
    """The sets the insight published before its blocks: any answer of at least five
    dialogues and five people, judged on its own."""
    found = []
    for _principal, unit, subtree, period in history.questions():
        behind = history.in_answer(unit, subtree, period)
        people = {p for d in behind for p in (d.leader, *d.participants)}
        if len(behind) >= 5 and len(people) >= 5:
            found.append(frozenset(d.id for d in behind))
    return found


def crafted(*dialogues: tuple[str, str, int]) -> History:
    """u0 > u1 > u2, their leaders and four members each; dialogues as (unit, leader,
    quarter), each with two members taking part."""
    parents = {"u0": None, "u1": "u0", "u2": "u1"}
    members = {u: tuple(f"{u}-m{k}" for k in range(4)) for u in parents}
    return History(parents, members, tuple(
        Held(id=f"d{n}", unit=unit, leader=leader, quarter=quarter, shared=True,
             participants=members[unit][n % 3:n % 3 + 2], ratings=(n % 5 + 1,) * 4)
        for n, (unit, leader, quarter) in enumerate(dialogues)
    ))


ATTACKS = {
    # A year against its quarter: each holds 5 dialogues and 5 people, the difference one.
    "overlapping periods": crafted(*[("u1", "u1-leader", 1)] * 5, ("u1", "u1-leader", 2)),
    # A subtree against its child's: u0's one dialogue is the difference.
    "a subtree against its children": crafted(("u0", "u0-leader", 1),
                                              *[("u2", "u2-leader", 1)] * 3,
                                              *[("u1", "u1-leader", 1)] * 3),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_the_check_finds_what_cell_by_cell_suppression_gave_away(attack):
    history = ATTACKS[attack]
    dialogues, led = secrets(history)
    assert given_away(cell_by_cell(history), dialogues=dialogues, led=led)


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_blocks_withstand_those_attacks(assessment_sessions, attack):
    history = ATTACKS[attack]
    store(assessment_sessions, history)
    dialogues, led = secrets(history)
    assert given_away(published_sets(assessment_sessions, history),
                      dialogues=dialogues, led=led) == []


def test_generated_histories_find_what_cell_by_cell_suppression_gave_away():
    def gives_away(history: History) -> bool:
        dialogues, led = secrets(history)
        return bool(given_away(cell_by_cell(history), dialogues=dialogues, led=led))

    found = find(histories(), gives_away, settings=settings(
        max_examples=2000, database=None, phases=[Phase.generate]))
    assert gives_away(found)
