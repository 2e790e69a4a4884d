"""eldercare visits: a per-day reference counter (the numbers were count(*)+1, which two
bookings at once could both take)

The counters start from the highest number already handed out for each visit day.

Revision ID: eldercare_0002
Revises: eldercare_0001
Create Date: 2026-12-06 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'eldercare_0002'
down_revision: str | None = 'eldercare_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('eldercare_reference_counters',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_eldercare_reference_counters'))
    )
    # YL-YYYYMMDD-NNNN: the number starts at the 13th character (SQLite and PostgreSQL alike).
    op.execute(
        "INSERT INTO eldercare_reference_counters (day, last_number) "
        "SELECT visit_date, MAX(CAST(SUBSTR(reference, 13) AS INTEGER)) "
        "FROM eldercare_visits GROUP BY visit_date"
    )


def downgrade() -> None:
    op.drop_table('eldercare_reference_counters')
