"""hours: entries and week reopenings

Revision ID: 0002_hours
Revises: 0001_foundation
Create Date: 2026-11-25 02:29:31.060286
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0002_hours'
down_revision: str | None = '0001_foundation'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('hour_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('work_date', sa.Date(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['category_id'], ['hour_category.id'], name=op.f('fk_hour_entry_category_id_hour_category'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_hour_entry_team_id_team'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_hour_entry_user_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hour_entry'))
    )
    with op.batch_alter_table('hour_entry', schema=None) as batch_op:
        batch_op.create_index('ix_hour_entry_team_day', ['team_id', 'work_date'], unique=False)
        batch_op.create_index('ix_hour_entry_user_day', ['user_id', 'work_date'], unique=False)

    op.create_table('week_reopening',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('open_until', sa.Date(), nullable=False),
    sa.Column('reopened_by_user_id', sa.Integer(), nullable=True),
    sa.Column('reopened_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reopened_by_user_id'], ['app_user.id'], name=op.f('fk_week_reopening_reopened_by_user_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_week_reopening_team_id_team'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_week_reopening'))
    )
    with op.batch_alter_table('week_reopening', schema=None) as batch_op:
        batch_op.create_index('ix_week_reopening_team_week', ['team_id', 'week_start'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('week_reopening', schema=None) as batch_op:
        batch_op.drop_index('ix_week_reopening_team_week')

    op.drop_table('week_reopening')
    with op.batch_alter_table('hour_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_hour_entry_user_day')
        batch_op.drop_index('ix_hour_entry_team_day')

    op.drop_table('hour_entry')
