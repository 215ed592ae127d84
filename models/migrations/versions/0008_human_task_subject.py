"""human_task.subject: what a task is about beyond its step (BPMN property `subject`)

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('human_task', sa.Column('subject', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('human_task') as batch:
        batch.drop_column('subject')
