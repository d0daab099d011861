"""Dead events (stream entries set aside), and dead letters of whole jobs (no person).

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dead_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("stream", sa.String(200), nullable=False),
        sa.Column("entry_id", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(64)),
        sa.Column("type", sa.String(200)),
        sa.Column("entry", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(12), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("replayed_at", sa.DateTime(timezone=True)),
        sa.UniqueConstraint("stream", "entry_id", name="uq_dead_events_stream_entry_id"),
    )
    op.create_index("ix_dead_events_event_id", "dead_events", ["event_id"])
    op.create_index("ix_dead_events_status", "dead_events", ["status"])
    with op.batch_alter_table("dead_letters") as table:
        table.alter_column("person_id", existing_type=sa.String(64), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE dead_letters SET person_id = '' WHERE person_id IS NULL")
    with op.batch_alter_table("dead_letters") as table:
        table.alter_column("person_id", existing_type=sa.String(64), nullable=False)
    op.drop_table("dead_events")
