"""Money arithmetic: amounts are stored in fen (integers) and shown in yuan."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal, InvalidOperation

from backoffice.records.donation.texts import refusal

_FEN = Decimal(100)
_MAX_PERCENT = 999


def to_fen(amount: Decimal) -> int:
    """Yuan → fen; refuses fractions of a fen.

    Raises:
        ApiError: 422 ``amount_invalid`` for NaN, infinities or more than two decimals.
    """
    try:
        fen = amount * _FEN
        if not fen.is_finite() or fen != fen.to_integral_value():
            raise refusal(422, "amount_invalid")
        return int(fen)
    except InvalidOperation as error:
        raise refusal(422, "amount_invalid") from error


def to_yuan(fen: int) -> Decimal:
    """Fen → yuan with two decimals."""
    return (Decimal(fen) / _FEN).quantize(Decimal("0.01"))


def format_yuan(amount: Decimal) -> str:
    """A plain amount for messages: 200 → "200", 1.5 → "1.50"."""
    if amount == amount.to_integral_value():
        return str(int(amount))
    return str(amount.quantize(Decimal("0.01")))


def progress_percent(raised_fen: int, target_fen: int | None) -> int | None:
    """Whole percent raised of the target (rounded down, capped); None without a target."""
    if not target_fen:
        return None
    percent = (Decimal(raised_fen) * 100 / Decimal(target_fen)).to_integral_value(ROUND_DOWN)
    return min(int(percent), _MAX_PERCENT)
