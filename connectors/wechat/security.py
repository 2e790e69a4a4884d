"""Checks every callback: timestamp within 5 minutes, signature, no replay; opens safe mode.

Plain mode signs only (token, timestamp, nonce), not the body: a captured request could carry
another body for as long as its timestamp is accepted. So each (timestamp, nonce) is accepted
once (`SeenStore`, kept for twice the allowed skew). Safe mode's `msg_signature` also covers the
encrypted body.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from connectors.wechat.crypto import (
    MessageCrypto,
    WechatCryptoError,
    sha1_signature,
    signature_matches,
)
from connectors.wechat.envelope import EnvelopeError, parse_xml
from connectors.wechat.ttl_cache import SeenStore

MAX_SKEW_SECONDS = 300


class CallbackRejectedError(Exception):
    """A callback that is not from WeChat, too old, replayed or malformed.

    Attributes:
        status_code: The HTTP status to answer.
        code: A short machine-readable reason.
    """

    def __init__(self, status_code: int, code: str) -> None:
        super().__init__(code)
        self.status_code = status_code
        self.code = code


@dataclass(frozen=True)
class CallbackQuery:
    """The query string WeChat adds to every callback."""

    signature: str | None = None
    timestamp: str | None = None
    nonce: str | None = None
    echostr: str | None = None
    encrypt_type: str | None = None
    msg_signature: str | None = None

    @property
    def encrypted(self) -> bool:
        """Safe mode (or compatible mode's encrypted half)."""
        return (self.encrypt_type or "").lower() == "aes"


@dataclass(frozen=True)
class OpenedCallback:
    """A checked callback: its XML fields, whether it came encrypted, whether it is a replay."""

    fields: dict[str, str]
    encrypted: bool
    replayed: bool


class CallbackGuard:
    """Verifies callbacks with the official account's token (and key in safe mode).

    Args:
        token: The Token configured in the official account.
        crypto: Safe-mode crypto, or None when no EncodingAESKey is configured.
        seen: Remembers (timestamp, nonce) pairs.
        clock: Unix time in seconds.
        max_skew_seconds: Oldest (and furthest in the future) timestamp accepted.
    """

    def __init__(
        self,
        *,
        token: str,
        crypto: MessageCrypto | None,
        seen: SeenStore,
        clock: Callable[[], float] = time.time,
        max_skew_seconds: int = MAX_SKEW_SECONDS,
    ) -> None:
        self._token = token
        self.crypto = crypto
        self._seen = seen
        self._clock = clock
        self._max_skew = max_skew_seconds

    def _check_time(self, query: CallbackQuery) -> tuple[str, str]:
        if not query.timestamp or not query.nonce:
            raise CallbackRejectedError(400, "missing_parameters")
        try:
            sent_at = int(query.timestamp)
        except ValueError as error:
            raise CallbackRejectedError(400, "bad_timestamp") from error
        if abs(self._clock() - sent_at) > self._max_skew:
            raise CallbackRejectedError(403, "stale_timestamp")
        return query.timestamp, query.nonce

    def handshake(self, query: CallbackQuery) -> str:
        """The `echostr` to answer the server-address check (GET) with.

        Raises:
            CallbackRejectedError: Bad or missing signature or timestamp.
        """
        timestamp, nonce = self._check_time(query)
        if not signature_matches(sha1_signature(self._token, timestamp, nonce), query.signature):
            raise CallbackRejectedError(403, "bad_signature")
        if query.echostr is None:
            raise CallbackRejectedError(400, "missing_parameters")
        return query.echostr

    def open(self, query: CallbackQuery, body: bytes) -> OpenedCallback:
        """Check a POSTed callback and return its fields (decrypted in safe mode).

        Raises:
            CallbackRejectedError: Bad signature or timestamp, undecryptable or malformed body.
        """
        timestamp, nonce = self._check_time(query)
        try:
            outer = parse_xml(body)
        except EnvelopeError as error:
            raise CallbackRejectedError(400, "bad_xml") from error
        if query.encrypted:
            fields = self._decrypt(query, outer, timestamp, nonce)
        else:
            expected = sha1_signature(self._token, timestamp, nonce)
            if not signature_matches(expected, query.signature):
                raise CallbackRejectedError(403, "bad_signature")
            fields = outer
        if not fields.get("FromUserName") or not fields.get("MsgType"):
            raise CallbackRejectedError(400, "bad_message")
        replayed = not self._seen.add_if_new(f"{timestamp}:{nonce}")
        return OpenedCallback(fields=fields, encrypted=query.encrypted, replayed=replayed)

    def _decrypt(
        self, query: CallbackQuery, outer: dict[str, str], timestamp: str, nonce: str
    ) -> dict[str, str]:
        if self.crypto is None:
            raise CallbackRejectedError(400, "safe_mode_not_configured")
        encrypted = outer.get("Encrypt", "")
        expected = sha1_signature(self._token, timestamp, nonce, encrypted)
        if not encrypted or not signature_matches(expected, query.msg_signature):
            raise CallbackRejectedError(403, "bad_signature")
        try:
            return parse_xml(self.crypto.decrypt(encrypted))
        except (WechatCryptoError, EnvelopeError) as error:
            raise CallbackRejectedError(400, "bad_encrypted_message") from error

    def seal(self, reply_xml: str, *, timestamp: str, nonce: str) -> tuple[str, str]:
        """Encrypt a passive reply: (Encrypt, MsgSignature).

        Raises:
            CallbackRejectedError: No key configured (cannot happen for an opened safe-mode call).
        """
        if self.crypto is None:
            raise CallbackRejectedError(400, "safe_mode_not_configured")
        encrypted = self.crypto.encrypt(reply_xml)
        return encrypted, sha1_signature(self._token, timestamp, nonce, encrypted)
