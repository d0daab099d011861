"""The organisation import for HR: upload the CSV file, read what it would change, confirm.

The preview is the import's dry run (docs/org-import.md), which lists every change; the file
is kept (hr_import_file) until HR confirms, and then sent again without dry_run: the import
takes all of it or nothing. A file with problems shows every one of them as a table by line
and column. The problems are worded by the API, in English: the page says its columns,
kinds and the fixed messages in its own language, and marks the rest as English.

The upload is the one request of the pages that may be larger than the web's 256 KiB
(MAX_CONTENT_LENGTH in app.py): it may carry the import's 20 MiB, for HR only.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from services.web import session
from services.web.apis import ApiError
from services.web.errors import NOT_FOUND, page
from services.web.pages import hr_import_file as files
from services.web.pages.mine_data import LANGUAGES

blp = Blueprint("hr_import", __name__)

# The file's columns (docs/org-import.md) as the page names them.
COLUMNS = {
    "kind": _l("Kind of row"),
    "id": _l("Id"),
    "name": _l("Name"),
    "email": _l("Email"),
    "language": _l("Language"),
    "unit_id": _l("Unit"),
    "parent_id": _l("Parent unit"),
    "leader_id": _l("Leader"),
    "tr_id": _l("TR"),
    "amr_id": _l("AMR"),
}
PROBLEM_KINDS = {
    "row": _l("The row itself"),
    "consistency": _l("Does not fit the rest"),
}
ROLES = {"leader": _l("Leader"), "tr": _l("TR"), "amr": _l("AMR")}
# The API's problems whose words never vary, in the page's language. Any other message
# names a value of the file and stays as the API wrote it, in English.
MESSAGES = {
    "not a valid email address": _l("not a valid email address"),
    "must be one of: da, en": _l("must be one of: da, en"),
    "must be person or unit": _l("must be person or unit"),
    "must be 1 to 64 letters, digits, '.', '_' or '-'":
        _l("must be 1 to 64 letters, digits, '.', '_' or '-'"),
    "required in a person row": _l("required in a person row"),
    "required in a unit row": _l("required in a unit row"),
    "must be empty in a person row": _l("must be empty in a person row"),
    "must be empty in a unit row": _l("must be empty in a unit row"),
    "this column appears twice": _l("this column appears twice"),
    "the header needs this column": _l("the header needs this column"),
    "person rows need an email column": _l("person rows need an email column"),
    "the file is empty; its first line must be the header":
        _l("the file is empty; its first line must be the header"),
    "the file is not UTF-8; save it as CSV UTF-8":
        _l("the file is not UTF-8; save it as CSV UTF-8"),
}



@blp.url_value_preprocessor
def room_for_the_file(endpoint: str | None, _values) -> None:
    """Let an HR admin's upload be as large as the import takes.

    Flask runs a blueprint's URL value preprocessors before every request hook, and the
    CSRF check, one of those, reads the form and the file with it: the limit must be raised
    before that. Anyone else keeps the web's limit.
    """
    if endpoint == "hr_import.upload" and "hr_admin" in session.roles():
        request.max_content_length = files.MAX_FILE_BYTES + files.FORM_ALLOWANCE


@blp.errorhandler(RequestEntityTooLarge)
def too_large(_error):
    """A body over the limit, refused before the view: HR sees the form again."""
    if "hr_admin" not in session.roles():
        return page(404, NOT_FOUND)
    return _form(errors={"file": _too_large()}), 413


@blp.get("/hr/organisation/import")
@session.hr_only
def start():
    return _form()


@blp.post("/hr/organisation/import")
@session.hr_only
def upload():
    whole = request.form.get("whole") == "true"
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _form(errors={"file": _("Choose the file to import.")}, whole=whole), 422
    csv = upload.read(files.MAX_FILE_BYTES + 1)
    if len(csv) > files.MAX_FILE_BYTES:
        return _form(errors={"file": _too_large()}, whole=whole), 413
    try:
        preview = files.send(csv, whole=whole, dry_run=True)
    except ApiError as exc:
        return _refused(exc, whole=whole)
    filename = "".join(c for c in upload.filename if c.isprintable())[-200:]
    token = files.keep(csv, filename=filename, whole=whole, preview=preview)
    return redirect(url_for("hr_import.show", token=token), 303)


@blp.get("/hr/organisation/import/<token>")
@session.hr_only
def show(token: str):
    kept = files.kept(token)
    if kept is None:
        return _gone()
    return _preview(kept)


@blp.post("/hr/organisation/import/<token>")
@session.hr_only
def confirm(token: str):
    kept = files.kept(token)
    if kept is None:
        return _gone()
    if kept.file is None:  # imported already (the button pressed twice)
        return redirect(url_for("hr_import.show", token=token), 303)
    try:
        result = files.send(kept.file, whole=kept.whole, dry_run=False)
    except ApiError as exc:
        if exc.status == 409:
            return _preview(kept, conflict=True), 409
        return _refused(exc, whole=kept.whole, since_preview=True)
    files.imported(kept, result)
    return redirect(url_for("hr_import.show", token=token), 303)


@blp.post("/hr/organisation/import/<token>/cancel")
@session.hr_only
def cancel(token: str):
    files.drop(token)
    return redirect(url_for("hr_import.start"), 303)


def _form(*, errors: dict[str, str] | None = None, whole: bool = False,
          problems: dict | None = None, since_preview: bool = False, gone: bool = False):
    return render_template(
        "pages/hr/import.html", errors=errors or {}, whole=whole, problems=problems,
        since_preview=since_preview, gone=gone, COLUMNS=COLUMNS, PROBLEM_KINDS=PROBLEM_KINDS,
        MESSAGES=MESSAGES, max_mib=files.MAX_FILE_BYTES // 2**20,
        kept_minutes=files.KEPT_SECONDS // 60,
    )


def _refused(exc: ApiError, *, whole: bool, since_preview: bool = False):
    """The import's refusal on the form: a file's problems (422) as a table of them all; the
    organisation changing during the check (409) as a message."""
    if exc.status == 422 and isinstance(exc.errors.get("csv"), list):
        return _form(whole=whole, since_preview=since_preview, problems={
            "listed": exc.errors["csv"], "total": exc.errors.get("total", len(exc.errors["csv"])),
        }), 422
    if exc.status == 409:
        return _form(whole=whole, errors={"file": _(
            "The organisation changed while the file was checked. Upload it again.")}), 409
    if exc.status == 413:
        return _form(whole=whole, errors={"file": _too_large()}), 413
    raise exc


def _preview(kept: files.Kept, *, conflict: bool = False):
    return render_template(
        "pages/hr/import_preview.html", kept=kept, preview=kept.preview,
        changes=kept.preview["changes"], result=kept.result, conflict=conflict,
        COLUMNS=COLUMNS, ROLES=ROLES, LANGUAGES=LANGUAGES,
    )


def _gone():
    """An upload that is no longer kept: it expired, was imported and forgotten, was
    cancelled, or belongs to another session."""
    return _form(gone=True), 410


def _too_large() -> str:
    return _("The file is over %(mib)s MiB, more than the import takes.",
             mib=files.MAX_FILE_BYTES // 2**20)
