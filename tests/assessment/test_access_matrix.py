"""Each endpoint against every role and ownership case (docs/architecture.md, "Who may learn what").

Unit skole: leader "leader", TR "tr", AMR "amr", employees "emp1", "emp2";
its parent kommune is led by "director" (the leader's leader); the child unit
sfo has its own leader and TRIO ("sfo-leader", "sfo-tr", "sfo-amr").
The leader records a private reflection and a shared dialogue with emp1 and
tr, agreeing an action owned by emp1.
"""

import dataclasses

import pytest

from tests.support.dialogues import dialogue_body, individual_body, record
from tests.support.servers import notify_server

ROLES = {
    "leader": ("leader",), "director": ("leader",), "sfo-leader": ("leader",),
    "tr": ("trio", "employee"), "amr": ("trio", "employee"), "sfo-tr": ("trio", "employee"),
    "emp1": ("employee",), "emp2": ("employee",), "hr": ("hr_admin",), "notify": ("service",),
}
EVERYONE = tuple(ROLES)


def expect(default: int, **overrides: int) -> dict[str, int]:
    table = dict.fromkeys(EVERYONE, default)
    table.update({who.replace("_", "-"): status for who, status in overrides.items()})
    return table


# Who may read the shared dialogue's action alone; the listing shows it to them alone.
READ_ACTION = expect(404, leader=200, tr=200, amr=200, emp1=200, director=200, notify=200,
                     hr=403)
# (method, path template, body kind, expected status per caller)
MATRIX = [
    ("GET", "/api/v1/dialogues/{private}", None,
     expect(404, leader=200, notify=200, hr=403)),
    ("GET", "/api/v1/dialogues/{private}/revisions", None,
     expect(404, leader=200, notify=200, hr=403)),
    ("GET", "/api/v1/dialogues/{shared}", None,
     expect(404, leader=200, tr=200, amr=200, emp1=200, director=200, notify=200, hr=403)),
    ("GET", "/api/v1/dialogues/{shared}/revisions", None,
     expect(404, leader=200, tr=200, amr=200, emp1=200, director=200, notify=200, hr=403)),
    ("PUT", "/api/v1/dialogues/{private}", "individual",
     expect(404, leader=200, hr=403, notify=403)),
    ("PUT", "/api/v1/dialogues/{shared}", "dialogue",
     expect(404, leader=200, tr=403, amr=403, emp1=403, director=403, hr=403, notify=403)),
    ("GET", "/api/v1/actions/{action}", None, READ_ACTION),
    ("GET", "/api/v1/actions", None, expect(200, hr=403)),
    ("GET", "/api/v1/overview", None, expect(200, hr=403)),
    ("PATCH", "/api/v1/actions/{action}", "status",
     expect(404, leader=200, emp1=200, tr=403, amr=403, director=403, notify=403, hr=403)),
    ("POST", "/api/v1/actions/{action}/complete", "reflection",
     expect(404, leader=200, emp1=200, tr=403, amr=403, director=403, notify=403, hr=403)),
    ("POST", "/api/v1/dialogues", "dialogue",
     expect(403, leader=201, director=201)),
    ("GET", "/api/v1/people/emp1", None,
     expect(404, leader=200, director=200, emp1=200, hr=200, notify=200)),
    ("GET", "/api/v1/me", None, expect(200)),
    ("GET", "/api/v1/units/skole", None, expect(200)),
    ("POST", "/api/v1/units", "unit", expect(403, hr=201)),
    ("PATCH", "/api/v1/people/emp2", "person", expect(403, hr=200)),
    ("GET", "/api/v1/insights/balance?unit_id=skole", None,
     expect(403, leader=200, director=200, hr=200)),
    # A person's data: the person and HR; to anyone else the person does not exist.
    ("GET", "/api/v1/people/emp1/export", None, expect(404, emp1=200, hr=200)),
    ("GET", "/api/v1/people/emp1/history", None, expect(404, emp1=200, hr=200)),
    ("DELETE", "/api/v1/people/emp2", None, expect(403, hr=200)),
    # Who read a dialogue: its leader; its other readers are refused, others find nothing.
    ("GET", "/api/v1/dialogues/{shared}/reads", None,
     expect(404, leader=200, tr=403, amr=403, emp1=403, director=403, notify=403, hr=403)),
    ("GET", "/api/v1/dialogues/{private}/reads", None,
     expect(404, leader=200, notify=403, hr=403)),
    ("GET", "/api/v1/actions?owner_left=true", None, expect(200, hr=403)),
]

