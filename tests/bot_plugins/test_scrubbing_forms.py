"""Every form the parsers accept, the scrubber masks (one definition: zhtext.personal_forms)."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot_plugins.scrubbing import mask_id_like
from core.settings import PROJECT_ROOT
from zhtext.idcard import check_digit, normalise_id_number, validate_id_number
from zhtext.personal_forms import CHINESE_PHONE_DIGITS, ID_SEPARATORS, PHONE_SEPARATORS
from zhtext.phone import parse_phone

FULL_WIDTH = {c: chr(ord(c) + 0xFEE0) for c in "0123456789-_.X"} | {" ": "\u3000"}
CHINESE = {str(value): char for char, value in CHINESE_PHONE_DIGITS.items() if char != "两"}


def written(draw: st.DrawFn, number: str, separators: str, *, chinese: bool = False) -> str:
    """`number` as a citizen might type it: separators, full-width or Chinese digits."""
    style = draw(st.sampled_from(["ascii", "full", "chinese"] if chinese else ["ascii", "full"]))
    out = []
    for index, char in enumerate(number):
        if index and draw(st.integers(0, 3)) == 0:
            out.append(draw(st.sampled_from(separators)) * draw(st.integers(1, 2)))
        if style == "full":
            char = FULL_WIDTH.get(char, char)
        elif style == "chinese":
            char = CHINESE[char]
        out.append(char)
    return "".join(out)


@st.composite
def id_numbers(draw: st.DrawFn) -> tuple[str, str]:
    birth = draw(
        st.dates(
            min_value=__import__("datetime").date(1930, 1, 1),
            max_value=__import__("datetime").date(2020, 12, 31),
        )
    )
    first17 = "330106" + birth.strftime("%Y%m%d") + f"{draw(st.integers(0, 999)):03d}"
    number = first17 + check_digit(first17)
    raw_separators = ID_SEPARATORS + "".join(FULL_WIDTH.get(c, "") for c in ID_SEPARATORS)
    return number, written(draw, number, raw_separators)


@st.composite
def mobiles(draw: st.DrawFn) -> tuple[str, str]:
    number = "1" + draw(st.sampled_from("3456789")) + f"{draw(st.integers(0, 10**9 - 1)):09d}"
    prefix = draw(st.sampled_from(["", "+86 ", "86", "0086-"]))
    return number, prefix + written(draw, number, PHONE_SEPARATORS, chinese=True)


@settings(max_examples=300, deadline=None)
@given(
    case=id_numbers(),
    before=st.sampled_from(["", "身份证号", "我的是 "]),
    after=st.sampled_from(["", "。", " 谢谢"]),
)
def test_every_id_form_the_parser_accepts_is_masked(
    case: tuple[str, str], before: str, after: str
) -> None:
    number, text = case
    check = validate_id_number(text)
    assert check.valid and check.number == number, text
    masked = normalise_id_number(mask_id_like(before + text + after))
    assert number[4:14] not in masked and number not in masked, (text, masked)


@settings(max_examples=300, deadline=None)
@given(case=mobiles(), before=st.sampled_from(["", "电话", "手机号是 "]))
def test_every_mobile_form_the_parser_accepts_is_masked(case: tuple[str, str], before: str) -> None:
    number, text = case
    assume(parse_phone(before + text).number == number)  # a form the assistant accepts ...
    masked = mask_id_like(before + text)
    # ... is masked: only the first 3 and last 4 digits are left
    assert "****" in masked, (text, masked)
    assert parse_phone(masked).number is None, (text, masked)


def test_the_scrubber_needs_only_the_standard_library() -> None:
    # Rasa's environment loads bot_plugins: nothing of the app's packages may come with it.
    script = (
        "import sys; import bot_plugins.scrubbing; "
        "extra = {m.split('.')[0] for m in sys.modules} - set(sys.stdlib_module_names) "
        "- {'bot_plugins', 'zhtext', '__main__'}; print(sorted(extra))"
    )
    result = subprocess.run(
        [sys.executable, "-S", "-c", script], cwd=PROJECT_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
