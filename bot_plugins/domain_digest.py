"""Rasa sends the action server its domain once, then only the domain's digest (Rasa 3.6).

Rasa 3.6 puts the whole domain (about 146 kB of JSON here: every response of every
feature) into every call of a custom action, a form's validation or an `action_ask_*`:
encoding it costs Rasa about 4 ms per call and decoding it costs the action server as much,
two to three times per message. rasa-sdk (3.21) already speaks the protocol newer Rasa
versions use instead: a call carries `domain_digest`; the action server keeps the last
domain it was sent with its digest, and answers 449 when a call brings a digest it does not
know and no domain. Then the call is sent again with the domain.

`install()` makes Rasa speak it: `RemoteAction._action_call_format` sends the digest in
place of the domain, and `EndpointConfig.request` sends a call again with the domain when
the action server answers 449 (the first call after the action server started, each of its
workers, or a new model's domain). Nothing else of the call changes; an action server that
ignores digests still receives and uses the domain on that second try.

Rasa offers no start-up hook, so `bot_plugins.scrubbing_tracker_store` (which every
profile's endpoints load into Rasa) calls `install()` when it is imported. Runs in
.venv-rasa only.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections import OrderedDict
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

# What rasa-sdk answers to a call whose digest it does not know (and that has no domain).
DOMAIN_MISSING = 449
# Domains sent by digest, newest last: a model replaced while Rasa runs brings a new one.
KEEP_DOMAINS = 4

_rasa_call_format = RemoteAction._action_call_format
_rasa_request = EndpointConfig.request

# id(domain) → (the domain, weakly; its digest).
_digests: dict[int, tuple[weakref.ref[Domain], str]] = {}
# digest → the domain as sent (Rasa's `Domain.as_dict()`), for the second try.
_domains: OrderedDict[str, dict[str, Any]] = OrderedDict()


def domain_digest(domain: Domain) -> str:
    """A digest of `domain`'s content (computed once per domain object)."""
    key = id(domain)
    found = _digests.get(key)
    if found is not None and found[0]() is domain:
        return found[1]
    content = json.dumps(domain.as_dict(), sort_keys=True, ensure_ascii=False, default=str)
    digest = hashlib.sha256(content.encode()).hexdigest()
    _digests[key] = (weakref.ref(domain, lambda _: _digests.pop(key, None)), digest)
    return digest


def action_call_format(
    self: RemoteAction, tracker: DialogueStateTracker, domain: Domain
) -> dict[str, Any]:
    """Rasa's call of a custom action, with `domain_digest` in place of `domain`."""
    call: dict[str, Any] = _rasa_call_format(self, tracker, domain)
    sent = call.pop("domain", None)
    if sent is not None:
        digest = domain_digest(domain)
        call["domain_digest"] = digest
        _domains[digest] = sent
        _domains.move_to_end(digest)
        while len(_domains) > KEEP_DOMAINS:
            _domains.popitem(last=False)
    return call


async def request(
    self: EndpointConfig,
    method: str = "post",
    subpath: str | None = None,
    content_type: str | None = "application/json",
    compress: bool = False,
    **kwargs: Any,
) -> Any:
    """Rasa's `EndpointConfig.request`; a call sent by digest goes again with the domain on 449."""
    try:
        return await _rasa_request(self, method, subpath, content_type, compress, **kwargs)
    except ClientResponseError as error:
        call = kwargs.get("json")
        if error.status != DOMAIN_MISSING or not isinstance(call, dict):
            raise
        domain = _domains.get(call.get("domain_digest") or "")
        if domain is None or "domain" in call:
            raise
        kwargs["json"] = {**call, "domain": domain}
        return await _rasa_request(self, method, subpath, content_type, compress, **kwargs)


def install() -> None:
    """Make Rasa send the domain by digest (once per action server process and domain)."""
    RemoteAction._action_call_format = action_call_format  # type: ignore[method-assign]
    EndpointConfig.request = request  # type: ignore[method-assign]
