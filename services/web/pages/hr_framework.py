"""HR's framework pages: the versions, a draft edited section by section in Danish and
English side by side, its changes word by word, publishing it, which emails every
unit's leader, or deleting it. The content API keeps the versions and refuses any change
to a published one; these pages only ask it."""

from __future__ import annotations

import functools
import hashlib

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from services.web import session
from services.web.apis import ApiError
from services.web.language import current_language
from services.web.pages import hr_framework_sections as texts_of
from services.web.pages.hr_framework_diff import ADDED, REMOVED, changes_by_section
from services.web.people import names_of

blp = Blueprint("hr_framework", __name__, url_prefix="/hr/framework")
VERSIONS = "/api/v1/framework/versions"
DRAFT, PUBLISHED = "draft", "published"
SEED = "seed"  # who made version 1, the framework Lederdialog is installed with



@blp.get("")
@session.hr_only
def versions():
    return _versions_page()


@blp.post("/drafts")
@session.hr_only
def start_draft():
    try:
        draft = session.call("content", "POST", VERSIONS).json()
    except ApiError as exc:
        if exc.status != 409:
            raise
        return _versions_page(error=_("A draft is open already: edit it or publish it.")), 409
    return redirect(url_for("hr_framework.version", version_id=draft["id"], started=1), 303)


@blp.get("/versions/<int:version_id>")
@session.hr_only
def version(version_id: int):
    found, current = _version(version_id)
    return render_template(
        "pages/hr/framework_version.html", version=found, current=current,
        names=_names([found]), sections=_sections(version_id), started=request.args.get("started"),
        published=request.args.get("published"),
    )


@blp.route("/versions/<int:version_id>/sections/<section>", methods=["GET", "POST"])
@session.hr_only
def edit(version_id: int, section: str):
    found, _current = _version(version_id)
    if found["status"] != DRAFT:  # a published version never changes: nothing to edit
        return redirect(url_for("hr_framework.version", version_id=version_id), 303)
    all_sections = _sections(version_id)
    editing = texts_of.find(all_sections, section) or abort(404)
    page = functools.partial(_edit_page, found, editing, all_sections)
    if request.method == "GET":
        return page(saved=request.args.get("saved"))
    changes, errors = _changed_texts(editing, request.form)
    if errors:
        return page(errors=errors, typed=request.form), 422
    if changes:
        try:
            session.call("content", "PATCH", f"{VERSIONS}/{version_id}/texts",
                         body={"changes": changes})
        except ApiError as exc:
            if exc.status not in (409, 422):
                raise
            return page(errors=_api_errors(exc, changes), typed=request.form), exc.status
    return redirect(url_for("hr_framework.edit", version_id=version_id, section=section,
                            saved=len(changes)), 303)


@blp.get("/versions/<int:version_id>/diff")
@session.hr_only
def diff(version_id: int):
    found, current = _version(version_id)
    changes = session.get("content", "/api/v1/framework/diff",
                          params={"from": current, "to": version_id})["changes"]
    return render_template(
        "pages/hr/framework_diff.html", version=found, current=current,
        changed=changes_by_section(changes, _sections(version_id)), REMOVED=REMOVED, ADDED=ADDED,
    )


@blp.route("/versions/<int:version_id>/publish", methods=["GET", "POST"])
@session.hr_only
def publish(version_id: int):
    found, current = _version(version_id)
    if found["status"] != DRAFT:
        return redirect(url_for("hr_framework.version", version_id=version_id), 303)
    if request.method == "POST":
        try:
            session.call("content", "POST", f"{VERSIONS}/{version_id}/publish")
        except ApiError as exc:
            if exc.status != 409:
                raise
            return _publish_page(found, current,
                                 error=_("The version was published meanwhile.")), 409
        return redirect(url_for("hr_framework.version", version_id=version_id, published=1), 303)
    return _publish_page(found, current)


@blp.route("/versions/<int:version_id>/delete", methods=["GET", "POST"])
@session.hr_only
def delete(version_id: int):
    """Delete a draft after a confirmation: its changes are lost, nobody is told."""
    found, _current = _version(version_id)
    if found["status"] != DRAFT:
        return redirect(url_for("hr_framework.version", version_id=version_id), 303)
    if request.method == "POST":
        try:
            session.call("content", "DELETE", f"{VERSIONS}/{version_id}")
        except ApiError as exc:
            if exc.status != 409:
                raise
            return redirect(url_for("hr_framework.version", version_id=version_id), 303)
        return redirect(url_for("hr_framework.versions", deleted=version_id), 303)
    return render_template("pages/hr/framework_delete.html", version=found)


