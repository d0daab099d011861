"""Who may see and do what, object by object (docs/architecture.md, "Who may learn what").

- A private dialogue is its leader's alone.
- A shared dialogue is visible to its participants, the unit's leader and TRIO
  (TR, AMR) and the leader's leader (the leader of the parent unit).
- HR admins manage the organisation and see insights, never dialogue texts (a person's
  export, which HR may fetch for them, holds what the person may read: `may_see_personal_data`).
- A dialogue's read log is its leader's alone (`ensure_may_list_reads`).
- A person's name: whoever may read a dialogue learns the names of the people it names
  (its leader, participants and action owners); anyone else by the people rule
  (`readable_people`).
- The `service` role (notify) reads what it needs to send emails, and is told who
  may read each dialogue (`readers`) so that it emails a dialogue's texts to them alone.
Callers who may not know a record exists get NotFound, not Forbidden.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session, aliased

from services.assessment.errors import Forbidden, NotFound
from services.assessment.models import Action, Dialogue, Participant, Person, Unit
from shared.auth import Principal

ONLY_THE_LEADER = "only the dialogue's leader sees who read it"
HR_NO_TEXTS = "HR admins see aggregated insights, never the texts of a dialogue"
_PARENT = aliased(Unit, name="parent_unit")
# Roles that read dialogue texts; an HR admin holding one of them reads as that role does.
READER_ROLES = ("leader", "employee", "trio", "service")


def units_led(session: Session, person_id: str) -> set[str]:
    return set(session.scalars(select(Unit.id).where(Unit.leader_id == person_id)))


def subtree(session: Session, root_ids: set[str]) -> set[str]:
    """The units given and every unit below them.

    One statement reads the whole tree (id and parent of every unit) and the walk down it
    happens here: the cost is the organisation's size, never a query per level, and no
    query planner has to guess how deep a recursion goes.
    """
    found = set(root_ids)
    if not found:
        return found
    children: dict[str, list[str]] = {}
    for unit_id, parent_id in session.execute(
        select(Unit.id, Unit.parent_id).where(Unit.parent_id.is_not(None))
    ):
        children.setdefault(parent_id, []).append(unit_id)
    unvisited = list(found)
    while unvisited:
        for child in children.get(unvisited.pop(), ()):
            if child not in found:
                found.add(child)
                unvisited.append(child)
    return found


def shared_audience(session: Session, dialogue: Dialogue) -> set[str]:
    """Everyone who may read a shared dialogue."""
    audience = set(session.scalars(
        select(Participant.person_id).where(Participant.dialogue_id == dialogue.id)
    ))
    unit = session.get(Unit, dialogue.unit_id)
    audience |= {unit.leader_id, unit.tr_id, unit.amr_id}
    if unit.parent_id:
        audience.add(session.get(Unit, unit.parent_id).leader_id)
    audience.add(dialogue.leader_id)
    audience.discard(None)
    return audience


def readers(session: Session, dialogue: Dialogue) -> set[str]:
    """The people who may read the dialogue: its leader alone if private, else the shared
    audience. Notify emails the dialogue's texts to these people and no one else."""
    if dialogue.visibility != "shared":
        return {dialogue.leader_id}
    return shared_audience(session, dialogue)


def owners_told_of_their_actions(session: Session, dialogue: Dialogue) -> set[str]:
    """Owners of the dialogue's actions who are no readers: they are told of their own
    actions alone. Of a private dialogue no one but its leader is told anything."""
    if dialogue.visibility != "shared":
        return set()
    owners = set(session.scalars(select(Action.owner_id).where(Action.dialogue_id == dialogue.id)))
    return owners - readers(session, dialogue)


def may_read_dialogue(session: Session, principal: Principal, dialogue: Dialogue) -> bool:
    if principal.has_any("service"):
        return True
    # The leader is always a reader; asking first spares the leader's reads the queries.
    return principal.sub == dialogue.leader_id or principal.sub in readers(session, dialogue)


def ensure_may_read_dialogue(session: Session, principal: Principal, dialogue: Dialogue) -> None:
    """Raise unless the principal may read the dialogue (HR: 403; anyone else: 404)."""
    if may_read_dialogue(session, principal, dialogue):
        return
    if principal.has_any("hr_admin"):
        raise Forbidden(HR_NO_TEXTS)
    raise NotFound(f"dialogue {dialogue.id} not found")


