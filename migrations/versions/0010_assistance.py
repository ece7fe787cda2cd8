"""assistance: community digital-tech teams, members, delegations, act log, assisted registrations, figures

Revision ID: 0010
Revises: 0004
Create Date: 2026-11-21

"""
from alembic import op
import sqlalchemy as sa

import app.common.models


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0004'
branch_labels = None
depends_on = '0007'   # assistance_delegations.dossier_id references dossiers.id


def upgrade():
    op.create_table('assistance_figures',
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('period', sa.String(length=5), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('metric', sa.String(length=30), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'member_id', 'period', 'start', 'metric', name=op.f('pk_assistance_figures'))
    )
    op.create_table('assistance_helped_residents',
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.String(length=36), nullable=False),
    sa.Column('period', sa.String(length=5), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('personal_id', sa.String(length=12), nullable=False),
    sa.PrimaryKeyConstraint('team_id', 'member_id', 'period', 'start', 'personal_id', name=op.f('pk_assistance_helped_residents'))
    )
    op.create_table('assistance_teams',
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['accounts.id'], name=op.f('fk_assistance_teams_created_by_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_teams'))
    )
    with op.batch_alter_table('assistance_teams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_teams_commune_code'), ['commune_code'], unique=False)

    op.create_table('assistance_team_members',
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('added_by', sa.Uuid(), nullable=False),
    sa.Column('left_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('removed_by', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_assistance_team_members_account_id_accounts')),
    sa.ForeignKeyConstraint(['added_by'], ['accounts.id'], name=op.f('fk_assistance_team_members_added_by_accounts')),
    sa.ForeignKeyConstraint(['removed_by'], ['accounts.id'], name=op.f('fk_assistance_team_members_removed_by_accounts')),
    sa.ForeignKeyConstraint(['team_id'], ['assistance_teams.id'], name=op.f('fk_assistance_team_members_team_id_assistance_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_team_members'))
    )
    with op.batch_alter_table('assistance_team_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_team_members_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assistance_team_members_team_id'), ['team_id'], unique=False)
        batch_op.create_index('uq_assistance_team_members_current', ['account_id'], unique=True, sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))

    op.create_table('assistance_delegations',
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('subject_personal_id', sa.String(length=12), nullable=False),
    sa.Column('subject_account_id', sa.Uuid(), nullable=True),
    sa.Column('scopes', sa.JSON(), nullable=False),
    sa.Column('procedure_code', sa.String(length=30), nullable=True),
    sa.Column('dossier_id', sa.Uuid(), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('consent_deadline', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('consent_method', sa.String(length=8), nullable=True),
    sa.Column('consent_phone', sa.String(length=15), nullable=True),
    sa.Column('consent_code_hash', sa.String(length=64), nullable=True),
    sa.Column('consent_code_expires_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('consent_sent_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('consent_sends', sa.Integer(), nullable=False),
    sa.Column('consent_attempts', sa.Integer(), nullable=False),
    sa.Column('consented_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('expires_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('ended_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('ended_by', sa.Uuid(), nullable=True),
    sa.Column('end_reason', sa.String(length=30), nullable=True),
    sa.Column('registration_flow_id', sa.Uuid(), nullable=True),
    sa.Column('helped_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_assistance_delegations_dossier_id_dossiers')),
    sa.ForeignKeyConstraint(['ended_by'], ['accounts.id'], name=op.f('fk_assistance_delegations_ended_by_accounts')),
    sa.ForeignKeyConstraint(['member_id'], ['accounts.id'], name=op.f('fk_assistance_delegations_member_id_accounts')),
    sa.ForeignKeyConstraint(['subject_account_id'], ['accounts.id'], name=op.f('fk_assistance_delegations_subject_account_id_accounts')),
    sa.ForeignKeyConstraint(['team_id'], ['assistance_teams.id'], name=op.f('fk_assistance_delegations_team_id_assistance_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_delegations'))
    )
    with op.batch_alter_table('assistance_delegations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_delegations_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index('ix_assistance_delegations_member_created', ['member_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_assistance_delegations_subject_account_id'), ['subject_account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assistance_delegations_subject_personal_id'), ['subject_personal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assistance_delegations_team_id'), ['team_id'], unique=False)

    op.create_table('assistance_acts',
    sa.Column('delegation_id', sa.Uuid(), nullable=False),
    sa.Column('subject_personal_id', sa.String(length=12), nullable=False),
    sa.Column('subject_account_id', sa.Uuid(), nullable=True),
    sa.Column('actor_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('outcome', sa.String(length=10), nullable=False),
    sa.Column('target_type', sa.String(length=20), nullable=True),
    sa.Column('target_id', sa.Uuid(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], name=op.f('fk_assistance_acts_actor_id_accounts')),
    sa.ForeignKeyConstraint(['delegation_id'], ['assistance_delegations.id'], name=op.f('fk_assistance_acts_delegation_id_assistance_delegations')),
    sa.ForeignKeyConstraint(['subject_account_id'], ['accounts.id'], name=op.f('fk_assistance_acts_subject_account_id_accounts')),
    sa.ForeignKeyConstraint(['team_id'], ['assistance_teams.id'], name=op.f('fk_assistance_acts_team_id_assistance_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_acts'))
    )
    with op.batch_alter_table('assistance_acts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assistance_acts_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assistance_acts_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index('ix_assistance_acts_subject_created', ['subject_personal_id', 'created_at'], unique=False)

    op.create_table('assistance_registrations',
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('delegation_id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('team_id', sa.Uuid(), nullable=False),
    sa.Column('registered_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('activated_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_assistance_registrations_account_id_accounts')),
    sa.ForeignKeyConstraint(['delegation_id'], ['assistance_delegations.id'], name=op.f('fk_assistance_registrations_delegation_id_assistance_delegations')),
    sa.ForeignKeyConstraint(['member_id'], ['accounts.id'], name=op.f('fk_assistance_registrations_member_id_accounts')),
    sa.ForeignKeyConstraint(['team_id'], ['assistance_teams.id'], name=op.f('fk_assistance_registrations_team_id_assistance_teams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assistance_registrations')),
    sa.UniqueConstraint('account_id', name=op.f('uq_assistance_registrations_account_id'))
    )


def downgrade():
    op.drop_table('assistance_registrations')
    with op.batch_alter_table('assistance_acts', schema=None) as batch_op:
        batch_op.drop_index('ix_assistance_acts_subject_created')
        batch_op.drop_index(batch_op.f('ix_assistance_acts_delegation_id'))
        batch_op.drop_index(batch_op.f('ix_assistance_acts_actor_id'))

    op.drop_table('assistance_acts')
    with op.batch_alter_table('assistance_delegations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assistance_delegations_team_id'))
        batch_op.drop_index(batch_op.f('ix_assistance_delegations_subject_personal_id'))
        batch_op.drop_index(batch_op.f('ix_assistance_delegations_subject_account_id'))
        batch_op.drop_index('ix_assistance_delegations_member_created')
        batch_op.drop_index(batch_op.f('ix_assistance_delegations_commune_code'))

    op.drop_table('assistance_delegations')
    with op.batch_alter_table('assistance_team_members', schema=None) as batch_op:
        batch_op.drop_index('uq_assistance_team_members_current', sqlite_where=sa.text('left_at IS NULL'), postgresql_where=sa.text('left_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_assistance_team_members_team_id'))
        batch_op.drop_index(batch_op.f('ix_assistance_team_members_account_id'))

    op.drop_table('assistance_team_members')
    with op.batch_alter_table('assistance_teams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assistance_teams_commune_code'))

    op.drop_table('assistance_teams')
    op.drop_table('assistance_helped_residents')
    op.drop_table('assistance_figures')
