from __future__ import annotations

import pytest

from zhtext.phone import PhoneResult, parse_phone


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("138.1234.5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+86-138-1234-5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("008613812345678", "13812345678"),
        ("16612345678", "16612345678"),
        ("19912345678", "19912345678"),
        ("我的手机是13812345678，谢谢", "13812345678"),
        ("电话12345或者13812345678", "13812345678"),  # the hotline is skipped
        ("１３８－１２３４－５６７８", "13812345678"),
        ("一三八一二三四五六七八", "13812345678"),
        ("我手机幺三八 幺二三四 五六七八", "13812345678"),
        ("电话是一五九零五七一两两三三", "15905712233"),
    ],
)
def test_mobile_numbers(text: str, number: str) -> None:
    assert parse_phone(text) == PhoneResult(number, "mobile", None)


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("0571-87008174", "0571-87008174"),
        ("0571 8700 8174", "0571-87008174"),
        ("057187008174", "0571-87008174"),
        ("(0571)87008174", "0571-87008174"),
        ("（0571）87008174", "0571-87008174"),
        ("+86 571 87008174", "0571-87008174"),
        ("87008174", "0571-87008174"),  # bare local number: Hangzhou
        ("8700-8174", "0571-87008174"),
        ("010-62345678", "010-62345678"),  # three-digit area code
        ("021-6123456", "021-6123456"),  # seven-digit local number
        ("0574-8765432", "0574-8765432"),
        ("０５７１－８７００８１７４", "0571-87008174"),
    ],
)
def test_landline_numbers(text: str, number: str) -> None:
    assert parse_phone(text) == PhoneResult(number, "landline", None)


def test_other_default_area_code() -> None:
    assert parse_phone("87654321", default_area_code="0574").number == "0574-87654321"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("没有电话", "empty"),
        ("12345", "service_number"),
        ("12349", "service_number"),
        ("110", "service_number"),
        ("120", "service_number"),
        ("0571-12345", "service_number"),
        ("95588", "service_number"),
        ("400-123-4567", "service_number"),
        ("800 123 4567", "service_number"),
        ("12345678901", "format"),  # 12x is no mobile prefix
        ("11012345678", "format"),
        ("0571-0123456", "format"),  # local numbers never start with 0 or 1
        ("1381234567", "length"),
        ("138123456789", "length"),
        ("8700817", "length"),  # Hangzhou numbers have eight digits
        ("05718700", "length"),
        ("0571-870081741", "length"),
        ("123456", "length"),
        ("0", "length"),
        ("+0", "length"),
    ],
)
def test_rejected_numbers_say_why(text: str, reason: str) -> None:
    result = parse_phone(text)
    assert result == PhoneResult(None, None, reason)  # type: ignore[arg-type]
    assert not result.valid


def test_the_longest_candidate_explains_a_rejection() -> None:
    assert parse_phone("我家3口人，电话1381234567").reason == "length"


def test_chinese_words_with_digits_are_not_read_as_numbers() -> None:
    assert parse_phone("等一下，三五分钟后再说").reason == "empty"
    assert parse_phone("一三八一二三").reason == "empty"  # too short to be read as digits
