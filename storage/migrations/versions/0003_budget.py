"""budget: FuA budgets, requests, deputies

Revision ID: 0003_budget
Revises: 0002_hours
Create Date: 2026-11-25 01:58:20.672440
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0003_budget'
down_revision: str | None = '0002_hours'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('budget_counter',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_budget_counter'))
    )
    op.create_table('budget',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('allocated_cents', sa.BigInteger(), nullable=False),
    sa.Column('file_cents', sa.BigInteger(), nullable=True),
    sa.Column('is_example', sa.Boolean(), nullable=False),
    sa.Column('updated_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('allocated_cents >= 0', name=op.f('ck_budget_allocated_not_negative')),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_budget_region_id_region'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget')),
    sa.UniqueConstraint('region_id', 'year', name=op.f('uq_budget_region_id'))
    )
    op.create_table('budget_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('amount_cents', sa.BigInteger(), nullable=False),
    sa.Column('approved_cents', sa.BigInteger(), nullable=True),
    sa.Column('actual_cents', sa.BigInteger(), nullable=True),
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('raised_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_cents > 0', name=op.f('ck_budget_request_amount_positive')),
    sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_budget_request_budget_id_budget'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['app_user.id'], name=op.f('fk_budget_request_decided_by_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['requester_id'], ['app_user.id'], name=op.f('fk_budget_request_requester_id_app_user'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_budget_request_team_id_team'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_request')),
    sa.UniqueConstraint('number', name=op.f('uq_budget_request_number'))
    )
    with op.batch_alter_table('budget_request', schema=None) as batch_op:
        batch_op.create_index('ix_budget_request_budget_state', ['budget_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_budget_request_state'), ['state'], unique=False)

    op.create_table('budget_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('budget_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('allocated_cents', sa.BigInteger(), nullable=False),
    sa.Column('file_cents', sa.BigInteger(), nullable=True),
    sa.CheckConstraint('allocated_cents >= 0', name=op.f('ck_budget_share_allocated_not_negative')),
    sa.ForeignKeyConstraint(['budget_id'], ['budget.id'], name=op.f('fk_budget_share_budget_id_budget'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['team_id'], ['team.id'], name=op.f('fk_budget_share_team_id_team'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_share')),
    sa.UniqueConstraint('budget_id', 'team_id', name=op.f('uq_budget_share_budget_id'))
    )
    op.create_table('lead_deputy',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('lead_id', sa.Integer(), nullable=False),
    sa.Column('deputy_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('until', sa.Date(), nullable=False),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['deputy_id'], ['app_user.id'], name=op.f('fk_lead_deputy_deputy_id_app_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lead_id'], ['app_user.id'], name=op.f('fk_lead_deputy_lead_id_app_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['region.id'], name=op.f('fk_lead_deputy_region_id_region'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lead_deputy'))
    )
    with op.batch_alter_table('lead_deputy', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lead_deputy_lead_id'), ['lead_id'], unique=False)

    op.create_table('budget_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['budget_request.id'], name=op.f('fk_budget_notice_request_id_budget_request'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_budget_notice_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_notice'))
    )
    with op.batch_alter_table('budget_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_notice_request_id'), ['request_id'], unique=False)

    op.create_table('budget_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('asked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['asked_by_id'], ['app_user.id'], name=op.f('fk_budget_question_asked_by_id_app_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['budget_request.id'], name=op.f('fk_budget_question_request_id_budget_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_budget_question'))
    )
    with op.batch_alter_table('budget_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_budget_question_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('budget_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_question_request_id'))

    op.drop_table('budget_question')
    with op.batch_alter_table('budget_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_notice_request_id'))

    op.drop_table('budget_notice')
    with op.batch_alter_table('lead_deputy', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lead_deputy_lead_id'))

    op.drop_table('lead_deputy')
    op.drop_table('budget_share')
    with op.batch_alter_table('budget_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_budget_request_state'))
        batch_op.drop_index('ix_budget_request_budget_state')

    op.drop_table('budget_request')
    op.drop_table('budget')
    op.drop_table('budget_counter')
