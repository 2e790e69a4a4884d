"""WeChat's callback signatures and the AES message encryption of safe mode (安全模式).

The documented algorithm (微信公众平台「消息加解密说明」), implemented with `cryptography`:

- signature = SHA-1 hex of the sorted, concatenated strings (token, timestamp, nonce[, Encrypt]);
- key = Base64-decode(EncodingAESKey + "="), 32 bytes: AES-256-CBC, IV = the key's first 16 bytes;
- plaintext = 16 random bytes + 4-byte big-endian length of the message + message + AppID,
  padded PKCS#7 to a multiple of 32 bytes (not AES's 16), then Base64.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

PAD_BLOCK = 32
AES_KEY_CHARS = 43


class WechatCryptoError(Exception):
    """A message that is not what the official account's key and AppID produce."""


def sha1_signature(*parts: str) -> str:
    """WeChat's signature: SHA-1 hex of the parts sorted and concatenated."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected: str, given: str | None) -> bool:
    """Constant-time comparison of a computed and a received signature."""
    return given is not None and hmac.compare_digest(expected, given.lower())


def _pad(data: bytes) -> bytes:
    amount = PAD_BLOCK - len(data) % PAD_BLOCK
    return data + bytes([amount]) * amount


def _unpad(data: bytes) -> bytes:
    if not data:
        raise WechatCryptoError("empty plaintext")
    amount = data[-1]
    if not 1 <= amount <= PAD_BLOCK or data[-amount:] != bytes([amount]) * amount:
        raise WechatCryptoError("bad padding")
    return data[:-amount]


class MessageCrypto:
    """Encrypts and decrypts the `Encrypt` field of safe-mode messages.

    Args:
        encoding_aes_key: The 43-character EncodingAESKey of the official account.
        app_id: The AppID the plaintext must end with.

    Raises:
        ValueError: The key is not a 43-character Base64 key.
    """

    def __init__(self, *, encoding_aes_key: str, app_id: str) -> None:
        if len(encoding_aes_key) != AES_KEY_CHARS:
            raise ValueError("WECHAT_ENCODING_AES_KEY must have 43 characters")
        try:
            self._key = base64.b64decode(encoding_aes_key + "=", validate=True)
        except binascii.Error as error:
            raise ValueError("WECHAT_ENCODING_AES_KEY is not Base64") from error
        self._app_id = app_id.encode("utf-8")

    def _cipher(self) -> Cipher[modes.CBC]:
        return Cipher(algorithms.AES(self._key), modes.CBC(self._key[:16]))

    def encrypt(self, message: str, *, random_prefix: bytes | None = None) -> str:
        """The Base64 ciphertext of `message` (`random_prefix`: 16 bytes, for tests)."""
        body = message.encode("utf-8")
        prefix = random_prefix if random_prefix is not None else os.urandom(16)
        plain = _pad(prefix + struct.pack(">I", len(body)) + body + self._app_id)
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        """The message inside `encrypted`.

        Raises:
            WechatCryptoError: Not Base64, not decryptable with the key, or for another AppID.
        """
        try:
            data = base64.b64decode(encrypted, validate=True)
        except binascii.Error as error:
            raise WechatCryptoError("not base64") from error
        if not data or len(data) % 16:
            raise WechatCryptoError("bad ciphertext length")
        decryptor = self._cipher().decryptor()
        plain = _unpad(decryptor.update(data) + decryptor.finalize())
        if len(plain) < 20:
            raise WechatCryptoError("plaintext too short")
        (length,) = struct.unpack(">I", plain[16:20])
        body, app_id = plain[20 : 20 + length], plain[20 + length :]
        if len(body) != length or not hmac.compare_digest(app_id, self._app_id):
            raise WechatCryptoError("message for another AppID")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as error:
            raise WechatCryptoError("message is not UTF-8") from error
