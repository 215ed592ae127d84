"""Special committees and their supervision (对口督办); suggestions from topical research

committee (name) with the fields it covers (committee_field), app_user.committee_id for its
members, supervision_activity (督办活动: date, form, participants, notes) on a suggestion, and
suggestion.from_research (通过专题调研形成, the bulletin's share; existing rows: false).

Revision ID: 0016_committee_supervision
Revises: 0015_people
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0016_committee_supervision'
down_revision = '0015_people'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'committee',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_committee')),
        sa.UniqueConstraint('name', name=op.f('uq_committee_name')),
    )
    op.create_table(
        'committee_field',
        sa.Column('committee_id', sa.Integer(), nullable=False),
        sa.Column('field', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['committee_id'], ['committee.id'],
                                name=op.f('fk_committee_field_committee_id_committee')),
        sa.PrimaryKeyConstraint('committee_id', 'field', name=op.f('pk_committee_field')),
    )
    op.create_table(
        'supervision_activity',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('suggestion_id', sa.Integer(), nullable=False),
        sa.Column('committee_id', sa.Integer(), nullable=False),
        sa.Column('held_on', sa.String(length=10), nullable=False),
        sa.Column('form', sa.String(length=24), nullable=False),
        sa.Column('participants', sa.Text(), nullable=False),
        sa.Column('notes', sa.Text(), nullable=False),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
        sa.Column('recorded_at', models.base.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['committee_id'], ['committee.id'],
                                name=op.f('fk_supervision_activity_committee_id_committee')),
        sa.ForeignKeyConstraint(['suggestion_id'], ['suggestion.id'],
                                name=op.f('fk_supervision_activity_suggestion_id_suggestion')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_activity')),
    )
    op.create_index(op.f('ix_supervision_activity_committee_id'), 'supervision_activity',
                    ['committee_id'], unique=False)
    op.create_index(op.f('ix_supervision_activity_suggestion_id'), 'supervision_activity',
                    ['suggestion_id'], unique=False)
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('committee_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(batch.f('fk_app_user_committee_id_committee'), 'committee',
                                 ['committee_id'], ['id'])
    with op.batch_alter_table('suggestion') as batch:
        batch.add_column(sa.Column('from_research', sa.Boolean(), server_default=sa.false(),
                                   nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('suggestion') as batch:
        batch.drop_column('from_research')
    with op.batch_alter_table('app_user') as batch:
        batch.drop_constraint(batch.f('fk_app_user_committee_id_committee'), type_='foreignkey')
        batch.drop_column('committee_id')
    op.drop_index(op.f('ix_supervision_activity_suggestion_id'), table_name='supervision_activity')
    op.drop_index(op.f('ix_supervision_activity_committee_id'), table_name='supervision_activity')
    op.drop_table('supervision_activity')
    op.drop_table('committee_field')
    op.drop_table('committee')
