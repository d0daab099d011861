"""Saving HR's forms for a person or a unit: a new one is added whole; a change sends only
what the form changed. The API's refusal comes back at the fields it names.

Sending only the changes keeps a record's history to what was changed, and does not send
again a value the API would refuse today though it took it once (a day long past).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import redirect, request, url_for
from flask_babel import gettext as _

from services.web import session
from services.web.apis import ApiError


def changes(record: dict, fields: Iterable[str], *, optional: Iterable[str] = ()) -> dict:
    """The fields whose value in the posted form differs from the record's, trimmed; an
    empty `optional` field means none (null)."""
    optional = set(optional)
    body = {}
    for field in fields:
        value = request.form.get(field, "").strip()
        if field in optional and not value:
            value = None
        if value != (record.get(field) or (None if field in optional else "")):
            body[field] = value
    return body


def filled(fields: Iterable[str], *, optional: Iterable[str] = ()) -> dict:
    """The posted form's fields, trimmed; an empty `optional` field means none (null)."""
    optional = set(optional)
    return {field: (request.form.get(field, "").strip() or
                    (None if field in optional else "")) for field in fields}


def add(path: str, body: dict, endpoint: str, id_name: str, page: Callable[..., str]):
    """POST the new record at `path`: on to its page (the endpoint, given its id) saying it
    was added, or the page again with what was typed and the API's refusal at its fields (a
    409: the id is taken)."""
    try:
        session.call("assessment", "POST", path, body=body)
    except ApiError as exc:
        if exc.status == 409:
            return page(errors={"id": _("This id is taken: choose another one.")}), 409
        if exc.status != 422:
            raise
        return page(errors=refusal(exc)), 422
    return redirect(url_for(endpoint, **{id_name: body["id"]}, done="added"))


def save(path: str, body: dict, page: Callable[..., str]):
    """PATCH the changes at `path`: back to the page (a GET) saying so, or the page again with
    what was typed and the API's refusal at its fields."""
    if not body:
        return page(errors={"_form": _("Nothing was changed, so nothing was saved.")}), 422
    try:
        session.call("assessment", "PATCH", path, body=body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return page(errors=refusal(exc)), 422
    return redirect(f"{request.path}?done=saved")


def refusal(exc: ApiError) -> dict[str, str]:
    """The API's 422 by field; a 409 (changed meanwhile, or erased) as the form's message."""
    if exc.status == 409:
        return {"_form": _("The record changed meanwhile, or can no longer be changed. "
                           "Reload the page and try again.")}
    return {field: " ".join(messages) for field, messages in exc.field_errors().items()}
