"""projects_pledges_goods

Revision ID: donation_0001
Revises: 0001
Create Date: 2026-11-28 20:31:36.055843
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "donation_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("donation",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "charity_projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("theme", sa.String(length=32), nullable=False),
        sa.Column("general_fund", sa.Boolean(), nullable=False),
        sa.Column("organiser", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("target_fen", sa.BigInteger(), nullable=True),
        sa.Column("raised_offline_fen", sa.BigInteger(), nullable=False),
        sa.Column("raised_online_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("fundraising_record_no", sa.String(length=64), nullable=False),
        sa.Column("recommended", sa.Boolean(), nullable=False),
        sa.Column("sort_order", sa.Integer(), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'completed', 'closed')", name=op.f("ck_charity_projects_status")
        ),
        sa.CheckConstraint(
            "raised_online_fen >= 0 AND raised_offline_fen >= 0",
            name=op.f("ck_charity_projects_raised"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charity_projects")),
        sa.UniqueConstraint("code", name=op.f("uq_charity_projects_code")),
    )
    with op.batch_alter_table("charity_projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_charity_projects_theme"), ["theme"], unique=False)

    op.create_table(
        "donation_reference_counters",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_donation_reference_counters")),
    )

    op.create_table(
        "goods_dropoff_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("district", sa.String(length=32), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("hours", sa.String(length=100), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("sample", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goods_dropoff_points")),
        sa.UniqueConstraint("code", name=op.f("uq_goods_dropoff_points_code")),
    )

    op.create_table(
        "donation_pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("donor_name", sa.String(length=64), nullable=True),
        sa.Column("receipt_wanted", sa.Boolean(), nullable=False),
        sa.Column("receipt_kind", sa.String(length=16), nullable=True),
        sa.Column("receipt_title", sa.String(length=100), nullable=True),
        sa.Column("receipt_tax_id", sa.String(length=32), nullable=True),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("payment_transaction_id", sa.String(length=64), nullable=True),
        sa.Column("conversation_id", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("receipt_issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "receipt_kind IS NULL OR receipt_kind IN ('person', 'company')",
            name=op.f("ck_donation_pledges_receipt_kind"),
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'paid', 'receipt_issued', 'cancelled')",
            name=op.f("ck_donation_pledges_status"),
        ),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_donation_pledges_amount")),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["charity_projects.id"],
            name=op.f("fk_donation_pledges_project_id_charity_projects"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_donation_pledges")),
        sa.UniqueConstraint(
            "payment_transaction_id", name=op.f("uq_donation_pledges_payment_transaction_id")
        ),
        sa.UniqueConstraint("reference", name=op.f("uq_donation_pledges_reference")),
    )
    with op.batch_alter_table("donation_pledges", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_donation_pledges_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_donation_pledges_status"), ["status"], unique=False)

    op.create_table(
        "goods_pledges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("dropoff_point_id", sa.Integer(), nullable=False),
        sa.Column("donor_name", sa.String(length=64), nullable=True),
        sa.Column("contact_phone", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pledged', 'received', 'cancelled')", name=op.f("ck_goods_pledges_status")
        ),
        sa.ForeignKeyConstraint(
            ["dropoff_point_id"],
            ["goods_dropoff_points.id"],
            name=op.f("fk_goods_pledges_dropoff_point_id_goods_dropoff_points"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goods_pledges")),
        sa.UniqueConstraint("reference", name=op.f("uq_goods_pledges_reference")),
    )


def downgrade() -> None:
    op.drop_table("goods_pledges")
    with op.batch_alter_table("donation_pledges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_donation_pledges_status"))
        batch_op.drop_index(batch_op.f("ix_donation_pledges_project_id"))

    op.drop_table("donation_pledges")
    op.drop_table("goods_dropoff_points")
    op.drop_table("donation_reference_counters")
    with op.batch_alter_table("charity_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_charity_projects_theme"))

    op.drop_table("charity_projects")
