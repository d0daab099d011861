"""Failed emails, for HR: the dead letters notify keeps (to whom, which kind, when, what the
SMTP server answered) and a button to send one, or all of them, again; and the events notify
set aside (dead events), each with a button to handle it again once its cause is fixed.

notify's API keeps them, sends again and replays; the assessment API names the people (HR
may see everyone: an erased person's name is their pseudonym). Others get 404.
"""

from __future__ import annotations

import json

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from services.web import session
from services.web.apis import ApiError
from services.web.pages.mine_data import EMAIL_KINDS
from services.web.people import names_of

blp = Blueprint("hr_failed_emails", __name__, url_prefix="/hr")

PAGE_SIZE = 50
EVENTS_SHOWN = 50  # the newest dead events waiting; the page says how many there are in all
LETTER_STATUSES = {
    "dead": _l("Given up"),
    "retrying": _l("Sent again"),
    "delivered": _l("Delivered"),
}
EVENT_REASONS = {
    "unfit": _l("It does not fit its kind"),
    "failed": _l("Handling it kept failing"),
}



def _view() -> dict:
    """The list's filter and page, from the query (or a form's hidden fields); anything
    else is the whole list's first page."""
    values = request.values
    status = values.get("status", "")
    page = values.get("page", "")
    return {"status": status if status in LETTER_STATUSES else None,
            "page": int(page) if page.isdigit() and 0 < int(page) <= 10_000 else 1}


@blp.get("/failed-emails")
@session.hr_only
def show():
    return _page()


def _page(*, failed_event: int | None = None):
    """The page; `failed_event` is the dead event whose replay failed again."""
    view = _view()
    params = {"page": view["page"], "page_size": PAGE_SIZE}
    if view["status"]:
        params["status"] = view["status"]
    answer = session.call("notify", "GET", "/api/v1/dead-letters", params=params)
    letters = answer.json()
    events = session.call("notify", "GET", "/api/v1/dead-events",
                          params={"status": "dead", "page_size": EVENTS_SHOWN})
    return render_template(
        "pages/hr/failed_emails.html", letters=letters, view=view, pages=_pagination(answer),
        waiting=_letters_waiting(),
        names=names_of({letter["person_id"] for letter in letters}),
        retried=_number("retried"), retried_all=_number("retried_all"),
        remaining=_number("remaining"),
        events=events.json(), events_waiting=_pagination(events).get("total", 0),
        replayed=_number("replayed"), failed_event=failed_event,
        EMAIL_KINDS=EMAIL_KINDS, LETTER_STATUSES=LETTER_STATUSES, EVENT_REASONS=EVENT_REASONS,
    )


@blp.post("/failed-emails/<int:letter_id>/retry")
@session.hr_only
def retry(letter_id: int):
    session.call("notify", "POST", f"/api/v1/dead-letters/{letter_id}/retry")
    return redirect(url_for("hr_failed_emails.show", **_kept(), retried=letter_id))


@blp.post("/failed-emails/retry")
@session.hr_only
def retry_all():
    answer = session.call("notify", "POST", "/api/v1/dead-letters/retry").json()
    return redirect(url_for("hr_failed_emails.show", **_kept(),
                            retried_all=answer["retried"], remaining=answer["remaining"]))


@blp.post("/failed-emails/events/<int:event_id>/replay")
@session.hr_only
def replay(event_id: int):
    try:
        session.call("notify", "POST", f"/api/v1/dead-events/{event_id}/replay")
    except ApiError as exc:
        if exc.status != 409:
            raise
        # It still fails: the dead event's error is the new one, shown at its row.
        return _page(failed_event=event_id), 409
    return redirect(url_for("hr_failed_emails.show", **_kept(), replayed=event_id))


def _kept() -> dict:
    """The view the form was sent from, to come back to."""
    view = _view()
    return {"status": view["status"], "page": view["page"] if view["page"] > 1 else None}


def _letters_waiting() -> int:
    """How many letters wait for HR (status dead), whatever page is shown."""
    answer = session.call("notify", "GET", "/api/v1/dead-letters",
                          params={"status": "dead", "page_size": 1})
    return _pagination(answer).get("total", 0)


def _pagination(answer) -> dict:
    return json.loads(answer.headers.get("X-Pagination") or "{}")


def _number(name: str) -> int | None:
    """A count the page was sent back with after a retry (a query parameter)."""
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 10 else None
