"""failed logins per network address (throttling password spraying)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'login_failure',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('at', models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_login_failure_address_at', 'login_failure', ['address', 'at'])


def downgrade() -> None:
    op.drop_index('ix_login_failure_address_at', table_name='login_failure')
    op.drop_table('login_failure')