BODIES = {
    "individual": individual_body,
    "dialogue": dialogue_body,
    "status": lambda: {"status": "in_progress"},
    "reflection": lambda: {"reflection": "Det gik godt."},
    "unit": lambda: {"id": "ny-enhed", "name": "Ny enhed", "parent_id": "skole"},
    "person": lambda: {"name": "Emil Ansat-Hansen"},
}


@pytest.fixture(scope="module")
def notify_url(tmp_path_factory, redis_url, jwt_settings) -> str:
    """A real notify API, for the export's emails."""
    yield from notify_server(tmp_path_factory, name="matrix-notify", redis_url=redis_url,
                             jwt_settings=jwt_settings)


@pytest.fixture
def assessment_settings(assessment_settings, notify_url):
    return dataclasses.replace(assessment_settings, notify_url=notify_url)


@pytest.fixture
def records(client, org, token) -> dict[str, str]:
    """The leader's private reflection, shared dialogue and its action."""
    leader = token("leader", "leader")
    private = record(client, leader, individual_body())
    shared = record(client, leader, dialogue_body())
    return {"private": private["id"], "shared": shared["id"],
            "action": shared["actions"][0]["id"]}


CASES = [
    pytest.param(method, path, body, caller, status, id=f"{method} {path} as {caller}")
    for method, path, body, table in MATRIX
    for caller, status in table.items()
]


@pytest.mark.parametrize("method, path, body, caller, status", CASES)
def test_access(client, token, records, method, path, body, caller, status):
    headers = token(caller, *ROLES[caller])
    json = BODIES[body]() if body else None
    response = client.open(path.format(**records), method=method, headers=headers, json=json)
    assert response.status_code == status, response.get_json()


@pytest.mark.parametrize("method, path, body", [(m, p, b) for m, p, b, _ in MATRIX])
def test_every_endpoint_needs_a_token(client, records, method, path, body):
    json = BODIES[body]() if body else None
    response = client.open(path.format(**records), method=method, json=json)
    assert response.status_code == 401


def test_listing_shows_only_what_the_caller_may_read(client, token, records):
    def listed(caller):
        response = client.get("/api/v1/dialogues", headers=token(caller, *ROLES[caller]))
        if response.status_code != 200:
            return response.status_code, None
        return 200, {d["id"] for d in response.get_json()}

    assert listed("leader") == (200, {records["private"], records["shared"]})
    assert listed("amr") == (200, {records["shared"]})
    assert listed("director") == (200, {records["shared"]})
    assert listed("sfo-tr") == (200, set())
    assert listed("emp2") == (200, set())
    assert listed("hr") == (403, None)


def test_action_listing_shows_what_reading_the_action_alone_shows(client, token, records):
    for caller, status in READ_ACTION.items():
        response = client.get("/api/v1/actions", headers=token(caller, *ROLES[caller]))
        if status == 403:
            assert response.status_code == 403, caller
            continue
        listed = {a["id"] for a in response.get_json()}
        assert listed == ({records["action"]} if status == 200 else set()), caller


def test_the_overview_shows_only_what_reading_the_action_alone_shows(client, token, records):
    """The leader sees the action among skole's, its owner emp1 among their own; the TRIO and
    the director see it on neither list (they lead no skole), nor does anyone else."""
    shows = {"leader": {records["action"]}, "emp1": {records["action"]}}
    for caller, status in READ_ACTION.items():
        response = client.get("/api/v1/overview", headers=token(caller, *ROLES[caller]))
        if status == 403:
            assert response.status_code == 403, caller
            continue
        seen = response.get_json()
        listed = {a["id"] for items in [seen["own_actions"],
                                        *(unit["open_actions"] for unit in seen["units"])]
                  for a in items}
        assert listed == shows.get(caller, set()), caller