def _versions_page(error: str | None = None):
    listed = session.get("content", VERSIONS)
    current = _current_of(listed)
    return render_template(
        "pages/hr/framework_versions.html", versions=list(reversed(listed)), current=current,
        names=_names(listed), draft=next((v for v in listed if v["status"] == DRAFT), None),
        error=error, deleted=request.args.get("deleted", type=int),
    )


def _publish_page(found: dict, current: int, error: str | None = None):
    """Who will hear of the new version: notify emails the leader of every unit (once each)
    the texts that changed; if none did, nobody."""
    changed = session.get("content", "/api/v1/framework/diff",
                          params={"from": current, "to": found["id"]})["changes"]
    units = [unit for unit in session.all_pages("assessment", "/api/v1/units")
             if unit.get("leader_id")]
    return render_template(
        "pages/hr/framework_publish.html", version=found, error=error,
        changed_texts=len({change["path"] for change in changed}),
        leaders=len({unit["leader_id"] for unit in units}), units=len(units),
    )


def _edit_page(found: dict, editing: texts_of.Section, all_sections: list[texts_of.Section],
               *, errors=None, typed=None, saved: str | None = None):
    return render_template(
        "pages/hr/framework_edit.html", version=found, section=editing,
        sections=all_sections, errors=errors or {}, typed=typed or {}, saved=saved,
        field_id=field_id, digest=digest,
    )


def _version(version_id: int) -> tuple[dict, int]:
    """The version's summary (status, who made and published it, when), or the 404 page;
    and the current version's id."""
    listed = session.get("content", VERSIONS)
    found = next((v for v in listed if v["id"] == version_id), None) or abort(404)
    return found, _current_of(listed) or abort(404)


def _current_of(listed: list[dict]) -> int | None:
    """The current version: the one published last, as the content service decides it."""
    published = [v for v in listed if v["status"] == PUBLISHED]
    newest = max(published, key=lambda v: (v["published_at"], v["id"]), default=None)
    return newest["id"] if newest else None


def _names(listed: list[dict]) -> dict[str, str]:
    """Who drafted and published the versions, by name where the organisation knows them."""
    ids = {v[key] for v in listed for key in ("created_by", "published_by") if v.get(key)}
    return {SEED: _("Lederdialog, when installed"), **names_of(ids - {SEED})}


def _sections(version_id: int) -> list[texts_of.Section]:
    return texts_of.sections(session.get("content", f"{VERSIONS}/{version_id}/texts"),
                             current_language())


def field_id(lang: str, path: str) -> str:
    return f"{lang}-{path}"


def digest(text: str) -> str:
    """What a text was when the form showed it, so that saving sends only what was changed
    on the form (a text someone else changed meanwhile is left as they made it)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _changed_texts(editing: texts_of.Section, form) -> tuple[list[dict], dict[str, str]]:
    """The changes to send ([{path, da?, en?}]) and the web's own refusals by field."""
    changes, errors = [], {}
    for text in editing.texts:
        change = {}
        for lang in texts_of.LANGUAGES:
            field = field_id(lang, text.path)
            typed = form.get(field)
            if typed is None:
                continue
            typed = typed.replace("\r\n", "\n")  # as browsers send a textarea's lines
            if digest(typed) == form.get(f"was-{field}", digest(getattr(text, lang))):
                continue
            if not typed.strip():
                errors[field] = _("Write the text; it cannot be empty.")
            change[lang] = typed
        if change:
            changes.append({"path": text.path, **change})
    return changes, errors


def _api_errors(exc: ApiError, changes: list[dict]) -> dict[str, str]:
    """The API's refusal at the form's field ("changes.3.en" is the English of the fourth
    text sent); a published version as the form's own message."""
    if exc.status == 409:
        return {"_form": _("The version is published; it can no longer change.")}
    errors: dict[str, str] = {}
    for key, messages in exc.field_errors().items():
        parts = key.split(".")
        if len(parts) == 3 and parts[0] == "changes" and parts[1].isdigit() \
                and int(parts[1]) < len(changes) and parts[2] in texts_of.LANGUAGES:
            errors[field_id(parts[2], changes[int(parts[1])]["path"])] = " ".join(messages)
        else:
            errors["_form"] = " ".join(messages)
    return errors
