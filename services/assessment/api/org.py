"""The organisation: units and people (HR manages them, everyone signed in reads), CSV import."""

from __future__ import annotations

from flask import request
from flask.views import MethodView
from flask_smorest import abort

from services.assessment import org, org_import
from services.assessment.api.errors import answers_errors
from services.assessment.schemas.org import (
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
from shared.web.api import Blueprint
from shared.web.auth import current_principal
from shared.web.db import db_session

blp = Blueprint(
    "org", __name__, url_prefix="/api/v1",
    description="Units (a tree, each with a leader and TRIO) and people; HR imports them as CSV.",
    errors={
        401: "No valid bearer token",
        403: "Not an HR admin",
        404: "No such record, or not one you may see",
        409: "The id is taken, or the organisation changed meanwhile",
        413: "The body is over 256 KiB",
        415: "Neither text/csv nor multipart/form-data",
        422: "Invalid input; `errors` names each field (for the import: line, field, message)",
    },
)
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


def _csv_body() -> bytes:
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            abort(422, message="send the CSV in the multipart field 'file'",
                  errors={"files": {"file": ["Missing data for required field."]}})
        return upload.read()
    if request.mimetype == "text/csv":
        return request.get_data()
    abort(415, message="send the CSV as text/csv, or as the field 'file' of multipart/form-data")


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
        """The people you may see, by id (?unit_id= for one unit's, ?id= for some by id)"""
        people, pagination_parameters.item_count = org.list_people(
            db_session(), principal=current_principal(), unit_id=args.get("unit_id"),
            ids=args.get("id"),
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
        """Change some of a person's fields (HR admins)"""
        return org.update_person(db_session(), person_id=person_id, changes=body)


@blp.route("/org/import")
class Import(MethodView):
    @blp.secured("hr_admin", errors=(409, 413, 415, 422))
    @blp.doc(requestBody=IMPORT_BODY)
    @blp.response(200, ImportResultSchema)
    @answers_errors
    def post(self):
        """Create or update units and people from a CSV file (docs/org-import.md); all or nothing"""
        try:
            return org_import.import_csv(db_session(), data=_csv_body())
        except org_import.Rejected as exc:
            abort(422, message=str(exc), errors={"csv": exc.as_list()})
