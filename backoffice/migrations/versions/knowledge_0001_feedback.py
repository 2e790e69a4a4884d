"""feedback

Revision ID: knowledge_0001
Revises: 0001
Create Date: 2026-11-28 20:28:23.987837
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "knowledge_0001"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("knowledge",)
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "knowledge_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("article_id", sa.String(length=128), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_feedback")),
    )
    with op.batch_alter_table("knowledge_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_knowledge_feedback_article_id"), ["article_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_knowledge_feedback_conversation_id"), ["conversation_id"], unique=False
        )

    op.create_table(
        "knowledge_unanswered",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("best_article", sa.String(length=128), nullable=True),
        sa.Column("best_confidence", sa.Float(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_knowledge_unanswered")),
    )
    with op.batch_alter_table("knowledge_unanswered", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_knowledge_unanswered_conversation_id"), ["conversation_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("knowledge_unanswered", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_unanswered_conversation_id"))

    op.drop_table("knowledge_unanswered")
    with op.batch_alter_table("knowledge_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_knowledge_feedback_conversation_id"))
        batch_op.drop_index(batch_op.f("ix_knowledge_feedback_article_id"))

    op.drop_table("knowledge_feedback")
