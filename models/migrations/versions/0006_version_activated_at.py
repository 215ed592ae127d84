"""process versions: when new cases began to start on them

Deploying the content of an earlier version again makes it the one new cases start on.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.add_column(sa.Column('activated_at', models.base.UTCDateTime(), nullable=True))
    op.execute("UPDATE process_version SET activated_at = deployed_at")
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.alter_column('activated_at', existing_type=models.base.UTCDateTime(),
                              nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.drop_column('activated_at')
