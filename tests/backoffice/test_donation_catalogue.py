"""The donation catalogue: seed, projects by theme, progress; goods and their drop-off points."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backoffice.records.donation.catalogue import load_catalogue
from backoffice.records.donation.goods import create_goods_pledge, dropoff_points
from backoffice.records.donation.mapping import goods_info_out, project_out
from backoffice.records.donation.models import CharityProject
from backoffice.records.donation.money import progress_percent
from backoffice.records.donation.projects import get_project, list_projects
from backoffice.records.donation.schemas import GoodsPledgeIn
from backoffice.records.donation.seed import seed
from tests.backoffice.donation_support import NOW, PHONE, refusal
from tests.backoffice.donation_support import seeded as seeded


def test_seed_is_idempotent_and_keeps_online_raised(seeded: Session) -> None:
    project = get_project(session=seeded, code="edu-lunch-2026")
    project.raised_online_fen = 12_345
    seeded.commit()
    seed(seeded)
    seed(seeded)
    assert seeded.scalar(select(func.count()).select_from(CharityProject)) == 8
    assert get_project(session=seeded, code="edu-lunch-2026").raised_online_fen == 12_345


def test_seed_file_is_marked_as_sample_data() -> None:
    catalogue = load_catalogue()
    assert catalogue.sample is True
    assert all("示例" in p.fundraising_record_no for p in catalogue.projects)
    assert set(catalogue.themes) >= {"education", "elderly", "disability", "medical", "disaster"}
    assert {"community", "general"} <= set(catalogue.themes)


def test_projects_by_theme_recommended_and_general_fund(seeded: Session) -> None:
    education = list_projects(session=seeded, theme="education")
    assert [p.code for p in education] == ["edu-lunch-2026", "edu-college-2026"]
    recommended = list_projects(session=seeded, recommended=True)
    assert recommended and all(p.recommended for p in recommended)
    # The completed disaster project is not offered; the general fund is.
    active = {p.code for p in list_projects(session=seeded)}
    assert "disaster-relief-2026" not in active
    assert "general-fund" in active


def test_project_progress(seeded: Session) -> None:
    out = project_out(get_project(session=seeded, code="edu-lunch-2026"))
    assert out.target == Decimal("500000.00")
    assert out.raised == Decimal("186400.00")
    assert out.progress_percent == 37
    assert out.theme_name == "助学"
    general = project_out(get_project(session=seeded, code="general-fund"))
    assert general.target is None
    assert general.progress_percent is None


@pytest.mark.parametrize(
    ("raised", "target", "percent"),
    [(0, 100, 0), (99, 100, 99), (100, 100, 100), (1, 3, 33), (50_000, 100, 999), (5, None, None)],
)
def test_progress_percent(raised: int, target: int | None, percent: int | None) -> None:
    assert progress_percent(raised, target) == percent


def test_goods_info_and_filter(seeded: Session) -> None:
    info = goods_info_out(dropoff_points(session=seeded))
    assert {c.code for c in info.categories} >= {"clothing", "books"}
    assert "药品" in info.not_accepted
    assert "慈善总会" in info.where_to_give and "12345" in info.where_to_give
    assert all(p.hours and p.sample for p in info.points)
    food_points = dropoff_points(session=seeded, category="food")
    assert food_points and all("food" in p.categories for p in food_points)
    assert "xihu-hub" not in {p.code for p in food_points}


def test_goods_pledge(seeded: Session) -> None:
    made = create_goods_pledge(
        session=seeded,
        pledge=GoodsPledgeIn(
            category="clothing",
            description="冬衣 10 件",
            dropoff_point="xihu-hub",
            donor_name="李四",
            contact_phone=PHONE,
        ),
        now=NOW,
    )
    assert made.reference == "CW-20261128-0001"
    assert made.dropoff_point.name.startswith("西湖区")
    wrong_point = refusal(
        lambda: create_goods_pledge(
            session=seeded,
            pledge=GoodsPledgeIn(
                category="food", description="大米", dropoff_point="xihu-hub", contact_phone=PHONE
            ),
        )
    )
    assert wrong_point.code == "goods_point_category"
    unknown = refusal(
        lambda: create_goods_pledge(
            session=seeded,
            pledge=GoodsPledgeIn(
                category="medicine", description="药", dropoff_point="xihu-hub", contact_phone=PHONE
            ),
        )
    )
    assert unknown.code == "goods_category_unknown"
