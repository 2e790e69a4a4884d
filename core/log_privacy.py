"""Masks identity numbers, mobile numbers and names in every log record of the process.

`install_log_privacy()` wraps the log-record factory, so every record of every logger (ours,
uvicorn's access log with its query strings, rasa-sdk's) is masked when it is created, before any
handler or formatter sees it: string arguments, the message and a logged exception's text.
`PersonalDataFilter` does the same as a `logging.Filter` for handlers configured elsewhere.

Identity numbers keep their first and last four characters ("3301**********1234"), mobile
numbers their first three and last four ("138****5678"). Log messages are written in English by
convention, so any Chinese in a record came from a citizen (a name in a slot, a sentence in an
exception's text): every run of two or more Chinese characters keeps only its first one
("张丽" → "张*"), which hides names without knowing which words are names.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from typing import Any

from zhtext.idcard import mask_id_number

# 15-18 character identity numbers (a mistyped one is still personal data); longer digit runs
# such as bank cards are masked too.
ID_LIKE = re.compile(r"(?<![0-9A-Za-z])\d{14,18}[0-9Xx]?(?![0-9A-Za-z])")
MOBILE = re.compile(r"(?<![0-9])(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}(?![0-9])")
# Han characters (CJK unified ideographs, extension A, compatibility ideographs).
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
_MASKED_MARK = "_personal_data_masked"
_original_factory: Callable[..., logging.LogRecord] | None = None


def _mask_mobile(match: re.Match[str]) -> str:
    digits = re.sub(r"\D", "", match.group(0))[-11:]
    return digits[:3] + "****" + digits[-4:]


def _mask_han_run(match: re.Match[str]) -> str:
    run = match.group(0)
    return run[0] + "*" * (len(run) - 1)


def mask_personal_data(text: str) -> str:
    """`text` with identity-number-like digit runs, mobile numbers and Chinese words masked."""
    masked = text if text.isascii() else HAN_RUN.sub(_mask_han_run, text)
    if not any(char.isdigit() for char in masked):
        return masked
    masked = ID_LIKE.sub(lambda match: mask_id_number(match.group(0)), masked)
    return MOBILE.sub(_mask_mobile, masked)


def _mask_arg(value: Any) -> Any:
    if isinstance(value, str):
        return mask_personal_data(value)
    return value


def _hides_data(value: Any) -> bool:
    """True when a non-string argument prints personal data (an int phone number, an object)."""
    if isinstance(value, str) or value is None or isinstance(value, bool | float):
        return False
    text = str(value)
    return mask_personal_data(text) != text


def mask_record(record: logging.LogRecord) -> logging.LogRecord:
    """Mask `record` in place (once): message, arguments and exception text.

    String arguments are masked one by one (uvicorn's access formatter unpacks the tuple); when a
    non-string argument would print personal data, the message is formatted and masked whole.
    """
    if getattr(record, _MASKED_MARK, False):
        return record
    values = list(record.args.values()) if isinstance(record.args, Mapping) else record.args or ()
    if any(_hides_data(value) for value in values):
        record.msg = mask_personal_data(record.getMessage())
        record.args = None
    else:
        if isinstance(record.msg, str):
            record.msg = mask_personal_data(record.msg)
        if isinstance(record.args, Mapping):
            record.args = {key: _mask_arg(value) for key, value in record.args.items()}
        elif isinstance(record.args, tuple):
            record.args = tuple(_mask_arg(value) for value in record.args)
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = mask_personal_data(record.exc_text)
    if record.stack_info:
        record.stack_info = mask_personal_data(record.stack_info)
    setattr(record, _MASKED_MARK, True)
    return record


class PersonalDataFilter(logging.Filter):
    """A filter that masks every record passing through (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask `record`; always keep it."""
        mask_record(record)
        return True


def install_log_privacy() -> None:
    """Mask every log record this process creates from now on (idempotent)."""
    global _original_factory
    if _original_factory is not None:
        return
    original = logging.getLogRecordFactory()
    _original_factory = original

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return mask_record(original(*args, **kwargs))

    logging.setLogRecordFactory(factory)
