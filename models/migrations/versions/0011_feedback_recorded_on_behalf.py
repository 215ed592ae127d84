"""feedback recorded on the deputy's behalf (代录): a flag on each rating and on the final one

A lead deputy without a login gives feedback on paper and the commission records it; the figures
tell such ratings apart. Existing feedback was given by the deputies themselves (false).

Revision ID: 0011
Revises: 0010
"""
from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feedback') as batch:
        batch.add_column(sa.Column('recorded_on_behalf', sa.Boolean(), server_default='0',
                                   nullable=False))
    with op.batch_alter_table('assignment') as batch:
        batch.add_column(sa.Column('feedback_recorded_on_behalf', sa.Boolean(),
                                   server_default='0', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('assignment') as batch:
        batch.drop_column('feedback_recorded_on_behalf')
    with op.batch_alter_table('feedback') as batch:
        batch.drop_column('recorded_on_behalf')
