"""key suggestions' progress reports name their period (mid-year 督办推进会 / November)

Reports filed before (one at the start of handling) have no period.

Revision ID: 0012
Revises: 0011
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('progress_report') as batch:
        batch.add_column(sa.Column('period', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('progress_report') as batch:
        batch.drop_column('period')
