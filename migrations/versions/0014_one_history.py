"""one history: joins the six branches that grew from 0004 into a single line

Every later revision builds on this one, so `flask db upgrade` (one head) works as
typed. A database already at all six heads only records this revision.

Revision ID: 0014
Revises: 0005, 0006, 0008, 0010, 0011, 0013
Create Date: 2026-12-04

"""

# revision identifiers, used by Alembic.
revision = '0014'
down_revision = ('0005', '0006', '0008', '0010', '0011', '0013')
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
