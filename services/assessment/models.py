"""The organisation, dialogues and actions, in the assessment service's own database."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime
from shared.outbox import OutboxMixin, utcnow

LANGUAGES = ("da", "en")
SETTINGS = ("individual_leader", "work_community", "specific_task", "leader_group")
VISIBILITIES = ("private", "shared")
ACTION_STATUSES = ("open", "in_progress", "done", "dropped")
PARTICIPANT_ROLES = ("leader", "employee", "tr", "amr", "leader_of_leader", "colleague")


class Base(DeclarativeBase):
    pass


class Person(Base):
    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # also the JWT's sub
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    language: Mapped[str] = mapped_column(String(2), default="da")
    # Where the person works; checked by the service (a foreign key would make the
    # tables depend on each other both ways).
    unit_id: Mapped[str | None] = mapped_column(String(64), index=True)
    # The day they left the organisation (None: still here): no more emails from then on.
    left_on: Mapped[date | None] = mapped_column(Date, index=True)
    # Set when the person is erased: the id is then a pseudonym and name and email are gone.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PersonChange(Base):
    """The history of a person's record: each field changed, by whom and when.

    field: name, email, language, unit_id, left_on, or erased (the record was erased:
    the values of name and email in earlier rows are removed then).
    """

    __tablename__ = "person_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(String(64), index=True)
    field: Mapped[str] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(String(320))
    new_value: Mapped[str | None] = mapped_column(String(320))
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Erasure(Base):
    """A person erased: the SHA-256 of their former id (never the id itself) and the
    pseudonym that replaced it, so a second erasure answers as the first did."""

    __tablename__ = "erasures"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    pseudonym: Mapped[str] = mapped_column(String(64), unique=True)
    erased_by: Mapped[str] = mapped_column(String(64))
    erased_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DialogueRead(Base):
    """One read of a dialogue's texts: who, when, through which channel (api, web, email,
    export). Its leader sees them; kept as long as RETENTION_READ_LOG_DAYS says."""

    __tablename__ = "dialogue_reads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dialogue_id: Mapped[str] = mapped_column(String(36), index=True)
    reader_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Unit(Base):
    """A unit of the organisation tree, with its leader and TRIO (leader, TR, AMR)."""

    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), index=True)
    leader_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    tr_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    amr_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Dialogue(Base):
    """The facts of one recorded dialogue; its texts live in its revisions."""

    __tablename__ = "dialogues"
    __table_args__ = (Index("ix_dialogues_unit_held_on", "unit_id", "held_on"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"))
    leader_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    setting: Mapped[str] = mapped_column(String(30))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    framework_version: Mapped[int] = mapped_column(Integer)
    visibility: Mapped[str] = mapped_column(String(10))
    follow_up_on: Mapped[date] = mapped_column(Date, index=True)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    amended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class DialogueRevision(Base):
    """Every recorded version of a dialogue's content; amendments add one, none is overwritten."""

    __tablename__ = "dialogue_revisions"

    dialogue_id: Mapped[str] = mapped_column(ForeignKey("dialogues.id"), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, primary_key=True)
    content: Mapped[dict] = mapped_column(JSON)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    recorded_by: Mapped[str] = mapped_column(String(64))
    # When retention removed its texts (answers, strengths, development areas,
    # reflections); the facts and ratings stay.
    texts_removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Participant(Base):
    __tablename__ = "dialogue_participants"

    dialogue_id: Mapped[str] = mapped_column(ForeignKey("dialogues.id"), primary_key=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20))


class FocusRating(Base):
    """Where we stand (1-5) and the weight for this context (summing to 100) per focus area."""

    __tablename__ = "focus_ratings"

    dialogue_id: Mapped[str] = mapped_column(ForeignKey("dialogues.id"), primary_key=True)
    focus_area: Mapped[str] = mapped_column(String(64), primary_key=True)
    rating: Mapped[int] = mapped_column(SmallInteger)
    weight: Mapped[int] = mapped_column(SmallInteger)


class Action(Base):
    __tablename__ = "actions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dialogue_id: Mapped[str] = mapped_column(ForeignKey("dialogues.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    focus_area: Mapped[str] = mapped_column(String(64))
    commitment: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="open", index=True)
    completion_reflection: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ActionChange(Base):
    """The history of an action: status changes, renegotiated due dates, completion."""

    __tablename__ = "action_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    action_id: Mapped[str] = mapped_column(ForeignKey("actions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # status | due_on | completed | owner
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class InsightFigure(Base):
    """The balance figures of one unit's shared dialogues in one quarter (see insight_store).

    kind and key: ("setting", its key) counts the dialogues; ("focus_area", its key) sums
    their ratings and weights; ("actions", "") counts their actions, and those done.
    """

    __tablename__ = "insight_figures"

    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    quarter: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    dialogues: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    weight_sum: Mapped[int] = mapped_column(Integer, default=0)
    agreed: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)


class InsightPerson(Base):
    """Who led or took part in a unit's shared dialogues of one quarter."""

    __tablename__ = "insight_people"

    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    quarter: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    person_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    led: Mapped[bool] = mapped_column(Boolean, default=False)


class InsightOpenAction(Base):
    """A unit's open actions of one quarter's shared dialogues, by the day they are due."""

    __tablename__ = "insight_open_actions"

    unit_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    quarter: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, primary_key=True)
    actions: Mapped[int] = mapped_column(Integer)


class InsightStale(Base):
    """A unit and day whose quarter's figures must be summed up again before they are read.

    Written with every change to a dialogue or its actions, in the same statement or
    transaction; the insight reads take them away (insight_store.refresh).
    """

    __tablename__ = "insight_stale"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(String(64))
    held_on: Mapped[date] = mapped_column(Date)


class InsightStamp(Base):
    """Changes whenever the kept figures do (one row): a cached block structure made from
    figures with another stamp is out of date."""

    __tablename__ = "insight_stamp"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    stamp: Mapped[str] = mapped_column(String(32))


class Outbox(OutboxMixin, Base):
    pass
