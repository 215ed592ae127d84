"""Lanes and roles as data: lane_rule (who does a lane's tasks), start_permission (who may start
a process) and role (the built-in nine, and roles an administrator adds)

The rows are written here literally (migrations import no application code);
tests/models/test_migrations.py checks they equal workflows.lanes.DEFAULT_RULES,
workflows.starting.DEFAULT_START and models.ROLE_NAMES.

Revision ID: 0014_lanes_and_roles
Revises: 0013
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa
import models.base


revision = '0014_lanes_and_roles'
down_revision = '0013'
branch_labels = None
depends_on = None

ROLES = [
    ("commission", "代表工委", "Commission staff"),
    ("unit_handler", "承办处室", "Unit handler"),
    ("reviewer", "分管负责同志", "Deputy head (reviewer)"),
    ("signer", "主要负责同志", "Principal head (signer)"),
    ("deputy", "代表", "Deputy"),
    ("provincial_leader", "省领导", "Provincial leader"),
    ("committee", "专门委员会", "Special committee"),
    ("designer", "流程设计", "Process designer"),
    ("admin", "管理员", "Administrator"),
]
# (process id, lane, kind, role, path)
LANE_RULES = [
    ("suggestion", "Commission", "role", "commission", None),
    ("suggestion", "UnitHandler", "unit_role", "unit_handler", "branch.unit"),
    ("unit_handling", "Commission", "role", "commission", None),
    ("unit_handling", "Supervisor", "role", "commission", None),
    ("unit_handling", "UnitHandler", "unit_role", "unit_handler", "branch.unit"),
    ("unit_handling", "Reviewer", "unit_role", "reviewer", "branch.unit"),
    ("unit_handling", "Signer", "unit_role", "signer", "branch.unit"),
    ("unit_handling", "CoUnit", "unit_role", "unit_handler", "co_unit.unit"),
    ("unit_handling", "ProvincialLeader", "person", "provincial_leader", "supervising_leader"),
    ("unit_handling", "Deputy", "lead_deputy", None, None),
]
START = [("suggestion", "commission")]


def upgrade() -> None:
    role = op.create_table(
        'role',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=32), nullable=False),
        sa.Column('name_zh', sa.String(length=64), nullable=False),
        sa.Column('name_en', sa.String(length=64), nullable=False),
        sa.Column('builtin', sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_role')),
        sa.UniqueConstraint('code', name=op.f('uq_role_code')),
    )
    lane_rule = op.create_table(
        'lane_rule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.String(length=128), nullable=False),
        sa.Column('lane', sa.String(length=255), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=True),
        sa.Column('path', sa.String(length=128), nullable=True),
        sa.Column('updated_by', sa.String(length=64), nullable=False),
        sa.Column('updated_at', models.base.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lane_rule')),
        sa.UniqueConstraint('process_id', 'lane', name=op.f('uq_lane_rule_process_id')),
    )
    start = op.create_table(
        'start_permission',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('process_id', sa.String(length=128), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_start_permission')),
        sa.UniqueConstraint('process_id', 'role', name=op.f('uq_start_permission_process_id')),
    )
    now = datetime.now(timezone.utc)
    op.bulk_insert(role, [dict(code=c, name_zh=zh, name_en=en, builtin=True)
                          for c, zh, en in ROLES])
    op.bulk_insert(lane_rule, [dict(process_id=p, lane=lane, kind=k, role=r, path=path,
                                    updated_by="migration", updated_at=now)
                               for p, lane, k, r, path in LANE_RULES])
    op.bulk_insert(start, [dict(process_id=p, role=r) for p, r in START])


def downgrade() -> None:
    op.drop_table('start_permission')
    op.drop_table('lane_rule')
    op.drop_table('role')
