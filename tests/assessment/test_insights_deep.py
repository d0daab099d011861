"""A deep organisation: the balance insight of a chain of 2,000 units, each below the one
before, gives the figures of the units asked about and holds back what cuts a block, as in
any other tree; and it asks the database as much at the top of the chain as at its foot."""

from datetime import date, timedelta
from statistics import mean

import pytest
from sqlalchemy import insert

from services.assessment import insight_store, insights
from services.assessment.models import (
    Action,
    Dialogue,
    FocusRating,
    InsightStale,
    Participant,
    Person,
    Unit,
)
from services.assessment.periods import Period
from shared.auth import Principal
from tests.assessment.test_insights import AREAS, URL, YEAR, balance, focus_area
from tests.support.statements import counted_statements

DEPTH = 2_000
SEGMENT = 5  # units whose dialogues share a quarter: a block each
HELD_ON = {1: date(YEAR, 2, 15), 2: date(YEAR, 5, 15)}
YESTERDAY = date.today() - timedelta(days=1)


def unit(n: int) -> str:
    return f"unit-{n:04d}"


def leader(n: int) -> str:
    return f"leader-{n:04d}"


def quarter(n: int) -> int:
    """Five units hold their dialogues in Q1, the five below them in Q2, and so on."""
    return 1 + n // SEGMENT % 2


def rating(n: int) -> int:
    return n % 7 + 1


@pytest.fixture
def chain(assessment_sessions):
    """DEPTH units, each below the one before, each with a leader and a member, and one
    shared dialogue of both with one action (done for even n, else open and overdue)."""
    units = range(DEPTH)
    with assessment_sessions() as session:
        session.execute(insert(Person), [
            {"id": person, "name": person, "email": f"{person}@gentofte.test", "unit_id": unit(n)}
            for n in units for person in (leader(n), f"member-{n:04d}")
        ])
        session.execute(insert(Unit), [
            {"id": unit(n), "name": unit(n), "parent_id": unit(n - 1) if n else None,
             "leader_id": leader(n)} for n in units
        ])
        session.execute(insert(Dialogue), [
            {"id": f"dialogue-{n:04d}", "unit_id": unit(n), "leader_id": leader(n),
             "setting": "work_community", "held_on": HELD_ON[quarter(n)],
             "framework_version": 1, "visibility": "shared",
             "follow_up_on": HELD_ON[quarter(n)] + timedelta(days=90)} for n in units
        ])
        session.execute(insert(Participant), [
            {"dialogue_id": f"dialogue-{n:04d}", "person_id": f"member-{n:04d}",
             "role": "employee"} for n in units
        ])
        session.execute(insert(FocusRating), [
            {"dialogue_id": f"dialogue-{n:04d}", "focus_area": area, "rating": rating(n),
             "weight": 25} for n in units for area in AREAS
        ])
        session.execute(insert(Action), [
            {"id": f"action-{n:04d}", "dialogue_id": f"dialogue-{n:04d}", "title": "Action",
             "owner_id": leader(n), "due_on": YESTERDAY, "focus_area": AREAS[0],
             "commitment": "proactive_management", "status": "open" if n % 2 else "done"}
            for n in units
        ])
        session.execute(insert(InsightStale), [
            mark for n in units for mark in insight_store.marks(unit(n), HELD_ON[quarter(n)])
        ])
        session.commit()


def test_a_unit_of_a_deep_chain_gives_the_figures_of_every_unit_below(client, chain, token,
                                                                     hr):
    for top in (0, 1_000, DEPTH - SEGMENT):
        below = range(top, DEPTH)
        answer = balance(client, token(leader(top), "leader"), unit_id=unit(top),
                         period=str(YEAR))

        assert answer["suppressed"] is False, top
        assert answer["dialogues"]["count"] == len(below)
        assert focus_area(answer, AREAS[0]) == {
            "focus_area": AREAS[0], "average_rating": round(mean(map(rating, below)), 2),
            "average_weight": 25.0, "dialogues": len(below), "suppressed": False,
        }
        done = sum(n % 2 == 0 for n in below)
        assert answer["actions"] == {"agreed": len(below), "done": done,
                                     "overdue": len(below) - done, "suppressed": False}
        assert balance(client, hr, unit_id=unit(top), period=str(YEAR)) == answer
        quarters = [balance(client, hr, unit_id=unit(top), period=f"{YEAR}-Q{q}")["dialogues"]
                    for q in (1, 2)]
        assert [cell["count"] for cell in quarters] == [
            sum(quarter(n) == q for n in below) for q in (1, 2)]


def test_a_subtree_that_cuts_a_block_of_the_chain_is_held_back(client, chain, hr):
    answer = balance(client, hr, unit_id=unit(1_002), period=str(YEAR))
    assert answer["suppressed"] is True, "units 1000 and 1001 share a block with those below"
    assert answer["dialogues"] == {"count": None, "suppressed": True}
    assert balance(client, hr, unit_id=unit(1_000), period=str(YEAR))["suppressed"] is False


def test_a_leader_deep_in_the_chain_sees_the_units_below_and_none_above(client, chain, token):
    headers = token(leader(1_500), "leader")
    assert balance(client, headers, unit_id=unit(DEPTH - 1), subtree="false",
                   period=str(YEAR))["suppressed"] is True, "one leader's dialogue"
    response = client.get(URL, query_string={"unit_id": unit(1_499)}, headers=headers)
    assert response.status_code == 403, response.get_json()
    assert response.get_json()["message"] == insights.LEADERS_ONLY


def test_the_top_of_the_chain_asks_the_database_as_often_as_its_foot(assessment_sessions,
                                                                      chain):
    """No statement per level: the subtree's depth costs no round trips."""
    top = Principal(sub=leader(0), roles=frozenset({"leader"}))
    foot = Principal(sub=leader(DEPTH - SEGMENT), roles=frozenset({"leader"}))

    def statements(principal: Principal, unit_id: str) -> int:
        with assessment_sessions() as session, \
                counted_statements(session.get_bind()) as executed:
            insights.balance(session, principal=principal, unit_id=unit_id, subtree=True,
                             period=Period(YEAR), today=date.today())
        return len(executed)

    statements(top, unit(0))  # sums the marked quarters up and builds the blocks
    assert statements(top, unit(0)) == statements(foot, unit(DEPTH - SEGMENT))
