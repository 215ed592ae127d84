"""login_session (sessions that end on logout, password change and idleness) and login_name
(failed logins under names that are no account, counted like an account's)

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
        sa.Column('last_seen_at', models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE',
                                name=op.f('fk_login_session_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_session')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_login_session_token_hash')),
    )
    op.create_index(op.f('ix_login_session_user_id'), 'login_session', ['user_id'])
    op.create_index(op.f('ix_login_session_last_seen_at'), 'login_session', ['last_seen_at'])
    op.create_table(
        'login_name',
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('failed_logins', sa.Integer(), nullable=False),
        sa.Column('locked_until', models.base.UTCDateTime(), nullable=True),
        sa.Column('last_failure_at', models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('username', name=op.f('pk_login_name')),
    )
    op.create_index(op.f('ix_login_name_last_failure_at'), 'login_name', ['last_failure_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_login_name_last_failure_at'), table_name='login_name')
    op.drop_table('login_name')
    op.drop_index(op.f('ix_login_session_last_seen_at'), table_name='login_session')
    op.drop_index(op.f('ix_login_session_user_id'), table_name='login_session')
    op.drop_table('login_session')