def ensure_may_list_texts(principal: Principal) -> None:
    """Refuse (403) an HR admin holding no reader role: HR never lists dialogue texts."""
    if principal.has_any("hr_admin") and not principal.has_any(*READER_ROLES):
        raise Forbidden(HR_NO_TEXTS)


def readable_dialogues(principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause selecting the dialogues the principal may read (for listings).

    It asks the database nothing itself: the units where the principal is in the TRIO or
    leads the parent unit are subqueries of the clause, so a listing takes one statement.
    """
    if principal.has_any("service"):
        return Dialogue.id.is_not(None)
    sub = principal.sub
    trio_units = select(Unit.id).where(
        or_(Unit.leader_id == sub, Unit.tr_id == sub, Unit.amr_id == sub)
    )
    below_led = select(Unit.id).join(_PARENT, _PARENT.id == Unit.parent_id).where(
        _PARENT.leader_id == sub
    )
    as_participant = select(Participant.dialogue_id).where(Participant.person_id == sub)
    return or_(
        Dialogue.leader_id == sub,
        (Dialogue.visibility == "shared") & or_(
            Dialogue.unit_id.in_(trio_units),
            Dialogue.unit_id.in_(below_led),
            Dialogue.id.in_(as_participant),
        ),
    )


def readable_actions(
    principal: Principal, dialogues_readable: ColumnElement[bool]
) -> ColumnElement[bool]:
    """A WHERE clause selecting the actions the principal may see: their own, and those of
    the dialogues they may read (`dialogues_readable`: their readable_dialogues, passed in
    so a query may also show it). For a query of actions joined to their dialogues."""
    return or_(Action.owner_id == principal.sub, dialogues_readable)


def may_name_owner(principal: Principal, owner_id: str, *, dialogue_readable: bool) -> bool:
    """Whether a listed action's owner may be named to the principal: to the readers of its
    dialogue (which names its action owners, as GET /dialogues/{id} `people` does) and to
    the owner themselves."""
    return dialogue_readable or owner_id == principal.sub


def readable_people(session: Session, principal: Principal) -> ColumnElement[bool]:
    """A WHERE clause for the people the principal may see (HR and notify: everyone)."""
    if principal.has_any("hr_admin", "service"):
        return true()
    below = subtree(session, units_led(session, principal.sub))
    trios = session.execute(
        select(Unit.leader_id, Unit.tr_id, Unit.amr_id).where(Unit.id.in_(below))
    )
    trio_ids = {person_id for row in trios for person_id in row if person_id}
    return or_(
        Person.id == principal.sub, Person.unit_id.in_(below), Person.id.in_(trio_ids)
    )

def ensure_may_list_reads(session: Session, principal: Principal, dialogue: Dialogue) -> None:
    """Only the dialogue's leader lists its reads. Whoever may not know the dialogue exists
    gets 404 and HR 403, as for its texts; its other readers know it exists, and are told
    (403) that its reads are not theirs to see."""
    ensure_may_read_dialogue(session, principal, dialogue)
    if principal.sub != dialogue.leader_id:
        raise Forbidden(ONLY_THE_LEADER)


def nameable_people(
    session: Session, principal: Principal, dialogue: Dialogue
) -> ColumnElement[bool]:
    """A WHERE clause for the people a reader of the dialogue may know by name: those the
    dialogue names (its leader, participants and action owners), and whoever the people
    rule shows the principal."""
    return or_(
        Person.id == dialogue.leader_id,
        Person.id.in_(select(Participant.person_id)
                      .where(Participant.dialogue_id == dialogue.id)),
        Person.id.in_(select(Action.owner_id).where(Action.dialogue_id == dialogue.id)),
        readable_people(session, principal),
    )


def may_see_personal_data(principal: Principal, person_id: str) -> bool:
    """The person themself and HR admins, who answer a request for it on the person's
    behalf (one who has left can no longer sign in)."""
    return principal.sub == person_id or principal.has_any("hr_admin")
