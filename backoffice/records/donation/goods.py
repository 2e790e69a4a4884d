"""Goods donations: the drop-off points and a citizen's promise to bring goods to one."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from backoffice.records.donation.catalogue import Catalogue, get_catalogue
from backoffice.records.donation.models import GoodsDropOffPoint, GoodsPledge
from backoffice.records.donation.pledge_references import GOODS_PREFIX, next_reference
from backoffice.records.donation.pledges import normalise_phone
from backoffice.records.donation.schemas import GoodsPledgeIn
from backoffice.records.donation.texts import refusal


def upsert_dropoff_points(*, session: Session, catalogue: Catalogue) -> int:
    """Insert or update the goods drop-off points by code."""
    existing = {p.code: p for p in session.scalars(select(GoodsDropOffPoint))}
    for row in catalogue.goods.points:
        point = existing.get(row.code) or GoodsDropOffPoint(code=row.code)
        point.name = row.name
        point.district = row.district
        point.address = row.address
        point.hours = row.hours
        point.categories = list(row.categories)
        point.sample = catalogue.sample
        session.add(point)
    session.commit()
    return len(catalogue.goods.points)


def dropoff_points(*, session: Session, category: str | None = None) -> list[GoodsDropOffPoint]:
    """The drop-off points in catalogue order (only those taking `category`, when given)."""
    points = session.scalars(select(GoodsDropOffPoint).order_by(GoodsDropOffPoint.id))
    return [p for p in points if category is None or category in p.categories]


def create_goods_pledge(
    *,
    session: Session,
    pledge: GoodsPledgeIn,
    now: dt.datetime | None = None,
    catalogue: Catalogue | None = None,
) -> GoodsPledge:
    """Record a promise to bring goods to a drop-off point.

    Raises:
        ApiError: 422 unknown category, unknown point, point not taking the category,
            missing description or invalid phone.
    """
    now = now or dt.datetime.now(dt.UTC)
    categories = {c.code: c for c in (catalogue or get_catalogue()).goods.categories}
    category = categories.get(pledge.category)
    if category is None:
        raise refusal(422, "goods_category_unknown")
    point = session.scalar(
        select(GoodsDropOffPoint).where(GoodsDropOffPoint.code == pledge.dropoff_point)
    )
    if point is None:
        raise refusal(422, "goods_point_unknown")
    if category.code not in point.categories:
        raise refusal(422, "goods_point_category")
    if not pledge.description:
        raise refusal(422, "goods_description_required")
    phone = normalise_phone(pledge.contact_phone)
    record = GoodsPledge(
        reference=next_reference(session, GOODS_PREFIX, now),
        category=category.code,
        description=pledge.description,
        dropoff_point_id=point.id,
        donor_name=(pledge.donor_name or "").strip() or None,
        contact_phone=phone,
        status="pledged",
        created_at=now,
    )
    session.add(record)
    session.commit()
    return record
