"""Signed requests from the payment side (and the charity's receipt system).

The caller sends two headers:

- ``X-Donation-Timestamp``: Unix seconds when the request was signed;
- ``X-Donation-Signature``: ``sha256=`` + hex HMAC-SHA256 of ``<timestamp>.<raw body>`` with the
  shared secret ``DONATION_PAYMENT_SECRET``.

A timestamp outside the tolerance window is refused, so a captured request cannot be replayed
later (and a replay within the window is harmless: confirmations are idempotent).
"""

from __future__ import annotations

import hashlib
import hmac
import time

from backoffice.records.donation.settings import DonationSettings, usable_secret
from backoffice.records.donation.texts import refusal

TIMESTAMP_HEADER = "x-donation-timestamp"
SIGNATURE_HEADER = "x-donation-signature"
SIGNATURE_PREFIX = "sha256="


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """The signature header value for `body` signed at `timestamp`."""
    digest = hmac.new(secret, timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return SIGNATURE_PREFIX + digest.hexdigest()


def verify_signature(
    *,
    settings: DonationSettings,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float | None = None,
) -> None:
    """Check a signed request.

    Raises:
        ApiError: 503 when no usable secret is configured; 401 when a header is missing,
            the timestamp is outside the window or the signature does not match.
    """
    secret = usable_secret(settings.payment_secret)
    if secret is None:
        raise refusal(503, "payment_not_configured")
    if not timestamp or not signature:
        raise refusal(401, "signature_missing")
    if not timestamp.isascii() or not timestamp.isdigit():
        raise refusal(401, "signature_invalid")
    current = time.time() if now is None else now
    if abs(current - int(timestamp)) > settings.signature_tolerance_seconds:
        raise refusal(401, "signature_expired")
    expected = sign(secret, timestamp, body)
    if not hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("utf-8")):
        raise refusal(401, "signature_invalid")
