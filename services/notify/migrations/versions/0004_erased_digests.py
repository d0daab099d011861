"""Erased people by the digest of their former id (SHA-256 hex), with their pseudonym.

The ids kept until now are hashed here; their pseudonyms were never told to notify and
stay null.

Revision ID: 0004
Revises: 0003
"""

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _rows(key: str) -> list:
    """The table's rows, their times read as datetimes (SQLite keeps them as text)."""
    table = sa.table("erased_people", sa.column(key, sa.String(64)),
                     sa.column("erased_at", sa.DateTime(timezone=True)))
    return op.get_bind().execute(sa.select(table.c[key], table.c.erased_at)).all()


def _recreate(key: str, extra: list[sa.Column]) -> sa.Table:
    op.drop_table("erased_people")
    return op.create_table(
        "erased_people",
        sa.Column(key, sa.String(64), primary_key=True),
        *extra,
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
    )


def upgrade() -> None:
    rows = _rows("person_id")
    table = _recreate("digest", [sa.Column("pseudonym", sa.String(64))])
    op.bulk_insert(table, [
        {"digest": hashlib.sha256(person_id.encode()).hexdigest(), "pseudonym": None,
         "erased_at": erased_at}
        for person_id, erased_at in rows
    ])


def downgrade() -> None:
    """The former ids cannot come back: their digests stand in for them."""
    rows = _rows("digest")
    table = _recreate("person_id", [])
    op.bulk_insert(table, [{"person_id": digest, "erased_at": erased_at}
                           for digest, erased_at in rows])
