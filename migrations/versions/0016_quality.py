"""quality: a complaint's answer clock stops while it waits for the citizen's information; drill-down indexes

Revision ID: 0016_quality
Revises: 0015_oidc
Create Date: 2026-12-04 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_quality'
down_revision = '0015_oidc'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quality_complaints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paused_on', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('paused_days', sa.Integer(), nullable=False, server_default='0'))
    with op.batch_alter_table('quality_complaints', schema=None) as batch_op:
        batch_op.alter_column('paused_days', server_default=None)
    # the drill-down walks one scope's handled dossiers by handling time (keyset pages)
    with op.batch_alter_table('quality_dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_quality_dossiers_finished')
        batch_op.create_index('ix_quality_dossiers_agency_done', ['agency_id', 'completed_at', 'dossier_id'],
                              unique=False)
        batch_op.create_index('ix_quality_dossiers_commune_done', ['commune_code', 'completed_at', 'dossier_id'],
                              unique=False)
        batch_op.create_index('ix_quality_dossiers_procedure_done',
                              ['procedure_code', 'completed_at', 'dossier_id'], unique=False)


def downgrade():
    with op.batch_alter_table('quality_dossiers', schema=None) as batch_op:
        batch_op.drop_index('ix_quality_dossiers_procedure_done')
        batch_op.drop_index('ix_quality_dossiers_commune_done')
        batch_op.drop_index('ix_quality_dossiers_agency_done')
        batch_op.create_index('ix_quality_dossiers_finished', ['finished_month', 'agency_id'], unique=False)
    with op.batch_alter_table('quality_complaints', schema=None) as batch_op:
        batch_op.drop_column('paused_days')
        batch_op.drop_column('paused_on')
