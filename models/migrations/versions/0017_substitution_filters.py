"""substitution during absence (代理), saved inbox filters, and the reply's signer (签发人)

Revision ID: 0017_substitution_filters
Revises: 0016_committee_supervision
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0017_substitution_filters'
down_revision = '0016_committee_supervision'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'substitution',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('absent_id', sa.Integer(), nullable=False),
        sa.Column('substitute_id', sa.Integer(), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=False),
        sa.Column('ends_on', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=200), nullable=True),
        sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
        sa.Column('cancelled_at', models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['absent_id'], ['app_user.id'],
                                name=op.f('fk_substitution_absent_id_app_user')),
        sa.ForeignKeyConstraint(['substitute_id'], ['app_user.id'],
                                name=op.f('fk_substitution_substitute_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_substitution')),
    )
    op.create_index('ix_substitution_substitute', 'substitution', ['substitute_id', 'ends_on'])
    op.create_index('ix_substitution_absent', 'substitution', ['absent_id', 'ends_on'])
    op.create_table(
        'saved_filter',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('query', sa.JSON(), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'],
                                name=op.f('fk_saved_filter_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filter')),
        sa.UniqueConstraint('user_id', 'name', name=op.f('uq_saved_filter_user_id')),
    )
    op.create_index(op.f('ix_saved_filter_user_id'), 'saved_filter', ['user_id'])
    with op.batch_alter_table('reply') as batch:
        batch.add_column(sa.Column('signer', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('signer_substitute', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('reply') as batch:
        batch.drop_column('signer_substitute')
        batch.drop_column('signer')
    op.drop_index(op.f('ix_saved_filter_user_id'), table_name='saved_filter')
    op.drop_table('saved_filter')
    op.drop_index('ix_substitution_absent', table_name='substitution')
    op.drop_index('ix_substitution_substitute', table_name='substitution')
    op.drop_table('substitution')
