"""catalog procedures, dossiers, linked bundles, digitized results

Revision ID: 0007
Revises: 0004
Create Date: 2026-11-21

"""
from alembic import op
import sqlalchemy as sa

import app.common.models


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('linked_procedures',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('search_text', sa.String(length=300), nullable=False),
    sa.Column('processing_days', sa.Integer(), nullable=False),
    sa.Column('steps', sa.JSON(), nullable=False),
    sa.Column('retired_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_linked_procedures')),
    sa.UniqueConstraint('code', name=op.f('uq_linked_procedures_code'))
    )

    op.create_table('procedures',
    sa.Column('code', sa.String(length=30), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('search_text', sa.String(length=300), nullable=False),
    sa.Column('agency_kind', sa.String(length=30), nullable=False),
    sa.Column('fee', sa.Integer(), nullable=False),
    sa.Column('processing_days', sa.Integer(), nullable=False),
    sa.Column('service_level', sa.String(length=10), nullable=False),
    sa.Column('min_level', sa.Integer(), nullable=False),
    sa.Column('form_fields', sa.JSON(), nullable=False),
    sa.Column('required_documents', sa.JSON(), nullable=False),
    sa.Column('result_name', sa.String(length=200), nullable=False),
    sa.Column('result_fields', sa.JSON(), nullable=False),
    sa.Column('retired_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedures')),
    sa.UniqueConstraint('code', name=op.f('uq_procedures_code'))
    )

    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedures_agency_kind'), ['agency_kind'], unique=False)

    op.create_table('receipt_counters',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('prefix', sa.String(length=30), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_receipt_counters')),
    sa.UniqueConstraint('prefix', 'day', name=op.f('uq_receipt_counters_prefix_day'))
    )

    op.create_table('dossier_bundles',
    sa.Column('linked_procedure_id', sa.Uuid(), nullable=False),
    sa.Column('citizen_account_id', sa.Uuid(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('receipt_code', sa.String(length=40), nullable=True),
    sa.Column('submitted_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('completed_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('paused_on', sa.Date(), nullable=True),
    sa.Column('paused_days', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['citizen_account_id'], ['accounts.id'], name=op.f('fk_dossier_bundles_citizen_account_id_accounts')),
    sa.ForeignKeyConstraint(['linked_procedure_id'], ['linked_procedures.id'], name=op.f('fk_dossier_bundles_linked_procedure_id_linked_procedures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_bundles')),
    sa.UniqueConstraint('receipt_code', name=op.f('uq_dossier_bundles_receipt_code'))
    )

    with op.batch_alter_table('dossier_bundles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_bundles_citizen_account_id'), ['citizen_account_id'], unique=False)

    op.create_table('dossiers',
    sa.Column('procedure_id', sa.Uuid(), nullable=False),
    sa.Column('citizen_account_id', sa.Uuid(), nullable=False),
    sa.Column('applicant_name', sa.String(length=120), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=True),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('receipt_code', sa.String(length=40), nullable=True),
    sa.Column('form_data', sa.JSON(), nullable=False),
    sa.Column('prefill', sa.JSON(), nullable=False),
    sa.Column('fee_amount', sa.Integer(), nullable=False),
    sa.Column('fee_status', sa.String(length=16), nullable=False),
    sa.Column('fee_payment_id', sa.Uuid(), nullable=True),
    sa.Column('assigned_officer_id', sa.Uuid(), nullable=True),
    sa.Column('submitted_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('received_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('completed_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('paused_on', sa.Date(), nullable=True),
    sa.Column('paused_days', sa.Integer(), nullable=False),
    sa.Column('bundle_id', sa.Uuid(), nullable=True),
    sa.Column('bundle_position', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_dossiers_agency_id_agencies')),
    sa.ForeignKeyConstraint(['assigned_officer_id'], ['accounts.id'], name=op.f('fk_dossiers_assigned_officer_id_accounts')),
    sa.ForeignKeyConstraint(['bundle_id'], ['dossier_bundles.id'], name=op.f('fk_dossiers_bundle_id_dossier_bundles')),
    sa.ForeignKeyConstraint(['citizen_account_id'], ['accounts.id'], name=op.f('fk_dossiers_citizen_account_id_accounts')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_dossiers_procedure_id_procedures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossiers')),
    sa.UniqueConstraint('receipt_code', name=op.f('uq_dossiers_receipt_code'))
    )

    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossiers_assigned_officer_id'), ['assigned_officer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_bundle_id'), ['bundle_id'], unique=False)
        batch_op.create_index('ix_dossiers_citizen_created', ['citizen_account_id', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_due_date'), ['due_date'], unique=False)
        batch_op.create_index('ix_dossiers_inbox', ['agency_id', 'created_at', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_dossiers_procedure_id'), ['procedure_id'], unique=False)

    op.create_table('dossier_results',
    sa.Column('dossier_id', sa.Uuid(), nullable=False),
    sa.Column('citizen_account_id', sa.Uuid(), nullable=False),
    sa.Column('procedure_id', sa.Uuid(), nullable=False),
    sa.Column('issuer_agency_id', sa.Uuid(), nullable=False),
    sa.Column('issued_by', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('verification_code', sa.String(length=20), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=120), nullable=False),
    sa.Column('issued_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['citizen_account_id'], ['accounts.id'], name=op.f('fk_dossier_results_citizen_account_id_accounts')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_results_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['issued_by'], ['accounts.id'], name=op.f('fk_dossier_results_issued_by_accounts')),
    sa.ForeignKeyConstraint(['issuer_agency_id'], ['agencies.id'], name=op.f('fk_dossier_results_issuer_agency_id_agencies')),
    sa.ForeignKeyConstraint(['procedure_id'], ['procedures.id'], name=op.f('fk_dossier_results_procedure_id_procedures')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_results')),
    sa.UniqueConstraint('dossier_id', name=op.f('uq_dossier_results_dossier_id')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_dossier_results_verification_code'))
    )

    with op.batch_alter_table('dossier_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_results_citizen_account_id'), ['citizen_account_id'], unique=False)

    op.create_table('dossier_timeline',
    sa.Column('dossier_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=30), nullable=False),
    sa.Column('from_status', sa.String(length=24), nullable=True),
    sa.Column('to_status', sa.String(length=24), nullable=True),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_dossier_timeline_account_id_accounts')),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], name=op.f('fk_dossier_timeline_actor_id_accounts')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_timeline_dossier_id_dossiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_timeline'))
    )

    with op.batch_alter_table('dossier_timeline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_timeline_dossier_id'), ['dossier_id'], unique=False)

    op.create_table('dossier_documents',
    sa.Column('dossier_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=50), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=120), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('result_id', sa.Uuid(), nullable=True),
    sa.Column('uploaded_by', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_dossier_documents_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['result_id'], ['dossier_results.id'], name=op.f('fk_dossier_documents_result_id_dossier_results')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['accounts.id'], name=op.f('fk_dossier_documents_uploaded_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dossier_documents'))
    )

    with op.batch_alter_table('dossier_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dossier_documents_dossier_id'), ['dossier_id'], unique=False)


def downgrade():
    with op.batch_alter_table('dossier_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_documents_dossier_id'))

    op.drop_table('dossier_documents')

    with op.batch_alter_table('dossier_timeline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_timeline_dossier_id'))

    op.drop_table('dossier_timeline')

    with op.batch_alter_table('dossier_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_results_citizen_account_id'))

    op.drop_table('dossier_results')

    with op.batch_alter_table('dossiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossiers_procedure_id'))
        batch_op.drop_index('ix_dossiers_inbox')
        batch_op.drop_index(batch_op.f('ix_dossiers_due_date'))
        batch_op.drop_index('ix_dossiers_citizen_created')
        batch_op.drop_index(batch_op.f('ix_dossiers_bundle_id'))
        batch_op.drop_index(batch_op.f('ix_dossiers_assigned_officer_id'))

    op.drop_table('dossiers')

    with op.batch_alter_table('dossier_bundles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dossier_bundles_citizen_account_id'))

    op.drop_table('dossier_bundles')

    op.drop_table('receipt_counters')

    with op.batch_alter_table('procedures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedures_agency_kind'))

    op.drop_table('procedures')

    op.drop_table('linked_procedures')
