"""golive: dialogue state shared by instances

Revision ID: 0005_golive
Revises: 0004_reminders
Create Date: 2026-11-25 15:21:52.966684
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0005_golive'
down_revision: str | None = '0004_reminders'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('dialogue_chat_data',
    sa.Column('chat_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('chat_id', name=op.f('pk_dialogue_chat_data'))
    )
    with op.batch_alter_table('dialogue_chat_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_chat_data_updated_at'), ['updated_at'], unique=False)

    op.create_table('dialogue_state',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', 'key', name=op.f('pk_dialogue_state'))
    )
    with op.batch_alter_table('dialogue_state', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_state_updated_at'), ['updated_at'], unique=False)

    op.create_table('dialogue_user_data',
    sa.Column('telegram_user_id', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('telegram_user_id', name=op.f('pk_dialogue_user_data'))
    )
    with op.batch_alter_table('dialogue_user_data', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dialogue_user_data_updated_at'), ['updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dialogue_user_data', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_user_data_updated_at'))

    op.drop_table('dialogue_user_data')
    with op.batch_alter_table('dialogue_state', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_state_updated_at'))

    op.drop_table('dialogue_state')
    with op.batch_alter_table('dialogue_chat_data', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dialogue_chat_data_updated_at'))

    op.drop_table('dialogue_chat_data')