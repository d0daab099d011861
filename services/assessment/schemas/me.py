"""Schema of who the caller is (GET /api/v1/me)."""

from __future__ import annotations

from marshmallow import Schema, fields

from services.assessment.schemas.org import PersonSchema, UnitSchema


def _units(description: str) -> fields.List:
    return fields.List(fields.Nested(UnitSchema), metadata={
        "description": f"{description}; sorted by name"
    })


class MeSchema(Schema):
    sub = fields.String(metadata={"description": "The token's subject: a person's id"})
    roles = fields.List(fields.String(), metadata={
        "description": "The token's roles (hr_admin, leader, employee, trio, service), sorted"
    })
    person = fields.Nested(PersonSchema, allow_none=True, metadata={
        "description": "The caller's person record; null if the sub names no person"
    })
    leads = _units("Units the caller leads")
    tr_of = _units("Units where the caller is TR (union representative)")
    amr_of = _units("Units where the caller is AMR (work-environment representative)")
    leads_parent_of = _units("Units whose parent unit the caller leads: the caller is their "
                             "leader's leader")
