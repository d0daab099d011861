"""Reading the framework: open to everyone, it is the municipality's public document."""

from __future__ import annotations

from flask import current_app, request
from flask.views import MethodView
from flask_smorest import abort

from services.content import service
from services.content.api.common import (
    cache,
    choose_lang,
    current_version_id,
    is_hr_admin,
    json_response,
    published_answer,
    version_or_404,
)
from services.content.document import localize, texts
from services.content.models import PUBLISHED
from services.content.schemas import (
    DiffArgs,
    DiffSchema,
    FocusAreaArgs,
    FocusAreaSchema,
    FrameworkSchema,
    LangArgs,
    QuestionArgs,
    SettingQuestionSchema,
    TextSchema,
    VersionSummarySchema,
)
from shared.web.api import Blueprint
from shared.web.db import db_session

blp = Blueprint(
    "framework", __name__, url_prefix="/api/v1/framework",
    description="The leadership framework: read the current version or any published one.",
    errors={
        401: "A bearer token was sent, and it is not valid",
        404: "No such version, focus area or setting (or nothing is published yet)",
        422: "Invalid query; the errors name each parameter",
    },
)


def _max_age() -> int:
    return current_app.config["FRAMEWORK_MAX_AGE"]


def _framework_response(version_id: int, lang: str):
    version = version_or_404(version_id)
    if version.status != PUBLISHED:
        return json_response(cache().body(version, lang), lang=lang, etag=None, max_age=0)
    return published_answer(version_id, lang, if_none_match=request.if_none_match,
                            body=lambda: cache().body(version, lang), max_age=_max_age())


@blp.route("")
class CurrentFramework(MethodView):
    @blp.public(errors=(404, 422))
    @blp.arguments(LangArgs(), location="query")
    @blp.response(200, FrameworkSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match)")
    def get(self, args):
        """The current published framework, whole, in one language"""
        lang = choose_lang(args)
        version_id = current_version_id()
        return published_answer(
            version_id, lang, if_none_match=request.if_none_match, max_age=_max_age(),
            # A body rendered before needs no database.
            body=lambda: cache().cached_body(version_id, lang)
            or cache().body(version_or_404(version_id), lang),
        )


@blp.route("/versions")
class Versions(MethodView):
    @blp.public()
    @blp.response(200, VersionSummarySchema(many=True))
    def get(self):
        """All published versions (and, for HR admins, the open draft)"""
        return service.list_versions(db_session(), include_drafts=is_hr_admin())


@blp.route("/versions/<int:version_id>")
class Version(MethodView):
    @blp.public(errors=(404, 422))
    @blp.arguments(LangArgs(), location="query")
    @blp.response(200, FrameworkSchema)
    @blp.alt_response(304, description="Not modified (If-None-Match)")
    def get(self, args, version_id):
        """One version, whole, in one language (drafts: HR admins only)"""
        return _framework_response(version_id, choose_lang(args))


@blp.route("/versions/<int:version_id>/texts")
class VersionTexts(MethodView):
    @blp.public(errors=(404,))
    @blp.response(200, TextSchema(many=True))
    def get(self, version_id):
        """Every text of a version in both languages, with the path that edits it"""
        version = version_or_404(version_id)
        return [{"path": path, **node} for path, node in texts(version.document).items()]


@blp.route("/focus-areas/<key>")
class FocusArea(MethodView):
    @blp.public(errors=(404, 422))
    @blp.arguments(FocusAreaArgs(), location="query")
    @blp.response(200, FocusAreaSchema)
    def get(self, args, key):
        """One focus area: its statement, commitments and the leader's role"""
        version = version_or_404(args.get("version") or current_version_id())
        for area in version.document["focus_areas"]:
            if area["key"] == key:
                return localize(area, choose_lang(args))
        abort(404, message=f"focus area {key!r} not found")


@blp.route("/questions")
class Questions(MethodView):
    @blp.public(errors=(404, 422))
    @blp.arguments(QuestionArgs(), location="query")
    @blp.response(200, SettingQuestionSchema(many=True))
    def get(self, args):
        """The reflection questions, of every setting or of one (?setting=KEY)"""
        version = version_or_404(args.get("version") or current_version_id())
        settings = version.document["settings"]
        wanted = args.get("setting")
        if wanted is not None and wanted not in {s["key"] for s in settings}:
            abort(404, message=f"setting {wanted!r} not found")
        lang = choose_lang(args)
        return [
            {"setting": setting["key"], **localize(question, lang)}
            for setting in settings
            if wanted in (None, setting["key"])
            for question in setting["questions"]
        ]


@blp.route("/diff")
class Diff(MethodView):
    @blp.public(errors=(404, 422))
    @blp.arguments(DiffArgs(), location="query")
    @blp.response(200, DiffSchema)
    def get(self, args):
        """Which texts changed between two versions (?from=ID&to=ID), old and new"""
        try:
            changes = service.diff_versions(
                db_session(), from_id=args["from_id"], to_id=args["to_id"],
                include_drafts=is_hr_admin(),
            )
        except service.NotFound as exc:
            abort(404, message=str(exc))
        return {"from_id": args["from_id"], "to_id": args["to_id"], "changes": changes}
