from __future__ import annotations

from sqlalchemy.orm import Session

from backoffice.records.districts.seed import seed as seed_districts
from backoffice.records.districts.service import list_districts

EXPECTED = ["上城区", "拱墅区", "西湖区", "滨江区", "萧山区", "余杭区", "临平区", "钱塘区",
            "富阳区", "临安区", "桐庐县", "淳安县", "建德市"]  # fmt: skip


def test_seed_creates_the_thirteen_districts_and_is_idempotent(session: Session) -> None:
    seed_districts(session)
    seed_districts(session)
    assert [d.name for d in list_districts(session=session)] == EXPECTED
