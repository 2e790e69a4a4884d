from __future__ import annotations

from datetime import date

import pytest

from zhtext.idcard import (
    IdCheck,
    PassportCheck,
    age_on,
    check_digit,
    mask_id_number,
    mask_name,
    mask_phone,
    normalise_id_number,
    validate_id_number,
    validate_passport_number,
)

TODAY = date(2026, 11, 28)
# The worked example of GB 11643-1999 (Beijing, Chaoyang, born 1949-12-31, female).
STANDARD_EXAMPLE = "11010519491231002X"
FULL_WIDTH_EXAMPLE = "１１０１０５１９４９１２３１００２Ｘ"
HANGZHOU_MAN = "33010619900101123X"
HANGZHOU_WOMAN = "330106199001011248"


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),
        ("44052418800101001", "4"),  # second example of the standard
        ("33010619900101123", "X"),
        ("33010619900101124", "8"),
        ("33010620000229002", "9"),
    ],
)
def test_check_digit(first17: str, check: str) -> None:
    assert check_digit(first17) == check


# One number for each of the 11 possible check characters (remainders 0–10).
EVERY_CHECK_CHARACTER = [
    "330106199001011010", "330106199001011061", "330106199001011002", "330106199001011053",
    "330106199001011184", "330106199001011045", "330106199001011096", "330106199001011037",
    "330106199001011088", "330106199001011029", "33010619900101107X",
]  # fmt: skip


@pytest.mark.parametrize("number", EVERY_CHECK_CHARACTER)
def test_every_check_character(number: str) -> None:
    assert check_digit(number[:17]) == number[17]
    assert validate_id_number(number, today=TODAY).valid
    for wrong in "0123456789X".replace(number[17], ""):
        assert validate_id_number(number[:17] + wrong, today=TODAY).reason == "checksum"


@pytest.mark.parametrize("bad", ["1101051949123100", "110105194912310021", "1101051949123100X"])
def test_check_digit_needs_17_digits(bad: str) -> None:
    with pytest.raises(ValueError, match="17 digits"):
        check_digit(bad)


@pytest.mark.parametrize(
    ("text", "birth", "sex", "region", "holder"),
    [
        (STANDARD_EXAMPLE, date(1949, 12, 31), "female", "110105", "resident"),
        ("11010519491231002x", date(1949, 12, 31), "female", "110105", "resident"),
        (
            "１１０１０５１９４９１２３１００２Ｘ",
            date(1949, 12, 31),
            "female",
            "110105",
            "resident",
        ),
        ("110105 19491231 002X", date(1949, 12, 31), "female", "110105", "resident"),
        ("110105-19491231-002x", date(1949, 12, 31), "female", "110105", "resident"),
        (HANGZHOU_MAN, date(1990, 1, 1), "male", "330106", "resident"),
        (HANGZHOU_WOMAN, date(1990, 1, 1), "female", "330106", "resident"),
        ("330106200002290029", date(2000, 2, 29), "female", "330106", "resident"),
        ("33010620261128001X", TODAY, "male", "330106", "resident"),  # born today
        ("810000199001011230", date(1990, 1, 1), "male", "810000", "hk_mo_tw_resident"),
        ("933840199001011235", date(1990, 1, 1), "male", "933840", "foreign_permanent_resident"),
    ],
)
def test_valid_id_numbers(text: str, birth: date, sex: str, region: str, holder: str) -> None:
    result = validate_id_number(text, today=TODAY)
    assert result == IdCheck(True, None, normalise_id_number(text), birth, sex, region, holder)  # type: ignore[arg-type]
    assert result.number.isascii()
    assert len(result.number) == 18


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("3301061990010112AX", "chars"),
        ("3301061990O101123X", "chars"),  # letter O for zero
        ("33010619900101123Y", "chars"),
        ("X33010619900101123", "chars"),
        ("身份证33010619900101123X", "chars"),
        ("33010619900101123", "length"),  # 17
        ("33010619900101123X5", "chars"),  # X not last
        ("3301061990010112345", "length"),  # 19 digits
        ("330106900101123", "length"),  # old 15-digit number
        ("000106199001011234", "region"),
        ("990106199001011234", "region"),
        ("700106199001011234", "region"),
        ("330106199013011234", "birth_date"),  # month 13
        ("330106199002301234", "birth_date"),  # 30 February
        ("330106190002291234", "birth_date"),  # 1900 was not a leap year
        ("330106189912311234", "birth_date"),  # before 1900
        ("330106202611290015", "birth_date"),  # tomorrow: in the future
        ("330106199001011234", "checksum"),
        ("330106199001011239", "checksum"),
        ("110105194912310020", "checksum"),
        ("110105194912310021", "checksum"),  # one digit of the check changed
        ("110105194912310120", "checksum"),  # two digits swapped in the sequence
    ],
)
def test_invalid_id_numbers_say_why(text: str, reason: str) -> None:
    result = validate_id_number(text, today=TODAY)
    assert result.valid is False
    assert result.reason == reason
    assert result.birth_date is None
    assert result.sex is None


