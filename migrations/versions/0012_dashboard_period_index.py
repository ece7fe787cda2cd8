"""dashboard: an index for per-commune figures over a period

Revision ID: 0012
Revises: 0009
Create Date: 2026-11-21

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_dashboard_counters_period', 'dashboard_counters',
                    ['metric', 'grain', 'agency_id', 'procedure_code', 'day'], unique=False)


def downgrade():
    op.drop_index('ix_dashboard_counters_period', table_name='dashboard_counters')
