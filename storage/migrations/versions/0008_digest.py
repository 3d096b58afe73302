"""digest: each lead's digest schedule; an index for sums of hours over a period

Revision ID: 0008_digest
Revises: 0007_faq
Create Date: 2026-11-26 09:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0008_digest'
down_revision: str | None = '0007_faq'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('digest_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('frequency', sa.String(length=10), nullable=True),
    sa.Column('weekday', sa.Integer(), nullable=True),
    sa.Column('local_time', sa.Time(), nullable=True),
    sa.Column('changed_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_sent_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_digest_settings_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_digest_settings'))
    )
    with op.batch_alter_table('hour_entry', schema=None) as batch_op:
        batch_op.create_index('ix_hour_entry_day_sums', ['work_date', 'team_id', 'category_id', 'minutes'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('hour_entry', schema=None) as batch_op:
        batch_op.drop_index('ix_hour_entry_day_sums')

    op.drop_table('digest_settings')
