"""staff inbox: the officer's own dossiers ("assigned to me") in the inbox's filter and order

The inbox filtered to the dossiers assigned to the officer combined the
single-column index on assigned_officer_id with the agency's inbox index (a
bitmap AND over every dossier of the commune committee, then a sort): 4.7 ms of
PostgreSQL time with 20,000 dossiers in one committee, against 0.1-0.2 ms for
every other filter. The planner kept that plan even with an index on
(assigned_officer_id, created_at, id), because it takes agency and commune for
independent and expects a handful of rows. An index whose leading columns are
every equality of the query (officer, agency, commune) and then the order is
read backwards and stops at the page: 0.1 ms. Partial, as the staff inbox's:
drafts and queued dossiers have no officer. Accounts are never deleted, so no
foreign-key check needs the dropped index.

PostgreSQL also learns that a dossier's commune follows from its agency (a
commune committee sits in one commune): extended statistics of the functional
dependency between agency_id and commune_code. Without them it multiplied the
two selectivities and expected a sixth of an inbox's rows (3,500 of 20,000),
which is what made the bitmap AND look cheap.

Revision ID: 0018_assigned_inbox
Revises: 0017_quality_open
Create Date: 2026-12-05

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018_assigned_inbox'
down_revision = '0017_quality_open'
branch_labels = None
depends_on = None

STAFF_STATES = "status NOT IN ('draft', 'queued')"
NEW_INDEX, OLD_INDEX = 'ix_dossiers_assigned_inbox', 'ix_dossiers_assigned_officer_id'
NEW_COLUMNS = ['assigned_officer_id', 'agency_id', 'commune_code', 'created_at', 'id']
STATISTICS = 'st_dossiers_agency_commune'


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        op.create_index(NEW_INDEX, 'dossiers', NEW_COLUMNS, unique=False, sqlite_where=sa.text(STAFF_STATES))
        op.drop_index(OLD_INDEX, table_name='dossiers')
        return
    # dossiers is the largest table: built and dropped without blocking writes (docs/operations.md, 11)
    with op.get_context().autocommit_block():
        op.create_index(NEW_INDEX, 'dossiers', NEW_COLUMNS, unique=False,
                        postgresql_where=sa.text(STAFF_STATES), postgresql_concurrently=True)
        op.drop_index(OLD_INDEX, table_name='dossiers', postgresql_concurrently=True)
    op.execute(f"CREATE STATISTICS {STATISTICS} (dependencies) ON agency_id, commune_code FROM dossiers")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
    op.create_index(OLD_INDEX, 'dossiers', ['assigned_officer_id'], unique=False)
    op.drop_index(NEW_INDEX, table_name='dossiers')
