"""并案: a rating of the shared reply by the lead deputy of a suggestion merged into the case

Each suggestion merged into another gets the reply and its lead deputy rates it; the rating is a
feedback row of the lead unit's assignment that names the merged suggestion. Existing rows are
the case's own lead deputy's (null).

Revision ID: 0013
Revises: 0012
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('feedback') as batch:
        batch.add_column(sa.Column('suggestion_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_feedback_suggestion_id_suggestion'), 'suggestion',
                                 ['suggestion_id'], ['id'])
        batch.create_index(batch.f('ix_feedback_suggestion_id'), ['suggestion_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('feedback') as batch:
        batch.drop_index(batch.f('ix_feedback_suggestion_id'))
        batch.drop_constraint(batch.f('fk_feedback_suggestion_id_suggestion'), type_='foreignkey')
        batch.drop_column('suggestion_id')
