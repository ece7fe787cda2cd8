"""quality: partial indexes for the open dossiers' lists (early warning, late this week, stalled)

Revision ID: 0017_quality_open
Revises: 0016_payment_scope
Create Date: 2026-12-04 12:50:00

At three million dossiers the stalled list scanned the whole table (0.8 s: no
index knew which open dossiers are flagged) and the early warning read the
heap of every open dossier due this month (0.23 s per count within one commune).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017_quality_open'
down_revision = '0016_payment_scope'
branch_labels = None
depends_on = None

# as the queries spell them: PostgreSQL's boolean, SQLite's 1
OPEN, SQLITE_OPEN = sa.text("is_open"), sa.text("is_open = 1")
FLAGGED, SQLITE_FLAGGED = sa.text("is_open AND stall_level > 0"), sa.text("is_open = 1 AND stall_level > 0")
SCOPES = ('commune_code', 'agency_id', 'procedure_code')


def upgrade():
    op.drop_index('ix_quality_dossiers_open_due', table_name='quality_dossiers')
    op.create_index('ix_quality_dossiers_open_due', 'quality_dossiers',
                    ['due_date', 'supplement_count', 'state_since', 'dossier_id'],
                    postgresql_where=OPEN, sqlite_where=SQLITE_OPEN)
    for scope in SCOPES:
        op.create_index(f'ix_quality_dossiers_open_{scope.split("_")[0]}', 'quality_dossiers',
                        [scope, 'due_date', 'supplement_count'], postgresql_where=OPEN, sqlite_where=SQLITE_OPEN)
    op.create_index('ix_quality_dossiers_stalled', 'quality_dossiers', ['state_since', 'dossier_id'],
                    postgresql_where=FLAGGED, sqlite_where=SQLITE_FLAGGED)


def downgrade():
    for scope in SCOPES:
        op.drop_index(f'ix_quality_dossiers_open_{scope.split("_")[0]}', table_name='quality_dossiers')
    op.drop_index('ix_quality_dossiers_stalled', table_name='quality_dossiers')
    op.drop_index('ix_quality_dossiers_open_due', table_name='quality_dossiers')
    op.create_index('ix_quality_dossiers_open_due', 'quality_dossiers', ['is_open', 'due_date'])
