"""The read log: who read a dialogue's texts, when, and through which channel.

Every read of a dialogue's texts through the API is a row: GET /dialogues/{id}, its
revisions, and a person's export that holds it. The channel says how the texts were read:
`web` when the web's pages asked (they send X-Lederdialog-Channel: web), `email` when
notify read them to send an email (the `service` role), `export` for an export, else `api`.
The channel is what the caller says it is; who read is the token's subject.

The dialogue's leader alone lists its reads: the log tells who else has read it, which the
access rule tells no one else.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from flask import has_request_context, request
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from services.assessment import access
from services.assessment.errors import NotFound
from services.assessment.models import Dialogue, DialogueRead, Person
from shared.auth import Principal
from shared.db import insert_rows
from shared.outbox import utcnow

CHANNEL_HEADER = "X-Lederdialog-Channel"
CHANNELS = ("api", "web", "email", "export")
# Reads of one dialogue by one reader through one channel this close together are one
# visit (a dialogue's page asks for the dialogue and its revisions): one row.
ONE_VISIT = timedelta(seconds=60)


def channel_of(principal: Principal) -> str:
    """How the principal reads in this request: email (notify), web (the pages) or api."""
    if principal.has_any("service"):
        return "email"
    if has_request_context() and request.headers.get(CHANNEL_HEADER, "").lower() == "web":
        return "web"
    return "api"


def record(session: Session, *, dialogue_ids: Iterable[str], reader_id: str,
           channel: str) -> None:
    """Add a read of each dialogue, in one statement, in the caller's transaction."""
    now = utcnow()
    insert_rows(session.connection(), [(DialogueRead.__table__, [
        {"dialogue_id": dialogue_id, "reader_id": reader_id, "channel": channel, "read_at": now}
        for dialogue_id in dialogue_ids
    ])])


def record_read(session: Session, *, principal: Principal, dialogue_id: str) -> None:
    """Record the principal's read of one dialogue through this request, and commit; not
    again within ONE_VISIT of the same reader's last read through the same channel."""
    channel = channel_of(principal)
    just_read = session.scalar(
        select(DialogueRead.id).where(
            DialogueRead.dialogue_id == dialogue_id, DialogueRead.reader_id == principal.sub,
            DialogueRead.channel == channel, DialogueRead.read_at > utcnow() - ONE_VISIT,
        ).limit(1)
    )
    if just_read is None:
        record(session, dialogue_ids=[dialogue_id], reader_id=principal.sub, channel=channel)
        session.commit()




def list_reads(
    session: Session, *, principal: Principal, dialogue_id: str, page: int, page_size: int,
) -> tuple[list[dict], int]:
    """One page of the dialogue's reads, newest first, and how many in all; each reader's
    name where the leader may know it, else None."""
    dialogue = session.get(Dialogue, dialogue_id)
    if dialogue is None:
        raise NotFound(f"dialogue {dialogue_id} not found")
    access.ensure_may_list_reads(session, principal, dialogue)
    of_dialogue = DialogueRead.dialogue_id == dialogue.id
    total = session.scalar(select(func.count()).select_from(DialogueRead).where(of_dialogue))
    rows = session.execute(
        select(DialogueRead.reader_id, Person.name.label("reader_name"), DialogueRead.channel,
               DialogueRead.read_at)
        .outerjoin(Person, and_(Person.id == DialogueRead.reader_id,
                                access.nameable_people(session, principal, dialogue)))
        .where(of_dialogue)
        .order_by(DialogueRead.read_at.desc(), DialogueRead.id.desc())
        .offset((page - 1) * page_size).limit(page_size)
    ).mappings().all()
    return [dict(row) for row in rows], total
