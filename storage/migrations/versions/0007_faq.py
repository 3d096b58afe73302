"""faq: questions asked in the chat, feedback, entries written by leads

Revision ID: 0007_faq
Revises: 0006_privacy
Create Date: 2026-11-25 15:28:35.613723
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types


revision: str = '0007_faq'
down_revision: str | None = '0006_privacy'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('faq_question',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('asked_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('entry_key', sa.String(length=40), nullable=True),
    sa.Column('suggestions', sa.JSON(), nullable=False),
    sa.Column('forwarded_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['answered_by_id'], ['app_user.id'], name=op.f('fk_faq_question_answered_by_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_faq_question_user_id_app_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_question'))
    )
    with op.batch_alter_table('faq_question', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faq_question_asked_at'), ['asked_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_faq_question_entry_key'), ['entry_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_faq_question_outcome'), ['outcome'], unique=False)
        batch_op.create_index(batch_op.f('ix_faq_question_user_id'), ['user_id'], unique=False)

    op.create_table('faq_chat_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=8), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('source_question_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_faq_chat_entry_created_by_id_app_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_question_id'], ['faq_question.id'], name=op.f('fk_faq_chat_entry_source_question_id_faq_question'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_chat_entry')),
    sa.UniqueConstraint('key', name=op.f('uq_faq_chat_entry_key')),
    sa.UniqueConstraint('source_question_id', name=op.f('uq_faq_chat_entry_source_question_id'))
    )
    op.create_table('faq_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('entry_key', sa.String(length=40), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=True),
    sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['faq_question.id'], name=op.f('fk_faq_feedback_question_id_faq_question'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_faq_feedback_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_feedback')),
    sa.UniqueConstraint('user_id', 'entry_key', name=op.f('uq_faq_feedback_user_id'))
    )
    with op.batch_alter_table('faq_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faq_feedback_entry_key'), ['entry_key'], unique=False)

    op.create_table('faq_notice',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.BigInteger(), nullable=False),
    sa.Column('message_id', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['faq_question.id'], name=op.f('fk_faq_notice_question_id_faq_question'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_faq_notice_user_id_app_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_faq_notice'))
    )
    with op.batch_alter_table('faq_notice', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faq_notice_question_id'), ['question_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('faq_notice', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_notice_question_id'))

    op.drop_table('faq_notice')
    with op.batch_alter_table('faq_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_feedback_entry_key'))

    op.drop_table('faq_feedback')
    op.drop_table('faq_chat_entry')
    with op.batch_alter_table('faq_question', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faq_question_user_id'))
        batch_op.drop_index(batch_op.f('ix_faq_question_outcome'))
        batch_op.drop_index(batch_op.f('ix_faq_question_entry_key'))
        batch_op.drop_index(batch_op.f('ix_faq_question_asked_at'))

    op.drop_table('faq_question')
