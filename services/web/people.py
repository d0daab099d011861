"""People's names for a page: the ones the signed-in person may see, the rest by id."""

from __future__ import annotations

from services.web import session
from services.web.apis import ApiError

LOOKUP_BATCH = 100


def names_of(person_ids) -> dict[str, str]:
    """Names by id of those among person_ids the caller may see."""
    ids = sorted(i for i in person_ids if i)
    names: dict[str, str] = {}
    for start in range(0, len(ids), LOOKUP_BATCH):
        try:
            found = session.get("assessment", "/api/v1/people",
                                params={"id": ids[start:start + LOOKUP_BATCH]})
        except ApiError as exc:
            if exc.status not in (403, 404):
                raise
            found = []
        names.update((person["id"], person["name"]) for person in found)
    return names
