"""Payments remember the agency and commune of the dossier they pay for (the fee figures count by them)

Revision ID: 0016_dashev
Revises: 0016_quality
Create Date: 2026-12-04 11:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_dashev'
down_revision = '0016_quality'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('commune_code', sa.String(length=5), nullable=True))
    op.execute("UPDATE payments SET agency_id = (SELECT dossiers.agency_id FROM dossiers "
               "WHERE dossiers.id = payments.dossier_id), commune_code = (SELECT dossiers.commune_code "
               "FROM dossiers WHERE dossiers.id = payments.dossier_id)")


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('commune_code')
        batch_op.drop_column('agency_id')
