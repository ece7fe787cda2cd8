"""payments: payments, events, refunds, e-receipts, daily statements

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-21

"""
from alembic import op
import sqlalchemy as sa

import app.common.models


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0004'
branch_labels = None
depends_on = '0007'   # payments.dossier_id references dossiers.id


def upgrade():
    op.create_table('payments',
    sa.Column('dossier_id', sa.Uuid(), nullable=False),
    sa.Column('account_id', sa.Uuid(), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('gateway', sa.String(length=16), nullable=False),
    sa.Column('txn_ref', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('duplicate', sa.Boolean(), nullable=False),
    sa.Column('order_info', sa.String(length=255), nullable=False),
    sa.Column('procedure_code', sa.String(length=40), nullable=False),
    sa.Column('procedure_name', sa.String(length=255), nullable=False),
    sa.Column('dossier_receipt_code', sa.String(length=40), nullable=False),
    sa.Column('locale', sa.String(length=2), nullable=False),
    sa.Column('client_ip', sa.String(length=45), nullable=True),
    sa.Column('redirect_url', sa.Text(), nullable=True),
    sa.Column('gateway_request_id', sa.String(length=64), nullable=True),
    sa.Column('gateway_transaction_no', sa.String(length=64), nullable=True),
    sa.Column('bank_code', sa.String(length=20), nullable=True),
    sa.Column('result_code', sa.String(length=10), nullable=True),
    sa.Column('expires_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('paid_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('closed_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('last_checked_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_payments_account_id_accounts')),
    sa.ForeignKeyConstraint(['actor_id'], ['accounts.id'], name=op.f('fk_payments_actor_id_accounts')),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossiers.id'], name=op.f('fk_payments_dossier_id_dossiers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payments')),
    sa.UniqueConstraint('txn_ref', name=op.f('uq_payments_txn_ref'))
    )

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payments_account_id'), ['account_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_payments_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index('ix_payments_status_created_at', ['status', 'created_at'], unique=False)
        batch_op.create_index('uq_payments_dossier_settled', ['dossier_id'], unique=True, sqlite_where=sa.text("status = 'succeeded' AND duplicate = 0"), postgresql_where=sa.text("status = 'succeeded' AND duplicate = false"))

    op.create_table('payment_events',
    sa.Column('payment_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=True),
    sa.Column('to_status', sa.String(length=12), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_events_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_events'))
    )

    with op.batch_alter_table('payment_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_events_payment_id'), ['payment_id'], unique=False)

    op.create_table('payment_refunds',
    sa.Column('payment_id', sa.Uuid(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('gateway_request_id', sa.String(length=64), nullable=False),
    sa.Column('gateway_refund_no', sa.String(length=64), nullable=True),
    sa.Column('result_code', sa.String(length=10), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('last_error', sa.String(length=255), nullable=True),
    sa.Column('completed_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_refunds_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_refunds')),
    sa.UniqueConstraint('gateway_request_id', name=op.f('uq_payment_refunds_gateway_request_id')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_payment_refunds_payment_id'))
    )

    with op.batch_alter_table('payment_refunds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payment_refunds_next_attempt_at'), ['next_attempt_at'], unique=False)

    op.create_table('payment_receipts',
    sa.Column('payment_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.String(length=32), nullable=False),
    sa.Column('verification_code', sa.String(length=16), nullable=False),
    sa.Column('payer_name', sa.String(length=120), nullable=False),
    sa.Column('procedure_code', sa.String(length=40), nullable=False),
    sa.Column('procedure_name', sa.String(length=255), nullable=False),
    sa.Column('dossier_receipt_code', sa.String(length=40), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('gateway', sa.String(length=16), nullable=False),
    sa.Column('gateway_transaction_no', sa.String(length=64), nullable=True),
    sa.Column('paid_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('voided_at', app.common.models.UTCDateTime(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_payment_receipts_payment_id_payments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_receipts')),
    sa.UniqueConstraint('number', name=op.f('uq_payment_receipts_number')),
    sa.UniqueConstraint('payment_id', name=op.f('uq_payment_receipts_payment_id')),
    sa.UniqueConstraint('verification_code', name=op.f('uq_payment_receipts_verification_code'))
    )

    op.create_table('payment_statements',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('gateway', sa.String(length=16), nullable=False),
    sa.Column('payments_count', sa.Integer(), nullable=False),
    sa.Column('payments_total', sa.BigInteger(), nullable=False),
    sa.Column('refunds_count', sa.Integer(), nullable=False),
    sa.Column('refunds_total', sa.BigInteger(), nullable=False),
    sa.Column('checked_count', sa.Integer(), nullable=False),
    sa.Column('mismatches', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', app.common.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', app.common.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_statements')),
    sa.UniqueConstraint('day', 'gateway', name=op.f('uq_payment_statements_day_gateway'))
    )


def downgrade():
    with op.batch_alter_table('payment_refunds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_refunds_next_attempt_at'))
    op.drop_table('payment_statements')
    op.drop_table('payment_receipts')
    op.drop_table('payment_refunds')
    with op.batch_alter_table('payment_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payment_events_payment_id'))
    op.drop_table('payment_events')
    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_index('uq_payments_dossier_settled')
        batch_op.drop_index('ix_payments_status_created_at')
        batch_op.drop_index(batch_op.f('ix_payments_dossier_id'))
        batch_op.drop_index(batch_op.f('ix_payments_account_id'))
    op.drop_table('payments')
