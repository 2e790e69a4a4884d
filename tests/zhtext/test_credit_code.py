from __future__ import annotations

import pytest

from zhtext.credit_code import (
    credit_check_character,
    mask_credit_code,
    normalise_credit_code,
    validate_credit_code,
)

# Published codes: the worked example of GB 32100-2015 and three well-known companies.
PUBLISHED = [
    "91350100M000100Y43",  # example in the standard
    "91440300708461136T",  # 腾讯科技（深圳）有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "914403001922038216",  # 华为技术有限公司
]
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_are_valid(code: str) -> None:
    check = validate_credit_code(code)
    assert check.valid
    assert check.reason is None
    assert check.code == code


@pytest.mark.parametrize("code", PUBLISHED)
def test_every_other_check_character_is_rejected(code: str) -> None:
    for wrong in ALPHABET.replace(code[17], ""):
        assert validate_credit_code(code[:17] + wrong).reason == "checksum"


@pytest.mark.parametrize("code", PUBLISHED)
def test_one_changed_character_is_caught(code: str) -> None:
    # A single substitution always changes the weighted sum mod 31 (31 is prime).
    for position in range(17):
        replacement = "1" if code[position] != "1" else "2"
        if position in range(2, 8) or replacement in ALPHABET:
            changed = code[:position] + replacement + code[position + 1 :]
            assert not validate_credit_code(changed).valid


def test_check_character_zero_when_the_sum_is_a_multiple_of_31() -> None:
    # Find a body whose weighted sum is divisible by 31: its check character must be "0".
    for last in ALPHABET:
        body = "9133010071610585" + last
        if credit_check_character(body) == "0":
            assert validate_credit_code(body + "0").valid
            return
    pytest.fail("no body with check character 0 found")


def test_lower_case_full_width_and_spaces_are_accepted() -> None:
    assert validate_credit_code("9133 0100 7161 0585 2f").valid
    assert validate_credit_code("９１３３０１００７１６１０５８５２Ｆ").valid
    assert normalise_credit_code(" 91330100-716105852f ") == "91330100716105852F"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("91330100716105852I", "chars"),  # I is not in the alphabet
        ("9133010071610585O2", "chars"),
        ("阿里巴巴", "chars"),
        ("91330100716105852", "length"),
        ("91330100716105852F0", "length"),
        ("9133A100716105852F", "region"),
        ("91330100716105852G", "checksum"),
    ],
)
def test_rejections_name_the_reason(text: str, reason: str) -> None:
    check = validate_credit_code(text)
    assert not check.valid
    assert check.reason == reason


@pytest.mark.parametrize("bad", ["9133010071610585", "9133010071610585I", "913301007161058521"])
def test_check_character_needs_17_alphabet_characters(bad: str) -> None:
    with pytest.raises(ValueError, match="17 characters"):
        credit_check_character(bad)


def test_mask() -> None:
    assert mask_credit_code("91330100716105852F") == "9133**********852F"
    assert mask_credit_code("1234") == "****"
