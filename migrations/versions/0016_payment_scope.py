"""Payments remember the agency and commune of the dossier they pay for (the fee figures count by them)

Revision ID: 0016_payment_scope
Revises: 0016_quality
Create Date: 2026-12-04 11:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_payment_scope'
down_revision = '0016_quality'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agency_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('commune_code', sa.String(length=5), nullable=True))
    # one join, not a subquery per row and column (PostgreSQL and SQLite 3.33+ both take UPDATE ... FROM)
    op.execute("UPDATE payments SET agency_id = dossiers.agency_id, commune_code = dossiers.commune_code "
               "FROM dossiers WHERE dossiers.id = payments.dossier_id")


def downgrade():
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_column('commune_code')
        batch_op.drop_column('agency_id')
