"""Who gets an email: people, units, dialogues and actions from the assessment API.

Looked up when an email is sent, never kept, so an erased person is not mailed
from an old event or reminder.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date

import requests

from shared.http import TIMEOUT

PAGE = 100  # the most people the assessment API gives by id in one answer


class Unavailable(Exception):
    """A service notify needs did not answer; the job is retried later."""


def get_json(
    session: requests.Session, url: str, params: dict | None = None
) -> requests.Response | None:
    """GET url: the response, None for a 404, Unavailable for anything temporary."""
    try:
        response = session.get(url, params=params, timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise Unavailable(f"{url}: {exc}") from exc
    if response.status_code == 404:
        return None
    if response.status_code >= 500 or response.status_code == 429:
        raise Unavailable(f"{url} answered {response.status_code}")
    if response.status_code == 401:  # a token the operator must renew: keep the job till then
        raise Unavailable(f"{url} refused notify's token (401): check SERVICE_TOKEN")
    response.raise_for_status()
    return response


def still_here(people: dict[str, dict], today: date) -> dict[str, dict]:
    """Those of people who have not left the organisation by today: whoever left on or
    before it gets no email of any kind, nor does an erased person (whom the erasure marks
    as having left, and whose address is gone)."""
    return {person_id: person for person_id, person in people.items()
            if person.get("erased_at") is None and not (
                person.get("left_on") and date.fromisoformat(person["left_on"]) <= today)}


class Directory:
    """The assessment API as notify reads it, with the service token."""

    def __init__(self, base_url: str, session: requests.Session):
        self._base = base_url.rstrip("/") + "/api/v1"
        self._session = session

    def _get(self, path: str) -> dict | None:
        response = get_json(self._session, f"{self._base}{path}")
        return None if response is None else response.json()

    def people(self, person_ids: list[str]) -> dict[str, dict]:
        """{id: {id, name, email, language, unit_id, left_on, erased_at}} of those that exist,
        PAGE at a time."""
        found: dict[str, dict] = {}
        for start in range(0, len(person_ids), PAGE):
            part = person_ids[start:start + PAGE]
            response = get_json(self._session, f"{self._base}/people",
                                params={"id": part, "page_size": PAGE})
            found.update((p["id"], p) for p in (response.json() if response else []))
        return found

    def unit(self, unit_id: str) -> dict | None:
        """{id, name, parent_id, leader_id, tr_id, amr_id}."""
        return self._get(f"/units/{unit_id}")

    def dialogue(self, dialogue_id: str) -> dict | None:
        return self._get(f"/dialogues/{dialogue_id}")

    def action(self, action_id: str) -> dict | None:
        return self._get(f"/actions/{action_id}")

    def units(self, page_size: int = 100) -> Iterator[list[dict]]:
        """Every unit, a page at a time."""
        page = 1
        while True:
            response = get_json(
                self._session, f"{self._base}/units?page={page}&page_size={page_size}"
            )
            if response is None:
                return
            yield response.json()
            pagination = json.loads(response.headers.get("X-Pagination") or "{}")
            if page >= pagination.get("total_pages", page):
                return
            page += 1
