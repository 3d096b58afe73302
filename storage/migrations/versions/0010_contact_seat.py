"""contact seat: the team seat a provider's contact person holds

Revision ID: 0010_contact_seat
Revises: 0009_meeting_invitees
Create Date: 2026-12-04 18:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010_contact_seat'
down_revision: str | None = '0009_meeting_invitees'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('provider_contact', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seat_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_provider_contact_seat_id_team_seat'), 'team_seat', ['seat_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('provider_contact', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_provider_contact_seat_id_team_seat'), type_='foreignkey')
        batch_op.drop_column('seat_id')
