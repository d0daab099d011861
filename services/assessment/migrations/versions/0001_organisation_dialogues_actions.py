"""The organisation, dialogues with their revisions, actions and the outbox.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('event_id', sa.String(length=36), nullable=False),
    sa.Column('type', sa.String(length=200), nullable=False),
    sa.Column('envelope', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('event_id')
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_published_at'), ['published_at'], unique=False)

    op.create_table('people',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_people_unit_id'), ['unit_id'], unique=False)

    op.create_table('units',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('parent_id', sa.String(length=64), nullable=True),
    sa.Column('leader_id', sa.String(length=64), nullable=True),
    sa.Column('tr_id', sa.String(length=64), nullable=True),
    sa.Column('amr_id', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['amr_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['leader_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['parent_id'], ['units.id'], ),
    sa.ForeignKeyConstraint(['tr_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_amr_id'), ['amr_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_leader_id'), ['leader_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_units_tr_id'), ['tr_id'], unique=False)

    op.create_table('dialogues',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('unit_id', sa.String(length=64), nullable=False),
    sa.Column('leader_id', sa.String(length=64), nullable=False),
    sa.Column('setting', sa.String(length=30), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('framework_version', sa.Integer(), nullable=False),
    sa.Column('visibility', sa.String(length=10), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('amended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['leader_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('dialogues', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogues_follow_up_on'), ['follow_up_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_dialogues_held_on'), ['held_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_dialogues_leader_id'), ['leader_id'], unique=False)
        batch_op.create_index('ix_dialogues_unit_held_on', ['unit_id', 'held_on'], unique=False)

    op.create_table('actions',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('dialogue_id', sa.String(length=36), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.String(length=64), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('focus_area', sa.String(length=64), nullable=False),
    sa.Column('commitment', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('completion_reflection', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], ),
    sa.ForeignKeyConstraint(['owner_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_dialogue_id'), ['dialogue_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_due_on'), ['due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actions_status'), ['status'], unique=False)

    op.create_table('dialogue_participants',
    sa.Column('dialogue_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.PrimaryKeyConstraint('dialogue_id', 'person_id')
    )
    with op.batch_alter_table('dialogue_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_participants_person_id'), ['person_id'], unique=False)

    op.create_table('dialogue_revisions',
    sa.Column('dialogue_id', sa.String(length=36), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], ),
    sa.PrimaryKeyConstraint('dialogue_id', 'revision')
    )
    op.create_table('focus_ratings',
    sa.Column('dialogue_id', sa.String(length=36), nullable=False),
    sa.Column('focus_area', sa.String(length=64), nullable=False),
    sa.Column('rating', sa.SmallInteger(), nullable=False),
    sa.Column('weight', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['dialogue_id'], ['dialogues.id'], ),
    sa.PrimaryKeyConstraint('dialogue_id', 'focus_area')
    )
    op.create_table('action_changes',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('action_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('old_value', sa.String(length=200), nullable=True),
    sa.Column('new_value', sa.String(length=200), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('changed_by', sa.String(length=64), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('action_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_changes_action_id'), ['action_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('action_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_changes_action_id'))

    op.drop_table('action_changes')
    op.drop_table('focus_ratings')
    op.drop_table('dialogue_revisions')
    with op.batch_alter_table('dialogue_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_participants_person_id'))

    op.drop_table('dialogue_participants')
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_status'))
        batch_op.drop_index(batch_op.f('ix_actions_owner_id'))
        batch_op.drop_index(batch_op.f('ix_actions_due_on'))
        batch_op.drop_index(batch_op.f('ix_actions_dialogue_id'))

    op.drop_table('actions')
    with op.batch_alter_table('dialogues', schema=None) as batch_op:
        batch_op.drop_index('ix_dialogues_unit_held_on')
        batch_op.drop_index(batch_op.f('ix_dialogues_leader_id'))
        batch_op.drop_index(batch_op.f('ix_dialogues_held_on'))
        batch_op.drop_index(batch_op.f('ix_dialogues_follow_up_on'))

    op.drop_table('dialogues')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_tr_id'))
        batch_op.drop_index(batch_op.f('ix_units_parent_id'))
        batch_op.drop_index(batch_op.f('ix_units_leader_id'))
        batch_op.drop_index(batch_op.f('ix_units_amr_id'))

    op.drop_table('units')
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_people_unit_id'))

    op.drop_table('people')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_published_at'))

    op.drop_table('outbox')

