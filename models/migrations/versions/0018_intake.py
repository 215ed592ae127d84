"""Deputies submit suggestions online (代表提出建议, bpmn/intake.bpmn): the intake process's lane
rules and who may start it (deputies). Whether a suggestion came from topical research
(`suggestion.from_research`) is added by 0019, which the bulletin's figures brought first.

The rows are written here literally (migrations import no application code);
tests/models/test_migrations.py checks that 0014's rows and these equal
workflows.lanes.DEFAULT_RULES and workflows.starting.DEFAULT_START.

Revision ID: 0018_intake
Revises: 0017_substitution_filters
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = '0018_intake'
down_revision = '0017_substitution_filters'
branch_labels = None
depends_on = None

# (process id, lane, kind, role, path)
LANE_RULES = [
    ("intake", "提出代表", "initiator", None, None),
    ("intake", "联名代表", "person", None, "co_signer.username"),
    ("intake", "Commission", "role", "commission", None),
]
START = [("intake", "deputy")]


def upgrade() -> None:
    lane_rule = sa.table('lane_rule', sa.column('process_id', sa.String), sa.column('lane', sa.String),
                         sa.column('kind', sa.String), sa.column('role', sa.String),
                         sa.column('path', sa.String), sa.column('updated_by', sa.String),
                         sa.column('updated_at', sa.DateTime))
    start = sa.table('start_permission', sa.column('process_id', sa.String),
                     sa.column('role', sa.String))
    now = datetime.now(timezone.utc)
    op.bulk_insert(lane_rule, [dict(process_id=p, lane=lane, kind=k, role=r, path=path,
                                    updated_by="migration", updated_at=now)
                               for p, lane, k, r, path in LANE_RULES])
    op.bulk_insert(start, [dict(process_id=p, role=r) for p, r in START])


def downgrade() -> None:
    op.execute("DELETE FROM start_permission WHERE process_id = 'intake'")
    op.execute("DELETE FROM lane_rule WHERE process_id = 'intake'")
