"""Identity and mobile numbers are masked in every log record."""

from __future__ import annotations

import logging

import pytest

from core.log_privacy import PersonalDataFilter, install_log_privacy, mask_personal_data

ID_NUMBER = "330106199001011234"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"身份证 {ID_NUMBER} 查询", "身** 3301**********1234 查*"),
        ("证号33010619900101123X", "证*3301**********123X"),
        ("手机13812345678，谢谢", "手*138****5678，谢*"),
        ("input_value='张丽' name 欧阳晓雯", "input_value='张*' name 欧***"),
        ("阿依古丽·买买提", "阿***·买**"),
        ("姓 王", "姓 王"),
        ("phone=+86 138-1234-5678&x=1", "phone=138****5678&x=1"),
        ("/api/x?phone=13812345678", "/api/x?phone=138****5678"),
        ("热线 12345，座机 0571-87008174", "热* 12345，座* 0571-87008174"),
        ("reference HY20261129A7", "reference HY20261129A7"),
    ],
)
def test_mask_personal_data(text: str, expected: str) -> None:
    assert mask_personal_data(text) == expected


def test_every_logger_is_masked_after_install(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Other tests start uvicorn in-process, whose logging config may raise its access log's level,
    # disable it or stop it propagating to the root logger that caplog listens on.
    access_logger = logging.getLogger("uvicorn.access")
    monkeypatch.setattr(access_logger, "propagate", True)
    monkeypatch.setattr(access_logger, "disabled", False)
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    install_log_privacy()
    install_log_privacy()  # idempotent
    with caplog.at_level(logging.INFO):
        logging.getLogger("any.module").info("lookup %s phone %s", ID_NUMBER, 13812345678)
        logging.getLogger("uvicorn.access").info(
            '%s - "%s %s HTTP/%s" %d',
            "127.0.0.1:5000",
            "GET",
            "/api/x?phone=13812345678",
            "1.1",
            200,
        )
        try:
            raise ValueError(f"bad id {ID_NUMBER} for 张丽")
        except ValueError:
            logging.getLogger("any.module").exception("failed")
        logging.getLogger("any.module").warning("slot %s = %r", "visitor", {"name": "欧阳晓雯"})
    assert ID_NUMBER not in caplog.text
    assert "张丽" not in caplog.text and "张*" in caplog.text
    assert "欧阳晓雯" not in caplog.text and "欧***" in caplog.text
    assert "13812345678" not in caplog.text
    assert "3301**********1234" in caplog.text
    assert "/api/x?phone=138****5678" in caplog.text
    # The access log keeps its argument tuple (uvicorn's formatter unpacks it).
    access = next(record for record in caplog.records if record.name == "uvicorn.access")
    assert isinstance(access.args, tuple) and access.args[-1] == 200


def test_filter_masks_a_record() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "id %s", (ID_NUMBER,), None)
    assert PersonalDataFilter().filter(record)
    assert record.getMessage() == "id 3301**********1234"
