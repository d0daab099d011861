"""The organisation: units and people (HR manages them, everyone signed in reads), CSV import."""

from __future__ import annotations

import io
from typing import IO

from flask import request
from flask.views import MethodView
from flask_smorest import abort
from werkzeug.exceptions import RequestEntityTooLarge

from services.assessment import org, org_import
from services.assessment.api.errors import answers_errors
from services.assessment.api.people_data import erase_person
from services.assessment.dialogue_rules import local_today
from services.assessment.schemas.org import (
    ImportArgs,
    ImportResultSchema,
    PersonCreateSchema,
    PersonListArgs,
    PersonSchema,
    PersonUpdateSchema,
    UnitCreateSchema,
    UnitListArgs,
    UnitSchema,
    UnitUpdateSchema,
)
from services.assessment.schemas.people_data import ErasedSchema, PersonChangeSchema
from shared.web.api import Blueprint
from shared.web.auth import current_principal
from shared.web.db import db_session
from shared.web.observability import current_request_id

blp = Blueprint(
    "org", __name__, url_prefix="/api/v1",
    description="Units (a tree, each with a leader and TRIO) and people; HR imports them as CSV.",
    errors={
        401: "No valid bearer token",
        403: "Not an HR admin",
        404: "No such record, or not one you may see",
        409: "The id is taken, the person was erased, or the organisation changed meanwhile",
        413: "The body is over 256 KiB; for the import, the file is over 20 MiB",
        415: "Neither text/csv nor multipart/form-data",
        422: "Invalid input; `errors` names each field (for the import: `csv`, the problems "
             "by line, field, message and kind, and `total`)",
    },
)
MAX_FILE_BYTES = 20 * 1024 * 1024
# Room for what a multipart upload sends besides the file: boundaries, the part's headers.
MULTIPART_ALLOWANCE = 64 * 1024
IMPORT_BODY = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"}},
        "multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}},
        }},
    },
}


def _csv_stream() -> IO[bytes]:
    """The CSV file of the request, to be read as it arrives (413 past MAX_FILE_BYTES)."""
    if request.mimetype == "multipart/form-data":
        _limit_body(MAX_FILE_BYTES + MULTIPART_ALLOWANCE)
        upload = request.files.get("file")  # spooled to a temporary file as it comes
        if upload is None:
            abort(422, message="send the CSV in the multipart field 'file'",
                  errors={"files": {"file": ["Missing data for required field."]}})
        if upload.stream.seek(0, io.SEEK_END) > MAX_FILE_BYTES:
            raise RequestEntityTooLarge()
        upload.stream.seek(0)
        return upload.stream
    if request.mimetype == "text/csv":
        _limit_body(MAX_FILE_BYTES)
        return request.stream
    abort(415, message="send the CSV as text/csv, or as the field 'file' of multipart/form-data")


def _limit_body(max_bytes: int) -> None:
    """413 for a body over max_bytes: at once for its Content-Length, or once reading it passes
    max_bytes. Without a Content-Length, werkzeug refuses a body that reaches its limit (it
    can't tell whether more follows): hence one byte more."""
    request.max_content_length = max_bytes + (request.content_length is None)


