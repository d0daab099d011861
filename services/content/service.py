"""What HR and readers can do with framework versions; plain functions, no Flask."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.content import document as doc
from services.content.models import DRAFT, PUBLISHED, FrameworkVersion, Outbox
from shared.outbox import record_event, utcnow

SEED_FILE = Path(__file__).parent / "data" / "ledelsesgrundlag.json"
EVENT_SOURCE = "/lederdialog/content"
PUBLISHED_EVENT = "lederdialog.framework.published.v1"


class NotFound(Exception):
    """No such version (or not one the caller may see)."""


class Conflict(Exception):
    """The change is not allowed in the version's current state."""


class InvalidTextPath(Exception):
    def __init__(self, index: int, path: str):
        super().__init__(f"no text at path {path!r}")
        self.index = index
        self.path = path


def load_seed() -> dict:
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


def seed_if_empty(session: Session, *, document: dict | None = None) -> FrameworkVersion | None:
    """Publish the source framework as version 1 on a fresh database."""
    if session.scalar(select(func.count()).select_from(FrameworkVersion)):
        return None
    now = utcnow()
    version = FrameworkVersion(
        status=PUBLISHED, document=document or load_seed(), created_by="seed",
        created_at=now, updated_at=now, published_at=now, published_by="seed",
    )
    session.add(version)
    session.commit()
    return version


def current_version(session: Session) -> FrameworkVersion | None:
    return session.scalars(
        select(FrameworkVersion)
        .where(FrameworkVersion.status == PUBLISHED)
        .order_by(FrameworkVersion.published_at.desc(), FrameworkVersion.id.desc())
        .limit(1)
    ).first()


def current_version_id(session: Session) -> int | None:
    return session.scalar(
        select(FrameworkVersion.id)
        .where(FrameworkVersion.status == PUBLISHED)
        .order_by(FrameworkVersion.published_at.desc(), FrameworkVersion.id.desc())
        .limit(1)
    )


def get_version(session: Session, version_id: int, *, include_drafts: bool) -> FrameworkVersion:
    version = session.get(FrameworkVersion, version_id)
    if version is None or (version.status == DRAFT and not include_drafts):
        raise NotFound(f"framework version {version_id} not found")
    return version


def list_versions(session: Session, *, include_drafts: bool) -> list[FrameworkVersion]:
    query = select(FrameworkVersion).order_by(FrameworkVersion.id)
    if not include_drafts:
        query = query.where(FrameworkVersion.status == PUBLISHED)
    return list(session.scalars(query))


def open_draft(session: Session) -> FrameworkVersion | None:
    return session.scalars(select(FrameworkVersion).where(FrameworkVersion.status == DRAFT)).first()


def create_draft(session: Session, *, by: str) -> FrameworkVersion:
    """Start a draft as a copy of the current version; one draft at a time."""
    existing = open_draft(session)
    if existing is not None:
        raise Conflict(f"draft version {existing.id} is already open; edit or delete it first")
    current = current_version(session)
    if current is None:
        raise NotFound("no published framework version to start from")
    now = utcnow()
    draft = FrameworkVersion(
        status=DRAFT, based_on_id=current.id, document=current.document, created_by=by,
        created_at=now, updated_at=now,
    )
    session.add(draft)
    session.commit()
    return draft


def _draft_for_change(session: Session, version_id: int) -> FrameworkVersion:
    version = get_version(session, version_id, include_drafts=True)
    if version.status != DRAFT:
        raise Conflict(f"framework version {version_id} is published and can no longer change")
    return version


def edit_texts(session: Session, *, version_id: int, changes: list[dict]) -> FrameworkVersion:
    """Change texts of a draft; all changes apply or none does."""
    draft = _draft_for_change(session, version_id)
    by_path: dict[str, dict[str, str]] = {}
    known = doc.texts(draft.document)
    for index, change in enumerate(changes):
        if change["path"] not in known:
            raise InvalidTextPath(index, change["path"])
        languages = {lang: change[lang] for lang in doc.LANGUAGES if lang in change}
        by_path.setdefault(change["path"], {}).update(languages)
    draft.document = doc.with_texts(draft.document, by_path)
    draft.updated_at = utcnow()
    session.commit()
    return draft


def delete_draft(session: Session, *, version_id: int) -> None:
    session.delete(_draft_for_change(session, version_id))
    session.commit()


def publish(
    session: Session, *, version_id: int, by: str, request_id: str | None = None
) -> FrameworkVersion:
    """Publish a draft as the current version and record the event in the same transaction."""
    draft = _draft_for_change(session, version_id)
    previous = current_version(session)
    now = utcnow()
    # The status guard makes two concurrent publishes of one draft end in one winner.
    claimed = session.execute(
        update(FrameworkVersion)
        .where(FrameworkVersion.id == version_id, FrameworkVersion.status == DRAFT)
        .values(status=PUBLISHED, published_at=now, published_by=by, updated_at=now)
    ).rowcount
    if claimed != 1:
        session.rollback()
        raise Conflict(f"framework version {version_id} was published meanwhile")
    changes = doc.diff(previous.document, draft.document) if previous else []
    record_event(
        session, Outbox, type=PUBLISHED_EVENT, source=EVENT_SOURCE,
        subject=f"framework/versions/{version_id}", request_id=request_id,
        data={
            "version_id": version_id,
            "previous_version_id": previous.id if previous else None,
            "published_at": now.isoformat(),
            "changed_paths": sorted({change["path"] for change in changes}),
        },
    )
    session.commit()
    session.refresh(draft)
    return draft


def diff_versions(session: Session, *, from_id: int, to_id: int, include_drafts: bool) -> list:
    old = get_version(session, from_id, include_drafts=include_drafts)
    new = get_version(session, to_id, include_drafts=include_drafts)
    return doc.diff(old.document, new.document)
