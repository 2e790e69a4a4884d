"""The XML WeChat posts to the callback and the XML of a passive reply (被动回复).

Incoming XML is flat (`<xml><ToUserName>…</ToUserName>…</xml>`). Documents with a DOCTYPE are
refused before parsing: WeChat never sends one, and refusing it rules out entity tricks.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
MAX_BODY_BYTES = 64 * 1024


class EnvelopeError(Exception):
    """The body is not the XML WeChat sends."""


def parse_xml(body: bytes | str) -> dict[str, str]:
    """The child elements of `<xml>` as a dict of their texts.

    Raises:
        EnvelopeError: Not well-formed, too large, a DOCTYPE, or not an `<xml>` document.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else body
    if len(raw) > MAX_BODY_BYTES:
        raise EnvelopeError("body too large")
    if _DOCTYPE.search(raw):
        raise EnvelopeError("DOCTYPE not allowed")
    try:
        root = ElementTree.fromstring(raw)
    except ElementTree.ParseError as error:
        raise EnvelopeError(str(error)) from error
    if root.tag != "xml":
        raise EnvelopeError("root element is not <xml>")
    return {child.tag: (child.text or "").strip() for child in root}


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside one CDATA section: split it across two.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def text_reply_xml(*, to_user: str, from_user: str, create_time: int, content: str) -> str:
    """A passive text reply (ToUserName = the citizen's OpenID, FromUserName = the account)."""
    return (
        "<xml>"
        f"<ToUserName>{_cdata(to_user)}</ToUserName>"
        f"<FromUserName>{_cdata(from_user)}</FromUserName>"
        f"<CreateTime>{create_time}</CreateTime>"
        "<MsgType><![CDATA[text]]></MsgType>"
        f"<Content>{_cdata(content)}</Content>"
        "</xml>"
    )


def encrypted_reply_xml(*, encrypted: str, signature: str, timestamp: str, nonce: str) -> str:
    """The safe-mode envelope around an encrypted passive reply."""
    return (
        "<xml>"
        f"<Encrypt>{_cdata(encrypted)}</Encrypt>"
        f"<MsgSignature>{_cdata(signature)}</MsgSignature>"
        f"<TimeStamp>{timestamp}</TimeStamp>"
        f"<Nonce>{_cdata(nonce)}</Nonce>"
        "</xml>"
    )
