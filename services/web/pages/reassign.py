"""Actions that need a new owner (the link of the email sent when someone leaves): the open
actions of the signed-in leader's dialogues whose owner left, each with a form to hand it on.

The assessment API lists the actions whose owner left and decides who may take one over; a
refusal (422) shows at its field, as on the other forms.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.web import session
from services.web.apis import ApiError
from services.web.pages.actions import change_errors
from services.web.people import names_of

blp = Blueprint("reassign", __name__)
FIELDS = ("owner_id", "reason")


@blp.get("/actions")
@session.sign_in_required
def show():
    if request.args.get("owner_left") != "true":
        return redirect(url_for("overview.show"))
    return _page()


@blp.post("/actions/<action_id>/owner")
@session.sign_in_required
def reassign(action_id: str):
    body = {field: request.form.get(field, "") for field in FIELDS}
    missing = {field: message for field, message in (
        ("owner_id", _("Choose the new owner.")), ("reason", _("Say why the owner changes.")),
    ) if not body[field].strip()}
    if missing:
        return _page(action_id, messages=missing), 422
    try:
        session.call("assessment", "PATCH", f"/api/v1/actions/{action_id}", body=body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return _page(action_id, messages=change_errors(exc)), 422
    return redirect(url_for("reassign.show", owner_left="true", done=action_id))


def _page(failed: str | None = None, *, messages: dict[str, str] | None = None):
    """The list; `failed` is the action whose form came back with `messages` by field."""
    actions = session.all_pages("assessment", "/api/v1/actions", params={"owner_left": "true"})
    candidates = _candidates({action["unit_id"] for action in actions})
    return render_template(
        "pages/reassign.html", actions=actions, candidates=candidates,
        names=names_of({action["owner_id"] for action in actions}),
        failed=failed, typed=request.form if failed else {},
        errors={f"{field}-{failed}": message for field, message in (messages or {}).items()},
        done=request.args.get("done"),
    )


def _candidates(unit_ids: set[str | None]) -> dict[str, list[dict]]:
    """Who may take over an action of each unit: its people who have not left, and the
    leader themselves, by name."""
    me = session.me()["person"]
    candidates = {}
    for unit_id in filter(None, unit_ids):
        people = {person["id"]: person for person in session.all_pages(
            "assessment", "/api/v1/people", params={"unit_id": unit_id})}
        if me:
            people.setdefault(me["id"], me)
        candidates[unit_id] = sorted(
            (person for person in people.values()
             if not person["left_on"] and not person["erased_at"]),
            key=lambda person: person["name"],
        )
    return candidates

