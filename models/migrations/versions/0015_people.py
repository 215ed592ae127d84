"""Organisation and people: unit kinds 政府部门/党群/其他, deputies' delegation and e-mail, the
first-login password change, and one-time password links

`unit.kind` was government | non_government; non_government becomes `other` (the kinds are now
government, party_mass, other). Accounts that exist keep their passwords (no forced change).

Revision ID: 0015_people
Revises: 0014_lanes_and_roles
"""
from alembic import op
import sqlalchemy as sa
import models.base


revision = '0015_people'
down_revision = '0014_lanes_and_roles'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE unit SET kind = 'other' WHERE kind = 'non_government'")
    with op.batch_alter_table('deputy') as batch:
        batch.add_column(sa.Column('delegation', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('email', sa.String(length=128), nullable=True))
    with op.batch_alter_table('app_user') as batch:
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), server_default='0',
                                   nullable=False))
    op.create_table(
        'password_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', models.base.UTCDateTime(), nullable=False),
        sa.Column('expires_at', models.base.UTCDateTime(), nullable=False),
        sa.Column('used_at', models.base.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE',
                                name=op.f('fk_password_link_user_id_app_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_password_link')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_password_link_token_hash')),
    )
    op.create_index(op.f('ix_password_link_user_id'), 'password_link', ['user_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_password_link_user_id'), table_name='password_link')
    op.drop_table('password_link')
    with op.batch_alter_table('app_user') as batch:
        batch.drop_column('must_change_password')
    with op.batch_alter_table('deputy') as batch:
        batch.drop_column('email')
        batch.drop_column('delegation')
    op.execute("UPDATE unit SET kind = 'government' WHERE kind = 'party_mass'")
    op.execute("UPDATE unit SET kind = 'non_government' WHERE kind = 'other'")
