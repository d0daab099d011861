"""Framework versions: each holds the whole bilingual document; published ones never change."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.outbox import OutboxMixin, utcnow

DRAFT = "draft"
PUBLISHED = "published"


class Base(DeclarativeBase):
    pass


class FrameworkVersion(Base):
    __tablename__ = "framework_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    based_on_id: Mapped[int | None] = mapped_column(ForeignKey("framework_versions.id"))
    document: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by: Mapped[str | None] = mapped_column(String(200))


class Outbox(OutboxMixin, Base):
    pass
