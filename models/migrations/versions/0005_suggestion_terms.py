"""suggestion terms kept for the repeated-suggestion search

Existing suggestions get their word counts from the scheduler (a batch per tick) or on first use.

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'suggestion_terms',
        sa.Column('suggestion_id', sa.Integer(), nullable=False),
        sa.Column('text_key', sa.String(length=32), nullable=False),
        sa.Column('text_length', sa.Integer(), nullable=False),
        sa.Column('counts', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'], ),
        sa.PrimaryKeyConstraint('suggestion_id'),
    )


def downgrade() -> None:
    op.drop_table('suggestion_terms')
