"""dashboard: how far back day rows of the counters are kept

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-22

"""
import sqlalchemy as sa

import app.common.models
from alembic import op


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'dashboard_compaction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('day_rows_from', sa.Date(), nullable=False),
        sa.Column('compacted_at', app.common.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_compaction')),
    )


def downgrade():
    op.drop_table('dashboard_compaction')