@blp.route("/units")
class Units(MethodView):
    @blp.secured(errors=(422,))
    @blp.arguments(UnitListArgs(), location="query")
    @blp.response(200, UnitSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The units, by id (?parent_id= for one unit's children)"""
        units, pagination_parameters.item_count = org.list_units(
            db_session(), parent_id=args.get("parent_id"),
            offset=pagination_parameters.first_item, limit=pagination_parameters.page_size,
        )
        return units

    @blp.secured("hr_admin", errors=(409, 422))
    @blp.arguments(UnitCreateSchema())
    @blp.response(201, UnitSchema)
    @answers_errors
    def post(self, body):
        """Add a unit (HR admins)"""
        return org.create_unit(db_session(), values=body)


@blp.route("/units/<unit_id>")
class UnitView(MethodView):
    @blp.secured(errors=(404,))
    @blp.response(200, UnitSchema)
    @answers_errors
    def get(self, unit_id):
        """One unit"""
        return org.get_unit(db_session(), unit_id=unit_id)

    @blp.secured("hr_admin", errors=(404, 409, 422))
    @blp.arguments(UnitUpdateSchema())
    @blp.response(200, UnitSchema)
    @answers_errors
    def patch(self, body, unit_id):
        """Change some of a unit's fields (HR admins); it may not end up below itself"""
        return org.update_unit(db_session(), unit_id=unit_id, changes=body)


@blp.route("/people")
class People(MethodView):
    @blp.secured(errors=(422,))
    @blp.arguments(PersonListArgs(), location="query")
    @blp.response(200, PersonSchema(many=True))
    @blp.paginate()
    def get(self, args, pagination_parameters):
        """The people you may see, by id (?unit_id= for one unit's, ?id= for some by id,
        ?q= for those whose name or email holds a text)"""
        people, pagination_parameters.item_count = org.list_people(
            db_session(), principal=current_principal(), unit_id=args.get("unit_id"),
            ids=args.get("id"), q=args.get("q"),
            offset=pagination_parameters.first_item, limit=pagination_parameters.page_size,
        )
        return people

    @blp.secured("hr_admin", errors=(409, 422))
    @blp.arguments(PersonCreateSchema())
    @blp.response(201, PersonSchema)
    @answers_errors
    def post(self, body):
        """Add a person (HR admins)"""
        return org.create_person(db_session(), values=body)


@blp.route("/people/<person_id>")
class PersonView(MethodView):
    @blp.secured(errors=(404,))
    @blp.response(200, PersonSchema)
    @answers_errors
    def get(self, person_id):
        """One person: yourself, or (leaders) the people of your units and their TRIOs"""
        return org.get_person(db_session(), person_id=person_id, principal=current_principal())

    @blp.secured("hr_admin", errors=(404, 409, 422))
    @blp.arguments(PersonUpdateSchema())
    @blp.response(200, PersonSchema)
    @answers_errors
    def patch(self, body, person_id):
        """Change some of a person's fields (HR admins); each change goes into their history.
        Setting left_on on someone who had none tells notify they left"""
        return org.update_person(
            db_session(), person_id=person_id, changes=body, principal=current_principal(),
            today=local_today(), request_id=current_request_id(),
        )

    @blp.secured("hr_admin", errors=(404, 409))
    @blp.response(200, ErasedSchema)
    @answers_errors
    def delete(self, person_id):
        """Erase a person (HR admins): a pseudonym replaces the id everywhere, name and email
        are removed, person.erased tells notify; erasing again answers the same"""
        return erase_person(person_id)


@blp.route("/people/<person_id>/history")
class PersonHistory(MethodView):
    @blp.secured(errors=(404,))
    @blp.response(200, PersonChangeSchema(many=True))
    @answers_errors
    def get(self, person_id):
        """Every change to a person's record, oldest first (HR admins, or the person)"""
        return org.history(db_session(), person_id=person_id, principal=current_principal())


@blp.route("/org/import")
class Import(MethodView):
    @blp.secured("hr_admin", errors=(409, 413, 415, 422))
    @blp.doc(requestBody=IMPORT_BODY)
    @blp.arguments(ImportArgs(), location="query")
    @blp.response(200, ImportResultSchema)
    @blp.streams_body
    @answers_errors
    def post(self, args):
        """Create or update units and people from a CSV file (docs/org-import.md); all or nothing.
        ?whole=true: people not in the file leave; ?dry_run=true: a preview that writes nothing"""
        try:
            return org_import.import_csv(
                db_session(), stream=_csv_stream(), principal=current_principal(),
                today=local_today(), request_id=current_request_id(), **args,
            )
        except RequestEntityTooLarge:
            abort(413, message=f"the file may be at most {MAX_FILE_BYTES // 2**20} MiB "
                             f"({MAX_FILE_BYTES:,} bytes)")
        except org_import.Rejected as exc:
            abort(422, message=str(exc), errors={"csv": exc.as_list(), "total": exc.total})
