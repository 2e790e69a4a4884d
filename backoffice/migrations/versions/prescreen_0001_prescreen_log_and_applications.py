"""prescreen_log_and_applications

Revision ID: prescreen_0001
Revises: 0001
Create Date: 2026-11-28 20:32:15.291388
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "prescreen_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("prescreen",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assistance_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("programme", sa.String(length=16), nullable=False),
        sa.Column("district_code", sa.String(length=32), nullable=False),
        sa.Column("applicant_masked", sa.String(length=32), nullable=False),
        sa.Column("id_number_hash", sa.String(length=64), nullable=False),
        sa.Column("id_number_masked", sa.String(length=32), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("phone_masked", sa.String(length=32), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("stage_updated_on", sa.Date(), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistance_applications")),
        sa.UniqueConstraint("reference", name=op.f("uq_assistance_applications_reference")),
    )
    with op.batch_alter_table("assistance_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assistance_applications_id_number_hash"), ["id_number_hash"], unique=False
        )

    op.create_table(
        "prescreen_checks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("conversation_hash", sa.String(length=64), nullable=True),
        sa.Column("policy_version", sa.String(length=400), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescreen_checks")),
        sa.UniqueConstraint("reference", name=op.f("uq_prescreen_checks_reference")),
    )
    with op.batch_alter_table("prescreen_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_prescreen_checks_conversation_hash"), ["conversation_hash"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("prescreen_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prescreen_checks_conversation_hash"))
    op.drop_table("prescreen_checks")
    with op.batch_alter_table("assistance_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assistance_applications_id_number_hash"))
    op.drop_table("assistance_applications")