def test_validate_uses_the_current_date_by_default() -> None:
    assert validate_id_number(STANDARD_EXAMPLE).valid
    assert validate_id_number("33010699990101000X").reason == "birth_date"


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(1990, 1, 1), date(2026, 11, 28), 36),
        (date(1990, 11, 28), date(2026, 11, 28), 36),  # birthday today
        (date(1990, 11, 29), date(2026, 11, 28), 35),  # birthday tomorrow
        (date(2004, 11, 29), date(2026, 11, 28), 21),  # men may marry at 22
        (date(2000, 2, 29), date(2026, 2, 28), 25),
        (date(2000, 2, 29), date(2026, 3, 1), 26),
        (date(2026, 11, 28), date(2026, 11, 28), 0),
    ],
)
def test_age_on(birth: date, on: date, age: int) -> None:
    assert age_on(birth, on) == age


def test_id_check_age_on() -> None:
    assert validate_id_number(HANGZHOU_MAN, today=TODAY).age_on(TODAY) == 36
    assert validate_id_number("330106199001011234", today=TODAY).age_on(TODAY) is None


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("E12345678", "E12345678"),
        ("e 1234 5678", "E12345678"),
        ("G-1234567", "G1234567"),
        ("123456789", "123456789"),  # some countries use digits only
        ("ＰＡ１２３４５６", "PA123456"),
        ("A1B2C3D4E5F6G7H8I9J0", "A1B2C3D4E5F6G7H8I9J0"),  # 20 characters
    ],
)
def test_valid_passport_numbers(text: str, number: str) -> None:
    assert validate_passport_number(text) == PassportCheck(True, None, number)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        (" - ", "empty"),
        ("E123", "length"),
        ("A1B2C3D4E5F6G7H8I9J0K", "length"),  # 21 characters
        ("ABCDEFGH", "no_digit"),
        ("E1234567$", "chars"),
        ("护照E1234567", "chars"),
    ],
)
def test_invalid_passport_numbers_say_why(text: str, reason: str) -> None:
    result = validate_passport_number(text)
    assert result.valid is False
    assert result.reason == reason


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("330106199001011234", "3301**********1234"),
        ("33010619900101123x", "3301**********123X"),
        ("３３０１０６１９９００１０１１２３４", "3301**********1234"),
        ("330106900101123", "3301*******1123"),
        ("E12345678", "E******78"),  # passports keep less
        ("1234", "**34"),
        ("12", "**"),
        ("", ""),
    ],
)
def test_mask_id_number(text: str, masked: str) -> None:
    assert mask_id_number(text) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三丰", "张**"),
        ("张三", "张*"),
        ("欧阳娜娜", "欧***"),
        (" 李四 ", "李*"),
        ("王", "*"),
        ("", ""),
        ("John Smith", "J*** *****"),
    ],
)
def test_mask_name(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("138-1234-5678", "138****5678"),
        ("+8613812345678", "+86 138****5678"),
        ("0571-87008174", "0571-****8174"),
        ("87008174", "****8174"),
        ("12345", "****5"),
        ("", ""),
    ],
)
def test_mask_phone(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize("secret", ["330106199001011234", "13812345678", "0571-87008174", "张三丰"])
def test_masks_never_show_the_whole_value(secret: str) -> None:
    for mask in (mask_id_number, mask_phone, mask_name):
        assert secret not in mask(secret)
