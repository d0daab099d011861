"""The organisation, for HR: the tree of units, each with its leader, TR and AMR; the units
that miss one of the three; and a search for people by name or email.

A municipality has thousands of units, so the page is made from two paginated lists (every
unit, every person), never a call per unit. The top units and the units right below them
are shown open; each deeper part of the tree is folded in a <details>, which opens without
JavaScript. The units missing someone are listed at the top, each a link to its own page,
so none of them hides in a folded part.

HR's pages answer 404 to anyone else, as the APIs do to whoever may not know a record.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l

from services.web import session
from services.web.apis import ApiError
from services.web.pages.hr_edit import refusal
from services.web.people import names_of

blp = Blueprint("hr_organisation", __name__)

# The levels of the tree shown open: the top units and their children. Deeper ones fold.
OPEN_LEVELS = 2
# The matches of a search shown on one page; a longer list asks for a longer search.
SEARCH_SHOWN = 100
# The gaps listed open at the top of the page; a longer list is folded.
GAPS_SHOWN_OPEN = 10
TRIO = (("leader_id", _l("Leader")), ("tr_id", _l("TR")), ("amr_id", _l("AMR")))



def all_units() -> dict[str, dict]:
    """Every unit by id."""
    return {unit["id"]: unit for unit in session.all_pages("assessment", "/api/v1/units")}


def by_name(units: Iterable[dict]) -> list[dict]:
    """Units in the order of their names (then ids, as names repeat), as the forms list them."""
    return sorted(units, key=lambda unit: (unit["name"].casefold(), unit["id"]))


@blp.get("/hr/organisation")
@session.hr_only
def show():
    q = request.args.get("q")
    if q is not None and q.strip():
        return _search(q)
    units = all_units()
    people = {person["id"]: person for person in session.all_pages("assessment", "/api/v1/people")}
    trio = {unit_id: list(_trio(unit, people)) for unit_id, unit in units.items()}
    _name_the_rest(trio)
    missing = {unit_id: [holder["label"] for holder in holders if holder["gap"]]
               for unit_id, holders in trio.items()}
    gaps = sorted((units[unit_id] for unit_id, labels in missing.items() if labels), key=_by_name)
    return render_template(
        "pages/hr/organisation.html", tree=_tree(units), trio=trio, missing=missing, gaps=gaps,
        people_count=len(people), unit_count=len(units), OPEN_LEVELS=OPEN_LEVELS,
        GAPS_SHOWN_OPEN=GAPS_SHOWN_OPEN, q="", errors={},
    )


def _search(q: str):
    """The people whose name or email holds q (the API's ?q=), each with their unit."""
    try:
        response = session.call("assessment", "GET", "/api/v1/people",
                                params={"q": q, "page_size": SEARCH_SHOWN})
    except ApiError as exc:
        if exc.status != 422:
            raise
        return render_template("pages/hr/organisation.html", q=q, errors=refusal(exc),
                               matches=None), 422
    total = json.loads(response.headers.get("X-Pagination") or "{}").get("total")
    return render_template("pages/hr/organisation.html", q=q, errors={}, matches=response.json(),
                           total=total, units=all_units(), SEARCH_SHOWN=SEARCH_SHOWN)


def _trio(unit: dict, people: dict[str, dict]):
    """The unit's leader, TR and AMR: who holds each place, and whether it is a gap (no one,
    or someone who has left)."""
    for field, label in TRIO:
        person = people.get(unit.get(field))
        left = bool(person and person["left_on"])
        yield {"field": field, "label": label, "id": unit.get(field),
               "name": person["name"] if person else None, "left": left,
               "gap": not unit.get(field) or left}


def _name_the_rest(trio: dict[str, list[dict]]) -> None:
    """Names for the holders the list of people did not reach (a list is read up to a bound,
    services.web.apis.MAX_PAGES): asked for by id, a hundred at a time."""
    unnamed = {holder["id"] for holders in trio.values() for holder in holders
               if holder["id"] and holder["name"] is None}
    if not unnamed:
        return
    names = names_of(unnamed)
    for holders in trio.values():
        for holder in holders:
            if holder["name"] is None:
                holder["name"] = names.get(holder["id"])


def _tree(units: dict[str, dict]) -> list[dict]:
    """The units as nested {unit, children} by name; a unit whose parent is not among them
    is at the top."""
    children = defaultdict(list)
    for unit in units.values():
        parent = unit["parent_id"] if unit["parent_id"] in units else None
        children[parent].append(unit)

    def nodes(parent_id: str | None) -> list[dict]:
        return [{"unit": unit, "children": nodes(unit["id"])}
                for unit in sorted(children[parent_id], key=_by_name)]

    return nodes(None)


def _by_name(unit: dict) -> tuple[str, str]:
    return unit["name"].casefold(), unit["id"]
