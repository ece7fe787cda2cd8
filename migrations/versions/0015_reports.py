"""citizen reports: categories, reports, photos, followers, timeline, Open311 partner keys

Revision ID: 0015_reports
Revises: 0015_lean
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa

import app.common.models


# revision identifiers, used by Alembic.
revision = '0015_reports'
down_revision = '0015_lean'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_categories',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('group', sa.String(length=60), nullable=False),
    sa.Column('handled_at', sa.String(length=10), nullable=False),
    sa.Column('agency_kinds', sa.JSON(), nullable=False),
    sa.Column('deadline_days', sa.Integer(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('photo_rule', sa.String(length=10), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_categories')),
    sa.UniqueConstraint('code', name=op.f('uq_report_categories_code'))
    )
    op.create_table('report_api_clients',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('key_hint', sa.String(length=12), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['accounts.id'], name=op.f('fk_report_api_clients_created_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_api_clients')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_report_api_clients_key_hash'))
    )
    op.create_table('reports',
    sa.Column('category_id', sa.Uuid(), nullable=False),
    sa.Column('reporter_account_id', sa.Uuid(), nullable=True),
    sa.Column('helper_account_id', sa.Uuid(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('open311_client_id', sa.Uuid(), nullable=True),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('latitude', sa.Float(), nullable=False),
    sa.Column('longitude', sa.Float(), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('address_key', sa.String(length=300), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('agency_id', sa.Uuid(), nullable=True),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('filed_on', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=True),
    sa.Column('acknowledged_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('resolved_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('closed_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('result_text', sa.Text(), nullable=True),
    sa.Column('refusal_reason', sa.Text(), nullable=True),
    sa.Column('rating', sa.Integer(), nullable=True),
    sa.Column('rating_comment', sa.Text(), nullable=True),
    sa.Column('reopen_count', sa.Integer(), nullable=False),
    sa.Column('merged_into_id', sa.Uuid(), nullable=True),
    sa.Column('supporters', sa.Integer(), nullable=False),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('ioc_flag', sa.Boolean(), nullable=False),
    sa.Column('token', sa.String(length=40), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_reports_agency_id_agencies')),
    sa.ForeignKeyConstraint(['category_id'], ['report_categories.id'], name=op.f('fk_reports_category_id_report_categories')),
    sa.ForeignKeyConstraint(['helper_account_id'], ['accounts.id'], name=op.f('fk_reports_helper_account_id_accounts')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['reports.id'], name=op.f('fk_reports_merged_into_id_reports')),
    sa.ForeignKeyConstraint(['open311_client_id'], ['report_api_clients.id'], name=op.f('fk_reports_open311_client_id_report_api_clients')),
    sa.ForeignKeyConstraint(['reporter_account_id'], ['accounts.id'], name=op.f('fk_reports_reporter_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reports')),
    sa.UniqueConstraint('token', name=op.f('uq_reports_token'))
    )
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reports_address_key'), ['address_key'], unique=False)
        batch_op.create_index('ix_reports_agency_created', ['agency_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_reports_category_created', ['category_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_reports_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index('ix_reports_reporter_created', ['reporter_account_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_reports_status_due', ['status', 'due_date'], unique=False)

    op.create_table('report_followers',
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_report_followers_account_id_accounts')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_followers_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_followers')),
    sa.UniqueConstraint('report_id', 'account_id', name=op.f('uq_report_followers_report_id_account_id'))
    )
    with op.batch_alter_table('report_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_followers_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_followers_report_id'), ['report_id'], unique=False)

    op.create_table('report_photos',
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_key', sa.String(length=120), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('uploaded_by', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_photos_report_id_reports')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['accounts.id'], name=op.f('fk_report_photos_uploaded_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_photos'))
    )
    with op.batch_alter_table('report_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_photos_report_id'), ['report_id'], unique=False)

    op.create_table('report_timeline',
    sa.Column('report_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('account_id', sa.Uuid(), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_role', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_report_timeline_account_id_accounts')),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], name=op.f('fk_report_timeline_actor_id_accounts')),
    sa.ForeignKeyConstraint(['report_id'], ['reports.id'], name=op.f('fk_report_timeline_report_id_reports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_timeline'))
    )
    with op.batch_alter_table('report_timeline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_timeline_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('report_timeline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_timeline_report_id'))

    op.drop_table('report_timeline')
    with op.batch_alter_table('report_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_photos_report_id'))

    op.drop_table('report_photos')
    with op.batch_alter_table('report_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_followers_report_id'))
        batch_op.drop_index(batch_op.f('ix_report_followers_account_id'))

    op.drop_table('report_followers')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_status_due')
        batch_op.drop_index('ix_reports_reporter_created')
        batch_op.drop_index(batch_op.f('ix_reports_commune_code'))
        batch_op.drop_index('ix_reports_category_created')
        batch_op.drop_index('ix_reports_agency_created')
        batch_op.drop_index(batch_op.f('ix_reports_address_key'))

    op.drop_table('reports')
    op.drop_table('report_api_clients')
    op.drop_table('report_categories')
