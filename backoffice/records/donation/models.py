"""Charity projects, money pledges, goods drop-off points and goods pledges.

Amounts are stored as integer fen (分): exact on SQLite and PostgreSQL alike, and the raised
amount can be increased atomically with ``raised_online_fen = raised_online_fen + :fen``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backoffice.db import Base

PLEDGE_STATUSES = ("pending", "paid", "receipt_issued", "cancelled")
PROJECT_STATUSES = ("active", "completed", "closed")
RECEIPT_KINDS = ("person", "company")
GOODS_STATUSES = ("pledged", "received", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class CharityProject(Base):
    """A charity project citizens can donate to (or the general fund, 不限定用途)."""

    __tablename__ = "charity_projects"
    __table_args__ = (
        CheckConstraint(_in("status", PROJECT_STATUSES), name="status"),
        CheckConstraint("raised_online_fen >= 0 AND raised_offline_fen >= 0", name="raised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    theme: Mapped[str] = mapped_column(String(32), index=True)
    general_fund: Mapped[bool] = mapped_column(Boolean, default=False)
    organiser: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text)
    target_fen: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    raised_offline_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    # Only payment confirmations change this: it always equals the sum of paid pledges.
    raised_online_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    status: Mapped[str] = mapped_column(String(16), default="active")
    fundraising_record_no: Mapped[str] = mapped_column(String(64))
    recommended: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)


class DonationPledge(Base):
    """A citizen's promise to give money; payment happens outside and is confirmed later."""

    __tablename__ = "donation_pledges"
    __table_args__ = (
        CheckConstraint(_in("status", PLEDGE_STATUSES), name="status"),
        CheckConstraint("amount_fen > 0", name="amount"),
        CheckConstraint(
            "receipt_kind IS NULL OR " + _in("receipt_kind", RECEIPT_KINDS), name="receipt_kind"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("charity_projects.id"), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    donor_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    receipt_wanted: Mapped[bool] = mapped_column(Boolean, default=False)
    receipt_kind: Mapped[str | None] = mapped_column(String(16), nullable=True)
    receipt_title: Mapped[str | None] = mapped_column(String(100), nullable=True)
    # ID number (person) or 统一社会信用代码 (company): the receipt needs it; shown only masked.
    receipt_tax_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    contact_phone: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    project: Mapped[CharityProject] = relationship(lazy="joined")
    payment_transaction_id: Mapped[str | None] = mapped_column(
        String(64), unique=True, nullable=True
    )
    conversation_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    paid_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    receipt_issued_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), nullable=True
    )
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DonationReferenceCounter(Base):
    """Last number handed out per reference prefix and day (CS-20261128-0001 …)."""

    __tablename__ = "donation_reference_counters"

    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class GoodsDropOffPoint(Base):
    """A place where donated goods are received, with opening hours."""

    __tablename__ = "goods_dropoff_points"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    district: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(200))
    hours: Mapped[str] = mapped_column(String(100))
    categories: Mapped[list[str]] = mapped_column(JSON)
    sample: Mapped[bool] = mapped_column(Boolean, default=False)


class GoodsPledge(Base):
    """A citizen's promise to bring goods to a drop-off point."""

    __tablename__ = "goods_pledges"
    __table_args__ = (CheckConstraint(_in("status", GOODS_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(String(200))
    dropoff_point_id: Mapped[int] = mapped_column(ForeignKey("goods_dropoff_points.id"))
    donor_name: Mapped[str | None] = mapped_column(String(64), nullable=True)
    contact_phone: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default="pledged")
    dropoff_point: Mapped[GoodsDropOffPoint] = relationship(lazy="joined")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
