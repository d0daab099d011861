"""An action (the reminder and escalation emails' link): its status, due date and completion."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.web import session
from services.web.apis import ApiError
from services.web.framework_texts import framework_texts
from services.web.people import names_of

blp = Blueprint("actions", __name__)
OPEN = ("open", "in_progress")


@blp.get("/actions/<action_id>")
@session.sign_in_required
def show(action_id: str):
    return _page(action_id)


@blp.post("/actions/<action_id>/status")
@session.sign_in_required
def change_status(action_id: str):
    return _change(action_id, "status", {"status": request.form.get("status", "")})


@blp.post("/actions/<action_id>/due-date")
@session.sign_in_required
def renegotiate(action_id: str):
    body = {"due_on": request.form.get("due_on", ""), "reason": request.form.get("reason", "")}
    missing = {field: message for field, message in (
        ("due_on", _("Enter the new due date.")), ("reason", _("Say why the date moves.")),
    ) if not body[field].strip()}
    if missing:
        return _page(action_id, form="due", messages=missing, typed=request.form), 422
    return _change(action_id, "due", body)


@blp.post("/actions/<action_id>/complete")
@session.sign_in_required
def complete(action_id: str):
    body = {"reflection": request.form.get("reflection", "")}
    if not body["reflection"].strip():
        return _page(action_id, form="complete", typed=request.form,
                     messages={"reflection": _("Write a few words on how it went.")}), 422
    try:
        session.call("assessment", "POST", f"/api/v1/actions/{action_id}/complete", body=body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return _page(action_id, form="complete", error=exc, typed=request.form), 422
    return redirect(url_for("actions.show", action_id=action_id, done="completed"))


def _change(action_id: str, form: str, body: dict):
    try:
        session.call("assessment", "PATCH", f"/api/v1/actions/{action_id}", body=body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return _page(action_id, form=form, error=exc, typed=request.form), 422
    return redirect(url_for("actions.show", action_id=action_id, done=form))


def _page(action_id: str, *, form: str | None = None, error: ApiError | None = None,
          typed=None, messages: dict[str, str] | None = None):
    action = session.get("assessment", f"/api/v1/actions/{action_id}")
    dialogue = _readable_dialogue(action["dialogue_id"])
    texts = framework_texts(dialogue["framework_version"] if dialogue else None)
    me = session.me()["sub"]
    may_change = action["status"] in OPEN and (
        action["owner_id"] == me or (dialogue is not None and dialogue["leader_id"] == me)
    )
    named = dialogue.get("people", {}) if dialogue else {}
    people = {action["owner_id"]} | {change["changed_by"] for change in action["history"]} | {
        value for change in action["history"] if change["kind"] == "owner"
        for value in (change["old_value"], change["new_value"])
    }
    return render_template(
        "pages/action.html", action=action, dialogue=dialogue, texts=texts,
        names={**names_of(people - set(named)), **named},
        may_change=may_change, form=form, typed=typed or {},
        errors=messages or change_errors(error), done=request.args.get("done"),
    )


def _readable_dialogue(dialogue_id: str) -> dict | None:
    """The action's dialogue, or None for an owner who may not read it."""
    try:
        return session.get("assessment", f"/api/v1/dialogues/{dialogue_id}")
    except ApiError as exc:
        if exc.status in (403, 404):
            return None
        raise


def change_errors(error: ApiError | None) -> dict[str, str]:
    """Messages by form field: the API's 422 per field, a 409 as the form's own message."""
    if error is None:
        return {}
    if error.status == 409:
        return {"_form": _("The action is done or dropped; it cannot change any more.")}
    return {field: " ".join(messages) for field, messages in error.field_errors().items()}
