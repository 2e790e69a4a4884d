"""Marriage-registration offices, bookable half-days and bookings.

Capacity is a counter on the half-day row (`MarriageSlot.booked`), raised only by a conditional
UPDATE (`booked < capacity`), so concurrent bookings never overfill a half-day. "One person, one
active booking per day" is a unique constraint on `MarriagePersonDay`.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from backoffice.db import Base


class MarriageOffice(Base):
    """A marriage-registration office (婚姻登记处) of a district, or the municipal one."""

    __tablename__ = "marriage_offices"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    district_code: Mapped[str] = mapped_column(String(32))
    level: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(32))
    hours: Mapped[str] = mapped_column(String(200))
    capacity_am: Mapped[int] = mapped_column(Integer)
    capacity_pm: Mapped[int] = mapped_column(Integer)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    sample: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class MarriageSlot(Base):
    """One bookable half-day at one office, with its capacity and how many are booked."""

    __tablename__ = "marriage_slots"
    __table_args__ = (
        UniqueConstraint("office_id", "day", "half_day", name="uq_marriage_slots_office_day_half"),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("marriage_offices.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    half_day: Mapped[str] = mapped_column(String(2))
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class MarriageBooking(Base):
    """A citizen's booking: who, which business, where and when, and its current status."""

    __tablename__ = "marriage_bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    booking_type: Mapped[str] = mapped_column(String(16))
    office_id: Mapped[int] = mapped_column(ForeignKey("marriage_offices.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    half_day: Mapped[str] = mapped_column(String(2))
    party1_name: Mapped[str] = mapped_column(String(64))
    party1_id_kind: Mapped[str] = mapped_column(String(16))
    party1_id_number: Mapped[str] = mapped_column(String(32))
    party2_name: Mapped[str] = mapped_column(String(64))
    party2_id_kind: Mapped[str] = mapped_column(String(16))
    party2_id_number: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    office: Mapped[MarriageOffice] = relationship(lazy="joined")
    events: Mapped[list[MarriageBookingEvent]] = relationship(
        order_by="MarriageBookingEvent.id", back_populates="booking"
    )


class MarriageBookingEvent(Base):
    """One step of a booking's status history (booked, rescheduled, cancelled, …)."""

    __tablename__ = "marriage_booking_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("marriage_bookings.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    office_id: Mapped[int] = mapped_column(ForeignKey("marriage_offices.id"))
    day: Mapped[dt.date] = mapped_column(Date)
    half_day: Mapped[str] = mapped_column(String(2))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    booking: Mapped[MarriageBooking] = relationship(back_populates="events")
    office: Mapped[MarriageOffice] = relationship(lazy="joined")


class MarriagePersonDay(Base):
    """A person's claim on a day while their booking is active (one claim per person and day).

    `person_key` is a SHA-256 of the normalised ID or passport number, so the claim table holds
    no readable ID numbers.
    """

    __tablename__ = "marriage_person_days"
    __table_args__ = (
        UniqueConstraint("person_key", "day", name="uq_marriage_person_days_person_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_key: Mapped[str] = mapped_column(String(64))
    day: Mapped[dt.date] = mapped_column(Date)
    booking_id: Mapped[int] = mapped_column(ForeignKey("marriage_bookings.id"), index=True)


class MarriageReferenceCounter(Base):
    """The last reference number handed out for one appointment day (HY-YYYYMMDD-NNNN)."""

    __tablename__ = "marriage_reference_counters"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)
