"""Dialogue bodies for tests: valid by default (framework version 1, the `org` fixture)."""

from __future__ import annotations

from datetime import date, timedelta

FOCUS_AREAS = (
    "competent_communities", "innovative_communities", "meaningful_communities",
    "reliable_communities",
)
HELD_ON = date.today() - timedelta(days=7)


def ratings(*weights: int) -> list[dict]:
    """One rating per focus area, with the weights given (default 40/30/20/10)."""
    weights = weights or (40, 30, 20, 10)
    return [{"focus_area": area, "rating": 3, "weight": weight}
            for area, weight in zip(FOCUS_AREAS, weights, strict=True)]


PARTICIPANTS = (
    {"person_id": "leader", "role": "leader"},
    {"person_id": "emp1", "role": "employee"},
    {"person_id": "tr", "role": "tr"},
)


def participants_with(*employees: str) -> list[dict]:
    """The participants of `dialogue_body` and these employees: an action's owner takes part."""
    return [*PARTICIPANTS, *({"person_id": person, "role": "employee"} for person in employees)]


def action(**overrides) -> dict:
    """An action owned by emp1 (a participant of `dialogue_body`), due a month after the
    dialogue."""
    return {
        "title": "Fælles planlægningsmøde hver fredag", "owner_id": "emp1",
        "due_on": (HELD_ON + timedelta(days=30)).isoformat(),
        "focus_area": "reliable_communities", "commitment": "proactive_management",
        **overrides,
    }


def dialogue_body(**overrides) -> dict:
    """A work_community dialogue of unit skole with emp1, tr and one action."""
    return {
        "setting": "work_community",
        "unit_id": "skole",
        "held_on": HELD_ON.isoformat(),
        "participants": list(PARTICIPANTS),
        "answers": {
            "wc_collaboration": "Vi samarbejder godt på tværs af årgangene.",
            "wc_expectations": "Klare aftaler om vikardækning.",
        },
        "focus_areas": ratings(),
        "strengths": [{"focus_area": "meaningful_communities", "text": "Stærke relationer"}],
        "development_areas": [{"focus_area": "reliable_communities", "text": "Planlægning"}],
        "actions": [action()],
        **overrides,
    }


def individual_body(**overrides) -> dict:
    """The leader's own reflection (private by default), without participants or actions."""
    return dialogue_body(**{
        "setting": "individual_leader", "participants": [], "actions": [],
        "answers": {"individual_strengths": "Jeg lytter."}, **overrides,
    })


def record(client, headers: dict, body: dict | None = None) -> dict:
    """POST a dialogue that must be recorded; returns the dialogue as answered."""
    response = client.post("/api/v1/dialogues", json=body or dialogue_body(), headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def as_recorded(read: dict) -> dict:
    """A dialogue as GET shows it, less what only reading adds (the names of its people):
    what the recording or amendment answered."""
    return {key: value for key, value in read.items() if key != "people"}
