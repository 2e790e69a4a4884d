"""marriage booking: drop failed_checks (look-up attempts are limited per time window instead)

A wrong-proof counter on the booking that never reset let a stranger guessing proofs lock the
owner out for good; backoffice/lookup_guard.py now limits attempts per key and window.

Revision ID: marriage_0002
Revises: marriage_0001
Create Date: 2026-11-29 10:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = 'marriage_0002'
down_revision: str | None = 'marriage_0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('marriage_bookings', schema=None) as batch_op:
        batch_op.drop_column('failed_checks')


def downgrade() -> None:
    with op.batch_alter_table('marriage_bookings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('failed_checks', sa.Integer(), nullable=False, server_default='0')
        )
