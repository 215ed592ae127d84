"""Notifications by mail: app_user.email and .language, mail_preference (which kinds a user
receives by mail) and mail_outbox (the notices waiting to be sent, sent or given up)

Revision ID: 0019_notification_delivery
Revises: 0018_intake
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0019_notification_delivery'
down_revision = '0018_intake'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('app_user', sa.Column('email', sa.String(length=254), nullable=True))
    op.add_column('app_user', sa.Column('language', sa.String(length=8), nullable=True))
    op.create_table(
        'mail_preference',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('username', 'kind', name=op.f('pk_mail_preference')),
    )
    op.create_table(
        'mail_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', models.base.UTCDateTime(), nullable=False),
        sa.Column('claim', sa.String(length=32), nullable=True),
        sa.Column('claimed_at', models.base.UTCDateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
        sa.Column('sent_at', models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['notification_id'], ['notification.id'],
                                name=op.f('fk_mail_outbox_notification_id_notification')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')),
        sa.UniqueConstraint('notification_id', name=op.f('uq_mail_outbox_notification_id')),
    )
    op.create_index('ix_mail_outbox_due', 'mail_outbox', ['status', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_mail_outbox_due', table_name='mail_outbox')
    op.drop_table('mail_outbox')
    op.drop_table('mail_preference')
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('language')
        batch.drop_column('email')
