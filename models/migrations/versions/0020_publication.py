"""publication of handling results (办理结果公开): the commission's decision on each reply marked
for publication, the text it published, and the public search's index (bitmaps of bigrams and filter values)

Revision ID: 0020_publication
Revises: 0019_notification_delivery
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0020_publication'
down_revision = '0019_notification_delivery'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'publication',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('reply_id', sa.Integer(), nullable=False),
        sa.Column('suggestion_id', sa.Integer(), nullable=False),
        sa.Column('session_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('public_text', sa.Text(), nullable=False),
        sa.Column('search_text', sa.Text(), nullable=False),
        sa.Column('redactions', sa.JSON(), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('decided_by', sa.String(length=64), nullable=False),
        sa.Column('decided_at', models.base.UTCDateTime(), nullable=False),
        sa.Column('published_at', models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['reply_id'], ['reply.id'],
                                name=op.f('fk_publication_reply_id_reply')),
        sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'],
                                name=op.f('fk_publication_suggestion_id_suggestion')),
        sa.ForeignKeyConstraint(['session_id'], ['congress_session.id'],
                                name=op.f('fk_publication_session_id_congress_session')),
        sa.ForeignKeyConstraint(['unit_id'], ['unit.id'],
                                name=op.f('fk_publication_unit_id_unit')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_publication')),
        sa.UniqueConstraint('reply_id', name=op.f('uq_publication_reply_id')),
    )
    op.create_index('ix_publication_status_id', 'publication', ['status', 'id'])
    op.create_index(op.f('ix_publication_suggestion_id'), 'publication', ['suggestion_id'])
    op.create_table(
        'publication_index',
        sa.Column('key', sa.String(length=80), nullable=False),
        sa.Column('bits', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_publication_index')),
    )


def downgrade() -> None:
    op.drop_table('publication_index')
    op.drop_index(op.f('ix_publication_suggestion_id'), table_name='publication')
    op.drop_index('ix_publication_status_id', table_name='publication')
    op.drop_table('publication')
