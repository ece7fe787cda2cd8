"""lean hot paths: indexes in the order and filter of the staff inbox and the in-app inbox

The staff inbox reads an agency's (and commune's) dossiers past the draft, newest
first: (agency_id, commune_code, created_at, id), only the states staff see. The
in-app inbox and its unread count read an account's delivered in-app messages,
newest first. Both are partial indexes, so drafts and queued SMS/push rows cost
nothing in them.

Revision ID: 0015_lean
Revises: 0015_quality
Create Date: 2026-12-04

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_lean'
down_revision = '0015_quality'
branch_labels = None
depends_on = None

STAFF_STATES = "status NOT IN ('draft', 'queued')"
DELIVERED_IN_APP = "channel = 'in_app' AND status = 'delivered'"


def upgrade():
    op.create_index('ix_dossiers_staff_inbox', 'dossiers', ['agency_id', 'commune_code', 'created_at', 'id'],
                    unique=False, postgresql_where=sa.text(STAFF_STATES), sqlite_where=sa.text(STAFF_STATES))
    op.create_index('ix_outbox_inbox_delivered', 'outbox_messages', ['account_id', 'created_at', 'id'],
                    unique=False, postgresql_where=sa.text(DELIVERED_IN_APP),
                    sqlite_where=sa.text(DELIVERED_IN_APP))


def downgrade():
    op.drop_index('ix_outbox_inbox_delivered', table_name='outbox_messages')
    op.drop_index('ix_dossiers_staff_inbox', table_name='dossiers')
