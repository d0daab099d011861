"""Who the caller is: their token's subject and roles, their person record, their units."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased

from services.assessment.models import Person, Unit
from shared.auth import Principal

_PARENT = aliased(Unit, name="parent")
# Each list of units the answer holds, and the column naming who holds that place there.
UNIT_LISTS = {"leads": "leader_id", "tr_of": "tr_id", "amr_of": "amr_id",
              "leads_parent_of": "parent_leader_id"}


def describe(session: Session, *, principal: Principal) -> dict:
    """The caller's sub and roles, person (None if the sub names no one) and units by place."""
    sub = principal.sub
    rows = session.execute(
        select(Unit, Unit.leader_id, Unit.tr_id, Unit.amr_id,
               _PARENT.leader_id.label("parent_leader_id"))
        .outerjoin(_PARENT, _PARENT.id == Unit.parent_id)
        .where(or_(Unit.leader_id == sub, Unit.tr_id == sub, Unit.amr_id == sub,
                   _PARENT.leader_id == sub))
    ).all()
    # Sorted here rather than by the database, whose collation differs between backends.
    rows.sort(key=lambda row: (row.Unit.name.casefold(), row.Unit.id))
    return {
        "sub": sub,
        "roles": sorted(principal.roles),
        "person": session.get(Person, sub),
        **{name: [row.Unit for row in rows if getattr(row, column) == sub]
           for name, column in UNIT_LISTS.items()},
    }
