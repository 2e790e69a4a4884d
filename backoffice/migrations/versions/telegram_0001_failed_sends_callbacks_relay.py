"""failed sends, callback payloads, relayed desk messages

Revision ID: telegram_0001
Revises: 0001
Create Date: 2026-11-28 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "telegram_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("telegram",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telegram_failed_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reply_markup", sa.JSON(), nullable=True),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("resent_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_telegram_failed_sends")),
    )
    with op.batch_alter_table("telegram_failed_sends", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_telegram_failed_sends_chat_id"), ["chat_id"], unique=False
        )

    op.create_table(
        "telegram_callback_payloads",
        sa.Column("key", sa.String(length=32), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_telegram_callback_payloads")),
    )
    with op.batch_alter_table("telegram_callback_payloads", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_telegram_callback_payloads_created_at"), ["created_at"], unique=False
        )

    op.create_table(
        "telegram_relayed_messages",
        sa.Column("handoff_message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("handoff_message_id", name=op.f("pk_telegram_relayed_messages")),
    )


def downgrade() -> None:
    op.drop_table("telegram_relayed_messages")
    with op.batch_alter_table("telegram_callback_payloads", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_callback_payloads_created_at"))
    op.drop_table("telegram_callback_payloads")
    with op.batch_alter_table("telegram_failed_sends", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_failed_sends_chat_id"))
    op.drop_table("telegram_failed_sends")
