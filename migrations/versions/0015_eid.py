"""eid: in-person activation and re-proofing codes, device change approval and cooling-off, lost phones

Revision ID: 0015_eid
Revises: 0014
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa

import app.common.models


# revision identifiers, used by Alembic.
revision = '0015_eid'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('registry_enrolment_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('personal_id', sa.String(length=12), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_enrolment_events'))
    )
    with op.batch_alter_table('registry_enrolment_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registry_enrolment_events_personal_id'), ['personal_id'], unique=False)

    op.create_table('identity_reproofing_requests',
    sa.Column('personal_id', sa.String(length=12), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('started_by_id', sa.Uuid(), nullable=False),
    sa.Column('consent_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('expires_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('authorised_by_id', sa.Uuid(), nullable=True),
    sa.Column('authorised_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_identity_reproofing_requests_account_id_accounts')),
    sa.ForeignKeyConstraint(['authorised_by_id'], ['accounts.id'], name=op.f('fk_identity_reproofing_requests_authorised_by_id_accounts')),
    sa.ForeignKeyConstraint(['started_by_id'], ['accounts.id'], name=op.f('fk_identity_reproofing_requests_started_by_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_reproofing_requests'))
    )
    with op.batch_alter_table('identity_reproofing_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_reproofing_requests_personal_id'), ['personal_id'], unique=False)

    op.create_table('identity_in_person_codes',
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('personal_id', sa.String(length=12), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('expires_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('used_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('issued_by_id', sa.Uuid(), nullable=True),
    sa.Column('place', sa.String(length=200), nullable=True),
    sa.Column('enrolled_on', sa.Date(), nullable=True),
    sa.Column('verifier', sa.String(length=20), nullable=True),
    sa.Column('verification_method', sa.String(length=20), nullable=True),
    sa.Column('verification_ref', sa.String(length=64), nullable=True),
    sa.Column('request_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['accounts.id'], name=op.f('fk_identity_in_person_codes_issued_by_id_accounts')),
    sa.ForeignKeyConstraint(['request_id'], ['identity_reproofing_requests.id'], name=op.f('fk_identity_in_person_codes_request_id_identity_reproofing_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identity_in_person_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_identity_in_person_codes_code_hash'))
    )
    with op.batch_alter_table('identity_in_person_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_identity_in_person_codes_personal_id'), ['personal_id'], unique=False)

    with op.batch_alter_table('device_bindings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('authorised_by', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('in_person_code_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('approval_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('approved_at', app.common.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('approved_by_device_id', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('effective_at', app.common.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('reminded_at', app.common.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', app.common.models.UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_device_bindings_approval_code_hash'), ['approval_code_hash'])
        batch_op.create_foreign_key(batch_op.f('fk_device_bindings_approved_by_device_id_devices'), 'devices', ['approved_by_device_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_device_bindings_in_person_code_id_identity_in_person_codes'), 'identity_in_person_codes', ['in_person_code_id'], ['id'])

    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('frozen_at', app.common.models.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('frozen_reason', sa.String(length=20), nullable=True))



def downgrade():
    with op.batch_alter_table('devices', schema=None) as batch_op:
        batch_op.drop_column('frozen_reason')
        batch_op.drop_column('frozen_at')

    with op.batch_alter_table('device_bindings', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_device_bindings_in_person_code_id_identity_in_person_codes'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_device_bindings_approved_by_device_id_devices'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_device_bindings_approval_code_hash'), type_='unique')
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('reminded_at')
        batch_op.drop_column('effective_at')
        batch_op.drop_column('approved_by_device_id')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approval_code_hash')
        batch_op.drop_column('in_person_code_id')
        batch_op.drop_column('authorised_by')

    with op.batch_alter_table('identity_in_person_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_in_person_codes_personal_id'))

    op.drop_table('identity_in_person_codes')
    with op.batch_alter_table('identity_reproofing_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_identity_reproofing_requests_personal_id'))

    op.drop_table('identity_reproofing_requests')
    with op.batch_alter_table('registry_enrolment_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_enrolment_events_personal_id'))

    op.drop_table('registry_enrolment_events')
