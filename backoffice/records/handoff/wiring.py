"""Builds the handoff desk of a web process (called from web/main.py at start-up)."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.orm import sessionmaker

from backoffice.db import make_engine
from backoffice.records.handoff.delivery import DeliveryRegistry, HubDelivery
from backoffice.records.handoff.desk import HandoffDesk
from backoffice.records.handoff.policy import HandoffPolicy, load_policy
from backoffice.records.handoff.rasa_control import RasaControl
from backoffice.records.handoff.redis_hub import build_hub
from backoffice.records.handoff.settings import get_handoff_settings
from core.rasa_pool import replica_urls
from core.settings import Settings

WEB_CHANNEL = "web"


def build_desk(settings: Settings) -> HandoffDesk:
    """The desk for `settings`: its own engine, Rasa's API, the web chat delivery registered.

    Live streams are woken through Redis when `REDIS_URL` is set (every web worker at once),
    else in this process only.

    Other channels register their delivery on `desk.deliveries` when they start.
    """
    hub = build_hub(settings.redis_url, settings.redis_key_prefix)
    deliveries = DeliveryRegistry()
    deliveries.register(WEB_CHANNEL, HubDelivery(hub))
    return HandoffDesk(
        session_factory=sessionmaker(
            bind=make_engine(settings.database_url), expire_on_commit=False
        ),
        policy=desk_policy(duty_only=get_handoff_settings().duty_only),
        rasa=RasaControl(
            rasa_url=settings.rasa_url,
            rasa_urls=replica_urls(settings),
            timeout=settings.rasa_timeout_seconds,
        ),
        deliveries=deliveries,
        hub=hub,
    )


def _never(_day: object) -> bool:
    return False


def desk_policy(*, duty_only: bool) -> HandoffPolicy:
    """The handoff policy; with `duty_only` no day has office hours (only extra duty opens)."""
    policy = load_policy()
    if not duty_only:
        return policy
    return replace(policy, hours=replace(policy.hours, working_day=_never))
