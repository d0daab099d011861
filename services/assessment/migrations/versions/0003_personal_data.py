"""Personal data: people who left or were erased, a person's history, erasures, the read log,
and texts removed by retention.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("people") as batch_op:
        batch_op.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("erased_at", UTC_DATETIME, nullable=True))
        batch_op.create_index("ix_people_left_on", ["left_on"])
    with op.batch_alter_table("dialogue_revisions") as batch_op:
        batch_op.add_column(sa.Column("texts_removed_at", UTC_DATETIME, nullable=True))
    op.create_table(
        "person_changes",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("field", sa.String(20), nullable=False),
        sa.Column("old_value", sa.String(320), nullable=True),
        sa.Column("new_value", sa.String(320), nullable=True),
        sa.Column("changed_by", sa.String(64), nullable=False),
        sa.Column("changed_at", UTC_DATETIME, nullable=False),
    )
    op.create_index("ix_person_changes_person_id", "person_changes", ["person_id"])
    op.create_table(
        "erasures",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("pseudonym", sa.String(64), nullable=False, unique=True),
        sa.Column("erased_by", sa.String(64), nullable=False),
        sa.Column("erased_at", UTC_DATETIME, nullable=False),
    )
    op.create_table(
        "dialogue_reads",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dialogue_id", sa.String(36), nullable=False),
        sa.Column("reader_id", sa.String(64), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("read_at", UTC_DATETIME, nullable=False),
    )
    op.create_index("ix_dialogue_reads_dialogue_id", "dialogue_reads", ["dialogue_id"])
    op.create_index("ix_dialogue_reads_reader_id", "dialogue_reads", ["reader_id"])
    op.create_index("ix_dialogue_reads_read_at", "dialogue_reads", ["read_at"])


def downgrade() -> None:
    for table in ("dialogue_reads", "erasures", "person_changes"):
        op.drop_table(table)
    with op.batch_alter_table("dialogue_revisions") as batch_op:
        batch_op.drop_column("texts_removed_at")
    with op.batch_alter_table("people") as batch_op:
        batch_op.drop_index("ix_people_left_on")
        batch_op.drop_column("erased_at")
        batch_op.drop_column("left_on")
