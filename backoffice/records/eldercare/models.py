"""Eldercare facilities (养老机构、照料中心、老年食堂、家庭养老床位) and visit bookings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backoffice.db import Base


class EldercareFacility(Base):
    """A place that cares for older people, of one of four kinds.

    ``kind``: ``institution`` (养老机构), ``day_center`` (居家养老服务照料中心), ``canteen``
    (老年食堂 / 助餐点) or ``family_bed`` (家庭养老床位 provider). The six ``serves_*`` /
    ``offers_*`` flags say which needs it meets; prices are monthly yuan except ``meal_price``
    (one meal). ``vacancies`` is None where places are not counted (canteens).
    """

    __tablename__ = "eldercare_facilities"
    __table_args__ = (
        CheckConstraint("vacancies IS NULL OR vacancies >= 0", name="vacancies_not_negative"),
        CheckConstraint("visit_capacity >= 0", name="visit_capacity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(16), index=True)
    ownership: Mapped[str | None] = mapped_column(String(16))
    district_code: Mapped[str] = mapped_column(String(32), index=True)
    street: Mapped[str] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(256))
    phone: Mapped[str] = mapped_column(String(32))
    lat: Mapped[float]
    lon: Mapped[float]
    total_beds: Mapped[int | None]
    nursing_beds: Mapped[int | None]
    vacancies: Mapped[int | None]
    price_min: Mapped[int | None]
    price_max: Mapped[int | None]
    meal_price: Mapped[int | None]
    opening_hours: Mapped[str | None] = mapped_column(String(64))
    serves_disabled: Mapped[bool] = mapped_column(default=False)
    serves_semi_disabled: Mapped[bool] = mapped_column(default=False)
    dementia_care: Mapped[bool] = mapped_column(default=False)
    offers_meals: Mapped[bool] = mapped_column(default=False)
    offers_day_care: Mapped[bool] = mapped_column(default=False)
    offers_short_stay: Mapped[bool] = mapped_column(default=False)
    visit_capacity: Mapped[int] = mapped_column(default=4)
    is_sample: Mapped[bool] = mapped_column(default=True)
    note: Mapped[str | None] = mapped_column(String(256))


class EldercareVisitSlot(Base):
    """How many visits one facility takes in one half-day, and how many are booked."""

    __tablename__ = "eldercare_visit_slots"
    __table_args__ = (
        UniqueConstraint("facility_id", "visit_date", "half_day"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("eldercare_facilities.id"))
    visit_date: Mapped[dt.date] = mapped_column(Date)
    half_day: Mapped[str] = mapped_column(String(2))
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)


class EldercareReferenceCounter(Base):
    """The last visit reference number handed out for one visit day (YL-YYYYMMDD-NNNN)."""

    __tablename__ = "eldercare_reference_counters"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class EldercareVisit(Base):
    """A family's visit (参观预约) to a facility, referenced as YL-YYYYMMDD-NNNN."""

    __tablename__ = "eldercare_visits"
    __table_args__ = (
        # One live booking per phone, facility and half-day (a repeated request returns it).
        Index(
            "uq_eldercare_visits_live_booking",
            "facility_id",
            "visit_date",
            "half_day",
            "phone",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    facility_id: Mapped[int] = mapped_column(ForeignKey("eldercare_facilities.id"), index=True)
    visit_date: Mapped[dt.date] = mapped_column(Date)
    half_day: Mapped[str] = mapped_column(String(2))
    visitor_name: Mapped[str] = mapped_column(String(64))
    phone: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="booked")
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    facility: Mapped[EldercareFacility] = relationship(lazy="joined")
