"""The balance figures kept per unit and quarter, and the marks of what to sum up again.

Every dialogue already recorded is marked, so the first insight read sums it up.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None



def _piece() -> list[sa.Column]:
    """The columns naming a piece: a unit and a quarter of a year."""
    return [
        sa.Column("unit_id", sa.String(64), primary_key=True),
        sa.Column("year", sa.SmallInteger(), primary_key=True),
        sa.Column("quarter", sa.SmallInteger(), primary_key=True),
    ]


def upgrade() -> None:
    op.create_table(
        "insight_figures", *_piece(),
        sa.Column("kind", sa.String(12), primary_key=True),
        sa.Column("key", sa.String(64), primary_key=True),
        *(sa.Column(name, sa.Integer(), nullable=False)
          for name in ("dialogues", "rating_sum", "weight_sum", "agreed", "done")),
    )
    op.create_table(
        "insight_people", *_piece(),
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("led", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "insight_open_actions", *_piece(),
        sa.Column("due_on", sa.Date(), primary_key=True),
        sa.Column("actions", sa.Integer(), nullable=False),
    )
    op.create_table(
        "insight_stale",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
    )
    op.create_table(
        "insight_stamp",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("stamp", sa.String(32), nullable=False),
    )
    op.execute("INSERT INTO insight_stale (unit_id, held_on) "
               "SELECT DISTINCT unit_id, held_on FROM dialogues")


def downgrade() -> None:
    for table in ("insight_stamp", "insight_stale", "insight_open_actions", "insight_people",
                  "insight_figures"):
        op.drop_table(table)
