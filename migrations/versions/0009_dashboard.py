"""dashboard: counters, open dossiers and the registry snapshot behind the operations-centre figures

Revision ID: 0009
Revises: 0004
Create Date: 2026-11-21

"""
from alembic import op
import sqlalchemy as sa

import app.common.models


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('dashboard_counters',
    sa.Column('metric', sa.String(length=40), nullable=False),
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('procedure_code', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('gateway', sa.String(length=20), nullable=False),
    sa.Column('bucket', sa.String(length=20), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('metric', 'grain', 'commune_code', 'agency_id', 'procedure_code', 'day', 'status',
                            'gateway', 'bucket', name=op.f('pk_dashboard_counters'))
    )
    op.create_table('dashboard_registry_figures',
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.Column('refreshed_at', app.common.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('commune_code', 'name', name=op.f('pk_dashboard_registry_figures'))
    )
    op.create_table('dashboard_open_dossiers',
    sa.Column('dossier_id', sa.Uuid(), nullable=False),
    sa.Column('receipt_code', sa.String(length=40), nullable=True),
    sa.Column('procedure_code', sa.String(length=64), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('submitted_at', app.common.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('dossier_id', name=op.f('pk_dashboard_open_dossiers'))
    )
    with op.batch_alter_table('dashboard_open_dossiers', schema=None) as batch_op:
        batch_op.create_index('ix_dashboard_open_dossiers_due', ['due_date', 'dossier_id'], unique=False)
        batch_op.create_index('ix_dashboard_open_dossiers_commune_due', ['commune_code', 'due_date'], unique=False)
        batch_op.create_index('ix_dashboard_open_dossiers_agency_due', ['agency_id', 'due_date'], unique=False)
        batch_op.create_index('ix_dashboard_open_dossiers_procedure_due', ['procedure_code', 'due_date'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('dashboard_open_dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_dashboard_open_dossiers_procedure_due')
        batch_op.drop_index('ix_dashboard_open_dossiers_agency_due')
        batch_op.drop_index('ix_dashboard_open_dossiers_commune_due')
        batch_op.drop_index('ix_dashboard_open_dossiers_due')
    op.drop_table('dashboard_open_dossiers')
    op.drop_table('dashboard_registry_figures')
    op.drop_table('dashboard_counters')
